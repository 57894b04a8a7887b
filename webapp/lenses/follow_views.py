"""The report of a review on a lens and its follow-up: the report page and PDF, the plan's
exports, milestones, the comparison of two moments, and the move to a newer lens version.

Routes of the lens pages' blueprint (`webapp.lenses.views.bp`). PDFs take Faultline's one PDF
path (`webapp.pdfs`): queued, cached per revision, with the progress page while they are made.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.assessments.models import Assessment
from webapp.assessments.progress import lens_steps
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.text import counted
from webapp.core.views import result_cache
from webapp.domain import lens_compare
from webapp.domain import lens_plan_export as plan_export_module
from webapp.lenses import reports
from webapp.lenses import services as service
from webapp.lenses.views import bp, load_review
from webapp.pdfs import specs as pdfs
from webapp.pdfs.views import pdf_download
from webapp.report import dates
from webapp.report import lens as lens_report
from webapp.teams.models import Role
from webapp.tracking import milestones as milestone_service


def _report_page(html: str, bar: str) -> Response:
    from webapp.results.views import report_page

    return report_page(html, bar, render_template("results/_report_head.html"))


def _fonts() -> str:
    return url_for("static", filename="fonts/")


@bp.get("/report")
def report_html(assessment_id: int):
    assessment, _row, _lens = load_review(assessment_id)
    html = report_html_of(assessment)
    return _report_page(html, render_template("lenses/_report_bar.html", assessment=assessment))


def report_html_of(assessment: Assessment, milestone=None) -> str:
    """The report page of a review on a lens (now, or as a milestone froze it): the members'
    page and the share link's."""
    data = reports.report_data(get_session(), assessment, milestone, cache=result_cache())
    return lens_report.render_lens_html(data, font_base=_fonts())


def _member_pages(assessment: Assessment, back_url: str, back_label: str, html_url: str):
    from webapp.results.views import member_pages

    return member_pages(assessment, back_url, back_label, html_url=html_url)


@bp.get("/report.pdf")
def report_pdf(assessment_id: int):
    assessment, _row, _lens = load_review(assessment_id)
    pages = _member_pages(
        assessment, url_for("lens_pages.results", assessment_id=assessment.id),
        "Back to the results", url_for("lens_pages.report_html", assessment_id=assessment.id))
    return pdf_download(assessment, pdfs.review(assessment), pages,
                        {"assessment_id": assessment.id})


MIMETYPES = {"csv": "text/csv", "json": "application/json", "md": "text/markdown"}


@bp.get("/plan.<any(csv, json, md):fmt>")
def plan_export(assessment_id: int, fmt: str):
    """The improvement plan as a file: CSV (spreadsheets), JSON (tools) or Markdown (docs)."""
    assessment, row, lens = load_review(assessment_id)
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


@bp.get("/milestones/<int:milestone_id>")
def milestone(assessment_id: int, milestone_id: int):
    assessment, _row, _lens = load_review(assessment_id)
    frozen = milestone_service.get_milestone(get_session(), assessment, milestone_id)
    bar = render_template("lenses/_milestone_bar.html", assessment=assessment,
                          milestone_id=milestone_id, name=frozen.name)
    return _report_page(report_html_of(assessment, frozen), bar)


@bp.get("/milestones/<int:milestone_id>/report.pdf")
def milestone_pdf(assessment_id: int, milestone_id: int):
    assessment, _row, _lens = load_review(assessment_id)
    back = url_for("lens_pages.milestone", assessment_id=assessment.id,
                   milestone_id=milestone_id)
    return pdf_download(assessment, pdfs.milestone(assessment, milestone_id),
                        _member_pages(assessment, back, "Back to the milestone", back),
                        {"assessment_id": assessment.id, "milestone_id": milestone_id})


@bp.get("/compare")
def compare(assessment_id: int):
    """Two moments of the review side by side: risk counts per pillar, questions that moved."""
    assessment, row, lens = load_review(assessment_id)
    session = get_session()
    milestones = milestone_service.milestones_of(session, assessment)
    previous = reports.previous_review(session, assessment)
    default = str(milestones[0].id) if milestones else "previous" if previous else None
    before_key = request.args.get("from") or default
    after_key = request.args.get("to") or "now"
    comparison = None
    if before_key:
        before = reports.compare_side(session, assessment, before_key)
        after = reports.compare_side(session, assessment, after_key)
        comparison = lens_compare.compare(before[1], after[1]) | {
            "before": before[0],
            "after": after[0],
        }
    result = service.lens_result(session, assessment)
    # the PDF compares milestones and now (a previous review's side is a page only)
    printable = comparison and milestone_service.PREVIOUS not in (before_key, after_key)
    pdf_url = url_for("lens_pages.compare_pdf", assessment_id=assessment.id,
                      **{"from": before_key, "to": after_key}) if printable else None
    return render_template(
        "lenses/compare.html", assessment=assessment, lens_row=row, lens=lens, result=result,
        pdf_url=pdf_url,
        steps=lens_steps(result), c=comparison, milestones=milestones, previous=previous,
        before_key=before_key, after_key=after_key, current_step="compare",
    )


@bp.get("/compare.pdf")
def compare_pdf(assessment_id: int):
    """The comparison as a PDF, through the one PDF path (cached per pair of moments)."""
    assessment, _row, _lens = load_review(assessment_id)
    before, after = request.args.get("from") or "", request.args.get("to") or "now"
    back = url_for("lens_pages.compare", assessment_id=assessment.id,
                   **{"from": before, "to": after})
    return pdf_download(assessment, pdfs.comparison(assessment, before, after),
                        _member_pages(assessment, back, "Back to the comparison", back),
                        {"assessment_id": assessment.id, "from": before, "to": after})


@bp.post("/upgrade")
def upgrade(assessment_id: int):
    assessment, _row, _lens = load_review(assessment_id, Role.EDITOR)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        done = service.upgrade_assessment(get_session(), assessment, current_user,
                                          result_cache())
    except ServiceError as error:
        flash(error.message, "info")
        return redirect(url_for("lens_pages.results", assessment_id=assessment.id))
    note = (f" {counted(len(done.changed), 'answer')} changed with the questions."
            if done.changed else "")
    flash(
        f"The review is now on version {done.version} of the lens; a milestone keeps the "
        f"results from before.{note}",
        "success",
    )
    return redirect(url_for("lens_pages.results", assessment_id=assessment.id))
