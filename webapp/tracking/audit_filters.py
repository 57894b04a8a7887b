"""Filters of the audit log page and its CSV export: who, what kind of change, and when.

Read from the query string of a plain GET form. A date that cannot be read is reported in
words and the typed value stays in the form; the other filters still apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Kinds of change: query value → (action prefix, label).
AUDIT_KINDS = {"answers": ("answer.", "Answers"), "plan": ("finding.", "Plan tracking"),
               "workflows": ("workflow.", "Workflows"), "members": ("member.", "Team members"),
               "milestones": ("milestone.", "Milestones"), "shares": ("share.", "Share links")}


@dataclass(frozen=True)
class AuditFilters:
    who: str = ""
    kind: str = ""
    start: str = ""
    end: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilters:
        who = (args.get("who") or "").strip()
        kind = (args.get("kind") or "").strip()
        start, end = ((args.get(k) or "").strip()[:20] for k in ("from", "to"))
        errors = {name: f"Enter the {label} date as YYYY-MM-DD, for example 2026-03-31."
                  for name, label, value in (("from", "from", start), ("to", "to", end))
                  if value and _date(value) is None}
        first, last = _date(start), _date(end)
        if first and last and first > last:
            errors["to"] = "The “to” date is before the “from” date."
        return cls(who if who.isdigit() else "", kind if kind in AUDIT_KINDS else "",
                   start, end, errors)

    @property
    def active(self) -> bool:
        return any((self.who, self.kind, self.start, self.end))

    @property
    def prefix(self) -> str | None:
        return AUDIT_KINDS[self.kind][0] if self.kind else None

    @property
    def actor_id(self) -> int | None:
        return int(self.who) if self.who else None

    @property
    def since(self) -> dt.datetime | None:
        day = None if "from" in self.errors else _date(self.start)
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) if day else None

    @property
    def before(self) -> dt.datetime | None:
        """The end of the "to" day (the whole day is included)."""
        day = None if "to" in self.errors else _date(self.end)
        if day is None:
            return None
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)

    def args(self) -> dict[str, str]:
        values = {"who": self.who, "kind": self.kind, "from": self.start, "to": self.end}
        return {k: v for k, v in values.items() if v}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
