"""The workflows step: list, add, edit, reorder, duplicate and remove workflows."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.assessments import submissions
from webapp.assessments import workflows as service
from webapp.assessments.answers import index_of
from webapp.assessments.forms import MoveForm, WorkflowForm
from webapp.assessments.progress import answered_by_scope, progress
from webapp.assessments.services import remember_step
from webapp.assessments.views import bp, load_assessment
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.lenses.models import LENS_PREFIX
from webapp.teams.models import Role


def _list_page(assessment, form: WorkflowForm | None = None, status: int = 200):
    session = get_session()
    if form is None:
        form = WorkflowForm(formdata=None)
        form.submit_token.data = submissions.new_token()
    answered = answered_by_scope(session, assessment)
    per_workflow = len(index_of(assessment, content=get_content()).workflow_ids)
    return render_template(
        "assessments/workflows.html",
        assessment=assessment,
        form=form,
        action_form=EmptyForm(formdata=None),
        steps=progress(session, assessment, result_cache()),
        current_step="workflows",
        per_workflow=per_workflow,
        answered={w.id: len(answered.get(w.scope, ())) for w in assessment.workflows},
        new_token=submissions.new_token,
    ), status


@bp.get("/<int:assessment_id>/workflows")
def workflows(assessment_id: int):
    assessment = load_assessment(assessment_id)
    if assessment.questionnaire_id.startswith(LENS_PREFIX):  # a lens has no workflow pages
        return redirect(url_for("lens_pages.start", assessment_id=assessment.id))
    if g.can_edit:
        remember_step(get_session(), assessment, "workflows")
    return _list_page(assessment)


def _list_url(assessment) -> str:
    return url_for("assessments.workflows", assessment_id=assessment.id)


@bp.post("/<int:assessment_id>/workflows")
def add_workflow(assessment_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    form = WorkflowForm()
    if not form.validate_on_submit():
        return _list_page(assessment, form, 400)
    session = get_session()
    if not submissions.claim(session, form.submit_token.data, current_user):
        flash("This form was already sent; the workflow was added once.", "info")
        return redirect(_list_url(assessment))
    try:
        workflow = service.add_workflow(
            session,
            assessment,
            name=form.name.data,
            description=form.description.data or "",
            source=form.source.data or "",
            actor=current_user,
            content=get_content(),
        )
    except ServiceError as error:
        form.name.errors = [*form.name.errors, error.message]
        return _list_page(assessment, form, 400)
    flash(f"“{workflow.name}” added. Answer its questions now or come back later.", "success")
    return redirect(
        url_for("assessments.workflow", assessment_id=assessment.id, workflow_id=workflow.id)
    )


@bp.route("/<int:assessment_id>/workflows/<int:workflow_id>/edit", methods=["GET", "POST"])
def edit_workflow(assessment_id: int, workflow_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    workflow = service.get_workflow(get_session(), assessment, workflow_id)
    form = WorkflowForm(obj=workflow if request.method == "GET" else None)
    if form.validate_on_submit():
        service.edit_workflow(
            get_session(),
            workflow,
            name=form.name.data,
            description=form.description.data or "",
            source=form.source.data or "",
            actor=current_user,
            content=get_content(),
        )
        flash("Workflow details saved.", "success")
        return redirect(_list_url(assessment))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "assessments/workflow_edit.html",
        assessment=assessment,
        workflow=workflow,
        form=form,
        steps=progress(get_session(), assessment, result_cache()),
        current_step="workflows",
    ), status


def _action(assessment_id: int, workflow_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    workflow = service.get_workflow(get_session(), assessment, workflow_id)
    return assessment, workflow


@bp.post("/<int:assessment_id>/workflows/<int:workflow_id>/move")
def move_workflow(assessment_id: int, workflow_id: int):
    assessment, workflow = _action(assessment_id, workflow_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400, "Move a workflow up or down by one place.")
    if workflow.position != form.position.data:  # a resent form: it already moved
        return redirect(_list_url(assessment))
    if service.move_workflow(get_session(), workflow, form.offset.data, current_user,
                             content=get_content()):
        flash(f"Moved “{workflow.name}” {'up' if form.offset.data < 0 else 'down'}.", "success")
    return redirect(_list_url(assessment))


@bp.post("/<int:assessment_id>/workflows/<int:workflow_id>/duplicate")
def duplicate_workflow(assessment_id: int, workflow_id: int):
    assessment, workflow = _action(assessment_id, workflow_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if not submissions.claim(get_session(), request.form.get("submit_token"), current_user):
        flash("This form was already sent; the workflow was duplicated once.", "info")
        return redirect(_list_url(assessment))
    try:
        copy = service.duplicate_workflow(get_session(), workflow, current_user.id,
                                        current_user, content=get_content())
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(_list_url(assessment))
    flash(f"“{workflow.name}” duplicated with its answers as “{copy.name}”.", "success")
    return redirect(_list_url(assessment))


@bp.post("/<int:assessment_id>/workflows/<int:workflow_id>/remove")
def remove_workflow(assessment_id: int, workflow_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    if not EmptyForm().validate_on_submit():
        abort(400)
    workflow = next((w for w in assessment.workflows if w.id == workflow_id), None)
    if workflow is None:  # a resent form: it is already gone
        flash("That workflow was already removed.", "info")
        return redirect(_list_url(assessment))
    name = workflow.name
    service.remove_workflow(get_session(), workflow, current_user, content=get_content())
    flash(f"“{name}” and its answers were removed.", "success")
    return redirect(_list_url(assessment))
