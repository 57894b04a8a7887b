"""Findings: the rules that fire, once for the system and once per workflow, with priority.

priority = severity weight × exposure, where exposure is the fit profile's factor for the rule's
layer, pattern or tags ("not for" criteria lower it) times the workflow's criticality exposure.
The priority decides the bucket; within a bucket the more severe comes first, then the smaller
effort, so effort orders the work but never pushes a critical risk back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .answers import Answer
from .content import Compiled
from .fit import Fit
from .models import Rule
from .vocabulary import BUCKETS, SEVERITIES  # noqa: F401 - BUCKETS: plan and result read it here

SEVERITY_WEIGHT = {"critical": 8, "high": 4, "medium": 2, "low": 1}
EFFORT_WEIGHT = {"S": 1, "M": 2, "L": 4}
SEVERITY_ORDER = SEVERITIES
NOW_AT, NEXT_AT = 6.0, 3.0


@dataclass(slots=True)
class WorkflowContext:
    """What rules and scenarios see of one workflow: its answers merged over the system's."""

    position: int
    name: str
    answers: Mapping[str, Answer]
    exposure: float


@dataclass(slots=True)
class Finding:
    rule: Rule
    workflow: str | None
    position: int  # workflow position; -1 for system findings
    because: tuple[str, ...]
    exposure: float
    priority: float
    bucket: str
    quick_win: bool
    key: tuple[str, int] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.key = (self.rule.id, self.position)


def bucket_for(priority: float) -> str:
    return "now" if priority >= NOW_AT else "next" if priority >= NEXT_AT else "later"


def is_quick_win(rule: Rule) -> bool:
    return rule.effort == "S" and SEVERITY_WEIGHT[rule.severity] >= SEVERITY_WEIGHT["medium"]


class _RuleFinder:
    """One rule, with what does not change between workflows worked out once."""

    def __init__(self, rule: Rule, compiled: Compiled, fit: Fit) -> None:
        self.rule = rule
        self.condition = compiled.rules[rule.id]
        area = ([rule.layer or ""], [rule.pattern or ""], rule.tags)
        self.factor = fit.factor(*area) * fit.lowering(*area)
        self.ratio = SEVERITY_WEIGHT[rule.severity]
        self.quick_win = is_quick_win(rule)
        self._ranks: dict[float, tuple[float, float, str]] = {}

    def _rank(self, criticality: float) -> tuple[float, float, str]:
        """(exposure, priority, bucket) for a workflow criticality; few values, so cached."""
        rank = self._ranks.get(criticality)
        if rank is None:
            exposure = round(self.factor * criticality, 4)
            priority = round(self.ratio * exposure, 2)
            rank = self._ranks[criticality] = (exposure, priority, bucket_for(priority))
        return rank

    def finding(
        self, ctx: WorkflowContext | None, answers: Mapping[str, Answer], flags: frozenset[str]
    ) -> Finding:
        exposure, priority, bucket = self._rank(ctx.exposure if ctx else 1.0)
        name, position = (ctx.name, ctx.position) if ctx else (None, -1)
        because = self.condition.because(answers, flags)
        return Finding(
            self.rule, name, position, because, exposure, priority, bucket, self.quick_win
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
    flags = fit.flags
    finders = compiled.profiles.get(("finders", flags))
    if finders is None:
        finders = [_RuleFinder(rule, compiled, fit) for rule in rules]
        compiled.profiles[("finders", flags)] = finders
    for finder in finders:
        rule, test = finder.rule, finder.condition.test
        if rule.scope == "system":
            found += [finder.finding(None, system, flags)] if test(system, flags) else []
        else:
            found += [
                finder.finding(ctx, ctx.answers, flags)
                for ctx in workflows
                if test(ctx.answers, flags)
            ]
    return sorted(found, key=rank)


def rank(f: Finding) -> tuple:
    """Bucket first, then severity, then effort (smallest first), then exposure."""
    return (
        BUCKETS.index(f.bucket),
        SEVERITY_ORDER.index(f.rule.severity),
        EFFORT_WEIGHT[f.rule.effort],
        -f.priority,
        f.rule.id,
        f.position,
    )
