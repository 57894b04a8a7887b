"""What the API reads and writes, as the schemas' plain data. Access goes through the same
services as the browser: non-members get 404, a role too low for a write 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.api import lens, schemas
from webapp.api.models import ApiToken
from webapp.assessments import answers as answer_service
from webapp.assessments.evaluation import evaluate_assessment
from webapp.assessments.models import Assessment
from webapp.assessments.services import get_assessment
from webapp.core.cache import ResultCache
from webapp.core.errors import AccessError, NotFoundError
from webapp.core.services import ServiceError
from webapp.domain import Content
from webapp.lenses.services import is_lens_assessment
from webapp.portfolio.service import visible_teams
from webapp.portfolio.summaries import Asker, Standing, compute, standings
from webapp.results.adapter import result_json
from webapp.teams.models import Role
from webapp.tracking import milestones as milestone_service
from webapp.tracking import services as tracking_service


def load(session: Session, token: ApiToken, assessment_id: int, role: Role) -> Assessment:
    """The assessment after the role check (the view names it in the request's audit row).
    One that does not exist and one of another team are refused in the same words."""
    try:
        assessment, _membership = get_assessment(session, assessment_id, token.user, role)
    except NotFoundError as error:
        if error.message is not None:
            raise
        raise NotFoundError(f"There is no assessment {assessment_id}, or this token's user "
                            "cannot see it.") from None
    return assessment


def visible_id(session: Session, user_id: int, assessment_id: int | None) -> int | None:
    """`assessment_id` if that user may see the assessment (its audit log may name the
    request), else None."""
    if assessment_id is None:
        return None
    try:
        get_assessment(session, assessment_id, session.get(User, user_id), Role.VIEWER)
    except AccessError:
        return None
    return assessment_id


def _questionnaire(assessment: Assessment, content: Content) -> dict[str, Any]:
    try:
        title = content.questionnaire(assessment.questionnaire_id,
                                      assessment.questionnaire_version).title
    except KeyError:  # no longer installed: the summary's problem says so
        title = None
    return {"id": assessment.questionnaire_id, "version": assessment.questionnaire_version,
            "kind": "questionnaire", "title": title, "upgraded_from": assessment.upgraded_from}


def _summary(session: Session, assessment: Assessment, team: str,
             standing: Standing, content: Content) -> dict[str, Any]:
    base = {
        "id": assessment.id, "name": assessment.name, "description": assessment.description,
        "team": {"id": assessment.team_id, "name": team},
        "status": assessment.status, "revision": assessment.revision,
        "updated_at": assessment.updated_at, "previous_id": assessment.previous_id,
    }
    if is_lens_assessment(assessment):  # a lens's figures are quick to read (no engine)
        return base | lens.summary_figures(session, assessment)
    f = standing.facts
    return base | {
        "questionnaire": _questionnaire(assessment, content),
        "overall": f.overall if f else None, "coverage": f.coverage if f else None,
        "fit": f.fit if f else None, "critical": f.critical if f else None,
        "high": f.high if f else None, "updating": standing.updating,
        "problem": standing.problem,
    }


def _no_findings(assessment: Assessment) -> NotFoundError:
    """A review on a lens has risks, not findings: the 404 names where they are."""
    return NotFoundError("A review on a lens has risks, not findings: read "
                         f"/api/v1/assessments/{assessment.id}/risks.")


def assessments(session: Session, user: User, team_id: int | None,
                asker: Asker, *, content: Content) -> dict[str, Any]:
    """Every assessment of the teams the user sees (administrators: all, as on the
    portfolio), with the figures the task queue keeps per revision: no result is built."""
    teams = {t.id: t.name for t in visible_teams(session, user)}
    wanted = [team_id] if team_id is not None else list(teams)
    query = select(Assessment).where(Assessment.team_id.in_([t for t in wanted if t in teams]))
    listed = list(session.scalars(query.order_by(Assessment.id)))
    known = standings(session, listed, asker, content=content)
    return {"assessments": [_summary(session, a, teams[a.team_id], known[a.id], content)
                            for a in listed]}


def detail(session: Session, assessment: Assessment, asker: Asker,
           cache: ResultCache) -> dict[str, Any]:
    """One assessment with its figures (evaluated now if its revision is new)."""
    workflows = [{"id": w.id, "position": w.position, "name": w.name,
                  "description": w.description, "automation_file": w.automation_name}
                 for w in assessment.workflows]
    standing = standings(session, [assessment], asker, content=cache.content)[assessment.id]
    if standing.updating:
        standing = compute(session, assessment, cache)
    return _summary(session, assessment, assessment.team.name, standing, cache.content) | {
        "workflows": workflows}


def result(session: Session, assessment: Assessment, cache: ResultCache) -> dict[str, Any]:
    if is_lens_assessment(assessment):
        return lens.result(session, assessment)
    return result_json(evaluate_assessment(session, assessment, cache))


def risks(session: Session, assessment: Assessment) -> dict[str, Any]:
    if not is_lens_assessment(assessment):
        raise NotFoundError("Only a review on a lens has risks: read "
                            f"/api/v1/assessments/{assessment.id}/findings.")
    return lens.risks(session, assessment)


def findings(session: Session, assessment: Assessment, cache: ResultCache) -> dict[str, Any]:
    if is_lens_assessment(assessment):
        raise _no_findings(assessment)
    return {"revision": assessment.revision,
            "findings": result(session, assessment, cache)["findings"]}


def answers(session: Session, assessment: Assessment) -> dict[str, Any]:
    if is_lens_assessment(assessment):
        return lens.answers(session, assessment)
    rows = []
    for workflow in [None, *assessment.workflows]:
        scope_rows = answer_service.answers_in_scope(session, assessment, workflow)
        rows += [{"workflow_id": workflow.id if workflow else None, "question_id": qid,
                  "choices": list(row.choices), "na_reason": row.na_reason, "note": row.note,
                  "version": row.version} for qid, row in sorted(scope_rows.items())]
    return {"revision": assessment.revision, "answers": rows}


def write_answers(session: Session, assessment: Assessment, user: User,
                  body: schemas.AnswersWrite, *,
                  content: Content) -> answer_service.SaveResult:
    if is_lens_assessment(assessment):
        return lens.write_answers(session, assessment, user, body)
    workflow = tracking_service.workflow_of(assessment, body.workflow_id)
    index = answer_service.index_of(assessment, content=content)
    for item in body.answers:  # a question of the other scope: say where it belongs
        info = index.questions.get(item.question_id)
        if info is not None and info.workflow and workflow is None:
            raise ServiceError(f"“{item.question_id}” is a question of each workflow: send it "
                               "with the workflow's workflow_id", item.question_id)
        if info is not None and not info.workflow and workflow is not None:
            raise ServiceError(f"“{item.question_id}” is a question of the system: send it "
                               "without a workflow_id", item.question_id)
    inputs = [answer_service.AnswerInput(
        a.question_id, answer_service.AnswerValue(tuple(a.choices), a.na_reason, a.note),
        a.base_version) for a in body.answers]
    return answer_service.save_answers(session, assessment, user, inputs, workflow,
                                       content=content)


def _tracking(entry: tracking_service.PlanEntry, today: dt.date) -> dict[str, Any]:
    t = entry.tracking
    return {"status": entry.status.value, "owner_id": t.owner_id if t else None,
            "owner": t.owner.name if t and t.owner else None,
            "due_date": t.due_date if t else None, "overdue": entry.overdue(today),
            "justification": t.justification if t else None,
            "review_date": t.review_date if t else None}


def plan(session: Session, assessment: Assessment, cache: ResultCache) -> dict[str, Any]:
    today = dt.date.today()
    entries = [{
        "number": e.number, "rule": e.ref.rule_id, "title": e.finding.get("title", ""),
        "severity": e.finding.get("severity"), "bucket": e.finding.get("bucket"),
        "workflow_id": e.ref.workflow_id, "workflow": e.finding.get("workflow"),
        "flagged": e.flagged, "tracking": _tracking(e, today),
    } for e in tracking_service.tracked_plan(session, assessment, cache).entries]
    return {"revision": assessment.revision, "entries": entries}


def write_tracking(session: Session, assessment: Assessment, user: User,
                   body: schemas.TrackingWrite, cache: ResultCache) -> dict[str, Any]:
    tracking_service.workflow_of(assessment, body.workflow_id)
    ref = tracking_service.FindingRef(body.rule, body.workflow_id)
    data = tracking_service.TrackingInput(body.status.value, body.owner_id, body.due_date,
                                          body.justification, body.review_date)
    tracking_service.update_tracking(session, assessment, user, ref, data, cache)
    return plan(session, assessment, cache)


def _milestone(m) -> dict[str, Any]:
    return {"id": m.id, "name": m.name, "note": m.note or "", "created_at": m.created_at,
            "overall": (m.result or {}).get("overall")}


def milestones(session: Session, assessment: Assessment) -> dict[str, Any]:
    return {"milestones": [_milestone(m)
                           for m in milestone_service.milestones_of(session, assessment)]}


def milestone(session: Session, assessment: Assessment, milestone_id: int) -> dict[str, Any]:
    m = milestone_service.get_milestone(session, assessment, milestone_id)
    if is_lens_assessment(assessment):
        return _milestone(m) | {"result": lens.frozen(session, assessment, m)}
    return _milestone(m) | {"result": m.result}
