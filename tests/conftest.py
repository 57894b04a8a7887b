"""Fixtures for every test suite of Faultline.

Database: SQLite in a temporary folder by default; PostgreSQL when FAULTLINE_TEST_DATABASE_URL
is set (its database name must contain "test": the schema is dropped and recreated). The
schema is built once per session with the real Alembic migrations. Each test runs inside one
outer transaction that is rolled back: the app's request sessions and `db_session` share that
connection and turn their commits into savepoints.

Under CI=true, an unreachable test database or a missing Chromium fails the run; locally they
skip the tests that need them.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from webapp.accounts import services as accounts
from webapp.app import create_app
from webapp.core import migrate
from webapp.core.db import get_database, make_engine

REPO_ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("FAULTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: The factory fixtures (make_user, make_team, owner, people, make_assessment, login).
pytest_plugins = ["tests.factories", "tests.servers", "tests.tracking.support"]
TEST_SECRET = "test-secret-key-" + "x" * 32


#: Fixtures that put a test on the database; such tests get the `database` marker, which is
#: how CI picks the tests worth repeating on PostgreSQL.
DATABASE_FIXTURES = frozenset({"database_url", "app", "db_session", "make_app",
                               "fresh_database_url", "live_server"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "database: uses the test database (added automatically)")
    accounts.use_cheap_hashing()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.database)


def unavailable(reason: str) -> None:
    """Skip locally, fail under CI: a prerequisite of the test is missing."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: missing prerequisites fail the run)", pytrace=False)
    pytest.skip(reason)


#: The Redis database the tests may use and empty (two test runs at once need one each).
REDIS_TEST_URL = os.environ.get("FAULTLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    """A Redis database for tests of limits shared across app instances (FAULTLINE_TEST_REDIS_URL,
    db 15 by default)."""
    import redis

    url = REDIS_TEST_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        unavailable("no Redis on 127.0.0.1:6379")
    return url


# --- databases ------------------------------------------------------------------------------


def _create_postgres_database(url: str) -> None:
    """Create the test database if the server lacks it (connecting to `postgres` first)."""
    target = make_url(url)
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    except SQLAlchemyError as error:
        unavailable(f"test database server unreachable: {error.__class__.__name__}: {error.orig}")
    finally:
        admin.dispose()


def _reset_postgres(url: str) -> None:
    database = make_url(url).database or ""
    if "test" not in database:
        pytest.exit(f"refusing to wipe database {database!r}: its name must contain 'test'")
    _create_postgres_database(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except SQLAlchemyError as error:
        unavailable(f"test database unreachable: {error.__class__.__name__}: {error.orig}")
    finally:
        engine.dispose()


def postgres_url() -> str | None:
    return os.environ.get("FAULTLINE_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for the whole session."""
    url = postgres_url()
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'faultline.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def migrated_template(database_url: str, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[str]:
    """A migrated, empty database of the session's kind, never opened by a test: copied for
    each app that needs a database of its own (`migrated_copy`), which is much quicker than
    running every migration again (about 3 s each on PostgreSQL)."""
    url = postgres_url()
    if not url:
        template = f"sqlite:///{tmp_path_factory.mktemp('template') / 'migrated.sqlite3'}"
        migrate.upgrade(template)
        yield template
        return
    name = f"{make_url(url).database}_template"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    template = make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(template)
        yield template
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_copy(template: str, url: str) -> None:
    """Make the empty database `url` (a SQLite file not created yet, or a PostgreSQL database
    on the template's server) a copy of the migrated `template`."""
    target = make_url(url)
    if target.get_backend_name() == "sqlite":
        source = sqlite3.connect(make_url(template).database)
        copy = sqlite3.connect(target.database)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return
    admin = make_engine(target.set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{target.database}" '
                                    f'TEMPLATE "{make_url(template).database}"'))
    finally:
        admin.dispose()


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the session's (for migration tests)."""
    url = postgres_url()
    if not url:
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"{make_url(url).database}_{secrets.token_hex(4)}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the app --------------------------------------------------------------------------------


class CsrfClient(FlaskClient):
    """A test client whose POSTs carry a valid CSRF token unless `csrf=False`."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)

    def post(self, *args: Any, csrf: bool = True, **kwargs: Any) -> Any:
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "csrf_token" not in (data or {}):
            kwargs["data"] = {**(data or {}), "csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)


RESULT_CACHE = Path(tempfile.mkdtemp(prefix="faultline-test-results-"))
#: PDFs too: never the checkout's instance folder, which another test run may be using.
REPORT_CACHE = Path(tempfile.mkdtemp(prefix="faultline-test-reports-"))


def app_settings(database_url: str) -> dict[str, Any]:
    """The settings of every test app, on this database."""
    return {
        "TESTING": True,  # keeps create_app from installing its JSON log handler in pytest
        "FAULTLINE_ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        # Results computed once per revision are shared through files; never the repo's.
        "RESULT_CACHE_DIR": RESULT_CACHE,
        "REPORT_CACHE_DIR": REPORT_CACHE,
        "RESULT_SHARE_DELAY": 0,  # written before the request ends (tests read the files)
        "RATELIMIT_STORAGE_URI": "memory://",
        "FAULTLINE_CONTENT_DIR": REPO_ROOT,
        "QUEUE_IMMEDIATE": True,  # PDF jobs run inside the request that queues them
        "PDF_PRERENDER": False,  # no PDF made ahead of time unless a test asks for it
        # no portfolio summary made after each change: the portfolio asks for what it shows
        "SUMMARIZE_ON_CHANGE": False,
    }


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    """The config override of the `app` fixture; override this fixture to change it."""
    return app_settings(database_url)


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """The app, its requests running inside this test's rolled-back transaction."""
    application = create_app(app_config)
    application.test_client_class = CsrfClient
    database = get_database(application)
    with database.engine.connect() as connection:
        transaction = connection.begin()
        database.bind_to(connection, join_transaction_mode="create_savepoint")
        application.extensions["faultline.test_connection"] = connection
        yield application
        if transaction.is_active:
            transaction.rollback()
    database.engine.dispose()


@pytest.fixture
def make_app(app_config: dict[str, Any], fresh_database_url: str,
             migrated_template: str) -> Iterator[Callable[..., Flask]]:
    """make_app(**overrides) -> a separate app with its own settings; requests commit for real.

    Unless `DATABASE_URL` is overridden it gets its own freshly migrated database (never the
    session's: on SQLite the `app` fixture's open transaction would block it). Do not mix it
    with `db_session` or the factories, which write to the `app` fixture's database.
    """
    made: list[Flask] = []
    migrated: list[str] = []

    def make(**overrides: Any) -> Flask:
        if "DATABASE_URL" not in overrides:
            if not migrated:
                migrated_copy(migrated_template, fresh_database_url)
                migrated.append(fresh_database_url)
            overrides["DATABASE_URL"] = fresh_database_url
        application = create_app({**app_config, **overrides})
        application.test_client_class = CsrfClient
        made.append(application)
        return application

    yield make
    for application in made:
        get_database(application).engine.dispose()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the test's connection: what it flushes, requests see; all rolled back.

    Objects loaded here are not refreshed by requests: call `db_session.expire_all()` before
    asserting on data a request changed.
    """
    connection = app.extensions["faultline.test_connection"]
    session = Session(bind=connection, join_transaction_mode="create_savepoint",
                      expire_on_commit=False)
    yield session
    session.close()


@pytest.fixture
def client(app: Flask) -> CsrfClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def runner() -> CliRunner:
    """Invokes the `faultline` command: `runner.invoke(webapp.cli.main, [...])`."""
    return CliRunner()


class FakeRenderer:
    """Stands in for the PDF render workers of the queue: records the data, answers a tiny
    PDF, or raises `error`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, dict]] = []
        self.error: BaseException | None = None
        self.target: str | None = None

    def __call__(self, target: str | None = None) -> FakeRenderer:  # as `shared_worker`
        self.target = target
        return self

    def render(self, data: dict, timeout: float | None = None) -> bytes:
        self.calls.append((self.target, data))
        if self.error is not None:
            raise self.error
        return b"%PDF-1.7 fake"


@pytest.fixture
def fake_renderer(monkeypatch: pytest.MonkeyPatch) -> FakeRenderer:
    """PDF jobs render with a `FakeRenderer` (no WeasyPrint)."""
    renderer = FakeRenderer()
    monkeypatch.setattr("webapp.tasks.shared_worker", renderer)
    return renderer


# --- browser tests --------------------------------------------------------------------------


class LiveServer:
    def __init__(self, app: Flask) -> None:
        from werkzeug.serving import make_server

        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        app.config["FAULTLINE_SERVED_AT"] = self.url  # as `faultline serve` does
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty SQLite database that live servers copy (whatever the session's kind)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('live-template') / 'migrated.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def live_server(tmp_path: Path, sqlite_template: str) -> Iterator[LiveServer]:
    """The app on a free 127.0.0.1 port, on its own migrated SQLite database (real commits)."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    migrated_copy(sqlite_template, url)
    application = create_app(app_settings(url))
    server = LiveServer(application).start()
    yield server
    server.stop()
    get_database(application).engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (sync API), shared by the session."""
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        unavailable(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser page (own cookies) at desktop size."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


def engine_for(url: str) -> Engine:
    """An engine with Faultline's settings (SQLite tuning included), for tests that need one."""
    return make_engine(url)
