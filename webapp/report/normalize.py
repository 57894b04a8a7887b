"""Read the engine's result dict defensively: optional keys may be missing or null.

The engine's `result_to_dict` is the contract; this module turns it into the exact shapes the
template expects, so a missing optional key degrades one line of the report, never the render.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from webapp.report.notes import render_note

SEVERITIES = ("critical", "high", "medium", "low")
BUCKETS = ("now", "next", "later")
STATUSES = ("safe", "unsafe", "unknown")


def slug(*parts: object) -> str:
    text = "-".join(str(p) for p in parts if p not in (None, ""))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def score(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return round(float(value))
    except (TypeError, ValueError):
        return None


def percent(value: object) -> int | None:
    """Coverage may come as a share (0–1) or as a percentage; report a percentage."""
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return round(number * 100 if number <= 1 else number)


def title_of(item: dict, key: str = "id") -> str:
    if item.get("title"):
        return str(item["title"])
    return str(item.get(key) or "").replace("_", " ").replace("-", " ").capitalize()


def answer_text(answer: object) -> str:
    """An answer label, several labels, or an empty string for no answer."""
    if answer is None:
        return ""
    if isinstance(answer, list | tuple):
        return ", ".join(str(a) for a in answer)
    if isinstance(answer, dict):
        return str(answer.get("label") or answer.get("id") or "")
    return str(answer)


def _na_reason(row: dict) -> str | None:
    na = row.get("na_reason", row.get("na"))
    if isinstance(na, dict):
        na = na.get("reason")
    return str(na) if na else None


def answer_row(row: dict) -> dict:
    na = _na_reason(row)
    text = answer_text(row.get("answer", row.get("answers", row.get("label"))))
    return {
        "id": str(row.get("id") or row.get("question") or ""),
        "text": str(row.get("text") or row.get("question_text") or row.get("id") or ""),
        "answer": text,
        "answered": bool(text) or na is not None,
        "score": score(row.get("score")),
        "na_reason": na,
        "note_html": render_note(row.get("note")),
        "section": row.get("section") or row.get("section_title") or "",
        "workflow": row.get("workflow"),
    }


def answers(rows: object) -> list[dict]:
    """The appendix rows, accepting a flat list or a {section: [rows]} mapping."""
    if isinstance(rows, dict):
        rows = [{**r, "section": r.get("section") or name}
                for name, group in rows.items() for r in group]
    return [answer_row(r) for r in (rows or []) if isinstance(r, dict)]


def answer_index(rows: list[dict]) -> dict[tuple[str | None, str], dict]:
    index: dict[tuple[str | None, str], dict] = {}
    for row in rows:
        index.setdefault((row["workflow"], row["id"]), row)
        index.setdefault((None, row["id"]), row)
    return index


def because(items: Iterable | None, workflow: str | None, index: dict) -> list[dict]:
    """Question references as {id, text, answer}, completed from the appendix when bare ids."""
    out = []
    for item in items or []:
        ref = item if isinstance(item, dict) else {"id": str(item)}
        known = index.get((workflow, ref.get("id"))) or index.get((None, ref.get("id"))) or {}
        out.append({
            "id": str(ref.get("id") or ""),
            "text": str(ref.get("text") or known.get("text") or ref.get("id") or ""),
            "answer": answer_text(ref.get("answer", ref.get("label"))) or known.get("answer")
            or ("N/A: " + known["na_reason"] if known.get("na_reason") else "Unanswered"),
        })
    return out


def finding(raw: dict, index: dict) -> dict:
    workflow = raw.get("workflow")
    severity = str(raw.get("severity") or "low").lower()
    bucket = str(raw.get("bucket") or "later").lower()
    return {
        "rule": str(raw.get("rule") or raw.get("id") or ""),
        "title": str(raw.get("title") or raw.get("rule") or "Finding"),
        "severity": severity if severity in SEVERITIES else "low",
        "priority": raw.get("priority"),
        "bucket": bucket if bucket in BUCKETS else "later",
        "workflow": workflow,
        "scope": workflow or "System",
        "effort": raw.get("effort"),
        "quick_win": bool(raw.get("quick_win")),
        "area": title_of({"id": raw.get("pattern") or raw.get("layer") or ""}),
        "rationale": str(raw.get("rationale") or ""),
        "remediation": _strings(raw.get("remediation")),
        "verification": _strings(raw.get("verification")),
        "references": _strings(raw.get("references")),
        "because": because(raw.get("because"), workflow, index),
        "anchor": "finding-" + slug(raw.get("rule") or raw.get("id"), workflow),
    }


def _strings(value: object) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v.get("text", v)) if isinstance(v, dict) else str(v) for v in value]


def scenario(raw: dict, workflow: str, index: dict) -> dict:
    status = str(raw.get("status") or "unknown").lower()
    return {
        "id": str(raw.get("id") or ""),
        "title": title_of(raw),
        "outcome": str(raw.get("outcome") or "unknown"),
        "status": status if status in STATUSES else "unknown",
        "because": because(raw.get("because"), workflow, index),
    }


def workflow(raw: dict, position: int, index: dict) -> dict:
    name = str(raw.get("name") or f"Workflow {position + 1}")
    patterns = [{"id": str(p.get("id")), "title": title_of(p), "score": score(p.get("score"))}
                for p in raw.get("patterns") or []]
    return {
        "name": name,
        "anchor": "workflow-" + slug(position + 1, name),
        "description": raw.get("description") or "",
        "score": score(raw.get("score")),
        "patterns": patterns,
        "scenarios": [scenario(s, name, index) for s in raw.get("scenarios") or []],
    }


def plan_order(plan: object, findings: list[dict]) -> list[dict]:
    """Findings in plan order; plan entries may be dicts (rule, workflow) or rule ids."""
    by_key = {(f["rule"], f["workflow"]): f for f in findings}
    ordered: list[dict] = []
    for item in plan or []:
        key = ((item.get("rule"), item.get("workflow")) if isinstance(item, dict)
               else (str(item), None))
        found = by_key.get(key) or next((f for f in findings if f["rule"] == key[0]
                                         and f not in ordered), None)
        if found is not None and found not in ordered:
            ordered.append(found)
    rest = [f for f in findings if f not in ordered]
    return ordered + sorted(rest, key=lambda f: -(f["priority"] or 0))
