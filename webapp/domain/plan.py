"""The remediation plan: actions in buckets Now / Next / Later, prerequisites first.

Findings whose rule names a `root_cause` that also fired (in the same workflow, or for the
system) are one action: the root cause's, with theirs listed as its consequences; the action
takes the most urgent bucket of its group. "Now" holds at most NOW_LIMIT actions; the rest move
to "Next" in rank order. A prerequisite that fired is moved up to its dependant's bucket when
that is earlier, and is placed before it. Ties are broken by rule id, then workflow order, so
the plan is stable.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .findings import BUCKETS, Finding, rank

Key = tuple[str, int]
NOW_LIMIT = 7


@dataclass(slots=True)
class PlanStep:
    step: int
    finding: Finding
    after: tuple[Key, ...]  # the prerequisite findings this step waits for
    consequences: tuple[Finding, ...] = ()  # findings this action's root cause also removes


def _root(finding: Finding, by_key: dict[Key, Finding]) -> Finding:
    seen = {finding.key}
    while finding.rule.root_cause:
        keys = [(r, p) for r in finding.rule.root_cause for p in (finding.position, -1)]
        parent = next((by_key[k] for k in keys if k in by_key), None)
        if parent is None or parent.key in seen:
            break
        seen.add(parent.key)
        finding = parent
    return finding


def group(findings: list[Finding]) -> dict[Key, list[Finding]]:
    """Each root finding's key -> the findings it subsumes (in rank order)."""
    by_key = {f.key: f for f in findings}
    groups: dict[Key, list[Finding]] = {}
    for f in findings:
        root = _root(f, by_key)
        if root.key != f.key:
            groups.setdefault(root.key, []).append(f)
    return groups


def settle(findings: list[Finding], limit: int = NOW_LIMIT) -> list[Finding]:
    """Findings with grouped ones sharing their root's (most urgent) bucket, prerequisites
    promoted, and "Now" capped at `limit` actions; in rank order."""
    groups = group(findings)
    member = {m.key: root for root, ms in groups.items() for m in ms}
    level = {f.key: BUCKETS.index(f.bucket) for f in findings}
    for root, members in groups.items():
        level[root] = min([level[root], *(level[m.key] for m in members)])
    moved = [_at(f, level[member.get(f.key, f.key)]) for f in findings]
    moved = sorted(promote(moved), key=rank)
    roots = [f for f in moved if f.key not in member and f.bucket == "now"]
    late = {f.key for f in roots[limit:]}
    out = [replace(f, bucket="next") if member.get(f.key, f.key) in late else f for f in moved]
    return sorted(out, key=rank)


def _at(finding: Finding, level: int) -> Finding:
    bucket = BUCKETS[level]
    return finding if bucket == finding.bucket else replace(finding, bucket=bucket)


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
    """`findings` (already settled and ranked) as ordered plan steps, one per action."""
    groups = group(findings)
    subsumed = {m.key for ms in groups.values() for m in ms}
    consequences = {k: tuple(ms) for k, ms in groups.items()}
    findings = [f for f in findings if f.key not in subsumed]
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
    return [
        PlanStep(n, by_key[key], after.get(key, ()), consequences.get(key, ()))
        for n, key in enumerate(placed, start=1)
    ]
