"""What `faultline serve` and `faultline db ...` do. The click commands live in cli.py."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import click
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.core import migrate
from webapp.core.config import (
    ConfigError,
    base_url_problem,
    load_settings,
    secret_key_problem,
    served_address,
)
from webapp.core.db import make_engine
from webapp.core.logs import configure_logging
from webapp.core.startup import StartupError

logger = logging.getLogger(__name__)


def _one_line(error: BaseException) -> str:
    detail = getattr(error, "orig", None) or error
    lines = [line.strip() for line in str(detail).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def _settings() -> dict[str, object]:
    try:
        return load_settings()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _database_url() -> str:
    return str(_settings()["DATABASE_URL"])


def _check_reachable(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        raise click.ClickException(f"database unreachable ({_one_line(error)})") from None
    finally:
        engine.dispose()


def upgrade(revision: str = "head") -> None:
    url = _database_url()
    _check_reachable(url)
    try:
        migrate.upgrade(url, revision)
    except Exception as error:  # Alembic raises plain CommandError, SQLAlchemy its own
        raise click.ClickException(f"database migration failed: {_one_line(error)}") from None


def downgrade(revision: str) -> None:
    url = _database_url()
    _check_reachable(url)
    try:
        migrate.downgrade(url, revision)
    except Exception as error:
        raise click.ClickException(f"database downgrade failed: {_one_line(error)}") from None


def current() -> str:
    url = _database_url()
    _check_reachable(url)
    engine = make_engine(url)
    try:
        found = migrate.current_revision(engine) or "empty (no schema yet)"
    finally:
        engine.dispose()
    head = migrate.head_revision()
    return f"{found} (latest: {head})"


def _checked_app(served_at: str = ""):
    """Check the secret and the base URL, migrate, build the app (which checks the rest).

    `served_at` is the address `faultline serve` listens on: links use it when
    FAULTLINE_BASE_URL is unset.
    """
    from webapp.app import create_app

    configure_logging()
    settings = _settings()
    problem = secret_key_problem(settings) or base_url_problem(settings)
    if problem:
        raise click.ClickException(problem)
    upgrade()
    try:
        return create_app({"FAULTLINE_SERVED_AT": served_at} if served_at else None)
    except (StartupError, ConfigError) as error:
        raise click.ClickException(str(error)) from None


def serve(host: str, port: int, threads: int, workers: int = 1, queue_threads: int = 1,
          with_queue: bool = True) -> None:
    """Serve the app; with `with_queue`, a queue worker process runs beside it (restarted if
    it dies) so that the one command does everything. One process: waitress; several:
    gunicorn (see `webapp.core.production`)."""
    app = _checked_app(served_address(host, port))
    side = QueueWorkerProcess(queue_threads) if with_queue else None
    if side is not None:
        side.start()
    # SIGTERM (service managers, `kill`) ends the server through `finally`, worker included.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        logger.info("serving on http://%s:%s (%d process%s)", host, port, workers,
                    "" if workers == 1 else "es")
        if workers > 1:
            from webapp.core.production import serve_with_gunicorn

            serve_with_gunicorn(app, host, port, workers, threads)
        else:
            import waitress

            waitress.serve(app, host=host, port=port, threads=threads, ident="faultline",
                           connection_limit=1000, channel_timeout=60)
    finally:
        if side is not None:
            side.stop()


def worker(threads: int, exit_with_parent: bool = False) -> None:
    """Run a queue worker: `threads` PDFs at most at once, at a lower CPU priority than the
    web processes of the same machine, until SIGTERM or Ctrl-C (or, started by `serve`, until
    that process is gone, however it ended)."""
    app = _checked_app()
    if exit_with_parent:
        _stop_when_orphaned()
    with contextlib.suppress(OSError):
        os.nice(10)
    from webapp.tasks import get_queue

    # An idle consumer of the SQLite queue polls at most every second (Redis blocks instead).
    consumer = get_queue(app).huey.create_consumer(
        workers=threads, worker_type="thread", periodic=True, check_worker_health=True,
        initial_delay=0.1, backoff=1.15, max_delay=1.0)
    logger.info("queue worker running %d render thread(s)", threads)
    consumer.run()


def _stop_when_orphaned() -> None:
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        logger.warning("the server that started this queue worker is gone; stopping")
        os.kill(os.getpid(), signal.SIGTERM)  # the consumer's own graceful shutdown

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


class QueueWorkerProcess:
    """`faultline worker` as a child of `faultline serve`, restarted when it exits."""

    def __init__(self, threads: int) -> None:
        self.command = [sys.executable, "-m", "webapp.cli", "worker", "--threads", str(threads),
                        "--exit-with-parent"]
        self.process: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self._watch, daemon=True, name="queue-watch")

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.watcher.start()
        atexit.register(self.stop)

    def _watch(self) -> None:
        while not self.stopping.wait(2):
            if self.process is not None and self.process.poll() is not None:
                logger.error("queue worker exited with %s; starting a new one",
                             self.process.returncode)
                self.process = subprocess.Popen(self.command)

    def stop(self) -> None:
        self.stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@contextlib.contextmanager
def command_app(overrides: dict | None = None):
    """The app of a one-shot command; its database connections are closed when it ends (a
    command run inside another process, as in tests, must not leave them to the collector)."""
    from webapp.app import create_app
    from webapp.core.db import get_database

    try:
        app = create_app(overrides)
    except (StartupError, ConfigError) as error:
        raise click.ClickException(str(error)) from None
    try:
        yield app
    finally:
        get_database(app).engine.dispose()


def create_admin(email: str, name: str) -> str:
    """`faultline admin create`: promote the account using `email`, or create it."""
    from webapp.accounts import services as accounts
    from webapp.admin.services import create_admin as make_admin
    from webapp.core.db import session_scope
    from webapp.core.services import ServiceError

    with command_app({"CHECK_CONTENT": False}) as app, app.app_context(), \
            session_scope(app) as session:
        existing = accounts.find_user_by_email(session, email)
        password = None
        if existing is None:
            name = name or click.prompt("Name")
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = make_admin(session, email=email, name=name, password=password)
        except ServiceError as error:
            raise click.ClickException(error.message) from None
        verb = "is now an administrator" if existing else "created as an administrator"
        return f"{user.email} {verb}"
