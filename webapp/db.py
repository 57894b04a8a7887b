"""Database plumbing: the declarative base, engines, and the per-request session.

A request gets one session (`get_session()`), created lazily. Services flush; the request
commits once after the view returned a successful response (status below 400) and rolls back
otherwise. CLI commands and background jobs use `session_scope()` for the same contract.

SQLite is tuned for a small multi-threaded server: WAL (readers never block the writer), a
busy timeout, and every transaction begins with BEGIN IMMEDIATE so it takes the write lock up
front. Without that, two deferred transactions that both read and then write deadlock on the
lock upgrade and one fails at once with "database is locked", whatever the busy timeout. The
price is that SQLite transactions run one at a time, which is fine for the single-node mode.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

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
#: Execution option for connections that only read: on SQLite they begin a deferred
#: transaction and never wait for the write lock (health checks, startup checks).
READ_ONLY_OPTION = "faultline_read_only"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
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
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str, *, busy_timeout_ms: int = 15_000, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and BEGIN IMMEDIATE."""
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    connect_args = {"timeout": busy_timeout_ms / 1000, "check_same_thread": False}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    _tune_sqlite(engine, busy_timeout_ms)
    return engine


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
        busy_timeout_ms=int(app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15_000)),
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


def _commit_on_success(response: Response) -> Response:
    session: Session | None = g.get("db_session")
    if session is None:
        return response
    if response.status_code < 400:
        session.commit()  # a failure here raises, and the client gets a 500, not a false 2xx
    else:
        session.rollback()
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
