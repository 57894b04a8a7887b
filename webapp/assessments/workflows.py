"""The workflows of an assessment: add, edit, reorder, duplicate, remove.

Positions stay contiguous from 0 so that a workflow's position is also the engine's
`Finding.position` (and the results page's anchors stay right after any change).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments.models import Answer, Assessment, Workflow
from webapp.assessments.services import mark_changed
from webapp.audit.services import record_audit
from webapp.core.services import ServiceError, row_of_assessment
from webapp.domain import Content

logger = logging.getLogger(__name__)

MAX_WORKFLOWS = 200


def get_workflow(session: Session, assessment: Assessment, workflow_id: int) -> Workflow:
    """The assessment's workflow, or 404 (also for another assessment's workflow)."""
    return row_of_assessment(session, Workflow, workflow_id, assessment)


def _audit(session: Session, workflow: Workflow, actor: User | None, action: str,
           **detail: object) -> None:
    record_audit(session, assessment=workflow.assessment, actor=actor, action=action,
                 target=f"{workflow.scope}/", detail={"name": workflow.name, **detail})


def add_workflow(
    session: Session, assessment: Assessment, *, name: str, description: str = "", source: str = "",
    actor: User | None = None, content: Content,
) -> Workflow:
    if len(assessment.workflows) >= MAX_WORKFLOWS:
        raise ServiceError(f"An assessment holds at most {MAX_WORKFLOWS} workflows.")
    workflow = Workflow(
        name=name.strip(),
        description=description.strip(),
        source=source.strip(),
        position=len(assessment.workflows),
    )
    assessment.workflows.append(workflow)
    session.flush()
    mark_changed(session, assessment, content=content)
    _audit(session, workflow, actor, "workflow.added")
    logger.info("assessment %s: workflow %s added", assessment.id, workflow.id)
    return workflow


def edit_workflow(
    session: Session, workflow: Workflow, *, name: str, description: str, source: str,
    actor: User | None = None, content: Content,
) -> None:
    before = workflow.name
    described = (workflow.description, workflow.source) != (description.strip(), source.strip())
    workflow.name, workflow.description = name.strip(), description.strip()
    workflow.source = source.strip()
    session.flush()
    mark_changed(session, workflow.assessment, content=content)
    if workflow.name != before:
        _audit(session, workflow, actor, "workflow.renamed", before=before)
    if described:
        _audit(session, workflow, actor, "workflow.edited")


def _renumber(workflows: list[Workflow]) -> None:
    for position, workflow in enumerate(workflows):
        workflow.position = position


def move_workflow(session: Session, workflow: Workflow, offset: int,
                  actor: User | None = None, *, content: Content) -> bool:
    """Move up (-1) or down (+1); False when it is already first or last."""
    assessment = workflow.assessment
    ordered = list(assessment.workflows)
    start = ordered.index(workflow)
    target = start + offset
    if offset not in (-1, 1) or not 0 <= target < len(ordered):
        return False
    ordered[start], ordered[target] = ordered[target], ordered[start]
    _renumber(ordered)
    _reload_order(session, assessment)
    mark_changed(session, assessment, content=content)
    _audit(session, workflow, actor, "workflow.moved", position=workflow.position + 1,
           of=len(ordered))
    return True


def _reload_order(session: Session, assessment: Assessment) -> None:
    session.flush()
    session.expire(assessment, ["workflows"])


def duplicate_workflow(session: Session, workflow: Workflow, user_id: int,
                       actor: User | None = None, *, content: Content) -> Workflow:
    """A copy right after the original, with every answer and note (answers start at v1)."""
    assessment = workflow.assessment
    if len(assessment.workflows) >= MAX_WORKFLOWS:
        raise ServiceError(f"An assessment holds at most {MAX_WORKFLOWS} workflows.")
    copy = Workflow(
        assessment_id=assessment.id,
        name=_copy_name(workflow.name),
        description=workflow.description,
        source=workflow.source,
        position=workflow.position + 1,
        automation_name=workflow.automation_name,
        automation_text=workflow.automation_text,
    )
    for later in assessment.workflows[workflow.position + 1 :]:
        later.position += 1
    session.add(copy)
    session.flush()
    _copy_answers(session, workflow, copy, user_id)
    _reload_order(session, assessment)
    mark_changed(session, assessment, content=content)
    _audit(session, copy, actor, "workflow.duplicated", source=workflow.name)
    logger.info("assessment %s: workflow %s duplicated as %s", assessment.id, workflow.id, copy.id)
    return copy


def _copy_name(name: str) -> str:
    return f"{name} (copy)"[:200]


def _copy_answers(session: Session, source: Workflow, copy: Workflow, user_id: int) -> None:
    rows = session.scalars(select(Answer).where(Answer.scope == source.scope))
    for row in rows:
        session.add(
            Answer(
                assessment_id=row.assessment_id,
                workflow_id=copy.id,
                scope=copy.scope,
                question_id=row.question_id,
                choices=list(row.choices),
                na_reason=row.na_reason,
                note=row.note,
                version=1,
                updated_by_id=user_id,
            )
        )
    session.flush()


def remove_workflow(session: Session, workflow: Workflow, actor: User | None = None, *,
                    content: Content) -> None:
    assessment = workflow.assessment
    _audit(session, workflow, actor, "workflow.removed")
    assessment.workflows.remove(workflow)  # delete-orphan: the row goes, its answers cascade
    session.flush()
    _renumber(assessment.workflows)
    _reload_order(session, assessment)
    mark_changed(session, assessment, content=content)
    logger.info("assessment %s: workflow %s removed", assessment.id, workflow.id)
