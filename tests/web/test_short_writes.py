"""Writes hold the database's write lock only while they write, writers of one process take
turns without losing their place, and a new revision's result is computed once however many
requests ask for it at the same moment."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from tests.conftest import postgres_url
from tests.web.test_database_faults import database_file, signed_up
from webapp.accounts.models import User
from webapp.assessments import services as assessment_service
from webapp.assessments.models import Answer
from webapp.assessments.views import autosave as autosave_view
from webapp.core import migrate
from webapp.core.cache import Shared, SharedWrites
from webapp.core.db import is_unavailable, make_engine, session_scope
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.teams import services as team_service
from webapp.teams.models import Team

sqlite_only = pytest.mark.skipif(postgres_url() is not None, reason="SQLite's write lock")
QUESTION = "contain.circuit-breakers"


@sqlite_only
def test_an_autosave_releases_the_write_lock_before_it_builds_its_answer(make_app,
                                                                        monkeypatch):
    """While the page's answer (the stepper's progress, the rendered note) is being built, the
    save is already committed and another writer can take the lock at once."""
    app = make_app()
    client = signed_up(app)
    with app.app_context(), session_scope(app) as session:
        user = session.scalar(select(User))
        team = team_service.create_team(session, user, "Payments")
        assessment_id = assessment_service.start_assessment(session, team, user,
                                                            name="Checkout",
                                                            content=get_content()).id
    seen: list[tuple[str, ...]] = []
    real_progress = autosave_view.progress

    def progress_while_watching(session, assessment, cache):
        other = sqlite3.connect(database_file(app), timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # fails at once if the save still holds the lock
            other.execute("ROLLBACK")
            seen.append(other.execute("SELECT choices FROM answers").fetchone())
        finally:
            other.close()
        return real_progress(session, assessment, cache)

    monkeypatch.setattr(autosave_view, "progress", progress_while_watching)
    response = client.post(f"/assessments/{assessment_id}/answers", headers={
        "Accept": "application/json"}, data={
        "scope": "system", "question": QUESTION, f"{QUESTION}-choice": "some",
        f"{QUESTION}-version": "0", f"{QUESTION}-note": ""})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.get_json()["answer"]["version"] == 1
    assert seen == [('["some"]',)]  # committed before the answer was built
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(Answer.choices)) == ["some"]


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'turns.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url, busy_timeout_ms=300)
    yield engine
    engine.dispose()


def add_team(engine, name: str) -> None:
    with Session(engine) as session:
        session.add(Team(name=name))
        session.commit()


def team_names(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(Team.name).order_by(Team.id)))


@sqlite_only
def test_a_writer_waiting_for_another_of_its_process_too_long_gets_a_retryable_error(engine):
    holder = Session(engine)
    holder.add(Team(name="first"))
    holder.flush()  # holds the write turn (and SQLite's lock) until it ends
    try:
        with pytest.raises(OperationalError) as refused:
            add_team(engine, "second")
        assert is_unavailable(refused.value)  # answered 503 "busy", nothing half-saved
        assert "database is locked" in str(refused.value)
    finally:
        holder.commit()
        holder.close()
    add_team(engine, "second")  # the turn came back with the commit
    assert team_names(engine) == ["first", "second"]


@sqlite_only
def test_a_write_that_fails_or_is_rolled_back_gives_its_turn_back(engine):
    add_team(engine, "taken")
    with Session(engine) as session:  # a unique name taken: the insert fails
        session.add(Team(name="x"))
        session.flush()
        session.rollback()
    with Session(engine) as session, pytest.raises(IntegrityError):
        session.execute(Team.__table__.insert().values(id=1, name="again"))
    add_team(engine, "after")  # would wait 300 ms and fail if a turn had been kept
    with Session(engine) as session:
        session.add(Team(name="left open"))
        session.flush()
    add_team(engine, "after a session closed mid-write")
    assert team_names(engine) == ["taken", "after", "after a session closed mid-write"]


@sqlite_only
def test_waiting_writers_all_get_their_turn(engine):
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            for round_ in range(5):
                add_team(engine, f"writer {number} round {round_}")
        except BaseException as error:  # noqa: BLE001 (asserted below)
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(team_names(engine)) == 30


def test_a_revision_asked_for_by_many_requests_at_once_is_computed_once(app):
    calls: list[int] = []
    release = threading.Event()
    results: list[object] = []

    def build() -> object:
        calls.append(1)
        release.wait(10)  # the others arrive while this one computes
        return object()

    def ask() -> None:
        with app.app_context():
            results.append(result_cache().computed("revision-a", "single-flight-test", build))

    threads = [threading.Thread(target=ask) for _ in range(5)]
    for thread in threads:
        thread.start()
    while not calls:
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(calls) == 1
    assert len(results) == 5 and all(r is results[0] for r in results)
    with app.app_context():  # another kind or revision is computed on its own
        assert result_cache().computed("revision-b", "single-flight-test", lambda: "b") == "b"


def test_only_the_newest_revision_of_a_burst_is_written_to_the_shared_cache(tmp_path):
    """Results of revisions superseded before the delay are never turned into files; the
    newest one is, by the background writer."""
    shared = Shared("assessment-7", dump=lambda value: {"value": value}, load=dict)
    writes = SharedWrites(delay=0.2)
    for revision in range(5):
        writes.submit(tmp_path / f"assessment-7.result.rev{revision}.json", shared, "result",
                      revision)
    for _ in range(500):  # the writer thread writes it about 0.2 s later
        if list(tmp_path.glob("*.json")):
            break
        threading.Event().wait(0.02)
    files = list(tmp_path.glob("*.json"))
    assert [f.name for f in files] == ["assessment-7.result.rev4.json"]
    assert json.loads(files[0].read_text()) == {"value": 4}
    writes.submit(tmp_path / "assessment-7.result.rev5.json", shared, "result", 5)
    writes.flush()  # what is pending is written at once, older revisions removed
    assert [f.name for f in tmp_path.glob("*.json")] == ["assessment-7.result.rev5.json"]
