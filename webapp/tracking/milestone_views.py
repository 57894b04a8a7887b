"""Milestones and comparisons: freeze a review, open a snapshot, its PDF, compare two moments.

Viewers read; editors and owners create milestones. Non-members get 404, like everywhere.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from webapp.assessments import submissions
from webapp.assessments.access import member_assessment
from webapp.core.db import get_session
from webapp.core.services import ServiceError
from webapp.core.views import members_blueprint, result_cache
from webapp.lenses.models import LENS_PREFIX
from webapp.pdfs import specs as pdfs
from webapp.pdfs.views import pdf_download
from webapp.results.page import QuestionLinks, layer_chart_svg, results_page
from webapp.results.views import member_pages
from webapp.teams.models import Role
from webapp.tracking import milestones as service
from webapp.tracking.comparison import comparison_data
from webapp.tracking.forms import MilestoneForm

logger = logging.getLogger(__name__)
bp = members_blueprint("milestones", __name__, "/assessments/<int:assessment_id>")


def _index_page(assessment, form: MilestoneForm | None = None, status: int = 200):
    if form is None:
        form = MilestoneForm(formdata=None)
        form.submit_token.data = submissions.new_token()
    milestones = service.milestones_of(get_session(), assessment)
    return render_template("milestones/index.html", assessment=assessment, form=form,
                           milestones=milestones), status


@bp.get("/milestones")
def index(assessment_id: int):
    return _index_page(member_assessment(assessment_id))


@bp.post("/milestones")
def create(assessment_id: int):
    assessment = member_assessment(assessment_id, Role.EDITOR)
    form, session = MilestoneForm(), get_session()
    if not form.validate_on_submit():
        return _index_page(assessment, form, 400)
    if not submissions.claim(session, form.submit_token.data, current_user):
        flash("This form was already sent; the milestone was frozen once.", "info")
        return redirect(url_for("milestones.index", assessment_id=assessment.id))
    try:
        milestone = service.create_milestone(session, assessment, current_user,
                                             name=form.name.data, note=form.note.data or "",
                                             cache=result_cache())
    except ServiceError as error:
        getattr(form, error.field or "name").errors.append(error.message)
        return _index_page(assessment, form, 400)
    flash(f"Milestone “{milestone.name}” frozen. Later changes leave it as it is.", "success")
    return redirect(url_for("milestones.show", assessment_id=assessment.id,
                            milestone_id=milestone.id))


def _snapshot_page(milestone, team: str) -> dict:
    """The results page's data for the stored result, without links into the live questions."""
    page = results_page(service.snapshot_result(milestone, result_cache()),
                        QuestionLinks(lambda _s: "", lambda _p: ""), team=team)
    for item in [*page["findings"], *page["system_scenarios"],
                 *(s for w in page["workflows"] for s in w["scenarios"])]:
        for ref in item["because"]:
            ref["url"] = None
        if item["open"]:
            item["open"]["url"] = None
    return page


@bp.get("/milestones/<int:milestone_id>")
def show(assessment_id: int, milestone_id: int):
    assessment = member_assessment(assessment_id)
    milestone = service.get_milestone(get_session(), assessment, milestone_id)
    if milestone.questionnaire_id.startswith(LENS_PREFIX):  # shown by lens_pages
        return redirect(url_for("lens_pages.milestone", assessment_id=assessment.id,
                                milestone_id=milestone.id))
    page = _snapshot_page(milestone, assessment.team.name)
    return render_template("milestones/show.html", assessment=assessment, milestone=milestone,
                           page=page, chart_svg=layer_chart_svg(page["layer_chart"]))


@bp.get("/milestones/<int:milestone_id>/report.pdf")
def report_pdf(assessment_id: int, milestone_id: int):
    assessment = member_assessment(assessment_id)
    milestone = service.get_milestone(get_session(), assessment, milestone_id)
    if milestone.questionnaire_id.startswith(LENS_PREFIX):
        return redirect(url_for("lens_pages.milestone_pdf", assessment_id=assessment.id,
                                milestone_id=milestone.id))
    back = url_for("milestones.show", assessment_id=assessment.id, milestone_id=milestone_id)
    return pdf_download(assessment, pdfs.milestone(assessment, milestone_id),
                        member_pages(assessment, back, "Back to the milestone"),
                        {"assessment_id": assessment.id, "milestone_id": milestone_id})


# --- comparison -------------------------------------------------------------------------------


def _compare_keys(milestones, previous=None) -> tuple[str | None, str]:
    """The sides asked for, defaulting to the newest milestone (or the previous review)
    against now."""
    default = str(milestones[0].id) if milestones else service.PREVIOUS if previous else None
    return request.args.get("from") or default, request.args.get("to") or service.NOW


def _comparison(assessment, before_key: str, after_key: str) -> dict:
    session = get_session()
    before = service.side_of(session, assessment, before_key, result_cache())
    after = service.side_of(session, assessment, after_key, result_cache())
    return comparison_data(
        service.compare_sides(before, after), system=assessment.name, team=assessment.team.name,
        before={"label": before.label, "date": before.date},
        after={"label": after.label, "date": after.date},
        generated_at=datetime.now(UTC).date())


@bp.get("/compare")
def compare(assessment_id: int):
    assessment = member_assessment(assessment_id)
    if assessment.questionnaire_id.startswith(LENS_PREFIX):
        return redirect(url_for("lens_pages.compare", assessment_id=assessment.id,
                                **request.args))
    milestones = service.milestones_of(get_session(), assessment)
    previous = service.previous_of(get_session(), assessment)
    before_key, after_key = _compare_keys(milestones, previous)
    data = _comparison(assessment, before_key, after_key) if before_key else None
    return render_template("milestones/compare.html", assessment=assessment, c=data,
                           milestones=milestones, before_key=before_key, after_key=after_key,
                           can_edit=g.can_edit, previous=previous)


@bp.get("/compare.pdf")
def compare_pdf(assessment_id: int):
    assessment = member_assessment(assessment_id)
    if assessment.questionnaire_id.startswith(LENS_PREFIX):
        return redirect(url_for("lens_pages.compare_pdf", assessment_id=assessment.id,
                                **request.args))
    session = get_session()
    before_key, after_key = _compare_keys(service.milestones_of(session, assessment),
                                          service.previous_of(session, assessment))
    if before_key is None:
        abort(404)
    back = url_for("milestones.compare", assessment_id=assessment.id, **{"from": before_key,
                                                                          "to": after_key})
    args = {"assessment_id": assessment.id, "from": before_key, "to": after_key}
    return pdf_download(assessment, pdfs.comparison(assessment, before_key, after_key),
                        member_pages(assessment, back, "Back to the comparison"), args)
