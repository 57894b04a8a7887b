"""A workflow's automation file: upload or paste it, unlink it, accept a suggested answer.

The workflow's question page shows the upload form and the suggestions; a refused upload is
re-rendered on its own page (400) with the message and the pasted text kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.assessments import automation as service
from webapp.assessments.answers import answers_in_scope, index_of, stored
from webapp.assessments.evaluation import question_anchor
from webapp.assessments.forms import value_digest
from webapp.assessments.forms_automation import AcceptSuggestionForm, AutomationFileForm
from webapp.assessments.progress import progress
from webapp.assessments.views import bp, load_assessment
from webapp.assessments.workflows import get_workflow
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.text import counted, first_upper
from webapp.core.views import result_cache
from webapp.teams.models import Role

logger = logging.getLogger(__name__)


def _load(assessment_id: int, workflow_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    return assessment, get_workflow(get_session(), assessment, workflow_id)


def _workflow_url(workflow, anchor: str = "automation") -> str:
    url = url_for(
        "assessments.workflow", assessment_id=workflow.assessment_id, workflow_id=workflow.id
    )
    return f"{url}#{anchor}"


def _form_page(assessment, workflow, form: AutomationFileForm, error: str | None, status: int):
    return render_template(
        "assessments/automation.html",
        assessment=assessment,
        workflow=workflow,
        form=form,
        error=error,
        max_kb=service.MAX_FILE_BYTES // 1000,
        steps=progress(get_session(), assessment, result_cache()),
        current_step="workflows",
    ), status


@bp.route("/<int:assessment_id>/workflows/<int:workflow_id>/automation", methods=["GET", "POST"])
def automation_file(assessment_id: int, workflow_id: int):
    assessment, workflow = _load(assessment_id, workflow_id)
    form = AutomationFileForm()
    if not form.is_submitted():
        return _form_page(assessment, workflow, form, None, 200)
    if not form.validate():
        return _form_page(assessment, workflow, form, None, 400)
    try:
        name, text = _submitted(form, workflow)
        reviewed = service.link_file(get_session(), workflow, current_user, name, text,
                                     content=get_content())
    except ServiceError as error:
        return _form_page(assessment, workflow, form, error.message, 400)
    # the file also suggests other versions' answers
    asked = index_of(assessment, content=get_content()).questions
    count = sum(item.question in asked for item in reviewed.detected)
    flash(
        f"Reviewed {name}: {counted(count, 'suggested answer')}, "
        f"{counted(len(reviewed.findings), 'finding')}.",
        "success",
    )
    return redirect(_workflow_url(workflow))


def _submitted(form: AutomationFileForm, workflow) -> tuple[str, str]:
    """The file's name and text; an upload's bytes move into the text field, so a refused
    upload comes back as pasted text and nothing is lost."""
    upload = form.upload.data
    if upload:
        raw = upload.read(service.MAX_FILE_BYTES + 1)
        try:
            form.text.data = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise service.AutomationFileError("The file is not UTF-8 text.") from None
        fallback = upload.filename or ""
    else:
        fallback = workflow.automation_name or "workflow.yml"
    name = service.file_name(form.name.data or fallback, "workflow.yml")
    form.name.data = name
    return name, form.text.data or ""


@bp.post("/<int:assessment_id>/workflows/<int:workflow_id>/automation/remove")
def remove_automation_file(assessment_id: int, workflow_id: int):
    assessment, workflow = _load(assessment_id, workflow_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if workflow.automation_name:
        name = workflow.automation_name
        service.unlink_file(get_session(), workflow, current_user, content=get_content())
        flash(f"{name} unlinked; its suggestions are gone, your answers stay.", "success")
    return redirect(_workflow_url(workflow))


@bp.post("/<int:assessment_id>/workflows/<int:workflow_id>/automation/accept")
def accept_suggestion(assessment_id: int, workflow_id: int):
    assessment, workflow = _load(assessment_id, workflow_id)
    form = AcceptSuggestionForm()
    parsed = form.parsed() if form.validate_on_submit() else None
    if parsed is None:
        abort(400, "Accept a suggestion with its button on the workflow's page.")
    question, choice, version = parsed
    session = get_session()
    try:
        result = service.accept_suggestion(
            session, assessment, workflow, current_user, (question, choice), version,
            content=get_content(),
        )
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(_question_url(assessment, workflow, question))
    if result.conflicts:
        session.rollback()
        flash(
            "Someone else changed this answer since the page was loaded; nothing was saved. "
            "Check their answer, then accept again if the evidence still applies.",
            "warning",
        )
    else:
        flash("Suggestion accepted and saved.", "success")
    return redirect(_question_url(assessment, workflow, question))


def _question_url(assessment, workflow, question: str) -> str:
    """Back to the question: on the workflow's page, or a system question's step page."""
    info = index_of(assessment, content=get_content()).questions.get(question)
    if info is None or info.workflow:
        return _workflow_url(workflow, question_anchor(question))
    step = url_for("assessments.step", assessment_id=assessment.id, step=info.section.id)
    return f"{step}#{question_anchor(question)}"


@bp.post("/<int:assessment_id>/workflows/<int:workflow_id>/automation/accept-all")
def accept_all_suggestions(assessment_id: int, workflow_id: int):
    """Every pending suggestion saved at once; JSON for the page's script (no reload)."""
    assessment, workflow = _load(assessment_id, workflow_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "This form expired. Reload the page.")
    session = get_session()
    saved = service.accept_all(session, assessment, workflow, current_user,
                               content=get_content())
    message = first_upper(f"{counted(len(saved), 'suggested answer')} accepted and saved.")
    if request.accept_mimetypes.best == "application/json":
        rows = answers_in_scope(session, assessment, workflow)
        return {"accepted": [{"question": q, "choice": c, "version": rows[q].version,
                              "orig": value_digest(stored(rows[q]).value)} for q, c in saved],
                "message": message}
    flash(message, "success")
    return redirect(_workflow_url(workflow))


@dataclass(frozen=True)
class SystemSuggestion:
    """A suggestion from a workflow's file for a system question, as the system's page shows
    it: accepted through that workflow's accept route."""

    question: str
    choice: str
    status: str
    text: str
    rule_title: str
    accept_url: str


def page_evidence(result, workflow, assessment=None) -> dict | None:
    """What a question page shows of the automation files: on a workflow's page its file, the
    evaluated evidence (statuses against the saved answers) and the forms; on a system page
    the suggestions every workflow's file makes for the system's questions (None when none)."""
    if workflow is None:
        return _system_evidence(result, assessment) if result and assessment else None
    own = result.workflow(workflow.position) if result else None
    index = index_of(workflow.assessment, content=get_content())
    detected = [d for d in (own.evidence if own else ()) if _is_workflow_question(index, d)]
    elsewhere = [{"item": d, "url": _question_url(workflow.assessment, workflow, d.question)}
                 for d in (own.evidence if own else ()) if not _is_workflow_question(index, d)]
    by_question: dict[str, list] = {}
    for item in detected:
        by_question.setdefault(item.question, []).append(item)
    return {
        "file": workflow.automation_name,
        "detected": detected,
        "elsewhere": elsewhere,
        "by_question": by_question,
        "pending": sum(d.status == "pending" for d in detected),
        "findings": list(own.automation.findings) if own else [],
        "max_kb": service.MAX_FILE_BYTES // 1000,
        "upload_form": AutomationFileForm(formdata=None),
        "accept_form": AcceptSuggestionForm(formdata=None),
        "action_form": EmptyForm(formdata=None),
    }


def _is_workflow_question(index, item) -> bool:
    info = index.questions.get(item.question)
    return info is None or info.workflow


def _system_evidence(result, assessment) -> dict | None:
    index = index_of(assessment, content=get_content())
    ids = {str(w.id): w.id for w in assessment.workflows}
    by_question: dict[str, list] = {}
    for w in result.workflows:
        if w.id not in ids:
            continue
        url = url_for("assessments.accept_suggestion", assessment_id=assessment.id,
                      workflow_id=ids[w.id])
        for d in w.evidence:
            if _is_workflow_question(index, d):
                continue
            by_question.setdefault(d.question, []).append(SystemSuggestion(
                d.question, d.choice, d.status,
                f"{d.text} (the file of workflow \u201c{w.name}\u201d)", d.rule_title, url))
    if not by_question:
        return None
    return {"by_question": by_question, "accept_form": AcceptSuggestionForm(formdata=None)}
