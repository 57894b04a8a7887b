"""The review of an assessment on a lens: pillar pages, autosave, results, report and PDF.

Every route loads the assessment through `member_assessment` (viewers read, editors answer,
non-members get 404), then the lens version the assessment was started on.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.assessments.access import member_assessment
from webapp.assessments.models import Assessment
from webapp.assessments.services import remember_step
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.views import members_blueprint
from webapp.domain import lens_compare
from webapp.domain import lens_plan_export as plan_export_module
from webapp.domain.lens import Lens, Pillar, Question
from webapp.domain.lens_result import LensResult, Risk
from webapp.lenses import services as service
from webapp.lenses.forms import answer_digest, question_form
from webapp.lenses.models import LensAnswerRow, LensVersion
from webapp.report import dates
from webapp.report import lens as lens_report
from webapp.teams.models import Role

logger = logging.getLogger(__name__)
bp = members_blueprint("lens_pages", __name__, "/assessments/<int:assessment_id>/lens")


def is_lens_review(assessment: Assessment) -> bool:
    return service.is_lens_assessment(assessment)


def _load(assessment_id: int, role: Role = Role.VIEWER) -> tuple[Assessment, LensVersion, Lens]:
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
    assessment, _row, lens = _load(assessment_id)
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
    assessment, row, lens = _load(assessment_id, role)
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
        saved = service.save_answer(
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
    assessment, _row, lens = _load(assessment_id, Role.EDITOR)
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
        saved = service.save_answer(
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
    assessment, row, lens = _load(assessment_id)
    result = service.lens_result(get_session(), assessment)
    data = _report_data(assessment, row, result)
    return render_template(
        "lenses/results.html",
        assessment=assessment,
        lens_row=row,
        lens=lens,
        result=result,
        r=data,
        current_step="results",
        newer=service.newer_version(get_session(), assessment),
        upgrade_form=EmptyForm(),
    )


def _report_data(assessment, row, result) -> dict:
    return lens_report.lens_report_data(
        result,
        system_name=assessment.name,
        team=assessment.team.name,
        lens_version=row.version,
        description=assessment.description,
    )


@bp.get("/report")
def report_html(assessment_id: int):
    from webapp.results.views import report_page

    assessment, row, _lens = _load(assessment_id)
    data = _report_data(assessment, row, service.lens_result(get_session(), assessment))
    html = lens_report.render_lens_html(data, font_base=url_for("static", filename="fonts/"))
    bar = render_template("lenses/_report_bar.html", assessment=assessment)
    return report_page(html, bar, render_template("results/_report_head.html"))


@bp.get("/report.pdf")
def report_pdf(assessment_id: int):
    assessment, _row, _lens = _load(assessment_id)
    return pdf_response(assessment)


def _live_data(assessment: Assessment) -> dict:
    session = get_session()
    try:
        row, _lens = service.lens_of(session, assessment)
    except ServiceError as error:
        abort(503, error.message)
    return _report_data(assessment, row, service.lens_result(session, assessment))


def report_html_of(assessment: Assessment) -> str:
    """The report page of a review on a lens, for the share link's page."""
    return lens_report.render_lens_html(
        _live_data(assessment), font_base=url_for("static", filename="fonts/")
    )


def pdf_response(assessment: Assessment) -> Response:
    """The PDF download of a review on a lens (the team's page and its share links)."""
    pdf = lens_report.render_lens_pdf(_live_data(assessment))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(assessment)}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _filename(assessment: Assessment) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", assessment.name.lower()).strip("-")[:60].strip("-")
    return f"{stem or 'system'}-lens-review-{datetime.now(UTC).date().isoformat()}.pdf"


MIMETYPES = {"csv": "text/csv", "json": "application/json", "md": "text/markdown"}


@bp.get("/plan.<any(csv, json, md):fmt>")
def plan_export(assessment_id: int, fmt: str):
    """The improvement plan as a file: CSV (spreadsheets), JSON (tools) or Markdown (docs)."""
    assessment, row, lens = _load(assessment_id)
    rows = plan_export_module.plan_rows(service.lens_result(get_session(), assessment))
    meta = {
        "assessment": assessment.name,
        "lens": lens.name,
        "version": row.version,
        "exported_at": dates.iso(datetime.now(UTC)),
    }
    body = {
        "csv": lambda: plan_export_module.to_csv(rows),
        "json": lambda: plan_export_module.to_json(rows, meta),
        "md": lambda: plan_export_module.to_markdown(rows, meta),
    }[fmt]()
    response = Response(body, mimetype=MIMETYPES[fmt])
    stem = re.sub(r"[^a-z0-9]+", "-", assessment.name.lower()).strip("-") or "plan"
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}-plan.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- milestones and comparison ----------------------------------------------------------------


def _milestone_data(assessment: Assessment, milestone_id: int) -> dict:
    from webapp.tracking.milestones import get_milestone

    session = get_session()
    milestone = get_milestone(session, assessment, milestone_id)
    row, _lens = service.lens_of(session, assessment)
    result = service.frozen_result(session, assessment, milestone.answers)
    return lens_report.lens_report_data(
        result,
        system_name=assessment.name,
        team=assessment.team.name,
        lens_version=row.version,
        description=assessment.description,
        generated_at=milestone.created_at,
        milestone=milestone.name,
    )


@bp.get("/milestones/<int:milestone_id>")
def milestone(assessment_id: int, milestone_id: int):
    from webapp.results.views import report_page

    assessment, _row, _lens = _load(assessment_id)
    data = _milestone_data(assessment, milestone_id)
    html = lens_report.render_lens_html(data, font_base=url_for("static", filename="fonts/"))
    bar = render_template(
        "lenses/_milestone_bar.html",
        assessment=assessment,
        milestone_id=milestone_id,
        name=data["meta"]["milestone"],
    )
    return report_page(html, bar, render_template("results/_report_head.html"))


@bp.get("/milestones/<int:milestone_id>/report.pdf")
def milestone_pdf(assessment_id: int, milestone_id: int):
    assessment, _row, _lens = _load(assessment_id)
    data = _milestone_data(assessment, milestone_id)
    response = Response(lens_report.render_lens_pdf(data), mimetype="application/pdf")
    name = _filename(assessment).replace("-lens-review-", f"-{milestone_id}-lens-review-")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _side(assessment: Assessment, key: str | None):
    """(label, result) of a milestone id or "now"; anything else is a 404."""
    from webapp.tracking.milestones import NOW, get_milestone

    session = get_session()
    if key in (None, NOW):
        return "Now", service.lens_result(session, assessment)
    if not key.isdigit():
        abort(404)
    milestone = get_milestone(session, assessment, int(key))
    return milestone.name, service.frozen_result(session, assessment, milestone.answers)


@bp.get("/compare")
def compare(assessment_id: int):
    """Two moments of the review side by side: risk counts per pillar, questions that moved."""
    from webapp.tracking.milestones import milestones_of

    assessment, row, lens = _load(assessment_id)
    milestones = milestones_of(get_session(), assessment)
    before_key = request.args.get("from") or (str(milestones[0].id) if milestones else None)
    after_key = request.args.get("to") or "now"
    comparison = None
    if before_key:
        before, after = _side(assessment, before_key), _side(assessment, after_key)
        comparison = lens_compare.compare(before[1], after[1]) | {
            "before": before[0],
            "after": after[0],
        }
    return render_template(
        "lenses/compare.html",
        assessment=assessment,
        lens_row=row,
        lens=lens,
        result=service.lens_result(get_session(), assessment),
        c=comparison,
        milestones=milestones,
        before_key=before_key,
        after_key=after_key,
        current_step="compare",
    )


@bp.post("/upgrade")
def upgrade(assessment_id: int):
    assessment, _row, _lens = _load(assessment_id, Role.EDITOR)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        done = service.upgrade_assessment(get_session(), assessment, current_user)
    except ServiceError as error:
        flash(error.message, "info")
        return redirect(url_for("lens_pages.results", assessment_id=assessment.id))
    note = f" {len(done.changed)} answer(s) changed with the questions." if done.changed else ""
    flash(
        f"The review is now on version {done.version} of the lens; a milestone keeps the "
        f"results from before.{note}",
        "success",
    )
    return redirect(url_for("lens_pages.results", assessment_id=assessment.id))
