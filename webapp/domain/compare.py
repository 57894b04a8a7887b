"""Compare two results of one review: what moved between two milestones, or a milestone and now.

Pure data in, plain data out: two typed results (`result.Result`) and, optionally, the two
`answers_to_dict` dicts they were evaluated from. Without the answers dicts the answers are read
from the results' own answer sections (same values, fewer details such as evidence).

Matching: layers and patterns by id, workflows by name (a repeated name keeps its first
workflow), findings by (rule id, workflow name or None for the system), answers by
(workflow name or None, question id). A score that exists on one side only is "new" or "gone",
never a change from zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .result import Result
from .result_json import result_to_dict

UNANSWERED = "Unanswered"


def compare_results(
    before_result: Result,
    after_result: Result,
    answers_before: Mapping[str, Any] | None = None,
    answers_after: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything that changed from `before` to `after` (see the module docstring)."""
    # Compared in their JSON form: the comparison reads the same fields a milestone stored.
    return compare_data(result_to_dict(before_result), result_to_dict(after_result),
                        answers_before, answers_after)


def compare_data(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    answers_before: Mapping[str, Any] | None = None,
    answers_after: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`compare_results` on the results' JSON data (`result_json.result_to_dict`)."""
    findings = compare_findings(before.get("findings") or [], after.get("findings") or [])
    answers = compare_answers(before, after, answers_before, answers_after)
    layers = _by_id(before.get("layers"), after.get("layers"))
    workflows = compare_workflows(before.get("workflows") or [], after.get("workflows") or [])
    scores = [
        *layers,
        *(w["score"] for w in workflows),
        *(p for w in workflows for p in w["patterns"]),
    ]
    return {
        "overall": delta(before.get("overall"), after.get("overall")),
        "coverage": delta(_coverage(before), _coverage(after)),
        "system": delta(_score(before, "system"), _score(after, "system")),
        "layers": layers,
        "workflows": workflows,
        "findings": findings,
        "answers": answers["changed"],
        "notes": answers["notes"],
        "counts": {
            **{kind: len(items) for kind, items in findings.items()},
            "answers": len(answers["changed"]),
            "notes": len(answers["notes"]),
            "up": sum(s["direction"] == "up" for s in scores),
            "down": sum(s["direction"] == "down" for s in scores),
        },
    }


def delta(before: Any, after: Any) -> dict[str, Any]:
    """{before, after, change, direction}: direction is up, down, same, new, gone or none."""
    b, a = _number(before), _number(after)
    if b is None or a is None:
        direction = "none" if a is None and b is None else ("new" if b is None else "gone")
        return {"before": b, "after": a, "change": None, "direction": direction}
    change = round(a - b, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    direction = "up" if change > 0 else "down" if change < 0 else "same"
    return {"before": b, "after": a, "change": change, "direction": direction}


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _coverage(result: Mapping[str, Any]) -> Any:
    return (result.get("coverage") or {}).get("percent")


def _score(result: Mapping[str, Any], key: str) -> Any:
    return (result.get("scores") or {}).get(key)


def _by_id(before: Iterable[Mapping] | None, after: Iterable[Mapping] | None) -> list[dict]:
    """Scored groups (layers, patterns) matched by id: after's order, then the ones gone."""
    old = {str(g.get("id")): g for g in before or []}
    new = {str(g.get("id")): g for g in after or []}
    rows = []
    for gid in [*new, *(k for k in old if k not in new)]:
        group = new.get(gid) or old[gid]
        rows.append(
            {
                "id": gid,
                "title": str(group.get("title") or gid),
                **delta((old.get(gid) or {}).get("score"), (new.get(gid) or {}).get("score")),
            }
        )
    return rows


def _named(items: Iterable[Mapping]) -> dict[str, Mapping]:
    named: dict[str, Mapping] = {}
    for item in items:
        named.setdefault(str(item.get("name")), item)
    return named


def compare_workflows(before: Iterable[Mapping], after: Iterable[Mapping]) -> list[dict]:
    """Each workflow's score and pattern scores, matched by name; `presence` both/added/removed."""
    old, new = _named(before), _named(after)
    rows = []
    for name in [*new, *(k for k in old if k not in new)]:
        b, a = old.get(name), new.get(name)
        presence = "added" if b is None else "removed" if a is None else "both"
        rows.append(
            {
                "name": name,
                "presence": presence,
                "score": delta((b or {}).get("score"), (a or {}).get("score")),
                "patterns": _by_id((b or {}).get("patterns"), (a or {}).get("patterns")),
            }
        )
    return rows


def finding_key(finding: Mapping[str, Any]) -> tuple[str, str | None]:
    """How a finding is recognised across results: (rule id, workflow name or None)."""
    workflow = finding.get("workflow")
    return str(finding.get("rule")), None if workflow is None else str(workflow)


def _finding_row(finding: Mapping[str, Any], bucket_before: Any = None) -> dict[str, Any]:
    rule, workflow = finding_key(finding)
    return {
        "rule": rule,
        "workflow": workflow,
        "title": str(finding.get("title") or rule),
        "severity": finding.get("severity"),
        "bucket": finding.get("bucket"),
        "bucket_before": bucket_before if bucket_before is not None else finding.get("bucket"),
    }


def compare_findings(before: Iterable[Mapping], after: Iterable[Mapping]) -> dict[str, list]:
    """{resolved, new, unchanged}: resolved in the old order, the others in the new order."""
    old = {finding_key(f): f for f in before}
    new = {finding_key(f): f for f in after}
    return {
        "resolved": [_finding_row(f) for key, f in old.items() if key not in new],
        "new": [_finding_row(f) for key, f in new.items() if key not in old],
        "unchanged": [
            _finding_row(f, old[key].get("bucket")) for key, f in new.items() if key in old
        ],
    }


# --- answers ----------------------------------------------------------------------------------

Key = tuple[str | None, str]


def _from_answers_dict(data: Mapping[str, Any]) -> tuple[dict[Key, Any], dict[Key, str]]:
    """(answers, notes) keyed by (workflow name or None, question id) from answers-file data."""
    values: dict[Key, Any] = {}
    notes: dict[Key, str] = {}
    blocks = [(None, data), *((str(w.get("name")), w) for w in data.get("workflows") or [])]
    for workflow, block in blocks:
        for qid, value in (block.get("answers") or {}).items():
            values.setdefault((workflow, str(qid)), value)
        for qid, note in (block.get("notes") or {}).items():
            if str(note or "").strip():
                notes.setdefault((workflow, str(qid)), str(note))
    return values, notes


def _section_rows(result: Mapping[str, Any]) -> Iterable[tuple[str | None, Mapping]]:
    answers = result.get("answers") or {}
    for section in answers.get("sections") or []:
        for row in section.get("questions") or []:
            yield None, row
    for workflow in answers.get("workflows") or []:
        for section in workflow.get("sections") or []:
            for row in section.get("questions") or []:
                yield str(workflow.get("name")), row


def _row_value(answer: Mapping[str, Any]) -> Any:
    if answer.get("status") == "na":
        return {"na": answer.get("na_reason") or ""}
    ids = [str(c.get("id")) for c in answer.get("choices") or []]
    return None if not ids else ids[0] if len(ids) == 1 else ids


def _from_result(result: Mapping[str, Any]) -> tuple[dict[Key, Any], dict[Key, str]]:
    values: dict[Key, Any] = {}
    notes: dict[Key, str] = {}
    for workflow, row in _section_rows(result):
        key = (workflow, str(row.get("id")))
        value = _row_value(row.get("answer") or {})
        if value is not None:
            values.setdefault(key, value)
        if str(row.get("note") or "").strip():
            notes.setdefault(key, str(row["note"]))
    return values, notes


class _Labels:
    """Question texts and choice labels from the answer sections of both results."""

    def __init__(self, *results: Mapping[str, Any]) -> None:
        self.texts: dict[str, str] = {}
        self.choices: dict[tuple[str, str], str] = {}
        for result in results:
            for _, row in _section_rows(result):
                qid = str(row.get("id"))
                self.texts.setdefault(qid, str(row.get("text") or qid))
                for choice in (row.get("answer") or {}).get("choices") or []:
                    self.choices.setdefault((qid, str(choice.get("id"))), str(choice.get("label")))

    def value_text(self, qid: str, value: Any) -> str:
        if value is None:
            return UNANSWERED
        if isinstance(value, Mapping):
            reason = str(value.get("na") or "").strip()
            return f"Not applicable: {reason}" if reason else "Not applicable"
        ids = [value] if isinstance(value, str) else list(value)
        return "; ".join(self.choices.get((qid, str(c)), str(c)) for c in ids)


def _canonical(value: Any) -> Any:
    """Equal answers compare equal: one choice is the same as a list holding only it."""
    if isinstance(value, list | tuple) and len(value) == 1:
        return str(value[0])
    return value


def compare_answers(
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    answers_before: Mapping[str, Any] | None = None,
    answers_after: Mapping[str, Any] | None = None,
) -> dict[str, list[dict]]:
    """{changed: [{workflow, question, text, before, after}], notes: [{workflow, question,
    text}]}: answers whose value changed, and questions whose note changed."""
    old_values, old_notes = (
        _from_answers_dict(answers_before) if answers_before is not None else _from_result(before)
    )
    new_values, new_notes = (
        _from_answers_dict(answers_after) if answers_after is not None else _from_result(after)
    )
    labels = _Labels(after, before)
    order = _question_order(after, before, new_values, old_values)
    changed = [
        {
            "workflow": wf,
            "question": qid,
            "text": labels.texts.get(qid, qid),
            "before": labels.value_text(qid, old_values.get((wf, qid))),
            "after": labels.value_text(qid, new_values.get((wf, qid))),
        }
        for wf, qid in order
        if _canonical(old_values.get((wf, qid))) != _canonical(new_values.get((wf, qid)))
    ]
    notes = [
        {"workflow": wf, "question": qid, "text": labels.texts.get(qid, qid)}
        for wf, qid in _question_order(after, before, new_notes, old_notes)
        if old_notes.get((wf, qid), "").strip() != new_notes.get((wf, qid), "").strip()
    ]
    return {"changed": changed, "notes": notes}


def _question_order(after: Mapping, before: Mapping, *maps: Mapping[Key, Any]) -> list[Key]:
    """Questionnaire order (after's, then before's), then any key only the answers dicts hold."""
    keys: dict[Key, None] = {}
    for result in (after, before):
        for workflow, row in _section_rows(result):
            keys.setdefault((workflow, str(row.get("id"))), None)
    for mapping in maps:
        for key in mapping:
            keys.setdefault(key, None)
    return list(keys)
