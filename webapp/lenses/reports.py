"""What the reports of a review on a lens show: the report's plain data (page, share link,
PDF, milestones) and the two sides of a comparison (milestones, now, the previous review)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from webapp.assessments.models import Assessment
from webapp.core.cache import ResultCache
from webapp.core.errors import NotFoundError
from webapp.domain.lens_result import LensResult
from webapp.lenses.services import frozen_result, lens_result
from webapp.tracking import milestones
from webapp.tracking import services as tracking


def report_data(session: Session, assessment: Assessment, milestone: Any = None,
                generated_at: datetime | None = None, *,
                cache: ResultCache | None = None) -> dict[str, Any]:
    """The lens report's plain data (page, PDF, share link): the review now, with the plan's
    tracking when `cache` is given, or as `milestone` froze it, on the lens version it was
    frozen on (no tracking: a milestone freezes answers)."""
    from webapp.report.lens import lens_report_data

    follow_up = None
    if milestone is not None:
        version, generated_at = milestone.questionnaire_version, milestone.created_at
        result = frozen_result(session, assessment, milestone.answers, version)
    else:
        version, result = assessment.questionnaire_version, lens_result(session, assessment)
        if cache is not None:
            follow_up = tracking.follow_up(session, assessment, cache)
    return lens_report_data(
        result, system_name=assessment.name, team=assessment.team.name, lens_version=version,
        description=assessment.description, generated_at=generated_at,
        milestone=milestone.name if milestone is not None else None, follow_up=follow_up)


def previous_review(session: Session, assessment: Assessment) -> Assessment | None:
    """The review this one continues, when it is on the same lens."""
    previous = milestones.previous_of(session, assessment)
    same = previous is not None and previous.questionnaire_id == assessment.questionnaire_id
    return previous if same else None


def compare_side(session: Session, assessment: Assessment, key: str | None
                 ) -> tuple[str, LensResult]:
    """(label, result) of a side of a comparison: a milestone id, "now" or "previous" (the
    review this one continues); anything else is a 404."""
    if key in (None, milestones.NOW):
        return "Now", lens_result(session, assessment)
    if key == milestones.PREVIOUS:
        previous = previous_review(session, assessment)
        if previous is None:
            raise NotFoundError()
        return f"{previous.name} (previous review)", lens_result(session, previous)
    if not key.isdigit():
        raise NotFoundError()
    frozen = milestones.get_milestone(session, assessment, int(key))
    return frozen.name, frozen_result(session, assessment, frozen.answers,
                                      frozen.questionnaire_version)


def comparison_data(session: Session, assessment: Assessment, before: str, after: str,
                    generated_at: datetime) -> dict[str, Any]:
    """The comparison PDF's plain data."""
    from webapp.domain.lens_compare import compare
    from webapp.report.lens import lens_comparison_data

    (before_label, old), (after_label, new) = (compare_side(session, assessment, before),
                                               compare_side(session, assessment, after))
    return lens_comparison_data(compare(old, new), system_name=assessment.name,
                                team=assessment.team.name, lens_name=new.lens.name,
                                before=before_label, after=after_label,
                                generated_at=generated_at)
