"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp import __version__, tasks
from webapp.core import db, logs, mail, security
from webapp.core.config import load_settings
from webapp.core.extensions import csrf, limiter, login_manager
from webapp.core.startup import check_prerequisites
from webapp.core.text import counted
from webapp.report import dates
from webapp.report.cards import score
from webapp.report.notes import inline_markup

logger = logging.getLogger(__name__)

#: Static files live at the repository root so the PDF renderer can load them too.
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def create_app(config_override: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment plus `config_override`, and check prerequisites.

    Raises `webapp.core.startup.StartupError` (one line) when the app cannot work: the database is
    unreachable or not migrated, the content is invalid, or production has no secret key.
    Pass `{"CHECK_PREREQUISITES": False}` to skip the checks (the migration command does).
    """
    app = Flask(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
    app.config.from_mapping(load_settings(override=config_override))
    if not app.testing:
        logs.configure_logging()
    _trust_proxies(app)
    _init_extensions(app)
    _register_blueprints(app)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["faultline_version"] = __version__
    app.jinja_env.filters["md_inline"] = inline_markup
    dates.install(app.jinja_env.filters)
    app.jinja_env.filters["counted"] = counted  # "no findings", "1 finding", "11 findings"
    app.jinja_env.filters["whole"] = score  # scores as whole numbers, halves up, everywhere
    if app.config.get("CHECK_PREREQUISITES", True):
        try:
            check_prerequisites(app)
        except BaseException:
            db.get_database(app).engine.dispose()
            raise
    logger.info("Faultline %s ready (%s)", __version__, app.config["FAULTLINE_ENV"])
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind N proxies, take the client address (rate limits, logs) from X-Forwarded-For."""
    hops = int(app.config.get("PROXY_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    mail.init_app(app, tasks.init_app(app).huey)
    logs.init_app(app)
    security.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    db.install_commit_hook(app)


def _register_blueprints(app: Flask) -> None:
    from webapp.accounts import views as auth
    from webapp.assessments import views as assessments
    from webapp.core import error_pages as errors
    from webapp.core import health
    from webapp.core import home as main
    from webapp.interchange import views as interchange  # noqa: F401  (routes on assessments' bp)
    from webapp.results import views as results
    from webapp.teams import views as teams

    for module in (main, auth, teams, health, assessments, results):
        app.register_blueprint(module.bp)
    _register_sharing(app)
    _register_tracking(app)
    _register_api(app)
    _register_lenses(app)
    _register_accounts(app)
    errors.init_app(app)


def _register_sharing(app: Flask) -> None:
    from webapp.sharing import public_views as shared
    from webapp.sharing import views as sharing

    app.register_blueprint(sharing.bp)
    app.register_blueprint(shared.bp)


def _register_api(app: Flask) -> None:
    from webapp.api import account, views
    from webapp.portfolio import jobs
    from webapp.portfolio import views as portfolio

    app.register_blueprint(views.bp)
    views.init_app(app)
    app.register_blueprint(account.bp)
    app.register_blueprint(portfolio.bp)
    jobs.init_app(app)


def _register_lenses(app: Flask) -> None:
    from webapp.lenses import admin_views as lens_admin
    from webapp.lenses import views as lens_pages

    app.register_blueprint(lens_admin.bp)
    app.register_blueprint(lens_pages.bp)


def _register_accounts(app: Flask) -> None:
    from webapp.accounts import account_views as account
    from webapp.accounts import sso_views as sso
    from webapp.admin import views as admin
    from webapp.teams import invitation_views as invitations

    for module in (account, admin, invitations, sso):
        app.register_blueprint(module.bp)
    sso.init_app(app)


def _register_tracking(app: Flask) -> None:
    from webapp.tracking import milestone_views as milestones
    from webapp.tracking import views as tracking

    app.register_blueprint(milestones.bp)
    app.register_blueprint(tracking.bp)
