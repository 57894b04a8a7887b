"""The question pages: one per system section (fit, layers) and one per workflow.

Without JavaScript a page is one form: POST, then redirect (PRG) with "Saved". A save that
meets someone else's newer answer is answered 409 with the page re-rendered: both values
shown, every field keeping what this person typed, nothing saved until they send it again.
"""

from __future__ import annotations

import logging

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.assessments.answers import Conflict, answers_in_scope, index_of, save_answers
from webapp.assessments.evaluation import evaluate_assessment
from webapp.assessments.forms import SectionForm
from webapp.assessments.models import Assessment, Workflow
from webapp.assessments.progress import not_asked, progress
from webapp.assessments.services import remember_step
from webapp.assessments.views import bp, load_assessment, results_url
from webapp.assessments.views.automation import page_evidence
from webapp.assessments.views.questions import (
    QuestionGroup,
    build_form,
    finding_links,
    question_views,
)
from webapp.assessments.views.review_scope import asked, scope_view
from webapp.assessments.workflows import get_workflow
from webapp.core.db import get_session
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.domain.index import QuestionInfo
from webapp.domain.models import Section
from webapp.lenses.models import LENS_PREFIX
from webapp.teams.models import Role

logger = logging.getLogger(__name__)


def _role() -> Role:
    return Role.EDITOR if request.method == "POST" else Role.VIEWER


def system_section(assessment: Assessment, step: str) -> Section:
    for section in index_of(assessment, content=get_content()).questionnaire.sections:
        if section.id == step and section.kind != "workflow":
            return section
    abort(404)


@bp.route("/<int:assessment_id>/steps/<step>", methods=["GET", "POST"])
def step(assessment_id: int, step: str):
    if step == "workflows":
        return redirect(url_for("assessments.workflows", assessment_id=assessment_id))
    assessment = load_assessment(assessment_id, _role())
    if assessment.questionnaire_id.startswith(LENS_PREFIX):  # its own pages: lens_pages
        if step == "results":
            return redirect(url_for("lens_pages.results", assessment_id=assessment.id))
        return redirect(url_for("lens_pages.pillar", assessment_id=assessment.id, pillar_id=step))
    if step == "results":
        return redirect(
            results_url(assessment) or url_for("assessments.resume", assessment_id=assessment.id)
        )
    section = system_section(assessment, step)
    index = index_of(assessment, content=get_content())
    infos = [index.questions[q.id] for q in section.questions]
    groups = [QuestionGroup(section.id, None, None)]
    page = {"title": section.title, "intro": section.intro, "step": step, "kind": section.kind}
    return _question_page(assessment, None, infos, groups, page)


@bp.route("/<int:assessment_id>/workflows/<int:workflow_id>", methods=["GET", "POST"])
def workflow(assessment_id: int, workflow_id: int):
    assessment = load_assessment(assessment_id, _role())
    workflow = get_workflow(get_session(), assessment, workflow_id)
    index = index_of(assessment, content=get_content())
    infos = [index.questions[q] for q in index.workflow_ids]
    page = {
        "title": workflow.name,
        "intro": workflow.description,
        "step": "workflows",
        "kind": "workflow",
    }
    return _question_page(assessment, workflow, infos, _workflow_groups(assessment, infos), page)


def _workflow_groups(assessment: Assessment, infos: list[QuestionInfo]) -> list[QuestionGroup]:
    patterns = index_of(assessment, content=get_content()).questionnaire.patterns
    groups = [
        QuestionGroup(
            "about", "About this workflow", "What starts it, what it touches, what is at stake."
        )
    ]
    groups += [QuestionGroup(p.id, p.title, p.asks) for p in patterns]
    return groups


def _place(
    groups: list[QuestionGroup], views: dict, infos: list[QuestionInfo]
) -> list[QuestionGroup]:
    by_id = {g.id: g for g in groups}
    for info in infos:
        target = by_id.get(info.pattern or "") or groups[0]
        target.questions.append(views[info.id])
    return [g for g in groups if g.questions]


def _question_page(assessment: Assessment, workflow: Workflow | None, infos, groups, page: dict):
    session = get_session()
    before = evaluate_assessment(session, assessment, result_cache())
    infos, hidden = asked(index_of(assessment, content=get_content()), before.honesty.checklist,
                          infos, page["kind"])

    rows = answers_in_scope(session, assessment, workflow)
    form = build_form(infos, rows)
    conflicts: list[Conflict] = []
    status = 200
    if request.method == "POST":
        outcome = _save(assessment, workflow, form, page)
        if not isinstance(outcome, tuple):
            return outcome
        status, conflicts = outcome
        rows = answers_in_scope(session, assessment, workflow)
    elif g.can_edit:
        remember_step(session, assessment, f"workflow:{workflow.id}" if workflow else page["step"])
    result = evaluate_assessment(session, assessment, result_cache())
    position = workflow.position if workflow else None
    links = finding_links(result, [i.id for i in infos], position)
    views = question_views(infos, rows, links, conflicts)
    irrelevant = not_asked(result, workflow.position if workflow else -1)
    new = _new_questions(result)
    for view in views.values():
        view.not_asked = irrelevant.get(view.info.id)
        view.new = view.info.id in new
    steps = progress(session, assessment, result_cache())
    return render_template(
        "assessments/questions.html",
        assessment=assessment,
        workflow=workflow,
        form=form,
        groups=_place(groups, views, infos),
        page=page,
        steps=steps,
        current_step=page["step"],
        conflicts=conflicts,
        neighbours=_neighbours(assessment, workflow, page["step"], steps),
        evidence=page_evidence(result, workflow, assessment),
        scope=scope_view(result, index_of(assessment, content=get_content()), assessment,
                         page["kind"], hidden),
        upgrade=result.upgrade,
    ), status


def _new_questions(result) -> set[str]:
    return {q.id for q in result.upgrade.new_questions} if result.upgrade else set()


def _save(assessment: Assessment, workflow: Workflow | None, form: SectionForm, page: dict):
    """A redirect after a save, or (status, conflicts) to re-render the page."""
    if not form.validate_on_submit():
        return 400, []
    session = get_session()
    try:
        result = save_answers(session, assessment, current_user, form.inputs(), workflow,
                              content=get_content())
    except ServiceError as error:  # the form checks the same rules; this is a backstop
        form.form_errors.append(error.message)
        return 400, []
    if result.conflicts:
        session.rollback()  # nothing on the page is saved; the person decides and sends again
        for conflict in result.conflicts:
            form[conflict.question_id].form.version.data = str(conflict.theirs.version)
        logger.info(
            "assessment %s: %d conflicting answers for user %s",
            assessment.id,
            len(result.conflicts),
            current_user.id,
        )
        return 409, result.conflicts
    flash("Saved." if result.saved else "Everything on this page is saved.", "success")
    return redirect(_after_save(assessment, workflow, page))


def _after_save(assessment: Assessment, workflow: Workflow | None, page: dict) -> str:
    here = (
        url_for("assessments.workflow", assessment_id=assessment.id, workflow_id=workflow.id)
        if workflow
        else url_for("assessments.step", assessment_id=assessment.id, step=page["step"])
    )
    if request.form.get("then") != "next":
        return here
    steps = progress(get_session(), assessment, result_cache())
    return _neighbours(assessment, workflow, page["step"], steps)["next"] or here


def step_url(assessment: Assessment, step_id: str) -> str | None:
    if step_id == "workflows":
        return url_for("assessments.workflows", assessment_id=assessment.id)
    if step_id == "results":
        return results_url(assessment)
    return url_for("assessments.step", assessment_id=assessment.id, step=step_id)


def _workflow_url(assessment: Assessment, workflow: Workflow) -> str:
    return url_for("assessments.workflow", assessment_id=assessment.id, workflow_id=workflow.id)


def _workflow_neighbours(assessment: Assessment, workflow: Workflow) -> dict:
    """Workflow pages step through the workflows in order, then to the results."""
    ordered = list(assessment.workflows)
    i = ordered.index(workflow)
    prev = ordered[i - 1] if i > 0 else None
    nxt = ordered[i + 1] if i + 1 < len(ordered) else None
    last = step_url(assessment, "results") or step_url(assessment, "workflows")
    return {
        "prev": _workflow_url(assessment, prev) if prev else step_url(assessment, "workflows"),
        "next": _workflow_url(assessment, nxt) if nxt else last,
        "next_label": nxt.name if nxt else "Results",
        "prev_label": prev.name if prev else "All workflows",
    }


def _neighbours(assessment: Assessment, workflow: Workflow | None, current: str, steps) -> dict:
    """Previous and next page URLs and labels, for the buttons under the questions."""
    if workflow is not None:
        return _workflow_neighbours(assessment, workflow)
    ids = [s.id for s in steps]
    i = ids.index(current)
    return {
        "prev": step_url(assessment, ids[i - 1]) if i > 0 else None,
        "next": step_url(assessment, ids[i + 1]) if i + 1 < len(ids) else None,
        "next_label": steps[i + 1].title if i + 1 < len(ids) else None,
        "prev_label": steps[i - 1].title if i > 0 else None,
    }
