"""Schema migrations: thin helpers over Alembic used by the CLI, startup checks and tests."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from webapp.core.db import read_only_connection

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config for our migrations folder, aimed at `url` or a live `connection`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the migrations folder holds no revision")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty (unmigrated) database."""
    with read_only_connection(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def answering_revision(engine: Engine) -> str | None:
    """`current_revision` once the database has answered a ping; SQLAlchemyError if it does not."""
    with read_only_connection(engine) as connection:
        connection.execute(text("SELECT 1"))
    return current_revision(engine)


def upgrade(url: str, revision: str = "head") -> None:
    logger.info("upgrading the database schema to %s", revision)
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    logger.info("downgrading the database schema to %s", revision)
    command.downgrade(alembic_config(url), revision)
