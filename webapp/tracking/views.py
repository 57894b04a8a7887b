"""Plan tracking: the plan with each finding's status, one finding's page, exports, audit log.

Viewers read the plan, its findings and exports; editors and owners change status, owner,
due date and comment; the audit log is for editors and owners. Non-members get 404.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from webapp.assessments import submissions
from webapp.assessments.access import member_assessment
from webapp.assessments.evaluation import QuestionnaireMissing
from webapp.audit.services import audit_events
from webapp.core.db import get_session
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.views import members_blueprint, result_cache
from webapp.lenses.models import LENS_PREFIX
from webapp.report import dates
from webapp.report.notes import render_note
from webapp.teams.models import Role
from webapp.teams.services import members_of
from webapp.tracking import exports
from webapp.tracking import services as service
from webapp.tracking.audit_filters import AUDIT_KINDS, AuditFilters
from webapp.tracking.audit_words import AuditWords
from webapp.tracking.forms import BulkTrackingForm, CommentForm, TrackingForm
from webapp.tracking.plan_filters import PlanFilters, plan_choices

logger = logging.getLogger(__name__)
bp = members_blueprint("tracking", __name__, "/assessments/<int:assessment_id>")


@bp.app_template_filter("note_html")
def note_html(text: str | None) -> Markup:
    """Markdown written by a user, rendered and sanitized (the report's own renderer)."""
    return Markup(render_note(text))  # noqa: S704 - sanitized by nh3 in render_note


@bp.app_template_global()
def tracking_summary(assessment, rows: list[service.TrackingRow] | None = None) -> dict | None:
    """Counts by status, flagged findings and milestones, for the results page; None on error.
    `rows`: the assessment's `tracking_rows`, when the page has read them already."""
    from webapp.tracking.milestones import count_milestones

    session = get_session()
    try:
        summary = service.plan_summary(session, assessment, result_cache(), rows)
    except QuestionnaireMissing:
        return None
    return {**summary, "milestones": count_milestones(session, assessment)}


def _plan(assessment) -> service.TrackedPlan:
    return service.tracked_plan(get_session(), assessment, result_cache())


@bp.get("/plan")
def plan(assessment_id: int):
    assessment = member_assessment(assessment_id)
    return _plan_page(assessment, BulkTrackingForm(formdata=None))


def _plan_page(assessment, form: BulkTrackingForm, refusals=(), status: int = 200):
    tracked, filters = _plan(assessment), PlanFilters.from_args(request.args)
    members = _members(assessment)
    form.set_members(members)
    return render_template(
        "tracking/plan.html", assessment=assessment, plan=tracked, filters=filters,
        shown=filters.apply(tracked.entries), choices=plan_choices(assessment, members),
        statuses=service.FindingStatus, today=datetime.now(UTC).date(), form=form,
        refusals=refusals, selected=set(request.form.getlist("findings"))), status


@bp.post("/plan/bulk")
def bulk_update(assessment_id: int):
    """Editors set the status and/or owner of the checked findings at once (all or nothing)."""
    assessment = member_assessment(assessment_id, Role.EDITOR)
    form = BulkTrackingForm()
    form.set_members(_members(assessment))
    if not form.validate_on_submit():
        return _plan_page(assessment, form, status=400)
    refs = [_checked_ref(value) for value in request.form.getlist("findings")]
    owner = form.owner.data
    try:
        count = service.bulk_update(
            get_session(), assessment, current_user, [r for r in refs if r], result_cache(),
            status=form.status.data or None,
            owner_id=service.KEEP if not owner else (None if owner == "none" else int(owner)))
    except service.BulkRefused as error:
        return _plan_page(assessment, form, error.refusals, status=400)
    except ServiceError as error:
        _field_error(form, error)
        return _plan_page(assessment, form, status=400)
    flash(f"{count} {'finding' if count == 1 else 'findings'} changed.", "success")
    return redirect(url_for("tracking.plan", assessment_id=assessment.id, **request.args))


def _checked_ref(value: str) -> service.FindingRef | None:
    """A checkbox value "rule:workflow_id" ("rule:" for the system) as a reference."""
    rule, sep, workflow = value.rpartition(":")
    if not sep or not rule or not (workflow == "" or workflow.isdigit()):
        return service.FindingRef(value or "?", None)  # refused by the service as unknown
    return service.FindingRef(rule, int(workflow) if workflow else None)


def _ref(rule_id: str, workflow_id: int | None, assessment) -> service.FindingRef:
    service.workflow_of(assessment, workflow_id)
    return service.FindingRef(rule_id, workflow_id)


def finding_url(assessment_id: int, ref: service.FindingRef, **kwargs) -> str:
    if ref.workflow_id is None:
        return url_for("tracking.finding", assessment_id=assessment_id, rule_id=ref.rule_id,
                       **kwargs)
    return url_for("tracking.workflow_finding", assessment_id=assessment_id,
                   rule_id=ref.rule_id, workflow_id=ref.workflow_id, **kwargs)


bp.add_app_template_global(finding_url, "tracking_finding_url")


def _members(assessment) -> list[tuple[int, str]]:
    return [(m.user_id, m.user.name) for m in members_of(get_session(), assessment.team)]


def _finding_page(assessment, entry: service.PlanEntry, form: TrackingForm | None = None,
                  comment_form: CommentForm | None = None, status: int = 200):
    if form is None:
        form = TrackingForm(formdata=None, obj=None)
        t = entry.tracking
        form.status.data = entry.status.value
        form.owner.data = str(t.owner_id) if t and t.owner_id else ""
        form.due_date.data = t.due_date if t else None
        form.justification.data = (t.justification or "") if t else ""
        form.review_date.data = t.review_date if t else None
    form.set_members(_members(assessment))
    return render_template(
        "tracking/finding.html", assessment=assessment, entry=entry, form=form,
        comment_form=comment_form or _new_comment_form(),
        action=finding_url(assessment.id, entry.ref),
    ), status


@bp.route("/plan/findings/<rule_id>", methods=["GET", "POST"], endpoint="finding")
@bp.route("/plan/findings/<rule_id>/workflows/<int:workflow_id>", methods=["GET", "POST"],
          endpoint="workflow_finding")
def finding(assessment_id: int, rule_id: str, workflow_id: int | None = None):
    """The finding's tracking page; POST (editors) saves status, owner and dates."""
    if request.method == "POST":
        return _update_finding(assessment_id, rule_id, workflow_id)
    assessment = member_assessment(assessment_id)
    entry = service.find_entry(get_session(), assessment, _ref(rule_id, workflow_id, assessment),
                               result_cache())
    return _finding_page(assessment, entry)


def _update_finding(assessment_id: int, rule_id: str, workflow_id: int | None):
    assessment = member_assessment(assessment_id, Role.EDITOR)
    session, ref = get_session(), _ref(rule_id, workflow_id, assessment)
    entry = service.find_entry(session, assessment, ref, result_cache())
    form = TrackingForm()
    form.set_members(_members(assessment))
    if not form.validate_on_submit():
        return _finding_page(assessment, entry, form, status=400)
    data = service.TrackingInput(form.status.data, form.owner_id, form.due_date.data,
                                 form.justification.data or "", form.review_date.data)
    try:
        service.update_tracking(session, assessment, current_user, ref, data, result_cache())
    except ServiceError as error:
        _field_error(form, error)
        return _finding_page(assessment, entry, form, status=400)
    flash("Tracking saved.", "success")
    return redirect(finding_url(assessment.id, ref))


def _field_error(form, error: ServiceError) -> None:
    field = getattr(form, error.field or "", None)
    if field is None:
        field = form.status
    field.errors = [*field.errors, error.message]


def _new_comment_form() -> CommentForm:
    form = CommentForm(formdata=None)
    form.submit_token.data = submissions.new_token()
    return form


@bp.post("/plan/findings/<rule_id>/comments", endpoint="comment")
@bp.post("/plan/findings/<rule_id>/workflows/<int:workflow_id>/comments",
         endpoint="workflow_comment")
def add_comment(assessment_id: int, rule_id: str, workflow_id: int | None = None):
    assessment = member_assessment(assessment_id, Role.EDITOR)
    session, ref = get_session(), _ref(rule_id, workflow_id, assessment)
    entry = service.find_entry(session, assessment, ref, result_cache())
    form = CommentForm()
    if not form.validate_on_submit():
        return _finding_page(assessment, entry, comment_form=form, status=400)
    if not submissions.claim(session, form.submit_token.data, current_user):
        flash("This comment was already sent; it was added once.", "info")
        return redirect(finding_url(assessment.id, ref) + "#comments")
    try:
        service.add_comment(session, assessment, current_user, ref, form.body.data,
                            result_cache())
    except ServiceError as error:
        form.body.errors = [*form.body.errors, error.message]
        return _finding_page(assessment, entry, comment_form=form, status=400)
    flash("Comment added.", "success")
    return redirect(finding_url(assessment.id, ref) + "#comments")


# --- exports ----------------------------------------------------------------------------------

MIMETYPES = {"csv": "text/csv", "json": "application/json", "md": "text/markdown"}


def _meta(assessment) -> dict:
    return {"id": assessment.id, "name": assessment.name, "team": assessment.team.name,
            "questionnaire": assessment.questionnaire_id,
            "version": assessment.questionnaire_version,
            "exported_at": dates.iso(datetime.now(UTC))}


@bp.get("/plan.<any(csv, json, md):fmt>")
def export(assessment_id: int, fmt: str):
    assessment = member_assessment(assessment_id)
    if assessment.questionnaire_id.startswith(LENS_PREFIX):
        return redirect(url_for("lens_pages.plan_export", assessment_id=assessment.id, fmt=fmt))
    rows, meta = exports.export_rows(_plan(assessment).entries), _meta(assessment)
    body = {"csv": lambda: exports.to_csv(rows), "json": lambda: exports.to_json(rows, meta),
            "md": lambda: exports.to_markdown(rows, meta)}[fmt]()
    response = Response(body, mimetype=MIMETYPES[fmt])
    stem = "".join(c if c.isalnum() else "-" for c in assessment.name.lower()).strip("-")
    response.headers["Content-Disposition"] = f'attachment; filename="{stem or "plan"}-plan.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    logger.info("assessment %s: plan exported as %s by user %s", assessment.id, fmt,
                current_user.id)
    return response


# --- audit log --------------------------------------------------------------------------------


@bp.get("/audit")
def audit_log(assessment_id: int):
    assessment = member_assessment(assessment_id, Role.EDITOR)
    filters = AuditFilters.from_args(request.args)
    events = audit_events(get_session(), assessment, limit=AUDIT_LIMIT,
                          action_prefix=filters.prefix, actor_id=filters.actor_id,
                          since=filters.since, before=filters.before)
    words = AuditWords.of(assessment, content=get_content())
    if request.args.get("format") == "csv":
        return _audit_csv(assessment, events, words)
    return render_template("tracking/audit.html", assessment=assessment, events=events,
                           kinds=AUDIT_KINDS, filters=filters, members=_members(assessment),
                           limit=AUDIT_LIMIT, describe=words.describe, where=words.where)


def _audit_csv(assessment, events, words: AuditWords) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["When (UTC)", "Who", "What", "Where", "Item"])
    for e in events:
        place, item = words.where(e)
        writer.writerow([exports.safe_cell(v) for v in (
            dates.iso(e.created_at), e.actor.name if e.actor else "",
            words.describe(e), place, item)])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="audit-log-{assessment.id}.csv"')
    return response


AUDIT_LIMIT = 500
