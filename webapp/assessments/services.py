"""Assessments: start one, find the ones a user may see, change details, delete.

Access goes through `teams.require_membership` on the assessment's team: non-members get 404,
a role below the one needed gets 403. Viewers read, editors answer and manage workflows,
owners also delete.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.accounts.models import User
from webapp.assessments.kinds import kind_named, kind_of
from webapp.assessments.models import Answer, Assessment, Status, answered_clause
from webapp.core.db import utcnow
from webapp.core.errors import NotFoundError
from webapp.core.services import ServiceError
from webapp.domain import Content
from webapp.teams.models import Membership, Role, Team
from webapp.teams.services import require_membership

logger = logging.getLogger(__name__)


def _with_team_and_membership():
    member = (Membership.team_id == Assessment.team_id) & (
        Membership.user_id == bindparam("user_id"))
    return (select(Assessment, Membership).options(joinedload(Assessment.team))
            .outerjoin(Membership, member).where(Assessment.id == bindparam("assessment_id")))


#: Built once (every page of an assessment runs it; building it cost as much as running it).
#: The membership it loads is in the session's identity map: `require_membership` finds it
#: there without another query.
WITH_TEAM_AND_MEMBERSHIP = _with_team_and_membership()


def get_assessment(
    session: Session, assessment_id: int, user: User, min_role: Role = Role.VIEWER
) -> tuple[Assessment, Membership]:
    """The assessment and the user's membership of its team, or 404 / 403."""
    # one query: the team (every page shows its name) and the membership come with it
    user_id = user.id if user.is_authenticated else None
    row = session.execute(WITH_TEAM_AND_MEMBERSHIP,
                          {"assessment_id": assessment_id, "user_id": user_id}).first()
    assessment = row[0] if row is not None else None
    if assessment is None:
        logger.info("refused assessment %s: no such assessment", assessment_id)
        raise NotFoundError()
    membership = require_membership(session, assessment.team_id, user, min_role)
    return assessment, membership


def start_assessment(
    session: Session,
    team: Team,
    user: User,
    *,
    name: str,
    description: str = "",
    questionnaire_id: str | None = None,
    version: int | None = None,
    content: Content,
) -> Assessment:
    """A new assessment pinned to `version` of the questionnaire or lens (`lens:<key>`) named,
    the newest version when None; `ServiceError` when there is no such one to start on."""
    qid, pinned = _pinned(session, questionnaire_id, version, content)
    assessment = Assessment(
        team_id=team.id,
        name=name.strip(),
        description=description.strip(),
        questionnaire_id=qid,
        questionnaire_version=pinned,
        created_by_id=user.id,
        status=Status.NOT_STARTED.value,
        revision=0,
    )
    session.add(assessment)
    session.flush()
    logger.info("assessment %s started in team %s by user %s (%s v%s)",
                assessment.id, team.id, user.id, qid, pinned)
    return assessment


def _pinned(session: Session, questionnaire_id: str | None, version: int | None,
            content: Content) -> tuple[str, int]:
    if (kind := kind_named(questionnaire_id)) is not None:
        return kind.pin(session, questionnaire_id or "", version)
    try:
        questionnaire = content.questionnaire(questionnaire_id, version)
    except KeyError:
        raise ServiceError("Choose one of the listed questionnaires.", "questionnaire") from None
    return questionnaire.id, questionnaire.version


def questionnaire_choices(*, content: Content) -> list[tuple[str, str]]:
    """(id, "title (version N)") of the newest version of every loaded questionnaire."""
    return [
        (qid, f"{q.title} (version {q.version})")
        for qid in content.ids()
        for q in [content.questionnaire(qid)]
    ]


def mark_changed(session: Session, assessment: Assessment, *, content: Content | None) -> None:
    """Bump the revision (atomically in SQL) and the update time after any change. `content`:
    the loaded questionnaires (None for a review on a lens: its kind knows its status)."""
    bumped = session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id)
        .values(revision=Assessment.revision + 1, updated_at=utcnow())
        .returning(Assessment.revision, Assessment.updated_at)
        .execution_options(synchronize_session=False)
    ).one()
    set_committed_value(assessment, "revision", bumped.revision)  # as stored, no SELECT
    set_committed_value(assessment, "updated_at", bumped.updated_at)
    assessment.status = _status(session, assessment, content).value
    # read after the commit: its PDF is made once the revision has settled (webapp.tasks)
    session.info.setdefault("faultline.changed_assessments", {})[assessment.id] = \
        assessment.revision
    session.flush()


def _status(session: Session, assessment: Assessment, content: Content | None) -> Status:
    if (kind := kind_of(assessment)) is not None:
        return kind.status(session, assessment)
    assert content is not None, "a questionnaire's status needs the loaded content"
    index = content.index(assessment.questionnaire_id, assessment.questionnaire_version)
    total = len(index.system_ids) + len(index.workflow_ids) * len(assessment.workflows)
    covered = count_answered(session, assessment)
    if covered == 0:
        return Status.NOT_STARTED
    # A review whose questionnaire asks about workflows is not complete without one.
    missing_workflows = bool(index.workflow_ids) and not assessment.workflows
    return Status.COMPLETE if covered >= total and not missing_workflows else Status.IN_PROGRESS


def count_answered(session: Session, assessment: Assessment) -> int:
    """How many of the assessment's questions have a choice or are not applicable, counted by
    the database: this runs inside every save's write transaction, which must stay short
    (decoding every answer's choices in Python took most of a save's time under the lock)."""
    return session.scalar(
        select(func.count()).select_from(Answer)
        .where(Answer.assessment_id == assessment.id, answered_clause())
    ) or 0


def update_details(
    session: Session, assessment: Assessment, *, name: str, description: str, content: Content
) -> None:
    assessment.name = name.strip()
    assessment.description = description.strip()
    mark_changed(session, assessment, content=content)


def remember_step(session: Session, assessment: Assessment, step: str) -> None:
    """Where the review was last seen, so opening it again resumes there."""
    if assessment.last_step != step:
        assessment.last_step = step
        session.flush()


def delete_assessment(session: Session, assessment: Assessment, user: User) -> None:
    require_membership(session, assessment.team_id, user, Role.OWNER)
    session.delete(assessment)
    session.flush()
    logger.info("assessment %s deleted by user %s", assessment.id, user.id)


@dataclass(frozen=True)
class DashboardRow:
    assessment: Assessment  #: its team loaded with it
    role: str

    @property
    def updated_at(self) -> datetime:
        return self.assessment.updated_at


def dashboard(
    session: Session, user: User, *, team_id: int | None = None, search: str = ""
) -> list[DashboardRow]:
    """The user's assessments (all their teams, or one), newest change first, in one query.

    Their figures are not computed here: the page reads the summaries the task queue keeps per
    revision, as the portfolio does (`webapp.portfolio.summaries.standings`)."""
    query = (
        select(Assessment, Membership.role)
        .join(
            Membership, (Membership.team_id == Assessment.team_id) & (Membership.user_id == user.id)
        )
        .options(joinedload(Assessment.team))
        .order_by(Assessment.updated_at.desc(), Assessment.id.desc())
    )
    if team_id is not None:
        query = query.where(Assessment.team_id == team_id)
    if search.strip():
        query = query.where(
            func.lower(Assessment.name).contains(search.strip().lower(), autoescape=True)
        )
    return [DashboardRow(assessment, role) for assessment, role in session.execute(query)]
