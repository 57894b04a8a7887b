"""Words the whole review shares, written once: severities (most severe first) and plan
buckets, with the labels people read. Content, engine, reviewer, report, pages and CLI all
take them from here."""

from __future__ import annotations

from typing import Literal

SEVERITIES = ("critical", "high", "medium", "low")
Severity = Literal["critical", "high", "medium", "low"]
SEVERITY_LABELS = {s: s.capitalize() for s in SEVERITIES}
BUCKETS = ("now", "next", "later")
BUCKET_LABELS = {b: b.capitalize() for b in BUCKETS}
