"""The review of an assessment on a lens: pillar pages, autosave, results, report and PDF.

Every route loads the assessment through `member_assessment` (viewers read, editors answer,
non-members get 404), then the lens version the assessment was started on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.assessments.access import member_assessment
from webapp.assessments.models import Assessment
from webapp.assessments.progress import lens_steps
from webapp.assessments.services import remember_step
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.views import members_blueprint, result_cache
from webapp.domain.lens import Lens, Pillar, Question
from webapp.domain.lens_result import LensResult, Risk
from webapp.lenses import answers, reports
from webapp.lenses import services as service
from webapp.lenses.forms import answer_digest, question_form
from webapp.lenses.models import LensAnswerRow, LensVersion
from webapp.report import dates
from webapp.teams.models import Role
from webapp.tracking.services import tracked_plan

logger = logging.getLogger(__name__)
bp = members_blueprint("lens_pages", __name__, "/assessments/<int:assessment_id>/lens")


def is_lens_review(assessment: Assessment) -> bool:
    return service.is_lens_assessment(assessment)


def load_review(assessment_id: int, role: Role = Role.VIEWER
                ) -> tuple[Assessment, LensVersion, Lens]:
    """The review after the role check (404 when it is not on a lens), its lens version and
    lens (503 when that version is no longer stored)."""
    assessment = member_assessment(assessment_id, role)
    if not service.is_lens_assessment(assessment):
        abort(404)
    try:
        row, lens = service.lens_of(get_session(), assessment)
    except ServiceError as error:
        abort(503, error.message)
    return assessment, row, lens


def _pillar(lens: Lens, pillar_id: str) -> Pillar:
    return next((p for p in lens.pillars if p.id == pillar_id), None) or abort(404)


@bp.get("/")
def start(assessment_id: int):
    assessment, _row, lens = load_review(assessment_id)
    step = assessment.last_step if assessment.last_step in {p.id for p in lens.pillars} else None
    return redirect(
        url_for(
            "lens_pages.pillar", assessment_id=assessment.id, pillar_id=step or lens.pillars[0].id
        )
    )


@dataclass
class QuestionView:
    question: Question
    form: object
    row: LensAnswerRow | None
    risk: Risk
    problem: str | None = None
    conflict: bool = False

    @property
    def anchor(self) -> str:
        return "q-" + self.question.id


def _views(pillar, rows, result: LensResult, formdata=None) -> list[QuestionView]:
    risks = {q.question.id: q.risk for p in result.pillars for q in p.questions}
    views = []
    for question in pillar.questions:
        row = rows.get(question.id)
        form = question_form(question, service.answer_of(row), row.version if row else 0, formdata)
        views.append(QuestionView(question, form, row, risks[question.id]))
    return views


@bp.route("/pillars/<pillar_id>", methods=["GET", "POST"])
def pillar(assessment_id: int, pillar_id: str):
    role = Role.EDITOR if request.method == "POST" else Role.VIEWER
    assessment, row, lens = load_review(assessment_id, role)
    pillar = _pillar(lens, pillar_id)
    session = get_session()
    if request.method == "POST":
        return _save_page(assessment, row, lens, pillar)
    if g.can_edit:
        remember_step(session, assessment, pillar.id)
    views = _views(
        pillar,
        service.stored_answers(session, assessment),
        service.lens_result(session, assessment),
    )
    return _render(assessment, row, lens, pillar, views)


def _render(assessment, row, lens, pillar, views, status: int = 200, problems: int = 0):
    result = service.lens_result(get_session(), assessment)
    index = [p.id for p in lens.pillars].index(pillar.id)
    return render_template(
        "lenses/pillar.html",
        assessment=assessment,
        lens_row=row,
        lens=lens,
        pillar=pillar,
        views=views,
        result=result,
        csrf_form=EmptyForm(),
        problems=problems,
        prev=lens.pillars[index - 1] if index > 0 else None,
        next=lens.pillars[index + 1] if index + 1 < len(lens.pillars) else None,
        current_step=pillar.id,
        steps=lens_steps(result),
    ), status


def _save_page(assessment, row, lens, pillar):
    session = get_session()
    if not EmptyForm().validate_on_submit():
        abort(400)
    rows = service.stored_answers(session, assessment)
    views = _views(pillar, rows, service.lens_result(session, assessment), request.form)
    touched = [v for v in views if v.form.touched()]
    for view in touched:
        view.problem = view.form.problem()
    if any(v.problem for v in touched):
        return _render(
            assessment, row, lens, pillar, views, 400, sum(bool(v.problem) for v in views)
        )
    for view in touched:
        _save_one(session, assessment, view)
    if any(v.problem or v.conflict for v in views):  # status 409: nothing is committed
        return _render(
            assessment,
            row,
            lens,
            pillar,
            views,
            409,
            sum(bool(v.problem or v.conflict) for v in views),
        )
    flash("Answers saved.", "success")
    target = request.form.get("then") == "next" and _next_pillar(lens, pillar)
    if target:
        return redirect(url_for("lens_pages.pillar", assessment_id=assessment.id, pillar_id=target))
    return redirect(url_for("lens_pages.pillar", assessment_id=assessment.id, pillar_id=pillar.id))


def _next_pillar(lens: Lens, pillar: Pillar) -> str | None:
    ids = [p.id for p in lens.pillars]
    index = ids.index(pillar.id)
    return ids[index + 1] if index + 1 < len(ids) else None


def _save_one(session, assessment, view: QuestionView) -> None:
    try:
        saved = answers.save_answer(
            session,
            assessment,
            current_user,
            view.question,
            view.form.answer(),
            view.form.base_version(),
        )
    except ServiceError as error:
        view.problem = error.message
        return
    view.conflict = saved.status == "conflict"
    if view.conflict:
        view.problem = (
            "Someone else saved this question while you were editing. Check it, then save again."
        )


@bp.post("/answers")
def autosave(assessment_id: int):
    """One question, as JSON, for the page script: 200 saved, 409 conflict, 400 invalid."""
    assessment, _row, lens = load_review(assessment_id, Role.EDITOR)
    qid = request.form.get("question", "")
    question = next((q for _, q in lens.questions() if q.id == qid), None)
    if question is None:
        return {
            "status": "invalid",
            "message": "There is no such question here. Reload the page.",
        }, 400
    session = get_session()
    form = question_form(question, service.answer_of(None), 0, request.form)
    problem = form.problem()
    if problem:
        return {"status": "invalid", "message": problem, "errors": {}}, 400
    try:
        saved = answers.save_answer(
            session, assessment, current_user, question, form.answer(), form.base_version()
        )
    except ServiceError as error:
        return {"status": "invalid", "message": error.message, "errors": {}}, 400
    if saved.status == "conflict":
        return {
            "status": "conflict",
            "mine": _value_json(question, form.answer()),
            "theirs": _stored_json(question, saved.row),
        }, 409
    return {"status": saved.status, "answer": _stored_json(question, saved.row)}


def _value_json(question: Question, answer) -> dict:
    labels = {c.id: c.title for c in question.choices}
    return {
        "choices": [{"id": c, "label": labels.get(c, c)} for c in sorted(answer.choices)],
        "na_reason": answer.na_reason.label if answer.na_reason else None,
        "note": answer.note,
        "note_html": "",
    }


def _stored_json(question: Question, row: LensAnswerRow | None) -> dict:
    answer = service.answer_of(row)
    when = dates.moment(row.updated_at) if row and row.updated_at else None
    return _value_json(question, answer) | {
        "version": row.version if row else 0,
        "updated_by": row.updated_by.name if row and row.updated_by else None,
        "updated_at": when,
        "orig": answer_digest(answer),
    }


@bp.get("/results")
def results(assessment_id: int):
    assessment, row, lens = load_review(assessment_id)
    result = service.lens_result(get_session(), assessment)
    data = reports.report_data(get_session(), assessment)
    return render_template(
        "lenses/results.html",
        assessment=assessment,
        lens_row=row,
        lens=lens,
        result=result,
        r=data,
        current_step="results",
        steps=lens_steps(result),
        tracked={e.ref.rule_id: e for e in tracked_plan(get_session(), assessment,
                                                        result_cache()).entries},
        newer=service.newer_version(get_session(), assessment),
        upgrade_form=EmptyForm(),
    )


from webapp.lenses import follow_views  # noqa: E402, F401 - registers its routes on bp
