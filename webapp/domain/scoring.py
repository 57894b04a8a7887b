"""Scores 0–100 per question, per pattern per workflow, per layer and overall; coverage.

N/A questions are left out of every score. An unanswered question is left out of the
answered-only score and counts as unproven (0) in the headline score, so blanks never flatter;
a group with no answered question scores None. The formulas are in docs/scoring.md.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from .answers import Answer
from .fit import Fit
from .index import QuestionInfo, QuestionnaireIndex
from .unknowns import completions, unknown_among


@dataclass(frozen=True)
class Coverage:
    answered: int
    not_applicable: int
    total: int

    @property
    def unanswered(self) -> int:
        return self.total - self.answered - self.not_applicable

    @property
    def percent(self) -> float:
        return (
            round(100 * (self.answered + self.not_applicable) / self.total, 1)
            if self.total
            else 0.0
        )

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(
            self.answered + other.answered,
            self.not_applicable + other.not_applicable,
            self.total + other.total,
        )


@dataclass(slots=True)
class GroupScore:
    """A layer's or a pattern's score, with how many of its questions were answered."""

    id: str
    score: float | None
    answered: int
    total: int


def question_score(info: QuestionInfo, answer: Answer | None) -> int | None:
    if answer is None or not answer.selected:
        return None
    return info.score_of(answer.selected)


def weighted_mean(pairs: Iterable[tuple[float | None, float]]) -> float | None:
    """Mean of the scores that are not None, weighted; None when there is none."""
    total = weight_sum = 0.0
    for score, weight in pairs:
        if score is not None:
            total += score * weight
            weight_sum += weight
    return round(total / weight_sum, 1) if weight_sum else None


def question_weights(infos: Iterable[QuestionInfo], fit: Fit) -> dict[str, float]:
    """Each question's weight, raised by the fit profile for its tags."""
    return {i.id: i.question.weight * _tag_factor(i, fit) for i in infos}


def group_score(
    group_id: str,
    infos: list[QuestionInfo],
    answers: Mapping[str, Answer],
    weights: Mapping[str, float],
    overrides: Mapping[str, int] | None = None,
    unproven: bool = False,
    asked: Collection[str] | None = None,
    irrelevant: Collection[str] = (),
) -> GroupScore:
    """The weighted mean of the answered questions in `infos`; None when none is answered.

    `overrides` holds conditional scores (a choice's `score_if` that holds); with `unproven`
    an unanswered question (neither a choice nor N/A) counts as 0. When `asked` is given (the
    minimum checklist) only its questions count, answered or not, so an answer given outside
    the checklist can neither lift nor lower a score, and blanking it changes nothing.
    `irrelevant` questions (hidden by `ask_if`) are left out of the total too.
    """
    total = weight_sum = 0.0
    answered = 0
    for info in infos:  # a plain loop: this runs for every pattern of every workflow
        if asked is not None and info.id not in asked:
            continue  # not on the checklist: neither its answer nor its absence counts
        answer = answers.get(info.id)
        if answer is None or not answer.selected:
            if unproven and (answer is None or answer.na is None):
                weight_sum += weights[info.id]
            continue
        weight = weights[info.id]
        score = overrides.get(info.id) if overrides else None
        total += (info.score_of(answer.selected) if score is None else score) * weight
        weight_sum += weight
        answered += 1
    score = round(total / weight_sum, 1) if weight_sum and (answered or unproven) else None
    count = len(infos) - sum(1 for i in infos if i.id in irrelevant) if irrelevant else len(infos)
    return GroupScore(group_id, score, answered, count)


def conditional_scores(
    score_ifs: Mapping[str, Mapping[str, list]],
    answers: Mapping[str, Answer],
    flags: frozenset[str],
    index: QuestionnaireIndex | None = None,
) -> dict[str, int]:
    """The conditional score of each answered single-choice question whose `score_if` holds.

    With `index`, a condition that reads an open question (blank or "We don't know") gives the
    lowest score any answer to it could give: retrying with backoff while the bound is open
    scores as unbounded retries would, never as bounded ones.
    """
    found = {}
    for qid, by_choice in score_ifs.items():
        answer = answers.get(qid)
        if answer is None or len(answer.choices) != 1 or answer.choices[0] not in by_choice:
            continue
        rules = by_choice[answer.choices[0]]
        score = _first_score(rules, answers, flags)
        if index is not None:
            asked = {q for c, _ in rules for q in c.questions}
            unknown = unknown_among(index.sort(asked), answers)
            filled = completions(index, answers, unknown) if unknown else None
            if unknown:
                base = index.questions[qid].score_of(answer.selected)
                # past the completions cap: the lowest score any of its rules gives
                scores = (
                    [n for _, n in rules]
                    if filled is None
                    else [_first_score(rules, a, flags) for a in filled]
                )
                lowest = min((base if n is None else n) for n in [score, *scores])
                score = None if lowest == base and score is None else lowest
        if score is not None:
            found[qid] = score
    return found


def _first_score(rules: list, answers: Mapping[str, Answer], flags: frozenset[str]) -> int | None:
    return next((n for c, n in rules if c(answers, flags)), None)


def _tag_factor(info: QuestionInfo, fit: Fit) -> float:
    return fit.factor(tags=info.question.tags) if info.question.tags and fit.raises else 1.0


def coverage(qids: Collection[str], answers: Mapping[str, Answer]) -> Coverage:
    """How many of `qids` have a choice, how many are N/A, out of how many."""
    answered = na = 0
    for qid, answer in answers.items():  # answers are fewer than questions; qids is a set
        if qid in qids:
            if answer.na is not None:
                na += 1
            elif answer.selected:
                answered += 1
    return Coverage(answered, na, len(qids))
