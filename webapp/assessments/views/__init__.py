"""The review in the browser: dashboard, new assessment, question pages, workflows, autosave.

One blueprint (`assessments`), its routes split by feature over the modules below. Every
route loads the assessment through `load_assessment`, which checks the role on the server:
viewers read, editors answer and manage workflows, owners also delete; non-members get 404.
"""

from __future__ import annotations

import logging

from flask import current_app, g, request, url_for
from flask_login import current_user

from webapp.assessments.evaluation import QuestionnaireMissing
from webapp.assessments.models import Assessment
from webapp.core.db import get_session
from webapp.core.error_pages import render_error
from webapp.core.views import members_blueprint
from webapp.lenses.models import LENS_PREFIX
from webapp.teams.models import Role

logger = logging.getLogger(__name__)
bp = members_blueprint("assessments", __name__, "/assessments")

#: The results page is another module's; the step pages link to it by endpoint name.
RESULTS_ENDPOINT = "results.show"


def load_assessment(assessment_id: int, min_role: Role = Role.VIEWER) -> Assessment:
    """The assessment after the role check; sets `g.team`, `g.membership` and `g.can_edit`."""
    from webapp.assessments.services import get_assessment

    assessment, membership = get_assessment(get_session(), assessment_id, current_user, min_role)
    g.membership, g.team = membership, membership.team
    g.can_edit = membership.role_enum.at_least(Role.EDITOR)
    g.can_manage = membership.role_enum.at_least(Role.OWNER)
    return assessment


@bp.app_errorhandler(QuestionnaireMissing)
def questionnaire_missing(error: QuestionnaireMissing):
    """The one answer to an assessment whose pinned questionnaire is gone, on every page: 503
    saying which file to restore (a share link's anonymous reader gets the plain 503 page)."""
    logger.warning("%s %s: %s", request.method, request.path, error.message)
    return render_error(503, None if request.blueprint == "shared" else error.message)


@bp.app_template_global()
def results_url(assessment: Assessment, anchor: str | None = None) -> str | None:
    """The results page (with `#anchor`), or None while that page is not installed."""
    if RESULTS_ENDPOINT not in current_app.view_functions:
        return None
    url = url_for(RESULTS_ENDPOINT, assessment_id=assessment.id)
    return f"{url}#{anchor}" if anchor else url


@bp.app_template_global()
def questionnaire_label(assessment: Assessment, long: bool = False) -> str:
    """What the review is answered on, for its frame ("Questionnaire v2", "Amazon ECS Lens,
    version 1") or, `long`, for a sentence."""
    qid, version = assessment.questionnaire_id, assessment.questionnaire_version
    if not qid.startswith(LENS_PREFIX):
        return f"questionnaire “{qid}” version {version}" if long else f"Questionnaire v{version}"
    from webapp.lenses.services import find_version  # lenses build on assessments

    row = find_version(get_session(), qid.removeprefix(LENS_PREFIX), version)
    name = row.name if row is not None else qid
    return f"the lens “{name}”, version {version}" if long else f"{name}, version {version}"


from webapp.assessments.views import (  # noqa: E402, F401
    automation,
    autosave,
    dashboard,
    pages,
    review_scope,
    upgrade,
    workflows,
)
