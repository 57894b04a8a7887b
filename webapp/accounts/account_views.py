"""The account page: name, email, password, and signing out everywhere."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_user, logout_user

from webapp.accounts import links as account_links
from webapp.accounts import services as accounts
from webapp.accounts.account_forms import EmailChangeForm, NameForm, PasswordChangeForm
from webapp.core import links, mail
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.views import members_blueprint

bp = members_blueprint("account", __name__, "/account")
EMAIL_SENT = ("A confirmation link is on its way to {email}. Your email changes when you open it "
              "(within 24 hours).")


def _page(status: int = 200, **forms):
    context = {
        "name_form": forms.get("name_form") or NameForm(formdata=None, name=current_user.name),
        "email_form": forms.get("email_form") or EmailChangeForm(formdata=None),
        "password_form": forms.get("password_form") or PasswordChangeForm(formdata=None),
        "action_form": EmptyForm(formdata=None),
        "mail_configured": mail.mail_configured(),
        "has_password": current_user.password_hash != accounts.NO_PASSWORD,
    }
    return render_template("account/show.html", **context), status


def _refused(form_name: str, form, error: ServiceError | None = None):
    if error is not None:
        field = getattr(form, error.field or "", None)
        if field is None:
            abort(400, error.message)
        field.errors = [*field.errors, error.message]
    return _page(400, **{form_name: form})


@bp.get("")
def show():
    return _page()


@bp.post("/name")
def change_name():
    form = NameForm()
    if not form.validate_on_submit():
        return _refused("name_form", form)
    try:
        accounts.change_name(get_session(), current_user, form.name.data)
    except ServiceError as error:
        return _refused("name_form", form, error)
    flash("Your name is saved.", "success")
    return redirect(url_for("account.show"))


@bp.post("/email")
def change_email():
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return _refused("email_form", form)
    try:
        message = _change_email(form.email.data)
    except ServiceError as error:
        return _refused("email_form", form, error)
    flash(message, "success")
    return redirect(url_for("account.show"))


def _change_email(new_email: str) -> str:
    session = get_session()
    if not mail.mail_configured():
        account_links.change_email_now(session, current_user, new_email)
        return f"Your email is now {current_user.email}."
    link = account_links.request_email_change(session, current_user, new_email)
    if link is not None:
        url = links.public_url(url_for("auth.confirm_email", token=link.token))
        mail.deliver_after_commit(mail.Mail(
            to=accounts.normalize_email(new_email), subject="Confirm your new email",
            body=f"Hello {current_user.name},\n\nOpen this link within 24 hours to use this "
                 f"address for your Faultline account:\n\n{url}\n\nIf you did not ask for "
                 "this, ignore this message.\n"))
    return EMAIL_SENT.format(email=accounts.normalize_email(new_email))


@bp.post("/password")
def change_password():
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _refused("password_form", form)
    try:
        accounts.change_password(get_session(), current_user, form.current.data,
                                 form.password.data)
    except ServiceError as error:
        return _refused("password_form", form, error)
    login_user(current_user)  # this browser carries on under the new session generation
    flash("Your password is changed. Every other session of your account has ended.", "success")
    return redirect(url_for("account.show"))


@bp.post("/signout-everywhere")
def sign_out_everywhere():
    if not EmptyForm().validate_on_submit():
        abort(400)
    accounts.end_sessions(get_session(), current_user)
    logout_user()
    flash("You are signed out on every device and browser.", "info")
    return redirect(url_for("auth.signin"))
