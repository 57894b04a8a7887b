"""The sharing page of an assessment: create read-only links, see their views, revoke them.

Editors and owners manage links; viewers get 403, non-members 404 (through `load_assessment`).
A new link's token is on the page answered to the creating POST and nowhere else: that
response is never cached, and nothing redirects to a URL holding it.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from webapp.assessments import submissions
from webapp.assessments.access import member_assessment
from webapp.assessments.progress import progress
from webapp.core import links
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.views import members_blueprint, render_form_error, result_cache
from webapp.sharing import services as service
from webapp.sharing.forms import ShareForm
from webapp.teams.models import Role

bp = members_blueprint("sharing", __name__, "/assessments/<int:assessment_id>/sharing")
NO_BASE_URL = ("Share links need FAULTLINE_BASE_URL, the address people use to reach "
               "Faultline. Ask the operator to set it.")


def share_url(token: str) -> str:
    return links.public_url(f"/s/{token}")


@bp.get("")
def index(assessment_id: int):
    assessment = _load(assessment_id)
    return _page(assessment, _form(assessment))


@bp.post("")
def create(assessment_id: int):
    assessment = _load(assessment_id)
    form = _form(assessment)
    if not form.validate_on_submit():
        return _page(assessment, form, status=400)
    if links.base_url() is None:
        abort(503, NO_BASE_URL)
    session = get_session()
    if not submissions.claim(session, form.submit_token.data, current_user):
        flash("This form was already sent; the link was created once. Its address is "
              "shown only once: if you missed it, revoke that link and create another.", "info")
        return redirect(url_for("sharing.index", assessment_id=assessment.id))
    try:
        created = service.create_share(session, assessment, current_user, label=form.label.data,
                                       days=form.days.data, milestone_id=form.milestone_id(),
                                       edition=form.edition.data)
    except ServiceError as error:
        return _page(assessment, form, error=error, status=400)
    return _page(assessment, _form(assessment, fresh=True), created=created,
                 created_url=share_url(created.token))


@bp.post("/<int:link_id>/revoke")
def revoke(assessment_id: int, link_id: int):
    assessment = _load(assessment_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    link = service.revoke_share(get_session(), assessment, link_id, current_user)
    flash(f"“{link.label}” is revoked: the link no longer opens anything.", "success")
    return redirect(url_for("sharing.index", assessment_id=assessment.id))


def _load(assessment_id: int):
    return member_assessment(assessment_id, Role.EDITOR)


def _form(assessment, fresh: bool = False) -> ShareForm:
    """The form as posted, or (`fresh`, or on GET) empty with a new one-time token."""
    form = ShareForm(formdata=None) if fresh else ShareForm()
    form.set_milestones(service.milestone_choices(get_session(), assessment))
    if fresh or not form.is_submitted():
        form.submit_token.data = submissions.new_token()
    return form


def _page(assessment, form: ShareForm, *, created=None, created_url=None, error=None,
          status: int = 200):
    session = get_session()
    context = {
        "assessment": assessment,
        "shares": service.list_shares(session, assessment),
        "steps": progress(session, assessment, result_cache()),
        "current_step": "sharing",
        "created": created,
        "created_url": created_url,
        "revoke_form": EmptyForm(formdata=None),
        "base_url": links.base_url(),
        "base_url_source": links.base_url_source(),
    }
    if error is not None or status == 400:
        body, _ = render_form_error("sharing/index.html", form, error, **context)
    else:
        body = render_template("sharing/index.html", form=form, **context)
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response
