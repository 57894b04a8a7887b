"""What keeps the verdict honest: refused N/A, open risks, risk counts and the weakest layer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .answers import Answer
from .content import Compiled
from .findings import SEVERITY_ORDER, Finding, WorkflowContext
from .models import Rule
from .unknowns import could, unknown_among

OPEN_SEVERITIES = ("critical", "high")
WEAK_LAYER = 25.0  # a layer below this holds the headline score at HEADLINE_CAP at most
HEADLINE_CAP = 50.0


@dataclass(frozen=True)
class RefusedNa:
    """A not applicable the workflow's own description contradicts; it counts as unanswered."""

    workflow: str | None
    question: str
    reason: str
    position: int = -1  # the workflow's position; -1 for the system


@dataclass(frozen=True)
class OpenRisk:
    """A high or critical rule that is quiet only because these questions are open."""

    rule: Rule
    workflow: str | None
    position: int
    questions: tuple[str, ...]


def refuse_na(
    compiled: Compiled, answers: Mapping[str, Answer], flags: frozenset[str]
) -> list[tuple[str, str]]:
    """(question, reason) for each N/A answer in `answers` that its refusal condition forbids."""
    refused = []
    for qid, refusals in compiled.na_refusals.items():
        answer = answers.get(qid)
        if answer is None or answer.na is None:
            continue
        reason = next((r for c, r in refusals if c(answers, flags)), None)
        if reason:
            refused.append((qid, reason))
    return refused


def without(answers: Mapping[str, Answer], qids: Iterable[str]) -> dict[str, Answer]:
    drop = set(qids)
    return {q: a for q, a in answers.items() if q not in drop}


def _depends_on(compiled: Compiled, rule: Rule) -> list[str]:
    condition = compiled.rules[rule.id]
    fit = [compiled.index.criteria[f][0].id for f in condition.flags]
    return [*condition.questions, *fit]


def open_risks(
    compiled: Compiled,
    rules: list[Rule],
    system: Mapping[str, Answer],
    workflows: list[WorkflowContext],
    fired: set[tuple[str, int]],
) -> list[OpenRisk]:
    """High and critical rules that are quiet but could fire once the open questions are
    answered (a blank, "We don't know" or a refused N/A is open)."""
    found = []
    for rule in rules:
        if rule.severity not in OPEN_SEVERITIES:
            continue
        asked = _depends_on(compiled, rule)
        scopes = (
            [(None, -1, system)]
            if rule.scope == "system"
            else [(ctx.name, ctx.position, ctx.answers) for ctx in workflows]
        )
        for name, position, answers in scopes:
            if (rule.id, position) in fired:
                continue
            if could(compiled.index, answers, asked, compiled.rules[rule.id].test):
                unknown = tuple(compiled.index.sort(unknown_among(asked, answers)))
                found.append(OpenRisk(rule, name, position, unknown))
    return sorted(
        found, key=lambda o: (SEVERITY_ORDER.index(o.rule.severity), o.position, o.rule.id)
    )


def risk_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each severity (critical, high, medium; low is not a risk count)."""
    counts = {"critical": 0, "high": 0, "medium": 0}
    for f in findings:
        if f.rule.severity in counts:
            counts[f.rule.severity] += 1
    return counts


def weak_layers(layers: Iterable[tuple[str, float | None]]) -> tuple[str, ...]:
    return tuple(layer for layer, score in layers if score is not None and score < WEAK_LAYER)


def headline(score: float | None, weak: tuple[str, ...]) -> float | None:
    """The overall score, held at HEADLINE_CAP when a layer is below WEAK_LAYER."""
    if score is None or not weak:
        return score
    return min(score, HEADLINE_CAP)
