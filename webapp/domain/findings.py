"""Findings: the rules that fire, once for the system and once per workflow, with priority.

priority = severity weight × exposure ÷ effort weight, where exposure is the fit profile's
factor for the rule's layer, pattern or tags times the workflow's criticality exposure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .answers import Answer
from .content import Compiled
from .fit import Fit
from .models import Rule

SEVERITY_WEIGHT = {"critical": 8, "high": 4, "medium": 2, "low": 1}
EFFORT_WEIGHT = {"S": 1, "M": 2, "L": 4}
SEVERITY_ORDER = ("critical", "high", "medium", "low")
BUCKETS = ("now", "next", "later")
NOW_AT, NEXT_AT = 4.0, 1.5


@dataclass(frozen=True)
class WorkflowContext:
    """What rules and scenarios see of one workflow: its answers merged over the system's."""

    position: int
    name: str
    answers: Mapping[str, Answer]
    exposure: float


@dataclass(frozen=True)
class Finding:
    rule: Rule
    workflow: str | None
    position: int  # workflow position; -1 for system findings
    because: tuple[str, ...]
    exposure: float
    priority: float
    bucket: str
    quick_win: bool

    @property
    def key(self) -> tuple[str, int]:
        return (self.rule.id, self.position)


def bucket_for(priority: float) -> str:
    return "now" if priority >= NOW_AT else "next" if priority >= NEXT_AT else "later"


def is_quick_win(rule: Rule) -> bool:
    return rule.effort == "S" and SEVERITY_WEIGHT[rule.severity] >= SEVERITY_WEIGHT["medium"]


def _finding(
    rule: Rule, because: tuple[str, ...], fit: Fit, ctx: WorkflowContext | None
) -> Finding:
    exposure = fit.factor([rule.layer or ""], [rule.pattern or ""], rule.tags)
    exposure = round(exposure * (ctx.exposure if ctx else 1.0), 4)
    priority = round(SEVERITY_WEIGHT[rule.severity] * exposure / EFFORT_WEIGHT[rule.effort], 2)
    return Finding(
        rule,
        ctx.name if ctx else None,
        ctx.position if ctx else -1,
        because,
        exposure,
        priority,
        bucket_for(priority),
        is_quick_win(rule),
    )


def find(
    compiled: Compiled,
    rules: list[Rule],
    system: Mapping[str, Answer],
    fit: Fit,
    workflows: list[WorkflowContext],
) -> list[Finding]:
    """Every finding, ordered by priority (highest first), then rule id, then workflow order."""
    found = []
    for rule in rules:
        condition = compiled.rules[rule.id]
        if rule.scope == "system":
            if condition(system, fit.flags):
                found.append(_finding(rule, condition.questions, fit, None))
            continue
        found += [
            _finding(rule, condition.questions, fit, ctx)
            for ctx in workflows
            if condition(ctx.answers, fit.flags)
        ]
    return sorted(found, key=lambda f: (-f.priority, f.rule.id, f.position))
