"""Sign up, sign in, sign out."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from webapp.db import get_session
from webapp.extensions import limiter, login_manager
from webapp.forms import EmptyForm, SignInForm, SignUpForm
from webapp.models import User
from webapp.services import ServiceError, accounts
from webapp.views import render_form_error

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.signin"
login_manager.login_message = "Sign in to continue."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return get_session().get(User, int(user_id)) if user_id.isdigit() else None


def _signin_limit() -> str:
    return str(current_app.config["SIGNIN_RATE_LIMIT"])


def _safe_next(default: str) -> str:
    """The `next` target if it stays on this site (no scheme, no host), else `default`."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return default


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignUpForm()
    if not form.validate_on_submit():
        return _form_page("auth/signup.html", form)
    try:
        user = accounts.sign_up(
            get_session(), email=form.email.data, name=form.name.data, password=form.password.data
        )
    except ServiceError as error:
        return render_form_error("auth/signup.html", form, error)
    login_user(user)
    flash(f"Welcome to Faultline, {user.name}. Create a team to start.", "success")
    return redirect(url_for("teams.new"))


@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(_signin_limit, methods=["POST"])
def signin():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = SignInForm()
    if not form.validate_on_submit():
        return _form_page("auth/signin.html", form)
    user = accounts.authenticate(get_session(), form.email.data, form.password.data)
    if user is None:
        logger.info("refused sign-in: wrong email or password")
        error = ServiceError("Wrong email or password.")
        return render_form_error("auth/signin.html", form, error)
    login_user(user)
    return redirect(_safe_next(url_for("main.index")))


@bp.post("/signout")
@login_required
def signout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.signin"))


def _form_page(template: str, form) -> tuple[str, int] | str:
    """GET shows the form; a POST that failed validation shows it again with 400."""
    if request.method == "POST":
        return render_form_error(template, form)
    return render_template(template, form=form)
