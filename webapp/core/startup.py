"""Startup checks: refuse to start with one clear line naming what is wrong.

`check_prerequisites(app)` runs when the app is created; `faultline serve` migrates first,
so there a database that is behind is brought up to date instead of refused.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from webapp.core.config import base_url_problem, secret_key_problem
from webapp.core.db import get_database, sqlite_file_missing
from webapp.core.migrate import answering_revision, head_revision

logger = logging.getLogger(__name__)

CONTENT_EXTENSION_KEY = "faultline.content"
CONTENT_FOLDERS = ("questionnaires", "rules")


class StartupError(RuntimeError):
    """A prerequisite is missing. str() is the one line shown to the operator."""


def check_secret_key(app: Flask) -> None:
    problem = secret_key_problem(app.config) or base_url_problem(app.config)
    if problem:
        raise StartupError(problem)


def _database_problem(error: SQLAlchemyError) -> str:
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return f"database unreachable ({detail})"


def check_database(app: Flask) -> None:
    """The database answers and its schema is at the latest migration."""
    engine = get_database(app).engine
    head = head_revision()
    if sqlite_file_missing(str(app.config["DATABASE_URL"])):  # never created empty in place
        raise StartupError(
            f"database schema is at empty, this version needs {head}: run `faultline db upgrade`")
    try:
        current = answering_revision(engine)
    except SQLAlchemyError as error:
        raise StartupError(_database_problem(error)) from None
    if current != head:
        found = current or "empty"
        raise StartupError(
            f"database schema is at {found}, this version needs {head}: run `faultline db upgrade`"
        )


def _content_loader() -> Callable[[Path], Any]:
    """The engine's `load_content`; a function of its own so tests can replace it."""
    from webapp.domain import load_content

    return load_content


def _fingerprint(content_dir: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of every content file: unchanged files need no reload."""
    files = sorted(
        path for folder in CONTENT_FOLDERS for path in (content_dir / folder).rglob("*")
        if path.is_file()
    )
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


#: Loaded content by (loader, folder, fingerprint). Loading takes about a second and every
#: app (every test) checks it, so unchanged content is validated once per process.
_loaded: dict[tuple[Any, Path, tuple[tuple[str, int, int], ...]], Any] = {}
_content_lock = threading.Lock()


def _load_once(loader: Any, content_dir: Path) -> Any:
    key = (loader, content_dir.resolve(), _fingerprint(content_dir))
    if key not in _loaded:
        if len(_loaded) >= 4:
            _loaded.pop(next(iter(_loaded)))
        _loaded[key] = loader(content_dir)
    return _loaded[key]


def _content_problem(error: Exception) -> str:
    """One line: the first problem, and how many more `faultline check` will list."""
    problems = list(getattr(error, "problems", None) or [])
    if not problems:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        return "; ".join(lines) or type(error).__name__
    more = len(problems) - 1
    suffix = f" (and {more} more: run `faultline check`)" if more else ""
    return f"{problems[0]}{suffix}"


def check_content(app: Flask) -> None:
    """Load questionnaires and rules; keep them on the app for the views."""
    loader = _content_loader()
    content_dir = Path(app.config["FAULTLINE_CONTENT_DIR"])
    try:
        app.extensions[CONTENT_EXTENSION_KEY] = _load_once(loader, content_dir)
    except Exception as error:  # ContentError, but also anything the loader did not expect
        raise StartupError(f"invalid content in {content_dir}: {_content_problem(error)}") from None


def get_content(app: Flask | None = None) -> Any:
    """The content loaded at startup (what `load_content` returned); loaded here, once, when
    startup skipped it (tests, CLI). The one way views, commands and queue tasks read it; the
    services they call take it as an argument (`content`, or the `ResultCache` that carries it)."""
    from flask import current_app

    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    content = app.extensions.get(CONTENT_EXTENSION_KEY)
    if content is None:
        with _content_lock:
            content = app.extensions.get(CONTENT_EXTENSION_KEY)
            if content is None:
                content_dir = Path(app.config["FAULTLINE_CONTENT_DIR"])
                content = _load_once(_content_loader(), content_dir)
                app.extensions[CONTENT_EXTENSION_KEY] = content
    return content


def check_rate_limit_storage(app: Flask) -> None:
    """A configured Redis must answer; the in-memory default always does."""
    from webapp.core.extensions import limiter

    uri = str(app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if uri.startswith("memory://"):
        return
    try:
        reachable = limiter.storage.check()
    except Exception:  # the storage client raises its own connection errors
        reachable = False
    if not reachable:
        raise StartupError(
            f"rate-limit storage unreachable ({_redacted(uri)}): check FAULTLINE_REDIS_URL"
        )


def _redacted(uri: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(uri).render_as_string(hide_password=True)
    except Exception:
        return uri.split("@")[-1]


def check_prerequisites(app: Flask) -> None:
    check_secret_key(app)
    check_database(app)
    check_rate_limit_storage(app)
    if app.config.get("CHECK_CONTENT", True):
        check_content(app)
