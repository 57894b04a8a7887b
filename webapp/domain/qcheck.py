"""Checks inside one questionnaire that a schema alone cannot express."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Question, Questionnaire, Section
from .yamlio import place

Path_ = tuple[str | int, ...]
Found = list[tuple[Path_, str]]


def duplicates(items: Iterable[tuple[Path_, str]], what: str) -> Found:
    seen: dict[str, Path_] = {}
    found: Found = []
    for path, item_id in items:
        if item_id in seen:
            found.append(
                (
                    path + ("id",),
                    f"duplicate {what} id '{item_id}' (first at {place(seen[item_id])})",
                )
            )
        else:
            seen[item_id] = path
    return found


def check_questionnaire(q: Questionnaire) -> Found:
    found: Found = []
    found += duplicates(((("patterns", i), p.id) for i, p in enumerate(q.patterns)), "pattern")
    found += duplicates(((("layers", i), x.id) for i, x in enumerate(q.layers)), "layer")
    found += duplicates(((("sections", i), s.id) for i, s in enumerate(q.sections)), "section")
    found += duplicates(_question_ids(q), "question")
    found += _verdicts(q)
    for i, section in enumerate(q.sections):
        found += _section(q, section, ("sections", i))
    found += _coverage(q)
    return found


def _question_ids(q: Questionnaire) -> Iterable[tuple[Path_, str]]:
    for i, section in enumerate(q.sections):
        for j, question in enumerate(section.questions):
            yield ("sections", i, "questions", j), question.id


def _verdicts(q: Questionnaire) -> Found:
    missing = sorted({"strong", "partial", "poor"} - set(q.fit.verdicts))
    return (
        [(("fit", "verdicts"), f"missing verdict text for {', '.join(missing)}")] if missing else []
    )


def _section(q: Questionnaire, section: Section, path: Path_) -> Found:
    found: Found = []
    layers = {x.id for x in q.layers}
    if section.kind == "layer" and section.layer not in layers:
        found.append(
            (
                path + ("layer",),
                f"a layer section needs 'layer' naming one of {', '.join(sorted(layers))}",
            )
        )
    if section.kind != "layer" and section.layer is not None:
        found.append(
            (
                path + ("layer",),
                f"only layer sections name a layer (this is a {section.kind} section)",
            )
        )
    for j, question in enumerate(section.questions):
        found += _question(q, section, question, path + ("questions", j))
    return found


def _question(q: Questionnaire, section: Section, question: Question, path: Path_) -> Found:
    found = duplicates(
        ((path + ("choices", k), c.id) for k, c in enumerate(question.choices)), "choice"
    )
    found += _placement(q, section, question, path)
    found += _scores(question, path)
    found += _exposure(question, path)
    if question.criterion:
        found += _criterion(q, question, path + ("criterion",))
    if question.type == "single" and any(c.exclusive for c in question.choices):
        found.append((path + ("choices",), "'exclusive' only makes sense on a multi question"))
    return found


def _placement(q: Questionnaire, section: Section, question: Question, path: Path_) -> Found:
    patterns = {p.id for p in q.patterns}
    if section.kind == "fit" and question.criterion is None:
        return [(path, "every fit question needs a 'criterion'")]
    if section.kind != "fit" and question.criterion is not None:
        return [(path + ("criterion",), "only fit questions have a criterion")]
    if section.kind != "workflow" and (question.pattern or question.describes):
        return [(path, "'pattern' and 'describes' belong to workflow questions")]
    if section.kind == "workflow" and bool(question.pattern) == bool(question.describes):
        return [(path, "a workflow question names exactly one of 'pattern' or 'describes'")]
    if question.pattern and question.pattern not in patterns:
        return [(path + ("pattern",), f"unknown pattern '{question.pattern}'")]
    return []


def _scores(question: Question, path: Path_) -> Found:
    if not question.scored:
        return []
    unscored = [k for k, c in enumerate(question.choices) if c.score is None]
    if unscored:
        return [
            (path + ("choices", k, "score"), "every choice of a scored question needs a score")
            for k in unscored
        ]
    best = _best_possible(question)
    return (
        []
        if best == 100
        else [(path + ("choices",), f"the best answer scores {best}; it must score 100")]
    )


def _best_possible(question: Question) -> int:
    scores = [c.score or 0 for c in question.choices]
    if question.type == "single":
        return max(scores)
    together = sum(c.score or 0 for c in question.choices if not c.exclusive)
    return min(100, max([together, *scores]))


def _exposure(question: Question, path: Path_) -> Found:
    with_exposure = [k for k, c in enumerate(question.choices) if c.exposure is not None]
    if question.describes == "criticality":
        missing = [k for k, c in enumerate(question.choices) if c.exposure is None]
        return [(path + ("choices", k), "criticality choices need an 'exposure'") for k in missing]
    return [
        (path + ("choices", k, "exposure"), "only the criticality question has exposure")
        for k in with_exposure
    ]


def _criterion(q: Questionnaire, question: Question, path: Path_) -> Found:
    criterion: Any = question.criterion
    choices = {c.id for c in question.choices}
    found: Found = [
        (path + ("applies_when", k), f"'{question.id}' has no choice '{c}'")
        for k, c in enumerate(criterion.applies_when)
        if c not in choices
    ]
    raises = criterion.raises
    if raises:
        known = {"layers": {x.id for x in q.layers}, "patterns": {p.id for p in q.patterns}}
        for key, ids in (("layers", raises.layers), ("patterns", raises.patterns)):
            found += [
                (path + ("raises", key, k), f"unknown {key[:-1]} '{x}'")
                for k, x in enumerate(ids)
                if x not in known[key]
            ]
    return found


def _coverage(q: Questionnaire) -> Found:
    measured = {qq.pattern for s in q.sections for qq in s.questions if qq.pattern}
    layers = {s.layer for s in q.sections if s.kind == "layer"}
    found: Found = [
        (("patterns", i), f"pattern '{p.id}' has no question")
        for i, p in enumerate(q.patterns)
        if p.id not in measured
    ]
    found += [
        (("layers", i), f"layer '{x.id}' has no section")
        for i, x in enumerate(q.layers)
        if x.id not in layers
    ]
    seen: set[str] = set()
    for i, s in enumerate(q.sections):
        for j, qq in enumerate(s.questions):
            if qq.criterion and qq.criterion.flag in seen:
                path = ("sections", i, "questions", j, "criterion", "flag")
                found.append((path, f"duplicate fit flag '{qq.criterion.flag}'"))
            seen.add(qq.criterion.flag if qq.criterion else "")
    return found
