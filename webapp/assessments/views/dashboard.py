"""Dashboard, new assessment, resume, details and delete."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from webapp.assessments import services as service
from webapp.assessments import submissions
from webapp.assessments.forms import AssessmentDetailsForm, AssessmentForm
from webapp.assessments.progress import progress
from webapp.assessments.views import bp, load_assessment
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.views import render_form_error, result_cache
from webapp.lenses import services as lens_service
from webapp.portfolio import jobs
from webapp.portfolio.summaries import standings
from webapp.teams.models import Role
from webapp.teams.services import require_membership, teams_of


@bp.get("/")
def index():
    session = get_session()
    memberships = teams_of(session, current_user)
    team_id = request.args.get("team", type=int)
    if team_id is not None and team_id not in {m.team_id for m in memberships}:
        team_id = None
    search = request.args.get("q", "")[:200]
    rows = service.dashboard(session, current_user, team_id=team_id, search=search)
    return render_template(
        "assessments/dashboard.html",
        rows=rows,
        # each row's figures from its revision's summary, or "being updated" (as the portfolio)
        standings=standings(session, [row.assessment for row in rows], jobs.asker(),
                            content=get_content()),
        memberships=memberships,
        team_id=team_id,
        search=search,
        filtered=bool(team_id or search.strip()),
        can_start=any(m.role_enum.at_least(Role.EDITOR) for m in memberships),
    )


def _new_form() -> AssessmentForm:
    form = AssessmentForm()
    editable = [
        m for m in teams_of(get_session(), current_user) if m.role_enum.at_least(Role.EDITOR)
    ]
    form.team.choices = [SelectChoice(m.team.id, m.team.name) for m in editable]
    choices = service.questionnaire_choices(content=get_content())
    form.questionnaire.choices = [SelectChoice(*c) for c in choices] + [
        SelectChoice(*c) for c in lens_service.lens_choices(get_session())
    ]
    if not form.is_submitted():
        form.team.data = request.args.get("team", type=int) or (
            editable[0].team.id if editable else None
        )
        form.questionnaire.data = (
            form.questionnaire.choices[0].value if form.questionnaire.choices else None
        )
        form.submit_token.data = submissions.new_token()
    return form


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = _new_form()
    if not form.team.choices:
        flash("You need a team where you are an editor or owner. Create one first.", "info")
        return redirect(url_for("teams.new"))
    if not form.validate_on_submit():
        if form.is_submitted():
            return render_form_error("assessments/new.html", form)
        return render_template("assessments/new.html", form=form)
    session = get_session()
    membership = require_membership(session, form.team.data, current_user, Role.EDITOR)
    if not submissions.claim(session, form.submit_token.data, current_user):
        flash("This form was already sent; the assessment exists once.", "info")
        return redirect(url_for("assessments.index", team=membership.team_id))
    try:
        assessment = service.start_assessment(
            session,
            membership.team,
            current_user,
            name=form.name.data,
            description=form.description.data or "",
            questionnaire_id=form.questionnaire.data,
            content=get_content(),
        )
    except ServiceError as error:
        return render_form_error("assessments/new.html", form, error)
    first = ("Answer each pillar's questions." if lens_service.is_lens_assessment(assessment)
             else "Begin with the fit check: it decides how deep to go.")
    flash(f"“{assessment.name}” started. {first}", "success")
    return redirect(url_for("assessments.resume", assessment_id=assessment.id))


@bp.get("/<int:assessment_id>")
def resume(assessment_id: int):
    """Open the review where it was left (the fit step for a new one)."""
    assessment = load_assessment(assessment_id)
    if lens_service.is_lens_assessment(assessment):
        return redirect(url_for("lens_pages.start", assessment_id=assessment.id))
    return redirect(_step_url(assessment, assessment.last_step or "fit"))


def _step_url(assessment, step: str) -> str:
    if step.startswith("workflow:"):
        workflow_id = step.removeprefix("workflow:")
        if any(str(w.id) == workflow_id for w in assessment.workflows):
            return url_for(
                "assessments.workflow", assessment_id=assessment.id, workflow_id=int(workflow_id)
            )
        step = "workflows"  # that workflow was removed since
    if step == "workflows":
        return url_for("assessments.workflows", assessment_id=assessment.id)
    return url_for("assessments.step", assessment_id=assessment.id, step=step)


def _settings_page(assessment, form, status: int = 200):
    from webapp.tracking.upgrade import can_upgrade

    content = get_content()
    return render_template(
        "assessments/settings.html",
        assessment=assessment,
        can_upgrade=can_upgrade(assessment, content=content),
        newest_version=content.questionnaire(assessment.questionnaire_id).version
        if can_upgrade(assessment, content=content) else None,
        form=form,
        delete_form=EmptyForm(formdata=None),
        current_step="settings",
        steps=progress(get_session(), assessment, result_cache()),
    ), status


@bp.route("/<int:assessment_id>/settings", methods=["GET", "POST"])
def settings(assessment_id: int):
    if request.method == "POST":
        assessment = load_assessment(assessment_id, Role.EDITOR)
    else:
        assessment = load_assessment(assessment_id)
    form = AssessmentDetailsForm(obj=assessment if request.method == "GET" else None)
    if request.method == "GET":
        return _settings_page(assessment, form)
    if not form.validate_on_submit():
        return _settings_page(assessment, form, 400)
    service.update_details(
        get_session(), assessment, name=form.name.data, description=form.description.data or "",
        content=get_content(),
    )
    flash("Details saved.", "success")
    return redirect(url_for("assessments.settings", assessment_id=assessment.id))


@bp.post("/<int:assessment_id>/delete")
def delete(assessment_id: int):
    assessment = load_assessment(assessment_id, Role.OWNER)
    if not EmptyForm().validate_on_submit():
        abort(400)
    team_id, name = g.team.id, assessment.name
    service.delete_assessment(get_session(), assessment, current_user)
    flash(f"“{name}” and all its answers were deleted.", "success")
    return redirect(url_for("assessments.index", team=team_id))
