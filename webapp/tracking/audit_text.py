"""One readable sentence per audit event, from its action and its JSON detail."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from webapp.models_tracking import FindingStatus


def _status(value: object) -> str:
    try:
        return FindingStatus(str(value)).label
    except ValueError:
        return str(value)


def _answer(value: Any) -> str:
    if not isinstance(value, Mapping):
        return "unanswered"
    if value.get("na_reason") is not None:
        return f"not applicable ({value['na_reason']})"
    return ", ".join(map(str, value.get("choices") or [])) or "unanswered"


def _answer_change(d: Mapping[str, Any]) -> str:
    before, after = d.get("before") or {}, d.get("after") or {}
    text = f"Answer {_answer(before)} → {_answer(after)}"
    if _answer(before) == _answer(after):
        text = "Note edited"
    elif (before.get("note") or "") != (after.get("note") or ""):
        text += ", note edited"
    return text


def _share(verb: str) -> Callable[[Mapping[str, Any]], str]:
    def describe(d: Mapping[str, Any]) -> str:
        link = d.get("after") or d.get("before") or {}
        pinned = f", pinned to “{link['milestone']}”" if link.get("milestone") else ""
        return f"Share link “{link.get('label', '')}” {verb}{pinned}"
    return describe


DESCRIBERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "answer.changed": _answer_change,
    "finding.status_changed": lambda d: f"Status {_status(d.get('before'))} → "
                                        f"{_status(d.get('after'))}",
    "finding.owner_changed": lambda d: f"Owner {d.get('before') or 'nobody'} → "
                                       f"{d.get('after') or 'nobody'}",
    "finding.due_changed": lambda d: f"Due date {d.get('before') or 'none'} → "
                                     f"{d.get('after') or 'none'}",
    "finding.comment_added": lambda d: "Comment added",
    "milestone.created": lambda d: f"Milestone “{d.get('name')}” frozen",
    "share.created": _share("created"),
    "share.revoked": _share("revoked"),
    "workflow.automation_linked": lambda d: f"Automation file {d.get('file')} linked "
                                            f"({d.get('suggestions', 0)} suggested answers)",
    "workflow.automation_unlinked": lambda d: f"Automation file {d.get('file')} unlinked",
    "api.read": lambda d: f"Read through the API with token “{d.get('token_name', '')}”",
    "api.write": lambda d: f"Changed through the API with token “{d.get('token_name', '')}”",
    "assessment.imported": lambda d: f"Answers file imported ({d.get('answers', 0)} answers "
                                     "changed)",
    "assessment.next_review": lambda d: "Started as the next review of an earlier one",
}


def describe_event(action: str, detail: Mapping[str, Any] | None) -> str:
    """What happened, in words; unknown actions read as their name."""
    describe = DESCRIBERS.get(action)
    if describe is None:
        return action.replace(".", " ").replace("_", " ").capitalize()
    return describe(detail or {})
