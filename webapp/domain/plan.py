"""The remediation plan: findings in buckets Now / Next / Later, prerequisites first.

A prerequisite that fired is moved up to its dependant's bucket when that is earlier, and is
placed before it. Ties are broken by rule id, then workflow order, so the plan is stable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .findings import BUCKETS, Finding

Key = tuple[str, int]


@dataclass(slots=True)
class PlanStep:
    step: int
    finding: Finding
    after: tuple[Key, ...]  # the prerequisite findings this step waits for


def _prerequisites(finding: Finding, by_key: dict[Key, Finding]) -> list[Finding]:
    found = []
    for rule_id in finding.rule.prerequisites:
        for position in (finding.position, -1):
            if (rule_id, position) in by_key:
                found.append(by_key[(rule_id, position)])
                break
    return found


def promote(findings: list[Finding]) -> list[Finding]:
    """The findings with prerequisites moved up to the bucket of what depends on them."""
    by_key = {f.key: f for f in findings}
    rank = {f.key: BUCKETS.index(f.bucket) for f in findings}

    def lift(finding: Finding, level: int, seen: frozenset[Key]) -> None:
        for pre in _prerequisites(finding, by_key):
            if pre.key not in seen and rank[pre.key] > level:
                rank[pre.key] = level
                lift(pre, level, seen | {pre.key})

    for finding in findings:
        if finding.rule.prerequisites:
            lift(finding, rank[finding.key], frozenset({finding.key}))
    return [
        f if BUCKETS[rank[f.key]] == f.bucket else replace(f, bucket=BUCKETS[rank[f.key]])
        for f in findings
    ]


def make_plan(findings: list[Finding]) -> list[PlanStep]:
    """`findings` (already promoted and ordered by priority) as ordered plan steps."""
    by_key = {f.key: f for f in findings}
    waits = {f.key: _prerequisites(f, by_key) for f in findings if f.rule.prerequisites}
    placed: dict[Key, None] = {}

    def place(finding: Finding) -> None:
        if finding.key in placed:
            return
        placed[finding.key] = None
        if finding.key in waits:
            for pre in waits[finding.key]:
                place(pre)
            placed.pop(finding.key)
            placed[finding.key] = None

    for finding in sorted(findings, key=lambda f: BUCKETS.index(f.bucket)):  # stable
        place(finding)
    after = {key: tuple(p.key for p in pres) for key, pres in waits.items()}
    return [PlanStep(n, by_key[key], after.get(key, ())) for n, key in enumerate(placed, start=1)]
