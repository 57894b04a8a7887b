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
        return int(float(value) + 0.5)  # half up: 44.5 prints as 45, as a reader expects
    except (TypeError, ValueError):
        return None


def percent(value: object) -> int | None:
    """Coverage as a whole percentage, from {percent: ...}, a share (0–1) or a percentage."""
    if isinstance(value, dict):
        return score(value.get("percent"))
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return score(number * 100 if number <= 1 else number)


def title_of(item: dict, key: str = "id") -> str:
    if item.get("title"):
        return str(item["title"])
    return str(item.get(key) or "").replace("_", " ").replace("-", " ").capitalize()


def answer_text(answer: object) -> str:
    """Answer label(s) as text; an unanswered or N/A answer gives an empty string.

    Accepts the engine's {status, choices: [{id, label}], na_reason}, a list of labels or a
    single label."""
    if answer is None:
        return ""
    if isinstance(answer, dict):
        if "choices" in answer or "status" in answer:
            return answer_text([c.get("label") or c.get("id") for c in answer.get("choices") or []])
        return str(answer.get("label") or answer.get("id") or "")
    if isinstance(answer, list | tuple):
        return ", ".join(answer_text(a) for a in answer if a)
    return str(answer)


def _na_reason(row: dict) -> str | None:
    answer = row.get("answer")
    na = answer.get("na_reason") if isinstance(answer, dict) else None
    na = na or row.get("na_reason") or row.get("na")
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
        "evidence_html": render_note(row.get("evidence")),
        "section": row.get("section") or "",
        "workflow": row.get("workflow"),
    }


def _section_rows(sections: list, workflow: str | None) -> list[dict]:
    return [{**q, "section": section.get("title") or title_of(section), "workflow": workflow}
            for section in sections or [] for q in section.get("questions") or []]


def answers(rows: object) -> list[dict]:
    """The appendix rows from the engine's {sections, workflows: [{name, sections}]} or from a
    flat list of rows (each with optional section and workflow)."""
    if isinstance(rows, dict):
        rows = _section_rows(rows.get("sections"), None) + [
            row for w in rows.get("workflows") or []
            for row in _section_rows(w.get("sections"), w.get("name"))]
    return [answer_row(r) for r in (rows or []) if isinstance(r, dict)]


def answer_index(rows: list[dict]) -> dict[tuple[str | None, str], dict]:
    index: dict[tuple[str | None, str], dict] = {}
    for row in rows:
        index.setdefault((row["workflow"], row["id"]), row)
        index.setdefault((None, row["id"]), row)
    return index


def _shown_answer(ref: dict, known: dict) -> str:
    raw = ref.get("answer", ref.get("label"))
    na = _na_reason(ref) or known.get("na_reason")
    if raw is not None and answer_text(raw):
        return answer_text(raw)
    if na:
        return "Not applicable: " + na
    return known.get("answer") or "Unanswered"


def because(items: Iterable | None, workflow: str | None, index: dict) -> list[dict]:
    """Question references as {id, text, answer}, completed from the appendix when bare ids."""
    out = []
    for item in items or []:
        ref = item if isinstance(item, dict) else {"id": str(item)}
        qid = str(ref.get("question") or ref.get("id") or "")
        known = index.get((workflow, qid)) or index.get((None, qid)) or {}
        out.append({"id": qid, "text": str(ref.get("text") or known.get("text") or qid),
                    "answer": _shown_answer(ref, known)})
    return out


LONG_FINDING_CHARS = 1600  # about half an A4 page of card text


def _is_long(card: dict) -> bool:
    """Long cards may break between their blocks; short ones stay whole on one page."""
    texts = [card["rationale"], *card["remediation"], *card["verification"],
             *card["references"], *(b["text"] + b["answer"] for b in card["because"])]
    return sum(len(t) + 60 for t in texts) > LONG_FINDING_CHARS


def finding(raw: dict, index: dict) -> dict:
    card = _finding(raw, index)
    card["long"] = _is_long(card)
    return card


def _finding(raw: dict, index: dict) -> dict:
    workflow = raw.get("workflow")
    severity = str(raw.get("severity") or "low").lower()
    bucket = str(raw.get("bucket") or "later").lower()
    return {
        "rule": str(raw.get("rule") or raw.get("id") or ""),
        "title": str(raw.get("title") or raw.get("rule") or "Finding"),
        "severity": severity if severity in SEVERITIES else "low",
        "priority": _number(raw.get("priority")),
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
        "prerequisites": _strings(raw.get("prerequisites")),
        "because": because(raw.get("because"), workflow, index),
        "anchor": "finding-" + slug(raw.get("rule") or raw.get("id"), workflow),
    }


def _number(value: object) -> float | None:
    return None if value is None or isinstance(value, bool) else round(float(value), 1)


def _reference(item: dict) -> str:
    text = str(item.get("title") or item.get("text") or item.get("url") or "")
    url = item.get("url")
    return f"{text} ({url})" if url and url != text else text


def _strings(value: object) -> list[str]:
    """Lists of text: plain strings, or dicts such as references {title, url} or {text}."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [_reference(v) if isinstance(v, dict) else str(v) for v in value]


def scenario(raw: dict, workflow: str, index: dict) -> dict:
    status = str(raw.get("status") or "unknown").lower()
    return {
        "id": str(raw.get("id") or ""),
        "title": title_of(raw),
        "outcome": str(raw.get("label") or title_of({"id": raw.get("outcome") or "unknown"})),
        "explain": str(raw.get("explain") or ""),
        "status": status if status in STATUSES else "unknown",
        "because": because(raw.get("because"), workflow, index),
    }


def description(value: object) -> tuple[str, list[dict]]:
    """A workflow's description: free text, or the engine's answered description questions."""
    if isinstance(value, str) or not value:
        return str(value or ""), []
    facts = [{"label": title_of({"id": d.get("describes") or d.get("question")}),
              "value": answer_text(d.get("answer")) or _na_reason(d) or "Unanswered"}
             for d in value if isinstance(d, dict)]
    return "", facts


def workflow(raw: dict, position: int, index: dict) -> dict:
    name = str(raw.get("name") or f"Workflow {position + 1}")
    patterns = [{"id": str(p.get("id")), "title": title_of(p), "score": score(p.get("score"))}
                for p in raw.get("patterns") or []]
    text, facts = description(raw.get("description"))
    return {
        "name": name,
        "anchor": "workflow-" + slug(position + 1, name),
        "description": text,
        "facts": facts,
        "score": score(raw.get("score")),
        "coverage": percent(raw.get("coverage")),
        "has_na": bool((raw.get("coverage") or {}).get("not_applicable")),
        "patterns": patterns,
        "scenarios": [scenario(s, name, index) for s in raw.get("scenarios") or []],
        "evidence": evidence(raw),
    }


EVIDENCE_STATUS = {"applied": "Accepted", "agrees": "Accepted", "overridden": "Overridden",
                   "pending": "Pending"}


def evidence(raw: dict) -> dict:
    """What the automated reviewer saw in the workflow's files: suggested answers with their
    status, and its findings; empty lists when no file was linked."""
    automation = raw.get("automation") or {}
    suggestions = [
        {**item, "where": f"{item.get('file')}:{item.get('line')}",
         "status": str(item.get("status") or "pending"),
         "status_label": EVIDENCE_STATUS.get(str(item.get("status")), "Pending")}
        for item in raw.get("evidence") or [] if isinstance(item, dict)
    ]
    findings = [{**f, "where": f"{f.get('file')}:{f.get('line')}"}
                for f in automation.get("findings") or [] if isinstance(f, dict)]
    return {"files": list(automation.get("files") or []), "suggestions": suggestions,
            "findings": findings}


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
