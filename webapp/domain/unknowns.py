"""Unknown is never safe: what a condition could do once the unknown answers are known.

A blank, a "We don't know" (choice id `unsure`) and a refused not applicable are unknown. A rule
that is quiet only because of an unknown answer is not safe: it is an open risk. A scenario is
safe only when every way the unknown answers could turn out still ends safe. Both are decided by
trying every answer the unknown questions could take (past `CAP` combinations the answer is
"could be unsafe", never "safe").
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping

from .answers import Answer
from .index import QuestionInfo, QuestionnaireIndex

UNSURE = "unsure"
CAP = 512
Answers_ = Mapping[str, Answer]


def known(answer: Answer | None) -> bool:
    """Answered with a real choice or not applicable; not blank and not "We don't know"."""
    if answer is None:
        return False
    if answer.na is not None:
        return True
    return bool(answer.selected) and UNSURE not in answer.selected


def possible(info: QuestionInfo) -> list[Answer]:
    """Every answer an unknown question could turn out to have (never blank; "We don't know"
    included, so a blank is never safer than saying so)."""
    q = info.question
    out = [Answer.not_applicable("unknown")] if q.na_allowed else []
    out += [Answer.choice(c.id) for c in q.choices]
    if q.type == "multi":
        open_ = [c.id for c in q.choices if not c.exclusive]
        out += [Answer.of(list(pair)) for pair in itertools.combinations(open_, 2)]
    return out


def unknown_among(qids: Iterable[str], answers: Answers_) -> list[str]:
    return [q for q in qids if not known(answers.get(q))]


def completions(
    index: QuestionnaireIndex, answers: Answers_, unknown: list[str]
) -> Iterator[dict[str, Answer]] | None:
    """`answers` with every combination of values for `unknown`; None when there are too many."""
    domains = [possible(index.questions[q]) for q in unknown]
    if math.prod(len(d) for d in domains) > CAP:
        return None
    base = dict(answers)
    return (
        {**base, **dict(zip(unknown, combo, strict=True))} for combo in itertools.product(*domains)
    )


def flags_from(index: QuestionnaireIndex, answers: Answers_) -> frozenset[str]:
    """The fit flags these answers set (the same rule as the fit verdict's)."""
    return frozenset(
        flag
        for flag, (q, c) in index.criteria.items()
        if (a := answers.get(q.id)) is not None and not a.selected.isdisjoint(c.applies_when)
    )


def could(
    index: QuestionnaireIndex,
    answers: Answers_,
    qids: Iterable[str],
    holds: Callable[[Answers_, frozenset[str]], bool],
) -> bool:
    """Whether `holds` is true for some way the unknown answers among `qids` could turn out."""
    unknown = unknown_among(qids, answers)
    if not unknown:
        return False
    filled = completions(index, answers, unknown)
    if filled is None:
        return True
    fit_questions = {q.id for q, _ in index.criteria.values()}
    recheck = bool(fit_questions.intersection(unknown))
    flags = flags_from(index, answers)
    return any(holds(a, flags_from(index, a) if recheck else flags) for a in filled)
