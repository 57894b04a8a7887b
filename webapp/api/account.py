"""The account's personal access tokens: create (shown once), list, revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length

from webapp.api import tokens as service
from webapp.api.models import TokenScope
from webapp.assessments import submissions
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.views import members_blueprint, render_form_error

bp = members_blueprint("tokens", __name__, "/account/tokens")


class TokenForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=100)],
                       description="What uses it, e.g. “CI pipeline” or “portfolio script”.")
    scope = SelectField("Access", choices=[
        SelectChoice(TokenScope.READ.value, "Read: assessments, results, plan, milestones"),
        SelectChoice(TokenScope.READ_WRITE.value, "Read and write: also answers and tracking"),
    ])
    days = SelectField("Expires after", coerce=int, default=90, choices=[
        SelectChoice(days, f"{days} days") for days in service.LIFETIMES])
    #: One-time token: sending the form again (reload, double click) makes no second token.
    submit_token = HiddenField()


def _blank_form() -> TokenForm:
    form = TokenForm(formdata=None)
    form.submit_token.data = submissions.new_token()
    return form


def _page(form: TokenForm, secret: str | None = None, status: int = 200):
    return render_template("api/tokens.html", form=form, secret=secret,
                           tokens=service.tokens_of(get_session(), current_user),
                           revoke_form=EmptyForm(formdata=None), now=service.utcnow()), status


@bp.get("/")
def index():
    return _page(_blank_form())


@bp.post("/")
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    if not submissions.claim(get_session(), form.submit_token.data or "", current_user):
        flash("This form was already sent: the token exists once and was shown then.", "info")
        return redirect(url_for("tokens.index"))
    try:
        _token, secret = service.create_token(get_session(), current_user, name=form.name.data,
                                              scope=form.scope.data, days=form.days.data)
    except ServiceError as error:
        return render_form_error("api/tokens.html", form, error,
                                 tokens=service.tokens_of(get_session(), current_user),
                                 revoke_form=EmptyForm(formdata=None), now=service.utcnow())
    return _page(_blank_form(), secret)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        return _page(_blank_form(), status=400)
    token = service.revoke_token(get_session(), current_user, token_id)
    flash(f"Token “{token.name}” revoked: it no longer works.", "success")
    return redirect(url_for("tokens.index"))
