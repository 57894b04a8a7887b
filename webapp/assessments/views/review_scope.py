"""The fit verdict on the question pages; the choice of minimum checklist or full review."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from webapp.assessments.models import Assessment
from webapp.assessments.review_scope import choose_review
from webapp.assessments.views import bp, load_assessment
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.startup import get_content
from webapp.domain.index import QuestionInfo, QuestionnaireIndex
from webapp.domain.result import Result
from webapp.teams.models import Role


def asked(index: QuestionnaireIndex, checklist: str, infos: list[QuestionInfo], kind: str):
    """The questions this page asks, and how many the minimum checklist leaves out."""
    if checklist != "minimum" or kind == "fit":
        return infos, 0
    kept = [i for i in infos if i.id in index.minimum_set]
    return kept, len(infos) - len(kept)


def scope_view(
    result: Result, index: QuestionnaireIndex, assessment: Assessment, kind: str, hidden: int
) -> dict:
    """What the `_review_scope.html` partial shows on a question page: the typed result's fit,
    its checklist, and the team's full-review choice."""
    fit = result.fit
    total = len(index.criteria)
    return {
        "fit": fit if kind == "fit" else None,
        "needed": max(0, index.questionnaire.fit.min_answered - (total - len(fit.unanswered))),
        "checklist": result.honesty.checklist,
        "poor": fit.verdict == "poor",
        "full_review": assessment.full_review,
        "hidden": hidden,
        "form": EmptyForm(formdata=None),
    }


@bp.route("/<int:assessment_id>/review-scope/<choice>", methods=["POST"])
def review_scope(assessment_id: int, choice: str):
    if choice not in ("full", "minimum"):
        abort(404)
    assessment = load_assessment(assessment_id, Role.EDITOR)
    if not EmptyForm().validate_on_submit():
        flash("This form expired. Send it again.", "error")
    elif choose_review(get_session(), assessment, current_user, full=choice == "full",
                       content=get_content()):
        flash(
            "The full review is on: every question is asked."
            if choice == "full"
            else "Back to the minimum checklist.",
            "success",
        )
    return redirect(url_for("assessments.step", assessment_id=assessment.id, step="fit"))
