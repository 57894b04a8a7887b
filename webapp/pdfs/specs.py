"""Which PDF a download means, its cache key, and the data its render needs.

A `PdfSpec` names a PDF in plain, queueable values (kind, assessment, milestone or compared
sides). `describe(session, spec)` gives its cache key and file name cheaply: from the
assessment's `revision_key` or the milestone's id, never from report data, so a page can ask
"is it ready?" at the cost of a file check. `render_input(session, spec)` builds the data in
the queue worker. Review PDFs print the date of the assessment's last change, so the PDF of
a revision is the same file on every day it is asked for (and can be made ahead of time).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from webapp.assessments.evaluation import evaluate_assessment, questionnaire_of, revision_key
from webapp.assessments.models import Assessment
from webapp.core.cache import ResultCache
from webapp.core.errors import NotFoundError
from webapp.domain import Content
from webapp.lenses import reports as lens_reports
from webapp.lenses import services as lenses
from webapp.lenses.services import is_lens_assessment
from webapp.report.cache import pdf_key
from webapp.report.data import EDITIONS, build_report_data
from webapp.tracking import milestones as milestone_service
from webapp.tracking import services as tracking_service

REVIEW_TARGET = "webapp.report.pdf:render_data_pdf"
COMPARISON_TARGET = "webapp.tracking.comparison:render_comparison_pdf"
LENS_TARGET = "webapp.report.lens:render_lens_pdf"
LENS_COMPARISON_TARGET = "webapp.report.lens:render_lens_comparison_pdf"


@dataclass(frozen=True)
class PdfSpec:
    kind: str  #: "review", "milestone" or "comparison"
    assessment_id: int
    milestone_id: int | None = None
    before: str | None = None  #: comparison sides: a milestone id or "now"
    after: str | None = None
    edition: str = "full"  #: review and milestone PDFs: "full" or "executive"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PdfDescription:
    spec: PdfSpec
    key: str
    filename: str


def review(assessment: Assessment, edition: str = "full") -> PdfSpec:
    return PdfSpec("review", assessment.id, edition=_edition(edition))


def milestone(assessment: Assessment, milestone_id: int, edition: str = "full") -> PdfSpec:
    return PdfSpec("milestone", assessment.id, milestone_id=milestone_id,
                   edition=_edition(edition))


def _edition(edition: str) -> str:
    """A known edition, else 404: the edition comes from a URL."""
    if edition not in EDITIONS:
        raise NotFoundError()
    return edition


def comparison(assessment: Assessment, before: str, after: str) -> PdfSpec:
    return PdfSpec("comparison", assessment.id, before=before, after=after)


def describe(session: Session, assessment: Assessment, spec: PdfSpec,
             follow_up: dict[str, dict[str, Any]] | None = None, *,
             page_size: str, cache: ResultCache) -> PdfDescription:
    """The spec's cache key and download name (404 for a milestone not of this assessment,
    `QuestionnaireMissing` when the assessment's questionnaire version is gone). A review's
    key includes the plan tracking (`follow_up`: read here unless the caller has it);
    `page_size` is the app's PDF_PAGE_SIZE, `cache` its result cache."""
    on_lens = is_lens_assessment(assessment)
    if on_lens:
        spec = _lens_spec(session, assessment, spec)
    elif spec.kind != "milestone":
        questionnaire_of(assessment, cache.content)
    team, size = assessment.team.name, page_size
    kind = "lens-review" if on_lens else "reliability-review"
    if spec.kind == "review":
        key = pdf_key("review", revision_key(assessment, content=cache.content),
                      {"team": team, "page_size": size, "edition": spec.edition,
                       "follow_up": tracking_service.follow_up(session, assessment, cache)
                       if follow_up is None else follow_up})
        return PdfDescription(spec, key, filename(assessment.name, edition=spec.edition,
                                                  kind=kind))
    if spec.kind == "milestone":
        frozen = milestone_service.get_milestone(session, assessment, spec.milestone_id or 0)
        key = pdf_key("milestone", f"{frozen.id}:{_stamp(frozen.created_at)}",
                      {"team": team, "name": frozen.name, "page_size": size,
                       "edition": spec.edition})
        return PdfDescription(spec, key, filename(f"{assessment.name} {frozen.name}",
                                                  frozen.created_at, edition=spec.edition,
                                                  kind=kind))
    sides = [_side_identity(session, assessment, side, cache.content)
             for side in (spec.before, spec.after)]
    today = dt.datetime.now(dt.UTC).date()
    key = pdf_key("comparison", "|".join(sides), {"team": team, "date": today.isoformat()})
    name = filename(assessment.name).replace("reliability-review", "comparison")
    return PdfDescription(spec, key, name)


def _lens_spec(session: Session, assessment: Assessment, spec: PdfSpec) -> PdfSpec:
    """A lens review's PDF has one edition; `QuestionnaireMissing` when the lens version it
    is on is gone."""
    lenses.lens_of(session, assessment)
    return replace(spec, edition="full")


def _stamp(moment: dt.datetime) -> str:
    """The same text for a time read back naive (SQLite) or aware (PostgreSQL)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat()


def _side_identity(session: Session, assessment: Assessment, side: str | None,
                   content: Content) -> str:
    """What a side of a comparison shows, as text for the PDF's key: the assessment's
    revision now, the previous review's revision, or a milestone (which never changes)."""
    if side == milestone_service.NOW:
        return revision_key(assessment, content=content)
    if side == milestone_service.PREVIOUS:
        previous = milestone_service.previous_of(session, assessment)
        if previous is None:
            raise NotFoundError()
        return f"{milestone_service.PREVIOUS}:{revision_key(previous, content=content)}"
    if not side or not side.isdigit():
        raise NotFoundError()
    frozen = milestone_service.get_milestone(session, assessment, int(side))
    return f"{frozen.id}:{_stamp(frozen.created_at)}"


def render_input(session: Session, assessment: Assessment, spec: PdfSpec, *,
                 page_size: str, cache: ResultCache) -> tuple[str, dict]:
    """(render target, plain data) of the PDF: built by the queue worker, never a request."""
    team = assessment.team.name
    if is_lens_assessment(assessment) and spec.kind == "comparison":
        return LENS_COMPARISON_TARGET, lens_reports.comparison_data(
            session, assessment, spec.before or "", spec.after or "now",
            generated_at=dt.datetime.now(dt.UTC))
    if is_lens_assessment(assessment):
        frozen = (milestone_service.get_milestone(session, assessment, spec.milestone_id or 0)
                  if spec.kind == "milestone" else None)
        return LENS_TARGET, lens_reports.report_data(session, assessment, frozen,
                                                     generated_at=assessment.updated_at,
                                                     cache=cache)
    if spec.kind == "review":
        result = evaluate_assessment(session, assessment, cache)
        return REVIEW_TARGET, build_report_data(result, team=team, page_size=page_size,
                                                generated_at=assessment.updated_at,
                                                edition=spec.edition,
                                                follow_up=tracking_service.follow_up(
                                                    session, assessment, cache))
    if spec.kind == "milestone":
        frozen = milestone_service.get_milestone(session, assessment, spec.milestone_id or 0)
        return REVIEW_TARGET, build_report_data(
            milestone_service.snapshot_result(frozen, cache), team=team, milestone=frozen.name,
            generated_at=frozen.created_at, page_size=page_size, edition=spec.edition)
    from webapp.tracking.comparison import comparison_data

    before = milestone_service.side_of(session, assessment, spec.before or "", cache)
    after = milestone_service.side_of(session, assessment, spec.after or "", cache)
    data = comparison_data(
        milestone_service.compare_sides(before, after), system=assessment.name, team=team,
        before={"label": before.label, "date": before.date},
        after={"label": after.label, "date": after.date},
        generated_at=dt.datetime.now(dt.UTC).date())
    return COMPARISON_TARGET, dict(data)


def filename(system_name: str, today: dt.datetime | None = None, edition: str = "full",
             kind: str = "reliability-review") -> str:
    """`<system>-<kind>-<date>.pdf` (`-executive` before the date for that edition), ASCII
    letters, digits and dashes only; `kind` is `reliability-review` or `lens-review`."""
    stem = re.sub(r"[^a-z0-9]+", "-", system_name.lower()).strip("-")[:60].strip("-")
    date = (today or dt.datetime.now(dt.UTC)).date().isoformat()
    kind += "-executive" if edition == "executive" else ""
    return f"{stem or 'system'}-{kind}-{date}.pdf"
