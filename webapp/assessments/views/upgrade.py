"""Upgrading an assessment to the newest questionnaire version: a preview, then one button."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from webapp.assessments.views import bp, load_assessment, results_url
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.teams.models import Role
from webapp.tracking import upgrade as service

logger = logging.getLogger(__name__)


@bp.get("/<int:assessment_id>/upgrade")
def upgrade_preview(assessment_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    if not service.can_upgrade(assessment, content=get_content()):
        flash("This assessment is already on the newest questionnaire version.", "info")
        return redirect(url_for("assessments.settings", assessment_id=assessment.id))
    return render_template(
        "assessments/upgrade.html",
        assessment=assessment,
        preview=service.preview(get_session(), assessment, content=get_content()),
        form=EmptyForm(formdata=None),
        current_step="settings",
    )


@bp.post("/<int:assessment_id>/upgrade")
def upgrade(assessment_id: int):
    assessment = load_assessment(assessment_id, Role.EDITOR)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        milestone_id = service.upgrade(get_session(), assessment, current_user, result_cache())
    except ServiceError as error:
        flash(error.message, "info")
        return redirect(url_for("assessments.settings", assessment_id=assessment.id))
    flash(f"Upgraded to version {assessment.questionnaire_version}. The results on version "
          f"{assessment.upgraded_from} are kept unchanged in a milestone.", "success")
    logger.info("assessment %s upgraded; milestone %s keeps version %s", assessment.id,
                milestone_id, assessment.upgraded_from)
    return redirect(results_url(assessment, "upgrade")
                    or url_for("assessments.resume", assessment_id=assessment.id))
