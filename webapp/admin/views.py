"""The administration page: accounts, administrators, reset links, the sign-up mode, and the
log of administrative actions. Only administrators reach it (others get 404)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from webapp.accounts.account_forms import SignupModeForm
from webapp.admin import services as service
from webapp.core import links
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.views import configured_signup, members_blueprint

bp = members_blueprint("admin", __name__, "/admin")


@bp.before_request
def _administrators_only() -> None:
    if current_user.is_authenticated and not current_user.is_admin:
        abort(404)


def _page(status: int = 200, *, mode_form: SignupModeForm | None = None, reset=None):
    session = get_session()
    mode = service.signup_mode(session, configured_signup())
    body = render_template(
        "admin/index.html",
        rows=service.users(session),
        teams=service.all_teams(session),
        events=service.recent_events(session),
        action_labels=service.ACTION_LABELS,
        mode_form=mode_form or SignupModeForm(formdata=None, mode=mode),
        action_form=EmptyForm(formdata=None),
        reset=reset,
        reset_url=links.public_url(url_for("auth.reset_password", token=reset.token))
        if reset else None,
    )
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def index():
    return _page()


@bp.post("/signup-mode")
def signup_mode():
    form = SignupModeForm()
    if not form.validate_on_submit():
        return _page(400, mode_form=form)
    service.set_signup_mode(get_session(), current_user, form.mode.data, configured_signup())
    flash("Sign-up mode saved.", "success")
    return redirect(url_for("admin.index"))


ACTIONS = {
    "disable": (lambda s, a, uid: service.set_disabled(s, a, uid, True),
                "{name} is disabled and signed out everywhere."),
    "enable": (lambda s, a, uid: service.set_disabled(s, a, uid, False),
               "{name} can sign in again."),
    "grant-admin": (lambda s, a, uid: service.set_admin(s, a, uid, True),
                    "{name} now administers this Faultline."),
    "remove-admin": (lambda s, a, uid: service.set_admin(s, a, uid, False),
                     "{name} no longer administers this Faultline."),
    "sign-out": (service.sign_out_everywhere, "{name} is signed out everywhere."),
}


@bp.post("/users/<int:user_id>/<action>")
def user_action(user_id: int, action: str):
    if action not in ACTIONS or not EmptyForm().validate_on_submit():
        abort(400)
    change, message = ACTIONS[action]
    try:
        user = change(get_session(), current_user, user_id)
    except ServiceError as error:
        flash(error.message, "error")
        return _page(400)
    flash(message.format(name=user.name), "success")
    return redirect(url_for("admin.index"))


@bp.post("/users/<int:user_id>/reset-link")
def reset_link(user_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if links.base_url() is None:
        abort(503, "Reset links need FAULTLINE_BASE_URL. Ask the operator to set it.")
    try:
        link = service.reset_link(get_session(), current_user, user_id)
    except ServiceError as error:
        flash(error.message, "error")
        return _page(400)
    return _page(reset=link)
