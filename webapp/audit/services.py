"""The audit log: who changed what in an assessment, and when.

Other services call `record_audit` in the same transaction as the change they make, so the
log and the change commit (or roll back) together. `detail` is plain JSON, usually
{"before": ..., "after": ...}; callers never put a share token in it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.accounts.models import User
from webapp.audit.models import AuditEvent
from webapp.core.db import Base, utcnow

if TYPE_CHECKING:
    from webapp.assessments.models import Assessment

logger = logging.getLogger(__name__)

#: Notes in answer details are cut to this many characters: the log says what changed,
#: the answer itself keeps the full text.
NOTE_EXCERPT_CHARS = 500


class AnswerLike(Protocol):
    choices: Sequence[str]
    na_reason: str | None
    note: str


def record_audit(
    session: Session,
    *,
    assessment: Assessment,
    actor: User | None,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add one event to the assessment's log (flushed, not committed)."""
    event = _event(assessment.id, actor, action, target, detail, now or utcnow())
    session.add(event)
    session.flush()
    logger.debug("audit: assessment %s %s %s", assessment.id, action, event.target)
    return event


def _event(assessment_id: int, actor: User | None, action: str, target: str,
           detail: dict[str, Any] | None, now: datetime) -> AuditEvent:
    return AuditEvent(assessment_id=assessment_id, actor_id=actor.id if actor is not None else None,
                      created_at=now, action=action, target=target[:300], detail=detail or {})


def record_team_audit(session: Session, team_id: int, *, actor: User | None, action: str,
                      target: str = "", detail: dict[str, Any] | None = None) -> None:
    """A team change (members, roles) written to the log of each of the team's assessments.

    The log sits below assessments (they write to it), so it reads their ids from the table
    rather than importing the model."""
    now = utcnow()
    assessments = Base.metadata.tables["assessments"]
    ids = session.scalars(select(assessments.c.id).where(assessments.c.team_id == team_id)).all()
    session.add_all(_event(i, actor, action, target, detail, now) for i in ids)
    session.flush()


def audit_events(
    session: Session,
    assessment: Assessment,
    *,
    limit: int = 200,
    action_prefix: str | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> list[AuditEvent]:
    """The assessment's most recent events first (actors loaded), optionally one kind only
    (`action_prefix="share."`), by one member, and from `since` up to (not including) `before`."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.assessment_id == assessment.id)
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    if before is not None:
        query = query.where(AuditEvent.created_at < before)
    return list(session.scalars(query))


def answer_snapshot(value: AnswerLike) -> dict[str, Any]:
    """An answer value as audit JSON (long notes cut to an excerpt)."""
    note = value.note or ""
    snapshot: dict[str, Any] = {
        "choices": list(value.choices),
        "na_reason": value.na_reason,
        "note": note[:NOTE_EXCERPT_CHARS],
    }
    if len(note) > NOTE_EXCERPT_CHARS:
        snapshot["note_truncated"] = True
    return snapshot


def answer_change(before: AnswerLike, after: AnswerLike) -> dict[str, Any]:
    return {"before": answer_snapshot(before), "after": answer_snapshot(after)}
