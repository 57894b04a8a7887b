"""The `faultline` command line.

Each command is a thin shell over a module that does the work, and imports it lazily so that
content commands (check, questionnaire, template, report, review) start fast and never need the
web stack.
"""

from __future__ import annotations

import click

from webapp import __version__


@click.group()
@click.version_option(__version__, prog_name="faultline")
def main() -> None:
    """Faultline: reliability reviews for systems and their automated workflows."""


# --- server commands (serve, db) -------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads.")
def serve(host: str, port: int, threads: int) -> None:
    """Serve the web app with waitress; creates or migrates the database first."""
    from webapp import server

    server.serve(host, port, threads)


@main.group()
def db() -> None:
    """Database schema migrations (DATABASE_URL, default: SQLite in ./instance)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the schema up to REVISION (default: the latest)."""
    from webapp import server

    server.upgrade(revision)
    click.echo(f"database at {server.current()}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the schema down to REVISION (`base` empties the database)."""
    from webapp import server

    server.downgrade(revision)
    click.echo(f"database at {server.current()}")


@db.command("current")
def db_current() -> None:
    """Show the schema revision of the database."""
    from webapp import server

    click.echo(server.current())


# --- content commands (check, questionnaire, template, report) ------------------------------


# --- automation reviewer (review) ------------------------------------------------------------
