"""Filters and sorting of the plan page, read from its query string (a plain GET form).

Unknown or malformed values are ignored, so a hand-edited link still shows the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from webapp.domain.findings import SEVERITY_WEIGHT
from webapp.tracking.models import FindingStatus
from webapp.tracking.services import PlanEntry

BUCKETS = ("now", "next", "later")
SEVERITIES = tuple(SEVERITY_WEIGHT)
#: Sort keys of the page: query value → label.
SORTS = {"plan": "Plan order", "severity": "Severity", "due": "Due date", "status": "Status",
         "owner": "Owner"}
NOBODY = "none"
SYSTEM = "system"


@dataclass(frozen=True)
class PlanFilters:
    status: str = ""
    owner: str = ""
    bucket: str = ""
    severity: str = ""
    workflow: str = ""
    sort: str = "plan"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> PlanFilters:
        def pick(name: str, allowed) -> str:
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        owner = (args.get("owner") or "").strip()
        workflow = (args.get("workflow") or "").strip()
        return cls(
            status=pick("status", {s.value for s in FindingStatus}),
            owner=owner if owner == NOBODY or owner.isdigit() else "",
            bucket=pick("bucket", BUCKETS), severity=pick("severity", SEVERITIES),
            workflow=workflow if workflow == SYSTEM or workflow.isdigit() else "",
            sort=pick("sort", SORTS) or "plan")

    @property
    def active(self) -> bool:
        return any((self.status, self.owner, self.bucket, self.severity, self.workflow))

    def args(self) -> dict[str, str]:
        """The non-default values, for links and redirects back to the same view."""
        values = {"status": self.status, "owner": self.owner, "bucket": self.bucket,
                  "severity": self.severity, "workflow": self.workflow,
                  "sort": "" if self.sort == "plan" else self.sort}
        return {k: v for k, v in values.items() if v}

    def keeps(self, entry: PlanEntry) -> bool:
        t = entry.tracking
        owner_id = t.owner_id if t else None
        return all((
            not self.status or entry.status.value == self.status,
            not self.owner or (owner_id is None if self.owner == NOBODY
                               else str(owner_id) == self.owner),
            not self.bucket or entry.finding.get("bucket") == self.bucket,
            not self.severity or entry.finding.get("severity") == self.severity,
            not self.workflow or (entry.ref.workflow_id is None if self.workflow == SYSTEM
                                  else str(entry.ref.workflow_id) == self.workflow),
        ))

    def apply(self, entries: list[PlanEntry]) -> list[PlanEntry]:
        """The entries kept by the filters, in the chosen order (plan order breaks ties)."""
        kept = [e for e in entries if self.keeps(e)]
        return sorted(kept, key=_SORT_KEYS[self.sort])


def _owner_name(entry: PlanEntry) -> tuple[bool, str]:
    owner = entry.tracking.owner if entry.tracking else None
    return (owner is None, owner.name.casefold() if owner else "")


def _due(entry: PlanEntry) -> tuple[bool, dt.date]:
    due = entry.tracking.due_date if entry.tracking else None
    return (due is None, due or dt.date.max)


_STATUS_ORDER = {s: i for i, s in enumerate(FindingStatus)}
_SORT_KEYS = {
    "plan": lambda e: e.number,
    "severity": lambda e: (-SEVERITY_WEIGHT.get(e.finding.get("severity"), 0), e.number),
    "due": lambda e: (*_due(e), e.number),
    "status": lambda e: (_STATUS_ORDER[e.status], e.number),
    "owner": lambda e: (*_owner_name(e), e.number),
}


def plan_choices(assessment, members: list[tuple[int, str]]) -> dict[str, list[tuple[str, str]]]:
    """The options of each filter: (query value, label)."""
    return {
        "status": [(s.value, s.label) for s in FindingStatus],
        "owner": [(NOBODY, "Nobody yet")] + [(str(uid), name) for uid, name in members],
        "bucket": [(b, b.capitalize()) for b in BUCKETS],
        "severity": [(s, s.capitalize()) for s in SEVERITIES],
        "workflow": [(SYSTEM, "System")] + [(str(w.id), w.name) for w in assessment.workflows],
        "sort": list(SORTS.items()),
    }
