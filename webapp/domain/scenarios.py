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


def resolve(
    scenario: Scenario,
    conditions: list[Condition],
    outcomes: Mapping[str, OutcomeDef],
    answers: Mapping[str, Answer],
    flags: frozenset[str],
    index: QuestionnaireIndex,
) -> ScenarioResult:
    """First matching outcome wins; a safe outcome needs every question it tests answered."""
    for option, condition in zip(scenario.outcomes, conditions, strict=True):
        if not condition.test(answers, flags):
            continue
        outcome = outcomes.get(option.outcome, UNKNOWN)
        if outcome.status == "safe" and not all(
            responded(answers.get(q)) for q in condition.questions
        ):
            continue
        status = "unknown" if outcome is UNKNOWN else outcome.status
        because = condition.because(answers, flags)
        return ScenarioResult(scenario, outcome, status, option.explain, because)
    return _unknown(scenario, conditions, answers, index)


def _unknown(
    scenario: Scenario,
    conditions: list[Condition],
    answers: Mapping[str, Answer],
    index: QuestionnaireIndex,
) -> ScenarioResult:
    asked = {q for c in conditions for q in c.questions}
    missing = [q for q in asked if not responded(answers.get(q))]
    explain = (
        "Not enough answers to tell what happens."
        if missing
        else "None of the known outcomes matches these answers."
    )
    return ScenarioResult(
        scenario, UNKNOWN, "unknown", explain, tuple(index.sort(missing or asked))
    )
