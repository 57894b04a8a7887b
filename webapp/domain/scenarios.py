"""Failure scenarios: what a workflow does when something goes wrong, from its answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .answers import Answer
from .conditions import Condition
from .index import QuestionnaireIndex
from .models import OutcomeDef, Scenario
from .unknowns import completions, flags_from, known, unknown_among

UNKNOWN = OutcomeDef(id="unknown", status="unsafe", label="The answers don't say")


@dataclass(slots=True)
class ScenarioResult:
    scenario: Scenario
    outcome: OutcomeDef
    status: str  # safe | unsafe | unknown
    explain: str
    because: tuple[str, ...]


def responded(answer: Answer | None) -> bool:
    return answer is not None and (bool(answer.selected) or answer.na is not None)


@dataclass(slots=True)
class Prepared:
    """A scenario with its outcomes looked up and its questions listed, once per content."""

    scenario: Scenario
    options: list[tuple[OutcomeDef, str, Condition, bool]]  # outcome, explain, condition, safe
    asked: tuple[str, ...]  # every question its outcomes test, in questionnaire order
    index: QuestionnaireIndex | None = None


def prepare(
    scenario: Scenario,
    conditions: list[Condition],
    outcomes: Mapping[str, OutcomeDef],
    index: QuestionnaireIndex,
) -> Prepared:
    options = []
    for option, condition in zip(scenario.outcomes, conditions, strict=True):
        outcome = outcomes.get(option.outcome, UNKNOWN)
        options.append((outcome, option.explain, condition, outcome.status == "safe"))
    asked = tuple(index.sort({q for c in conditions for q in c.questions}))
    return Prepared(scenario, options, asked, index)


def resolve(
    prepared: Prepared, answers: Mapping[str, Answer], flags: frozenset[str]
) -> ScenarioResult:
    """The outcome these answers lead to; never safe when an unknown answer could make it unsafe.

    A blank or "We don't know" answer is unknown: the result is safe only if it stays safe for
    every answer the unknown questions could take. An unsafe outcome established by the given
    answers stands.
    """
    result, won = _first(prepared, answers, flags)
    if result.status != "safe" or prepared.index is None:
        return result
    # the winner's condition holds on known answers, so only the outcomes before it (and its
    # own questions) can change the result once the unknown answers are known
    index = prepared.index
    options = prepared.options[: won + 1]
    relevant = {q for _, _, c, _ in options for q in c.questions}
    fit = {index.criteria[f][0].id for _, _, c, _ in options for f in c.flags}
    unknown = unknown_among(index.sort(relevant | fit), answers)
    if not unknown:
        return result
    filled = completions(index, answers, unknown)
    recheck = bool(fit.intersection(unknown))  # an open fit question: its flag could be set
    if filled is not None and all(
        _first(prepared, a, flags_from(index, a) if recheck else flags)[0].status == "safe"
        for a in filled
    ):
        return result
    return _unknown(prepared, answers)


def _first(
    prepared: Prepared, answers: Mapping[str, Answer], flags: frozenset[str]
) -> tuple[ScenarioResult, int]:
    """First matching outcome wins (with its position); a safe outcome needs every question it
    tests answered."""
    for k, (outcome, explain, condition, safe) in enumerate(prepared.options):
        if not condition.test(answers, flags):
            continue
        if safe and not all(responded(answers.get(q)) for q in condition.questions):
            continue
        status = "unknown" if outcome is UNKNOWN else outcome.status
        because = condition.because(answers, flags)
        return ScenarioResult(prepared.scenario, outcome, status, explain, because), k
    return _unknown(prepared, answers), len(prepared.options)


def _unknown(prepared: Prepared, answers: Mapping[str, Answer]) -> ScenarioResult:
    missing = tuple(q for q in prepared.asked if not known(answers.get(q)))
    explain = (
        "Not enough answers to tell what happens."
        if missing
        else "None of the known outcomes matches these answers."
    )
    return ScenarioResult(prepared.scenario, UNKNOWN, "unknown", explain, missing or prepared.asked)
