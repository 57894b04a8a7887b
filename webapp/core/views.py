"""Helpers every feature's blueprint uses: sign-in required, refused forms."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template
from flask_login import login_required
from flask_wtf import FlaskForm

from webapp.core.cache import Memory, ResultCache, SharedWrites
from webapp.core.services import ServiceError
from webapp.core.startup import get_content

#: The app's computed values kept in memory, and its writer of the shared file cache.
CACHE_KEY = "faultline.evaluations"
WRITES_KEY = "faultline.evaluation-writes"


def configured_signup() -> str:
    """FAULTLINE_SIGNUP: the sign-up mode until an administrator chooses one (the services
    take it as an argument)."""
    return str(current_app.config.get("FAULTLINE_SIGNUP") or "open")


def result_cache(app: Flask | None = None) -> ResultCache:
    """The app's cache of computed values (one per process), for the services that take it:
    its memory, its writer, RESULT_CACHE_DIR (default: the instance folder's result-cache) and
    the loaded content the values are computed from."""
    app = app or current_app
    memory = app.extensions.get(CACHE_KEY)
    if memory is None:
        memory = app.extensions.setdefault(CACHE_KEY, Memory())
    writes = app.extensions.get(WRITES_KEY)
    if writes is None:
        delay = float(app.config.get("RESULT_SHARE_DELAY", 1.0))
        writes = app.extensions.setdefault(WRITES_KEY, SharedWrites(delay))
    configured = app.config.get("RESULT_CACHE_DIR")
    directory = Path(configured) if configured else Path(app.instance_path) / "result-cache"
    return ResultCache(memory, writes, directory, get_content(app))


def members_blueprint(name: str, import_name: str, url_prefix: str) -> Blueprint:
    """A blueprint every page of which needs an account (visitors are sent to sign in)."""
    blueprint = Blueprint(name, import_name, url_prefix=url_prefix)

    @blueprint.before_request
    @login_required
    def _signed_in() -> None:
        """Every page here needs an account."""

    return blueprint


def render_form_error(
    template: str, form: FlaskForm, error: ServiceError | None = None, **context: object
) -> tuple[str, int]:
    """Re-render a refused form with status 400; the fields keep what the user typed.

    A `ServiceError` naming a field is shown under that field, otherwise above the form.
    """
    form_error = None
    if error is not None:
        field = getattr(form, error.field, None) if error.field else None
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            form_error = error.message
    return render_template(template, form=form, form_error=form_error, **context), 400
