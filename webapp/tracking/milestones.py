"""Milestones: freeze an assessment as a named snapshot, list them, open one, compare two.

A milestone copies the answers (`domain.answers_to_dict`) and the typed result
(`domain.result_to_dict`) as JSON when it is created; `snapshot_result` reads it back (any
format an older Faultline stored). There is deliberately no function that
changes one afterwards (and the model refuses such a flush): later edits to the assessment
leave every milestone as it was.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp import domain
from webapp.accounts.models import User
from webapp.assessments.evaluation import answers_for_domain, evaluate_assessment
from webapp.assessments.kinds import kind_of
from webapp.assessments.models import Assessment
from webapp.audit.services import record_audit
from webapp.core.cache import ResultCache
from webapp.core.errors import NotFoundError
from webapp.core.services import ServiceError, row_of_assessment
from webapp.domain.compare import compare_results
from webapp.tracking.models import MILESTONE_NOTE_MAX, Milestone

logger = logging.getLogger(__name__)

NAME_MAX = 120
#: How "now" is named where a milestone id would stand (compare URLs, forms).
NOW = "now"
#: The review this one continues ("Start the next review"), as it is now.
PREVIOUS = "previous"


def create_milestone(
    session: Session, assessment: Assessment, user: User, *, name: str, note: str = "",
    cache: ResultCache,
) -> Milestone:
    """Freeze the assessment as it is now under `name` (unique within the assessment)."""
    name, note = _checked_name(session, assessment, name), _checked_note(note)
    result, answers = _frozen(session, assessment, cache)
    milestone = Milestone(
        assessment_id=assessment.id,
        name=name,
        note=note,
        questionnaire_id=assessment.questionnaire_id,
        questionnaire_version=assessment.questionnaire_version,
        revision=assessment.revision,
        answers=answers,
        result=result,
        created_by_id=user.id,
    )
    session.add(milestone)
    session.flush()
    # read after the commit: the milestone's PDF is made ahead of time (webapp.tasks)
    session.info.setdefault("faultline.new_milestones", []).append((assessment.id, milestone.id))
    record_audit(session, assessment=assessment, actor=user, action="milestone.created",
                 target=f"milestone:{milestone.id}", detail={"name": name})
    logger.info("assessment %s: milestone %s frozen by user %s at revision %s",
                assessment.id, milestone.id, user.id, assessment.revision)
    return milestone


def _frozen(session: Session, assessment: Assessment, cache: ResultCache) -> tuple[dict, dict]:
    """(result, answers) to keep; a review on a lens keeps its lens answers and risks."""
    if (kind := kind_of(assessment)) is not None:
        return kind.frozen(session, assessment)
    result = domain.result_to_dict(evaluate_assessment(session, assessment, cache))
    return result, domain.answers_to_dict(answers_for_domain(session, assessment,
                                                             content=cache.content))


def _checked_name(session: Session, assessment: Assessment, name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ServiceError("Give the milestone a name, e.g. “Before the Q3 review”.", "name")
    if len(name) > NAME_MAX:
        raise ServiceError(f"Names are limited to {NAME_MAX} characters.", "name")
    taken = session.scalar(select(Milestone.id).where(
        Milestone.assessment_id == assessment.id, Milestone.name == name))
    if taken is not None:
        raise ServiceError(f"There is already a milestone named “{name}”. "
                           "Choose another name.", "name")
    return name


def _checked_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MILESTONE_NOTE_MAX:
        raise ServiceError(f"Notes are limited to {MILESTONE_NOTE_MAX:,} characters; "
                           f"this one has {len(note):,}.", "note")
    return note


def milestones_of(session: Session, assessment: Assessment) -> list[Milestone]:
    """The assessment's milestones, newest first."""
    query = (select(Milestone).where(Milestone.assessment_id == assessment.id)
             .order_by(Milestone.created_at.desc(), Milestone.id.desc()))
    return list(session.scalars(query))


def count_milestones(session: Session, assessment: Assessment) -> int:
    return session.scalar(select(func.count(Milestone.id))
                          .where(Milestone.assessment_id == assessment.id)) or 0


def get_milestone(session: Session, assessment: Assessment, milestone_id: int) -> Milestone:
    """One milestone of this assessment, or 404 (another assessment's id is not found here)."""
    return row_of_assessment(session, Milestone, milestone_id, assessment)


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a milestone or the assessment as it is now."""

    key: str
    label: str
    date: datetime | None
    result: domain.Result
    answers: dict[str, Any]


def side_of(session: Session, assessment: Assessment, key: str, cache: ResultCache) -> Side:
    """`key` is a milestone id or "now"; anything else is a 404."""
    if key == NOW:
        result = evaluate_assessment(session, assessment, cache)
        answers = domain.answers_to_dict(answers_for_domain(session, assessment,
                                                            content=cache.content))
        return Side(NOW, "Now", None, result, answers)
    if key == PREVIOUS:
        return _previous_side(session, assessment, cache)
    if not key.isdigit():
        raise NotFoundError()
    milestone = get_milestone(session, assessment, int(key))
    return Side(str(milestone.id), milestone.name, milestone.created_at,
                snapshot_result(milestone, cache), milestone.answers)


def snapshot_key(milestone: Milestone) -> str:
    """What identifies a milestone's frozen result (it never changes): keys its caches."""
    parts = ("milestone", milestone.id, milestone.assessment_id, milestone.revision,
             milestone.created_at.replace(tzinfo=None).isoformat())
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()


def snapshot_result(milestone: Milestone, cache: ResultCache) -> domain.Result:
    """The milestone's frozen result as the typed result, read once per process."""
    return cache.computed(snapshot_key(milestone), "snapshot",
                          lambda: domain.result_from_dict(milestone.result))


def previous_of(session: Session, assessment: Assessment) -> Assessment | None:
    """The earlier review this one continues, when it still exists in the same team."""
    previous = session.get(Assessment, assessment.previous_id) if assessment.previous_id else None
    return previous if previous is not None and previous.team_id == assessment.team_id else None


def _previous_side(session: Session, assessment: Assessment, cache: ResultCache) -> Side:
    previous = previous_of(session, assessment)
    if previous is None:
        raise NotFoundError()
    result = evaluate_assessment(session, previous, cache)
    answers = domain.answers_to_dict(answers_for_domain(session, previous,
                                                        content=cache.content))
    return Side(PREVIOUS, f"{previous.name} (previous review)", previous.updated_at, result,
                answers)


def compare_sides(before: Side, after: Side) -> dict[str, Any]:
    return compare_results(before.result, after.result, before.answers, after.answers)
