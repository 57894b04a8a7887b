"""What the API reads and writes of a review on a lens, as the schemas' plain data: its
summary figures, result, risks and answers. Writes go through the lens service (the
browser's checks: known choices, "None of these" alone, versions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.api import schemas
from webapp.assessments.answers import AnswerInput, AnswerValue, SaveResult
from webapp.assessments.models import Assessment
from webapp.core.services import ServiceError
from webapp.domain.lens_answers import reason_of
from webapp.domain.lens_result_json import counts, lens_result_json, question_json
from webapp.lenses import services as lenses
from webapp.lenses.answers import save_answers


def summary_figures(session: Session, assessment: Assessment) -> dict[str, Any]:
    """The summary's questionnaire, coverage and risk counts (a lens review has no score)."""
    row, _lens = lenses.lens_of(session, assessment)
    result = lenses.lens_result(session, assessment)
    coverage = round(100 * result.answered / result.total, 1) if result.total else None
    return {"questionnaire": {"id": assessment.questionnaire_id,
                              "version": assessment.questionnaire_version,
                              "kind": "lens", "title": row.name},
            "overall": None, "coverage": coverage, "risks": counts(result)}


def result(session: Session, assessment: Assessment) -> dict[str, Any]:
    return lens_result_json(lenses.lens_result(session, assessment),
                            assessment.questionnaire_id, assessment.questionnaire_version)


def frozen(session: Session, assessment: Assessment, milestone: Any) -> dict[str, Any]:
    """A milestone's result, read back from its answers on the lens version it froze."""
    version = milestone.questionnaire_version
    result = lenses.frozen_result(session, assessment, milestone.answers, version)
    return lens_result_json(result, milestone.questionnaire_id, version)


def risks(session: Session, assessment: Assessment) -> dict[str, Any]:
    plan = lenses.lens_result(session, assessment).plan
    return {"revision": assessment.revision, "risks": [question_json(q) for q in plan]}


def answers(session: Session, assessment: Assessment) -> dict[str, Any]:
    rows = lenses.stored_answers(session, assessment)
    return {"revision": assessment.revision, "answers": [
        {"workflow_id": None, "question_id": qid, "choices": list(row.choices),
         "na_reason": row.na_reason, "note": row.note, "version": row.version}
        for qid, row in sorted(rows.items())]}


def write_answers(session: Session, assessment: Assessment, user: User,
                  body: schemas.AnswersWrite) -> SaveResult:
    if body.workflow_id is not None:
        raise ServiceError("A review on a lens has no workflows: leave workflow_id out.",
                           "workflow_id")
    return save_answers(session, assessment, user, [
        AnswerInput(a.question_id, AnswerValue(tuple(a.choices), _reason(a), a.note),
                    a.base_version) for a in body.answers])


def _reason(answer: schemas.AnswerIn) -> str | None:
    if not answer.na_reason:
        return None
    reason = reason_of(answer.na_reason)
    if reason is None:
        raise ServiceError(f"{answer.question_id}: na_reason is one of OUT_OF_SCOPE, "
                           "BUSINESS_PRIORITIES, ARCHITECTURE_CONSTRAINTS, OTHER",
                           answer.question_id)
    return reason.value
