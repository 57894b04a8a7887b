"""Failure scenarios: what a workflow does when something goes wrong, from its answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .answers import Answer
from .conditions import Condition
from .index import QuestionnaireIndex
from .models import OutcomeDef, Scenario

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
    return Prepared(scenario, options, asked)


def resolve(
    prepared: Prepared, answers: Mapping[str, Answer], flags: frozenset[str]
) -> ScenarioResult:
    """First matching outcome wins; a safe outcome needs every question it tests answered."""
    for outcome, explain, condition, safe in prepared.options:
        if not condition.test(answers, flags):
            continue
        if safe and not all(responded(answers.get(q)) for q in condition.questions):
            continue
        status = "unknown" if outcome is UNKNOWN else outcome.status
        return ScenarioResult(
            prepared.scenario, outcome, status, explain, condition.because(answers, flags)
        )
    return _unknown(prepared, answers)


def _unknown(prepared: Prepared, answers: Mapping[str, Answer]) -> ScenarioResult:
    missing = tuple(q for q in prepared.asked if not responded(answers.get(q)))
    explain = (
        "Not enough answers to tell what happens."
        if missing
        else "None of the known outcomes matches these answers."
    )
    return ScenarioResult(prepared.scenario, UNKNOWN, "unknown", explain, missing or prepared.asked)
