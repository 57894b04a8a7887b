"""Alembic environment: runs against the app's DATABASE_URL (or a connection handed in).

Called three ways: by `webapp.core.migrate` (which passes the URL, or a live connection in
`config.attributes["connection"]`), and by the plain `alembic -c webapp/migrations/alembic.ini`
command, which reads DATABASE_URL from the environment like the app does.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import webapp.models  # noqa: F401  (registers every table on Base.metadata)
from webapp.core.config import load_settings
from webapp.core.db import Base, is_sqlite, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or str(load_settings()["DATABASE_URL"])


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTERs by table copy
        compare_type=True,
    )


def run_offline() -> None:
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=is_sqlite(url),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
