"""SQLite under concurrent writers: they queue for the lock instead of failing, and readers
never wait for them."""

from __future__ import annotations

import threading
import time

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.orm import Session

from webapp.core import migrate
from webapp.core.db import make_engine
from webapp.teams.models import Team

WRITES_PER_THREAD = 25


def write_loop(engine, name: str, errors: list[BaseException], start: threading.Event,
               savepoint: bool = False) -> None:
    start.wait()
    for number in range(WRITES_PER_THREAD):
        try:
            with Session(engine) as session:
                # Read, pause, then write: the pattern that deadlocks deferred transactions.
                session.scalar(select(func.count()).select_from(Team))
                time.sleep(0.002)
                if savepoint:  # as the services insert rows that may collide
                    with session.begin_nested():
                        session.add(Team(name=f"{name}-{number}"))
                else:
                    session.add(Team(name=f"{name}-{number}"))
                session.commit()
        except BaseException as error:  # noqa: BLE001 (collected and asserted below)
            errors.append(error)


def run_two_writers(engine, savepoint: bool = False) -> tuple[list[BaseException], int]:
    errors: list[BaseException] = []
    start = threading.Event()
    threads = [threading.Thread(target=write_loop, args=(engine, name, errors, start, savepoint))
               for name in ("left", "right")]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join(timeout=60)
    with Session(engine) as session:
        return errors, session.scalar(select(func.count()).select_from(Team)) or 0


def test_two_threads_writing_at_once_never_see_database_is_locked(tmp_path):
    url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url, busy_timeout_ms=10_000)
    try:
        errors, count = run_two_writers(engine)
    finally:
        engine.dispose()
    assert errors == []
    assert count == 2 * WRITES_PER_THREAD


def test_writers_that_insert_inside_a_savepoint_wait_their_turn_too(tmp_path):
    url = f"sqlite:///{tmp_path / 'savepoints.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url, busy_timeout_ms=10_000)
    try:
        errors, count = run_two_writers(engine, savepoint=True)
    finally:
        engine.dispose()
    assert errors == []
    assert count == 2 * WRITES_PER_THREAD


def test_a_reader_holding_its_transaction_open_does_not_block_a_writer(tmp_path):
    url = f"sqlite:///{tmp_path / 'reader.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url, busy_timeout_ms=10_000)
    try:
        with Session(engine) as reader, Session(engine) as writer:
            reader.scalar(select(func.count()).select_from(Team))  # stays open, reading
            started = time.monotonic()
            writer.add(Team(name="written"))
            writer.commit()
            assert time.monotonic() - started < 1
            assert reader.scalar(select(func.count()).select_from(Team)) == 0  # its snapshot
    finally:
        engine.dispose()


def test_the_same_writers_with_deferred_begin_do_fail(tmp_path):
    """The control: why make_engine begins IMMEDIATE. Plain BEGIN deadlocks read-then-write."""
    url = f"sqlite:///{tmp_path / 'deferred.sqlite3'}"
    migrate.upgrade(url)
    engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")

    try:
        errors, _count = run_two_writers(engine)
    finally:
        engine.dispose()
    assert any("database is locked" in str(error) for error in errors)


def test_sqlite_connections_use_wal_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}", busy_timeout_ms=1234)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 1234
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
