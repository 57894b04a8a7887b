"""The fit verdict (strong / partial / poor, with reasons) and the profile it sets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .answers import Answer
from .index import QuestionnaireIndex
from .models import Criterion, Lowers, Raises, VerdictText
from .text import counted


@dataclass(frozen=True)
class Fit:
    verdict: str
    title: str
    advice: str
    reasons: tuple[str, ...]
    flags: frozenset[str]
    raises: tuple[tuple[str, Raises], ...]  # (flag, what it raises) for the flags that are set
    for_count: int
    against_count: int
    unanswered: tuple[str, ...]
    lowers: tuple[tuple[str, Lowers], ...] = ()  # "not for" criteria that apply

    def lowering(
        self, layers: Iterable[str] = (), patterns: Iterable[str] = (), tags: Iterable[str] = ()
    ) -> float:
        """The smallest factor among applying "not for" criteria that lower any of these."""
        layers, patterns, tags = set(layers), set(patterns), set(tags)
        factors = [
            r.factor
            for _, r in self.lowers
            if layers & set(r.layers) or patterns & set(r.patterns) or tags & set(r.tags)
        ]
        return min(factors, default=1.0)

    def factor(
        self, layers: Iterable[str] = (), patterns: Iterable[str] = (), tags: Iterable[str] = ()
    ) -> float:
        """The largest factor among the set flags that raise any of these; 1.0 when none does."""
        layers, patterns, tags = set(layers), set(patterns), set(tags)
        factors = [
            r.factor
            for _, r in self.raises
            if layers & set(r.layers) or patterns & set(r.patterns) or tags & set(r.tags)
        ]
        return max(factors, default=1.0)


def _applies(criterion: Criterion, answer: Answer | None) -> bool:
    return answer is not None and not answer.selected.isdisjoint(criterion.applies_when)


UNDECIDED = VerdictText(
    title="Fit not assessed yet",
    advice="Answer the fit questions first: they decide how deep the rest of the review goes.",
)


def _verdict(
    index: QuestionnaireIndex, for_count: int, against: int, answered: int, open_for: bool = False
) -> str:
    model = index.questionnaire.fit
    if answered == 0 or answered < min(model.min_answered, len(index.criteria)):
        return "undecided"
    if for_count == 0 and against == 0 and "neutral" in model.verdicts:
        return "neutral"
    if for_count >= model.strong.min_for and against <= model.strong.max_against:
        return "strong"
    poor = for_count <= model.poor.max_for or (
        against >= model.poor_when_against_at_least and for_count <= 1
    )
    # a blank question that could call for the review never makes the fit poor
    return "poor" if poor and not open_for else "partial"


def assess_fit(index: QuestionnaireIndex, answers: Mapping[str, Answer]) -> Fit:
    """Counts the criteria that apply and turns them into a verdict and a profile."""
    applying = [(q, c) for q, c in index.criteria.values() if _applies(c, answers.get(q.id))]
    unanswered = tuple(q.id for q, _ in index.criteria.values() if q.id not in answers)
    for_count = sum(1 for _, c in applying if c.direction == "for")
    against = len(applying) - for_count
    answered = len(index.criteria) - len(unanswered)
    open_for = any(c.direction == "for" and q.id in unanswered for q, c in index.criteria.values())
    verdict = _verdict(index, for_count, against, answered, open_for)
    text = index.questionnaire.fit.verdicts.get(verdict, UNDECIDED)
    return Fit(
        verdict,
        text.title,
        text.advice,
        _reasons(applying, unanswered, for_count, answered),
        frozenset(c.flag for _, c in applying),
        tuple((c.flag, c.raises) for _, c in applying if c.raises),
        for_count,
        against,
        unanswered,
        tuple((c.flag, c.lowers) for _, c in applying if c.lowers),
    )


def _reasons(
    applying: list, unanswered: tuple[str, ...], for_count: int, answered: int
) -> tuple[str, ...]:
    reasons = [c.reason for _, c in applying if c.direction == "for"]
    reasons += [c.reason for _, c in applying if c.direction == "against"]
    if not applying and answered:
        reasons.append("None of the criteria applies either way.")
    elif for_count == 0 and answered:
        reasons.append("None of the criteria that call for reliability engineering applies.")
    if unanswered:
        reasons.append(
            f"{counted(len(unanswered), 'fit question')} unanswered; the verdict may change "
            f"once {'it is' if len(unanswered) == 1 else 'they are'} answered."
        )
    return tuple(reasons)
