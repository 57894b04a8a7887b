"""What `faultline serve` and `faultline db ...` do. The click commands live in cli.py."""

from __future__ import annotations

import logging

import click
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp import migrate
from webapp.config import (
    ConfigError,
    base_url_problem,
    load_settings,
    secret_key_problem,
    served_address,
)
from webapp.db import make_engine
from webapp.logs import configure_logging
from webapp.startup import StartupError

logger = logging.getLogger(__name__)


def _one_line(error: BaseException) -> str:
    detail = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(detail).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _settings() -> dict[str, object]:
    try:
        return load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _database_url() -> str:
    return str(_settings()["DATABASE_URL"])


def _check_reachable(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise click.ClickException(f"database unreachable ({_one_line(error)})") from None
    finally:
        engine.dispose()


def upgrade(revision: str = "head") -> None:
    url = _database_url()
    _check_reachable(url)
    try:
        migrate.upgrade(url, revision)
    except Exception as error:  # Alembic raises plain CommandError, SQLAlchemy its own
        raise click.ClickException(f"database migration failed: {_one_line(error)}") from None


def downgrade(revision: str) -> None:
    url = _database_url()
    _check_reachable(url)
    try:
        migrate.downgrade(url, revision)
    except Exception as error:
        raise click.ClickException(f"database downgrade failed: {_one_line(error)}") from None


def current() -> str:
    url = _database_url()
    _check_reachable(url)
    engine = make_engine(url)
    try:
        found = migrate.current_revision(engine) or "empty (no schema yet)"
    finally:
        engine.dispose()
    head = migrate.head_revision()
    return f"{found} (latest: {head})"


def serve(host: str, port: int, threads: int) -> None:
    """Check the secret, migrate, build the app (which checks the rest), then serve."""
    import waitress

    from webapp.app import create_app

    configure_logging()
    settings = _settings()
    problem = secret_key_problem(settings) or base_url_problem(settings)
    if problem:
        raise click.ClickException(problem)
    upgrade()
    try:
        app = create_app({"FAULTLINE_SERVED_AT": served_address(host, port)})
    except (StartupError, ConfigError) as error:
        raise click.ClickException(str(error)) from None
    logger.info("serving on http://%s:%s", host, port)
    waitress.serve(app, host=host, port=port, threads=threads, ident="faultline")


def create_admin(email: str, name: str) -> str:
    """`faultline admin create`: promote the account using `email`, or create it."""
    from webapp.app import create_app
    from webapp.db import session_scope
    from webapp.services import ServiceError, accounts
    from webapp.services.admin import create_admin as make_admin

    try:
        app = create_app({"CHECK_CONTENT": False})
    except (StartupError, ConfigError) as error:
        raise click.ClickException(str(error)) from None
    with app.app_context(), session_scope(app) as session:
        existing = accounts.find_user_by_email(session, email)
        password = None
        if existing is None:
            name = name or click.prompt("Name")
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = make_admin(session, email=email, name=name, password=password)
        except ServiceError as error:
            raise click.ClickException(error.message) from None
        verb = "is now an administrator" if existing else "created as an administrator"
        return f"{user.email} {verb}"
