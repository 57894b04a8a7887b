"""The Alembic migrations: from empty to head and back, step by step, and no drift."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import webapp.models  # noqa: F401  (every table registered on Base.metadata)
from webapp.core import migrate
from webapp.core.db import Base, make_engine


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def current(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def test_upgrade_from_empty_then_downgrade_to_base(fresh_database_url):
    url = fresh_database_url
    assert tables(url) == set()
    migrate.upgrade(url)
    assert current(url) == migrate.head_revision()
    assert {"users", "teams", "memberships"} <= tables(url)
    assert tables(url) == set(Base.metadata.tables)
    migrate.downgrade(url, "base")
    assert current(url) is None
    assert tables(url) == set()


def test_every_revision_upgrades_and_downgrades_one_step_at_a_time(fresh_database_url):
    url = fresh_database_url
    script = ScriptDirectory.from_config(migrate.alembic_config())
    revisions = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    for revision in revisions:
        migrate.upgrade(url, "+1")
        assert current(url) == revision
    for expected in [*reversed(revisions[:-1]), None]:
        migrate.downgrade(url, "-1")
        assert current(url) == expected


def test_models_match_the_migrations(fresh_database_url):
    migrate.upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "models and migrations differ; write a revision for: " + repr(
        differences
    )


def test_revision_chain_has_a_single_head():
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1
