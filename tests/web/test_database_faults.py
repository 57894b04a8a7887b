"""A database that is busy, read-only, deleted, replaced or unreachable: 503 and recovery."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.conftest import postgres_url, unavailable
from tests.factories import PASSWORD
from webapp.assessments.submissions import new_token
from webapp.core import migrate
from webapp.core.db import get_database, session_scope
from webapp.core.security import CONTENT_SECURITY_POLICY
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.teams.models import Team

sqlite_only = pytest.mark.skipif(postgres_url() is not None,
                                 reason="faults of the SQLite file; PostgreSQL's are below")


def signed_up(app):
    client = app.test_client()
    response = client.post("/signup", data={
        "name": "Ada", "email": "ada@example.com", "password": PASSWORD,
        "confirm": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    return client


def team_form(name: str) -> dict[str, str]:
    """The new-team form as the page sends it (its one-time token makes a double submit
    create one team)."""
    return {"name": name, "submit_token": new_token()}


def team_names(app) -> list[str]:
    with app.app_context(), session_scope(app) as session:
        return list(session.scalars(select(Team.name).order_by(Team.id)))


def database_file(app) -> Path:
    return Path(make_url(app.config["DATABASE_URL"]).database)


def assert_unavailable_page(response, *words: str) -> None:
    assert response.status_code == 503
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["Retry-After"]
    page = response.get_data(as_text=True)
    assert "Temporarily unavailable" in page and "Traceback" not in page
    for word in words:
        assert word in page


@pytest.fixture
def read_only(tmp_path):
    """Make a file read-only for this process, root included (the immutable attribute)."""
    made: list[Path] = []

    def apply(path: Path) -> None:
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
            if done.returncode != 0:
                unavailable(f"chattr +i failed: {done.stderr.decode().strip()}")
        else:
            path.chmod(0o444)
        made.append(path)

    def undo(path: Path) -> None:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)
        made.remove(path)

    apply.undo = undo
    yield apply
    for path in list(made):
        undo(path)


@sqlite_only
def test_a_save_that_waits_too_long_for_the_lock_gets_a_retryable_503(make_app):
    app = make_app(SQLITE_BUSY_TIMEOUT_MS=300)
    client = signed_up(app)
    blocker = sqlite3.connect(database_file(app), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.post("/teams/new", data=team_form("Payments"))
        waited = time.monotonic() - started
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert_unavailable_page(response, "busy", "send it again")
    assert waited < 3
    assert team_names(app) == []
    assert client.post("/teams/new", data=team_form("Payments")).status_code == 302
    assert team_names(app) == ["Payments"]


@sqlite_only
def test_a_long_read_does_not_hold_up_a_save(make_app):
    app = make_app()
    client = signed_up(app)
    reader = get_database(app).engine.connect()
    reader.begin()
    reader.exec_driver_sql("SELECT count(*) FROM teams").scalar()
    try:
        started = time.monotonic()
        response = client.post("/teams/new", data=team_form("Payments"))
        assert time.monotonic() - started < 1
    finally:
        reader.close()
    assert response.status_code == 302
    assert team_names(app) == ["Payments"]


@sqlite_only
def test_a_read_only_database_gives_503_and_recovers_by_itself(make_app, read_only):
    app = make_app()
    client = signed_up(app)
    path = database_file(app)
    read_only(path)
    assert client.get("/readyz").status_code == 503
    assert client.get("/readyz").get_json()["reason"] == "database refuses writes"
    assert_unavailable_page(client.post("/teams/new", data=team_form("Payments")))
    assert client.get("/teams/").status_code == 200  # reading still works
    read_only.undo(path)
    assert client.get("/readyz").status_code == 200
    assert client.post("/teams/new", data=team_form("Payments")).status_code == 302
    assert team_names(app) == ["Payments"]


@sqlite_only
def test_a_deleted_database_file_refuses_writes_until_it_is_restored(make_app, tmp_path):
    app = make_app()
    client = signed_up(app)
    path = database_file(app)
    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    assert_unavailable_page(client.post("/teams/new", data=team_form("Lost")))
    assert client.get("/readyz").status_code == 503
    assert not path.exists()  # never recreated empty in its place
    shutil.copyfile(backup, path)
    assert client.get("/readyz").status_code == 200
    assert client.post("/teams/new", data=team_form("Kept")).status_code == 302
    assert team_names(app) == ["Kept"]


@sqlite_only
def test_a_database_file_replaced_by_junk_gives_503_then_a_good_copy_is_used(make_app, tmp_path):
    app = make_app()
    client = signed_up(app)
    path = database_file(app)
    good = tmp_path / "good.sqlite3"
    migrate.upgrade(f"sqlite:///{good}")
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a database" * 100)
    os.replace(junk, path)
    assert_unavailable_page(client.post("/teams/new", data=team_form("Lost")))
    assert client.get("/readyz").status_code == 503
    for suffix in ("-wal", "-shm"):  # a restore replaces the database with its journal
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(good, path)
    assert client.get("/readyz").status_code == 200
    newcomer = signed_up(app)  # the restored file is empty: its first account is new
    assert newcomer.post("/teams/new", data=team_form("Kept")).status_code == 302
    assert team_names(app) == ["Kept"]


def test_an_unreachable_database_server_gives_the_503_page(make_app):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    app = make_app(DATABASE_URL=unreachable, CHECK_PREREQUISITES=False)
    client = app.test_client()
    response = client.post("/signin", data={"email": "ada@example.com", "password": PASSWORD})
    assert_unavailable_page(response, "cannot be reached")
    assert client.get("/readyz").status_code == 503


@pytest.mark.skipif(postgres_url() is None, reason="connections cut by a PostgreSQL server")
def test_connections_cut_by_the_database_server_are_reopened_by_themselves(make_app):
    from sqlalchemy import text

    app = make_app()
    client = signed_up(app)
    engine = get_database(app).engine
    with engine.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    assert client.post("/teams/new", data=team_form("Payments")).status_code == 302
    assert team_names(app) == ["Payments"]


@sqlite_only
def test_a_slow_render_does_not_hold_up_a_save_made_meanwhile(make_app, tmp_path, monkeypatch):
    import threading

    from webapp import tasks
    from webapp.pdfs import specs as pdfs

    app = make_app(REPORT_CACHE_DIR=str(tmp_path / "pdfs"))
    client = signed_up(app)
    assert client.post("/teams/new", data=team_form("Payments")).status_code == 302
    rendering, release = threading.Event(), threading.Event()

    class SlowRenderer:
        def render(self, data, timeout=None):
            rendering.set()
            release.wait(30)
            return b"%PDF-1.7 slow"

    monkeypatch.setattr(tasks, "shared_worker", lambda target=None: SlowRenderer())
    with app.app_context(), session_scope(app) as session:
        from webapp.accounts.models import User
        from webapp.assessments import services as assessment_service

        team = session.scalars(select(Team)).one()
        owner = session.scalars(select(User)).one()
        assessment = assessment_service.start_assessment(session, team, owner, name="Ledger",
                                                         content=get_content())
        session.flush()
        spec = pdfs.review(assessment)
        key = pdfs.describe(session, assessment, spec, page_size=tasks.page_size(app),
                            cache=result_cache()).key
    worker = threading.Thread(target=lambda: _render(app, spec, key))
    worker.start()
    try:
        assert rendering.wait(30)
        started = time.monotonic()
        response = client.post("/teams/new", data=team_form("Checkout"))
        assert time.monotonic() - started < 1
    finally:
        release.set()
        worker.join(30)
    assert response.status_code == 302
    assert team_names(app) == ["Payments", "Checkout"]


def _render(app, spec, key):
    from webapp import tasks

    with app.app_context():
        tasks.render_job(app, spec.as_dict(), key)
