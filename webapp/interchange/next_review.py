"""The next review cycle: a new assessment that starts from an earlier one's answers.

The copy keeps the questionnaire version the earlier review pinned (taking up a newer version
is an upgrade of its own), every answer with its N/A reason and note, every workflow with its
automation file, and a link back (`Assessment.previous_id`) so the comparison page can set the
two side by side. Milestones, share links and tracking stay with the earlier review.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments.models import SYSTEM_SCOPE, Answer, Assessment, Workflow
from webapp.assessments.services import mark_changed
from webapp.audit.services import record_audit
from webapp.core.services import ServiceError
from webapp.domain import Content
from webapp.lenses.models import LensAnswerRow

logger = logging.getLogger(__name__)


def suggested_name(name: str) -> str:
    """"Payments (2026 Q3)" for a review started now; an earlier period suffix is replaced."""
    now = datetime.now(UTC)
    base = re.sub(r"\s*\(\d{4} Q[1-4]\)$", "", name)
    return f"{base} ({now.year} Q{(now.month - 1) // 3 + 1})"[:200]


def clone(session: Session, source: Assessment, user: User, name: str, *,
          content: Content) -> Assessment:
    """A new assessment of the same team holding `source`'s answers, notes and workflows."""
    name = name.strip()
    if not name:
        raise ServiceError("Give the new review a name.", "name")
    copy = Assessment(
        team_id=source.team_id, name=name[:200], description=source.description,
        questionnaire_id=source.questionnaire_id,
        questionnaire_version=source.questionnaire_version, created_by_id=user.id,
        status=source.status, revision=0, previous_id=source.id,
    )
    session.add(copy)
    session.flush()
    scopes = {SYSTEM_SCOPE: (SYSTEM_SCOPE, None)}
    for workflow in source.workflows:
        twin = _copy_workflow(session, copy, workflow)
        scopes[workflow.scope] = (twin.scope, twin.id)
    _copy_answers(session, source, copy, scopes, user)
    _copy_lens_answers(session, source, copy, user)
    mark_changed(session, copy, content=content)
    record_audit(session, assessment=copy, actor=user, action="assessment.next_review",
                 target=source.name, detail={"from": source.id})
    logger.info("assessment %s: next review %s started by user %s", source.id, copy.id, user.id)
    return copy


def _copy_workflow(session: Session, copy: Assessment, workflow: Workflow) -> Workflow:
    twin = Workflow(
        position=workflow.position, name=workflow.name, description=workflow.description,
        source=workflow.source, automation_name=workflow.automation_name,
        automation_text=workflow.automation_text,
    )
    copy.workflows.append(twin)
    session.flush()
    return twin


def _copy_answers(session: Session, source: Assessment, copy: Assessment, scopes, user) -> None:
    rows = session.scalars(select(Answer).where(Answer.assessment_id == source.id))
    for row in rows:
        scope, workflow_id = scopes[row.scope]
        session.add(Answer(
            assessment_id=copy.id, workflow_id=workflow_id, scope=scope,
            question_id=row.question_id, choices=list(row.choices), na_reason=row.na_reason,
            note=row.note, version=1, updated_by_id=user.id,
        ))
    session.flush()


def _copy_lens_answers(session: Session, source: Assessment, copy: Assessment, user) -> None:
    """A review on a lens keeps its answers in their own table."""
    rows = session.scalars(select(LensAnswerRow).where(LensAnswerRow.assessment_id == source.id))
    for row in rows:
        session.add(LensAnswerRow(
            assessment_id=copy.id, question_id=row.question_id, choices=list(row.choices),
            na_reason=row.na_reason, note=row.note, version=1, updated_by_id=user.id,
        ))
    session.flush()
