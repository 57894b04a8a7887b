"""Answers files in and out of an assessment, and the next review cycle.

Export is a download. Import is two steps: the upload is checked and previewed (nothing
written), then the preview's Apply sends the file back with the answer versions it showed; an
answer saved by someone in between answers 409 with both values, and nothing is imported.
"""

from __future__ import annotations

import json
import re

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from webapp.assessments import submissions
from webapp.assessments.progress import progress
from webapp.assessments.views import bp, load_assessment
from webapp.core.db import get_session
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.text import counted
from webapp.core.views import render_form_error, result_cache
from webapp.interchange import answers_file as service
from webapp.interchange import next_review
from webapp.interchange.forms import (
    AnswersUploadForm,
    ApplyImportForm,
    NewFromFileForm,
    NextReviewForm,
)
from webapp.teams.models import Role
from webapp.teams.services import require_membership, teams_of


def _filename(name: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "assessment"
    return f"{stem[:60]}-answers.yaml"


@bp.get("/<int:assessment_id>/answers.yaml")
def export_answers(assessment_id: int):
    assessment = load_assessment(assessment_id)
    text = service.export_yaml(get_session(), assessment, content=get_content())
    disposition = f'attachment; filename="{_filename(assessment.name)}"'
    return Response(text, mimetype="application/yaml",
                    headers={"Content-Disposition": disposition})


def _page(assessment, status: int = 200, **context):
    context.setdefault("form", AnswersUploadForm(formdata=None))
    return render_template(
        "interchange/import.html", assessment=assessment, current_step="settings",
        steps=progress(get_session(), assessment, result_cache()), **context), status


def _preview(assessment, text: str, status: int = 200, conflicts=()):
    plan = service.plan_import(get_session(), assessment, text, content=get_content())
    apply_form = ApplyImportForm(formdata=None, content=text, versions=json.dumps(plan.versions))
    return _page(assessment, status, plan=plan, apply_form=apply_form, conflicts=list(conflicts))


@bp.route("/<int:assessment_id>/import", methods=["GET", "POST"])
def import_answers(assessment_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    form = AnswersUploadForm()
    if not form.is_submitted():
        return _page(assessment)
    text = form.file_text() if form.validate() else None
    if text is None:
        return _page(assessment, 400, form=form)
    try:
        return _preview(assessment, text)
    except service.ImportProblems as error:
        return _page(assessment, 400, form=form, problems=error.problems)


def _versions(raw: str) -> dict[str, int]:
    try:
        data = json.loads(raw)
    except ValueError:
        abort(400)
    if not isinstance(data, dict) or not all(isinstance(v, int) for v in data.values()):
        abort(400)
    return data


@bp.post("/<int:assessment_id>/import/apply")
def apply_import(assessment_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    form = ApplyImportForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    try:
        plan = service.apply_import(session, assessment, current_user, form.content.data,
                                    _versions(form.versions.data), content=get_content())
    except service.ImportConflict as error:
        session.rollback()
        return _preview(assessment, form.content.data, 409, error.conflicts)
    except service.ImportProblems as error:
        return _page(assessment, 400, problems=error.problems)
    _flash_done(plan)
    return redirect(url_for("assessments.resume", assessment_id=assessment.id))


def _flash_done(plan: service.ImportPlan) -> None:
    flash(f"Answers file imported: {counted(len(plan.changes), 'answer')} changed.", "success")
    for workflow, path in plan.files_needed:
        flash(f"Workflow “{workflow}” names the automation file {path}: upload it on the "
              "workflow's page to see its evidence.", "info")


# --- a new assessment from an answers file ---------------------------------------------------


def _new_form() -> NewFromFileForm:
    form = NewFromFileForm()
    editable = [m for m in teams_of(get_session(), current_user)
                if m.role_enum.at_least(Role.EDITOR)]
    form.team.choices = [SelectChoice(m.team.id, m.team.name) for m in editable]
    if not form.is_submitted():
        form.submit_token.data = submissions.new_token()
    return form


@bp.route("/import", methods=["GET", "POST"])
def import_new():
    form = _new_form()
    if not form.is_submitted():
        return render_template("interchange/import_new.html", form=form)
    text = form.file_text() if form.validate() else None
    if text is None:
        return render_form_error("interchange/import_new.html", form)
    session = get_session()
    membership = require_membership(session, form.team.data, current_user, Role.EDITOR)
    if not submissions.claim(session, form.submit_token.data, current_user):
        flash("This form was already sent; the assessment exists once.", "info")
        return redirect(url_for("assessments.index", team=membership.team_id))
    try:
        assessment, plan = service.import_new(session, membership.team, current_user, text,
                                              content=get_content())
    except service.ImportProblems as error:
        session.rollback()
        return render_template("interchange/import_new.html", form=form,
                               problems=error.problems), 400
    _flash_done(plan)
    return redirect(url_for("assessments.resume", assessment_id=assessment.id))


# --- the next review cycle -------------------------------------------------------------------


@bp.route("/<int:assessment_id>/next-review", methods=["GET", "POST"])
def start_next_review(assessment_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    form = NextReviewForm()
    if not form.is_submitted():
        form.name.data = next_review.suggested_name(assessment.name)
        form.submit_token.data = submissions.new_token()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("interchange/next_review.html", assessment=assessment, form=form,
                               current_step="settings",
                               steps=progress(get_session(), assessment, result_cache())), status
    if not submissions.claim(get_session(), form.submit_token.data, current_user):
        flash("This form was already sent; the next review exists once.", "info")
        return redirect(url_for("assessments.index", team=assessment.team_id))
    try:
        copy = next_review.clone(get_session(), assessment, current_user, form.name.data,
                                 content=get_content())
    except ServiceError as error:
        return render_form_error("interchange/next_review.html", form, error,
                                 assessment=assessment, current_step="settings",
                                 steps=progress(get_session(), assessment, result_cache()))
    flash(f"“{copy.name}” starts from the answers of “{assessment.name}”. Compare the two "
          "on the milestones page as you go.", "success")
    return redirect(url_for("assessments.resume", assessment_id=copy.id))
