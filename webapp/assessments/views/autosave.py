"""Autosave: one question at a time, as JSON, for the page script (static/js/autosave.js).

The script posts the question's own inputs (the same names as the page form) plus `scope`
("system" or a workflow id) and `question`, with the CSRF token in X-CSRFToken. Answers:
200 saved / unchanged, 409 conflict with both values, 400 invalid with the message per field.
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from webapp.assessments.answers import (
    AnswerValue,
    StoredAnswer,
    index_of,
    save_answers,
    scope_questions,
)
from webapp.assessments.evaluation import relevance
from webapp.assessments.forms import make_section_form, value_digest
from webapp.assessments.models import Assessment, Workflow
from webapp.assessments.progress import progress
from webapp.assessments.views import bp, load_assessment
from webapp.assessments.workflows import get_workflow
from webapp.core.db import commit_now, get_session
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.report import dates
from webapp.report.notes import render_note
from webapp.teams.models import Role


def _scope(assessment: Assessment) -> Workflow | None:
    scope = request.form.get("scope", "system")
    if scope == "system":
        return None
    if not scope.isdigit():
        return None
    return get_workflow(get_session(), assessment, int(scope))


def _invalid(message: str, errors: dict | None = None):
    return {"status": "invalid", "message": message, "errors": errors or {}}, 400


def _value_json(info, value: AnswerValue) -> dict:
    return {
        "choices": [{"id": c, "label": info.labels.get(c, c)} for c in value.choices],
        "na_reason": value.na_reason,
        "note": value.note,
        "note_html": render_note(value.note),
    }


def _stored_json(info, saved: StoredAnswer) -> dict:
    when = dates.moment(saved.updated_at) if saved.updated_at else None
    return _value_json(info, saved.value) | {
        "version": saved.version,
        "updated_by": saved.updated_by,
        "updated_at": when,
        "orig": value_digest(saved.value),
    }


@bp.post("/<int:assessment_id>/answers")
def autosave(assessment_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    workflow = _scope(assessment)
    qid = request.form.get("question", "")
    if qid not in scope_questions(assessment, workflow, content=get_content()):
        return _invalid(f"There is no question “{qid[:100]}” here. Reload the page.")
    info = index_of(assessment, content=get_content()).questions[qid]
    form = make_section_form([info])()
    if not form.validate():
        sub = form[qid].form
        errors = {name: f.errors for name, f in sub._fields.items() if f.errors}
        first = next(iter(errors.values()), ["Check this answer."])[0]
        return _invalid(first if errors else "This form expired. Reload the page.", errors)
    session = get_session()
    try:
        result = save_answers(
            session, assessment, current_user, form.inputs(only_touched=False), workflow,
            content=get_content(),
        )
    except ServiceError as error:
        return _invalid(error.message)
    if result.conflicts:
        conflict = result.conflicts[0]
        return {
            "status": "conflict",
            "mine": _value_json(info, conflict.mine),
            "theirs": _stored_json(info, conflict.theirs),
        }, 409
    commit_now()  # the write lock is held for the writes only, not for what follows
    saved = result.stored[qid]  # as written: no second read
    return {"status": "saved" if result.saved else "unchanged", "answer": _stored_json(info, saved),
            "progress": _progress_json(session, assessment),
            "not_asked": relevance(session, assessment, result_cache()).get(
                workflow.position if workflow else -1, {})}


def _progress_json(session, assessment: Assessment) -> list[dict]:
    """The stepper's counts after this save, so the page never shows stale numbers."""
    return [{"id": step.id, "answered": step.answered, "total": step.total}
            for step in progress(session, assessment, result_cache()) if step.id != "results"]
