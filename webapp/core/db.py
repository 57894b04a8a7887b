"""Database plumbing: the declarative base, engines, and the per-request session.

A request gets one session (`get_session()`), created lazily. Services flush; the request
commits once after the view returned a successful response (status below 400) and rolls back
otherwise. CLI commands and background jobs use `session_scope()` for the same contract.

SQLite is tuned for a small multi-threaded server: WAL (readers never block the writer) and a
bounded busy timeout. A transaction begins deferred, so reads never take or wait for the write
lock. Just before its first write, a transaction that has only read is swapped for one that
begins IMMEDIATE (`_upgrade_before_write`): upgrading a deferred read transaction in place
fails at once with "database is locked" whenever another writer committed since its snapshot,
whatever the busy timeout, while BEGIN IMMEDIATE waits its turn. What was read before the swap
may be a few milliseconds old, the same guarantee as PostgreSQL's READ COMMITTED; counters are
bumped in SQL (`revision = revision + 1`), never from a value read earlier. A write that still
finds the lock taken after the busy timeout raises, and the request answers with a retryable
503 (`webapp.db_faults`).

An application engine opens an existing SQLite file only (never creates an empty one in place
of a deleted file) and checks, at every checkout, that the file is still the one it opened:
after the file was deleted or replaced, its connections are dropped and writes are refused
instead of going to an unlinked file.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, current_app, g
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    create_engine,
    event,
    func,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DatabaseError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Session,
    mapped_column,
    sessionmaker,
)
from werkzeug.exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)

#: Named constraints so migrations can drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EXTENSION_KEY = "faultline.db"
#: Execution option for connections that only read (health checks, startup checks); every
#: SQLite transaction now begins deferred, the option only documents the intent.
READ_ONLY_OPTION = "faultline_read_only"


#: SQLite errors that mean the file cannot be used as it is: drop the connection, so the app
#: reconnects once the operator has fixed it (read-only, deleted, replaced, damaged).
_BROKEN_FILE_ERRORS = ("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_NOTADB",
                       "SQLITE_CORRUPT")
BUSY_MESSAGE = ("The database is busy with other changes and yours waited too long. Nothing "
                "was saved: send it again in a few seconds.")
DOWN_MESSAGE = ("The database cannot be reached or does not accept changes right now, so "
                "nothing was saved. Try again in a minute; the operators have been told in the "
                "server log.")


class DatabaseUnavailable(ServiceUnavailable):
    """503: the database is busy, unreachable or refuses writes; trying again later can help."""

    retry_after = 5


def is_unavailable(error: BaseException) -> bool:
    """True for database errors that are the server's state, not the request's fault."""
    if isinstance(error, OperationalError | InterfaceError | DisconnectionError):
        return True
    if isinstance(error, DatabaseError):  # "file is not a database" after a bad replacement
        orig = getattr(error, "orig", None)
        return getattr(orig, "sqlite_errorname", "").startswith(_BROKEN_FILE_ERRORS)
    return False


def unavailable(error: BaseException) -> DatabaseUnavailable:
    """The 503 to answer for `error` (see `is_unavailable`), logged once with its cause."""
    detail = str(getattr(error, "orig", None) or error).splitlines()[0:1]
    busy = any(word in (detail or [""])[0].lower() for word in ("locked", "busy"))
    logger.warning("database unavailable (%s): %s", "busy" if busy else "fault",
                   detail[0] if detail else type(error).__name__)
    return DatabaseUnavailable(BUSY_MESSAGE if busy else DOWN_MESSAGE)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


#: Statements that need SQLite's write lock.
WRITE_STATEMENT = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.I)
#: connection.info keys: the transaction began deferred and has not written yet; a savepoint
#: was taken in it.
_READING = "faultline_reading"
_SAVEPOINTS = "faultline_savepoints"
#: connection.info key: the transaction holds this process's turn to write (`_WriteTurns`).
_WRITE_TURN = "faultline_write_turn"


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    writers = _WriteTurns(busy_timeout_ms / 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")
        conn.info[_READING] = True
        conn.info[_SAVEPOINTS] = False

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        name = getattr(context.original_exception, "sqlite_errorname", "")
        if name.startswith(_BROKEN_FILE_ERRORS):
            context.is_disconnect = True

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        # A savepoint announces a write (the app takes one only around an insert that may
        # collide): the swap must happen before it exists, as ROLLBACK would end it.
        savepoint = statement.lstrip()[:9].upper() == "SAVEPOINT"
        if conn.info.get(_READING) and (savepoint or WRITE_STATEMENT.match(statement)):
            conn.info[_READING] = False
            writers.take(conn.info, statement)
            if not conn.info.get(_SAVEPOINTS):
                _upgrade_before_write(conn, statement)
        if savepoint:
            conn.info[_SAVEPOINTS] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _on_end(conn: Connection) -> None:
        if not conn.invalidated:  # else its pool record was given back when invalidated
            writers.give_back(conn.info)

    @event.listens_for(engine, "checkin")
    @event.listens_for(engine, "invalidate")
    def _on_return(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
        writers.give_back(record.info)  # a connection dropped mid-transaction


class _WriteTurns:
    """The writers of one process take turns on SQLite's write lock through a lock of their
    own, taken just before a transaction's first write and given back when it ends.

    A writer that finds SQLite's lock taken sleeps in SQLite's busy handler, in steps growing
    to 100 ms, and a newcomer can take the lock meanwhile: under many concurrent saves most of
    a save's time was that sleeping while the lock sat free. A Python lock wakes the next
    writer as soon as the last one is done. Writers of other processes (more web processes,
    the queue worker) still meet at SQLite's lock and its busy timeout. A writer that waits
    longer than the busy timeout here gets "database is locked" (503), as it would from
    SQLite."""

    def __init__(self, timeout: float) -> None:
        self.lock = threading.Lock()
        self.timeout = timeout

    def take(self, info: dict, statement: str) -> None:
        if info.get(_WRITE_TURN):
            return
        if not self.lock.acquire(timeout=self.timeout):
            raise OperationalError(statement, None, sqlite3.OperationalError(
                "database is locked (other writers of this process took too long)"))
        info[_WRITE_TURN] = True

    def give_back(self, info: dict) -> None:
        if info.pop(_WRITE_TURN, False):
            self.lock.release()


def _upgrade_before_write(conn: Connection, statement: str) -> None:
    """Swap a transaction that has only read for a write transaction (see the module's doc).

    Safe because nothing was written yet and no savepoint exists; once one does, SQLite
    upgrades in place instead."""
    dbapi_connection = conn.connection.driver_connection
    try:
        dbapi_connection.execute("ROLLBACK")
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        raise OperationalError(statement, None, error) from error


def sqlite_file_missing(url: str) -> bool:
    """True for a SQLite URL naming a file that does not exist (yet)."""
    if not is_sqlite(url):
        return False
    path = make_url(url).database or ""
    return path not in ("", ":memory:") and not path.startswith("file:") \
        and not os.path.exists(path)


def _guard_sqlite_file(engine: Engine, path: str) -> None:
    """Drop connections whose file was deleted, replaced or changed writability since they
    opened it; the pool then opens a new one (or fails: missing file, 503)."""

    @event.listens_for(engine, "connect")
    def _remember(_dbapi_connection: Any, record: Any) -> None:
        record.info["faultline_file"] = _identity(path)

    @event.listens_for(engine, "checkout")
    def _check(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if _identity(path) != record.info.get("faultline_file"):
            logger.error("database file %s was deleted, replaced or made read-only; "
                         "reconnecting", path)
            raise DisconnectionError("the database file was deleted, replaced or changed mode")


def _identity(path: str) -> tuple[int, int, bool] | None:
    """The file's device, inode and writability (a connection opened while the file was
    read-only stays read-only, one opened before keeps writing to its WAL)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino, os.access(path, os.W_OK)


def make_engine(url: str, *, busy_timeout_ms: int = 5_000, must_exist: bool = False,
                **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and writes that wait their turn.

    `must_exist` (the app's engine): SQLite opens the file only if it exists and drops its
    connections once the file is deleted or replaced."""
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    connect_args = {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
    path = make_url(url).database or ""
    on_disk = path not in ("", ":memory:") and not path.startswith("file:")
    if must_exist and on_disk:
        url = f"sqlite:///file:{quote(path)}?mode=rw&uri=true"
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    _tune_sqlite(engine, busy_timeout_ms)
    if must_exist and on_disk:
        _guard_sqlite_file(engine, path)
    return engine


def probe_write(engine: Engine) -> None:
    """Raise unless SQLite would accept a write now (read-only, deleted or replaced file).

    The write changes nothing and is rolled back. PostgreSQL needs no probe: its faults show
    as a failed connection."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection, connection.begin() as transaction:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = version_num")
        transaction.rollback()


def read_only_connection(engine: Engine) -> Connection:
    """A connection for reads only; on SQLite it does not queue behind writers."""
    return engine.connect().execution_options(**{READ_ONLY_OPTION: True})


class Database:
    """The engine and session factory of one app (kept in `app.extensions`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine, expire_on_commit=False)

    def bind_to(self, bind: Any, **session_kwargs: Any) -> None:
        """Make request sessions use `bind` (tests pass a connection in an outer transaction)."""
        self.sessionmaker = sessionmaker(bind=bind, expire_on_commit=False, **session_kwargs)


def init_app(app: Flask) -> Database:
    engine = make_engine(
        str(app.config["DATABASE_URL"]),
        busy_timeout_ms=int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5_000)),
        must_exist=True,
    )
    database = Database(engine)
    app.extensions[EXTENSION_KEY] = database
    app.teardown_appcontext(_close_session)
    return database


def install_commit_hook(app: Flask) -> None:
    """Commit after the view. Register it last: Flask runs after-request hooks in reverse, so
    the commit happens before the access log and headers, and a failed commit becomes a 500."""
    app.after_request(_commit_on_success)


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[EXTENSION_KEY]


def get_session() -> Session:
    """The session of the current request or app context, created on first use."""
    if "db_session" not in g:
        g.db_session = get_database().sessionmaker()
    return g.db_session


def commit_now() -> None:
    """Commit the request's changes now instead of when it ends: on SQLite this releases the
    write lock before the request goes on reading and building its answer, so other writers
    do not wait for that. Later changes are committed at the end as usual. A failed commit
    raises (a busy or broken database answers 503, see `is_unavailable`)."""
    session: Session | None = g.get("db_session")
    if session is not None and session.in_transaction():
        session.commit()


def _commit_on_success(response: Response) -> Response:
    session: Session | None = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 400:
        session.rollback()
        return response
    try:
        session.commit()  # a failure here never becomes a false 2xx
    except SQLAlchemyError as error:
        session.rollback()
        if not is_unavailable(error):
            raise
        return current_app.make_response(current_app.handle_user_exception(unavailable(error)))
    return response


def _close_session(exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    if exc is not None or session.in_transaction():
        session.rollback()
    session.close()


@contextmanager
def session_scope(app: Flask | None = None) -> Iterator[Session]:
    """A session that commits once at the end, or rolls back on any exception (CLI, jobs)."""
    session = get_database(app).sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def timestamp_column(**kwargs: Any) -> Any:
    """A timezone-aware timestamp set by the application, with a database default too."""
    return mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now(), **kwargs
    )
