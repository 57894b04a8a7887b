"""One readable sentence per audit event, from its action and its JSON detail."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from webapp.core.text import counted
from webapp.report import dates
from webapp.tracking.models import FindingStatus


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


_ROLES = {"viewer": "viewer", "editor": "editor", "owner": "owner"}


def _role(value: object) -> str:
    return _ROLES.get(str(value), str(value))


def _suggested(count: object) -> str:
    return counted(count if isinstance(count, int) else 0, "suggested answer")


def _moved(d: Mapping[str, Any]) -> str:
    return f"Workflow “{d.get('name', '')}” moved to position {d.get('position')} of {d.get('of')}"


DESCRIBERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "answer.changed": _answer_change,
    "finding.status_changed": lambda d: f"Status {_status(d.get('before'))} → "
                                        f"{_status(d.get('after'))}",
    "finding.owner_changed": lambda d: f"Owner {d.get('before') or 'nobody'} → "
                                       f"{d.get('after') or 'nobody'}",
    "finding.due_changed": lambda d: f"Due date {dates.day(d.get('before')) or 'none'} → "
                                     f"{dates.day(d.get('after')) or 'none'}",
    "finding.comment_added": lambda d: "Comment added",
    "milestone.created": lambda d: f"Milestone “{d.get('name')}” frozen",
    "share.created": _share("created"),
    "share.revoked": _share("revoked"),
    "workflow.added": lambda d: f"Workflow “{d.get('name', '')}” added",
    "workflow.renamed": lambda d: f"Workflow “{d.get('before', '')}” renamed to "
                                  f"“{d.get('name', '')}”",
    "workflow.edited": lambda d: f"Description of workflow “{d.get('name', '')}” edited",
    "workflow.moved": _moved,
    "workflow.duplicated": lambda d: f"Workflow “{d.get('source', '')}” copied as "
                                     f"“{d.get('name', '')}”, with its answers",
    "workflow.removed": lambda d: f"Workflow “{d.get('name', '')}” removed, with its answers",
    "member.role_changed": lambda d: f"Role of {d.get('member', 'a member')} changed from "
                                     f"{_role(d.get('before'))} to {_role(d.get('after'))}",
    "member.removed": lambda d: f"{d.get('member', 'A member')} removed from the team "
                                f"(was {_role(d.get('role'))})",
    "member.joined": lambda d: f"{d.get('member', 'Someone')} accepted an invitation and "
                               f"joined the team as {_role(d.get('role'))}",
    "workflow.automation_linked": lambda d: f"Automation file {d.get('file')} linked "
                                            f"({_suggested(d.get('suggestions', 0))})",
    "workflow.automation_unlinked": lambda d: f"Automation file {d.get('file')} unlinked",
    "api.read": lambda d: f"Read through the API with token “{d.get('token_name', '')}”",
    "api.write": lambda d: f"Changed through the API with token “{d.get('token_name', '')}”",
    "assessment.imported": lambda d: f"Answers file imported ({d.get('answers', 0)} answers "
                                     "changed" + (f", carried from questionnaire version "
                                                  f"{d['upgraded_from']}" if d.get("upgraded_from")
                                                  else "") + ")",
    "assessment.next_review": lambda d: "Started as the next review of an earlier one",
    "lens.upgraded": lambda d: f"Moved to version {d.get('version')} of the lens "
                               f"“{d.get('lens', '')}” ({d.get('changed', 0)} answers changed "
                               "with its questions)",
    "assessment.upgraded": lambda d: (
        f"Upgraded from questionnaire version {d.get('from')} to {d.get('to')}: "
        f"{d.get('carried', 0)} answers carried, {len(d.get('retired') or [])} retired, "
        f"{d.get('new_questions', 0)} new questions"),
}


def describe_event(action: str, detail: Mapping[str, Any] | None) -> str:
    """What happened, in words; unknown actions read as their name."""
    describe = DESCRIBERS.get(action)
    if describe is None:
        return action.replace(".", " ").replace("_", " ").capitalize()
    return describe(detail or {})
