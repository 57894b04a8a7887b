"""The tracked plan as CSV (spreadsheets), JSON (tools) and Markdown (issue trackers).

`export_rows` turns the plan's entries into plain rows; the three writers read only those.
CSV cells that a spreadsheet would read as a formula (starting with = + - @, or a tab or
carriage return) get a leading apostrophe, so an exported text can never run as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from webapp.tracking.services import FLAG_TEXT

FORMAT_VERSION = 1
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    ("number", "Step"), ("title", "Finding"), ("severity", "Severity"), ("bucket", "When"),
    ("workflow", "Workflow"), ("rule", "Rule"), ("effort", "Effort"), ("status_label", "Status"),
    ("owner", "Owner"), ("due_date", "Due"), ("review_date", "Review risk on"),
    ("justification", "Why the risk is accepted"), ("flag", "Attention"), ("why", "Why it matters"),
    ("steps", "How to fix it"), ("verification", "How to verify"),
)
SEVERITY_WORDS = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}


def export_rows(entries: Iterable[Any]) -> list[dict[str, Any]]:
    """Plan entries (`services.tracking.PlanEntry`) as the plain rows every export reads."""
    return [_export_row(entry) for entry in entries]


def _export_row(entry: Any) -> dict[str, Any]:
    f, t = entry.finding, entry.tracking
    return {
        "number": entry.number,
        "rule": entry.ref.rule_id,
        "title": f.get("title") or entry.ref.rule_id,
        "severity": f.get("severity"),
        "bucket": f.get("bucket"),
        "workflow": f.get("workflow"),
        "effort": f.get("effort"),
        "quick_win": bool(f.get("quick_win")),
        "why": unwrap(f.get("rationale")),
        "steps": [unwrap(step) for step in f.get("remediation") or []],
        "verification": [unwrap(item) for item in f.get("verification") or []],
        "status": entry.status.value,
        "status_label": entry.status.label,
        "owner": t.owner.name if t and t.owner else None,
        "due_date": _iso(t.due_date) if t else None,
        "justification": (t.justification if t else None) or None,
        "review_date": _iso(t.review_date) if t else None,
        "flag": FLAG_TEXT if entry.flagged else None,
        "comments": len(t.comments) if t else 0,
    }



def unwrap(text: Any) -> str:
    """Prose without the line breaks the rule files wrap it at: lines of a paragraph joined
    by a space, paragraphs (blank lines) kept apart by one newline."""
    paragraphs = re.split(r"\n\s*\n", str(text or "").strip())
    return "\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def safe_cell(value: Any) -> str:
    """The cell text, with a quote in front when a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = "\n".join(f"{i}. {item}" for i, item in enumerate(value, start=1))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _, label in CSV_COLUMNS])
    for row in rows:
        writer.writerow([safe_cell(row.get(key)) for key, _ in CSV_COLUMNS])
    return out.getvalue()


def to_json(rows: Iterable[Mapping[str, Any]], meta: Mapping[str, Any]) -> str:
    """{format, assessment: {...meta}, findings: [...]}; stable key order, UTF-8 text."""
    data = {"format": FORMAT_VERSION, "assessment": dict(meta), "findings": list(rows)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _line(text: Any) -> str:
    """One line of Markdown text: newlines folded, nothing that starts a heading or HTML."""
    return " ".join(str(text or "").split()).replace("<", "&lt;")


def _status_lines(row: Mapping[str, Any]) -> list[str]:
    lines = [f"- **Status:** {row.get('status_label')}",
             f"- **Owner:** {_line(row.get('owner')) or 'nobody yet'}",
             f"- **Due:** {row.get('due_date') or 'not set'}"]
    if row.get("status") == "risk_accepted":
        lines += [f"- **Risk accepted because:** {_line(row.get('justification'))}",
                  f"- **Review the accepted risk on:** {row.get('review_date')}"]
    if row.get("flag"):
        lines.append(f"- **Attention:** {row['flag']}")
    return lines


def finding_markdown(row: Mapping[str, Any]) -> str:
    """One finding, ready to paste into an issue: title, facts, why, steps, checklist, status."""
    severity = SEVERITY_WORDS.get(str(row.get("severity")), str(row.get("severity")))
    parts = [f"## {row.get('number')}. {_line(row.get('title'))}", "",
             f"- **Severity:** {severity}",
             f"- **When:** {str(row.get('bucket') or '').capitalize()}",
             f"- **Workflow:** {_line(row.get('workflow')) or 'System-wide'}",
             f"- **Rule:** `{row.get('rule')}`", *_status_lines(row), ""]
    if row.get("why"):
        parts += ["### Why it matters", "", _line(row["why"]), ""]
    if row.get("steps"):
        parts += ["### How to fix it", "",
                  *(f"{i}. {_line(s)}" for i, s in enumerate(row["steps"], 1)), ""]
    if row.get("verification"):
        parts += ["### How to verify the fix", "",
                  *(f"- [ ] {_line(v)}" for v in row["verification"]), ""]
    return "\n".join(parts)


def to_markdown(rows: Iterable[Mapping[str, Any]], meta: Mapping[str, Any]) -> str:
    rows = list(rows)
    head = [f"# Remediation plan: {_line(meta.get('name'))}", "",
            f"{len(rows)} findings, exported {meta.get('exported_at')} from Faultline "
            f"(questionnaire {meta.get('questionnaire')} version {meta.get('version')}).", ""]
    return "\n".join(head) + "\n" + "\n".join(finding_markdown(r) for r in rows)
