"""Sign up, sign in, sign out, and the forgotten-password pages."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter import RequestLimit
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import bindparam, select

from webapp.accounts import links as account_links
from webapp.accounts import services as accounts
from webapp.accounts import signups
from webapp.accounts.account_forms import ResetForm, ResetRequestForm
from webapp.accounts.forms import SignInForm, SignUpForm
from webapp.accounts.models import User
from webapp.core import links, mail
from webapp.core.db import get_session
from webapp.core.extensions import limiter, login_manager
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.views import configured_signup, render_form_error
from webapp.teams import invitations

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.signin"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"
RESET_SENT = ("If an account uses this address, a link to choose a new password is on its way. "
              "It works for two hours.")


#: Built once: every request of a signed-in user runs it (building it cost more than running it).
USER_BY_ID = select(User).where(User.id == bindparam("user_id"))


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The account of a session cookie, if the cookie's session generation is still current."""
    user_id, _, generation = session_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    user = get_session().execute(USER_BY_ID, {"user_id": int(user_id)}).scalar()
    if user is None or user.session_generation != int(generation) or user.is_disabled:
        return None
    return user


def _signin_limit() -> str:
    return str(current_app.config["SIGNIN_RATE_LIMIT"])


def _account_limit() -> str:
    return str(current_app.config["SIGNIN_ACCOUNT_RATE_LIMIT"])


def _account_key() -> str:
    return "signin-account:" + accounts.normalize_email(request.form.get("email", ""))


def _too_many(limit: RequestLimit):
    """The sign-in form again (429), saying when the next attempt can be made."""
    minutes = max(1, round((limit.reset_at - time.time()) / 60))
    unit = "minute" if minutes == 1 else "minutes"
    logger.info("refused sign-in: too many attempts (%s)", limit.limit)
    form = SignInForm()
    error = ServiceError(f"Too many sign-in attempts. Try again in {minutes} {unit}.")
    body, _ = render_form_error("auth/signin.html", form, error, **_signin_context())
    return current_app.make_response((body, 429))


def safe_next(default: str) -> str:
    """The `next` target if it stays on this site (no scheme, no host), else `default`."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


def _signup_allowed(invitation) -> bool:
    session = get_session()
    mode = signups.signup_mode(session, configured_signup())
    return not accounts.has_users(session) or mode == "open" or (
        mode == "invite" and invitation is not None)


def _invitation_from_request():
    token = request.args.get("invite", "")
    return invitations.open_invitation(get_session(), token) if token else None


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    invitation = _invitation_from_request()
    if not _signup_allowed(invitation):
        return render_template("auth/signup_closed.html",
                               mode=signups.signup_mode(get_session(), configured_signup())), 403
    form = SignUpForm()
    if invitation is not None and not form.is_submitted():
        form.email.data = invitation.email
    context = {"invitation": invitation}
    if not form.validate_on_submit():
        return _form_page("auth/signup.html", form, **context)
    if mail.mail_configured():
        return _sign_up_by_mail(form, invitation)
    try:
        user = accounts.sign_up(get_session(), email=form.email.data, name=form.name.data,
                                password=form.password.data)
    except ServiceError as error:
        return render_form_error("auth/signup.html", form, error, **context)
    return _welcome(user, request.args.get("invite") if invitation else None)


def _welcome(user: User, invite: str | None):
    """Signed in; on to the invitation that brought them, or to making a team."""
    _sign_in(user)
    if invite:
        return redirect(url_for("invitations.show", token=invite))
    flash(f"Welcome to Faultline, {user.name}. Create a team, or open the invitation link a "
          "colleague sent you.", "success")
    return redirect(url_for("teams.new"))


def _sign_up_by_mail(form: SignUpForm, invitation):
    """With mail, the answer is the same for a new and a taken address: check your inbox."""
    session = get_session()
    try:
        pending = signups.start(session, name=form.name.data, email=form.email.data,
                                password=form.password.data, invite=request.args.get("invite"),
                                secret_key=current_app.secret_key)
    except ServiceError as error:
        return render_form_error("auth/signup.html", form, error, invitation=invitation)
    if pending.token:
        url = links.public_url(url_for("auth.confirm_signup", token=pending.token))
        mail.deliver_after_commit(signups.confirmation_mail(pending, url))
    else:
        mail.deliver_after_commit(signups.existing_account_mail(
            pending, links.public_url(url_for("auth.signin")),
            links.public_url(url_for("auth.forgot_password"))))
    return render_template("auth/check_inbox.html", email=pending.email)


@bp.get("/signup/confirm/<token>")
def confirm_signup(token: str):
    try:
        user, invite = signups.finish(get_session(), token, current_app.secret_key)
    except ServiceError:
        return render_template("auth/link_dead.html"), 404
    live = invite and invitations.open_invitation(get_session(), invite)
    return _welcome(user, invite if live else None)


def _signin_context() -> dict[str, object]:
    return {"sso_name": current_app.config.get("FAULTLINE_OIDC_NAME")
            if current_app.config.get("FAULTLINE_OIDC_ISSUER") else None}


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"], on_breach=_too_many)
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], on_breach=_too_many,
               deduct_when=lambda response: response.status_code != 302)
def signin():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    if not form.validate_on_submit():
        return _form_page("auth/signin.html", form, **_signin_context())
    user = accounts.authenticate(get_session(), form.email.data, form.password.data)
    if user is None or user.is_disabled:
        reason = "disabled account" if user else "wrong email or password"
        logger.info("refused sign-in: %s", reason)
        message = ("This account is disabled. Ask an administrator of this Faultline."
                   if user else "Wrong email or password.")
        return render_form_error("auth/signin.html", form, ServiceError(message),
                                 **_signin_context())
    _sign_in(user)
    return redirect(safe_next(url_for("main.index")))


def _sign_in(user: User) -> None:
    accounts.record_sign_in(get_session(), user)
    login_user(user)


@bp.post("/signout")
@login_required
def signout():
    form = EmptyForm()
    if form.validate_on_submit():
        accounts.end_sessions(get_session(), current_user)
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.signin"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def forgot_password():
    form = ResetRequestForm()
    if not mail.mail_configured():
        return render_template("auth/forgot.html", form=None)
    if not form.validate_on_submit():
        return _form_page("auth/forgot.html", form)
    link = account_links.request_reset(get_session(), form.email.data)
    if link is not None:
        mail.deliver_after_commit(_reset_mail(link))
    flash(RESET_SENT, "info")
    return redirect(url_for("auth.signin"))


def _reset_mail(link) -> mail.Mail:
    url = links.public_url(url_for("auth.reset_password", token=link.token))
    return mail.Mail(to=link.user.email, subject="Choose a new Faultline password", body=(
        f"Hello {link.user.name},\n\nSomeone (we hope you) asked to reset the password of your "
        f"Faultline account. Open this link within two hours to choose a new one:\n\n{url}\n\n"
        "If it was not you, ignore this message: your password stays as it is.\n"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def reset_password(token: str):
    session = get_session()
    row = account_links.live_token(session, token, "reset")
    if row is None:
        return render_template("auth/link_dead.html"), 404
    form = ResetForm()
    if not form.validate_on_submit():
        return _form_page("auth/reset.html", form, account=row.user)
    try:
        user = account_links.reset_password(session, token, form.password.data)
    except ServiceError as error:
        return render_form_error("auth/reset.html", form, error, account=row.user)
    logout_user()
    flash("Your password is changed and every other session of your account has ended. "
          "Sign in with the new password.", "success")
    logger.info("user %s chose a new password by link", user.id)
    return redirect(url_for("auth.signin"))


@bp.get("/account/email/<token>")
def confirm_email(token: str):
    try:
        user = account_links.confirm_email_change(get_session(), token)
    except ServiceError:
        return render_template("auth/link_dead.html"), 404
    flash(f"Your email is now {user.email}.", "success")
    return redirect(url_for("account.show") if current_user.is_authenticated
                    else url_for("auth.signin"))


def _form_page(template: str, form, **context: object):
    """GET shows the form; a POST that failed validation shows it again with 400."""
    if request.method == "POST":
        return render_form_error(template, form, **context)
    return render_template(template, form=form, **context)
