"""The CI gate of `faultline report --fail-on SEVERITY --min-score N`.

Reads the result's JSON form (the document `faultline report --format json` prints), so a
pipeline and this gate always judge the same thing. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Most severe first; `--fail-on high` fails on high and critical.
SEVERITIES = ("critical", "high", "medium", "low")


def at_or_above(severity: str, threshold: str) -> bool:
    order = {name: rank for rank, name in enumerate(SEVERITIES)}
    return order.get(severity, len(SEVERITIES)) <= order[threshold]


def gate_reasons(
    result: Mapping[str, Any], fail_on: str | None = None, min_score: float | None = None
) -> list[str]:
    """One line per reason the gate fails (empty: it passes)."""
    reasons = []
    if fail_on is not None:
        reasons += [_finding_line(f) for f in result.get("findings", [])
                    if at_or_above(f.get("severity", ""), fail_on)]
    if min_score is not None:
        overall = result.get("overall")
        if overall is None:
            reasons.append(f"overall score: not assessed (no scored answers); --min-score "
                           f"{min_score:g} needs one")
        elif overall < min_score:
            reasons.append(f"overall score {overall:g} is below --min-score {min_score:g}")
    return reasons


def _finding_line(finding: Mapping[str, Any]) -> str:
    where = finding.get("workflow") or "system"
    return (f"{finding.get('severity')} finding {finding.get('rule')} ({where}): "
            f"{finding.get('title')}")
