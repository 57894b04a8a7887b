"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app
from sqlalchemy.exc import SQLAlchemyError

from webapp.core.db import get_database, probe_write
from webapp.core.extensions import csrf, limiter
from webapp.core.migrate import answering_revision, head_revision

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)
csrf.exempt(bp)
limiter.exempt(bp)


@bp.get("/healthz")
def healthz():
    """The process is alive; says nothing about its dependencies."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database answers, takes writes (SQLite: the file is still the one
    opened, and writable) and its schema is at the latest migration."""
    engine = get_database(current_app).engine
    try:
        current = answering_revision(engine)
    except SQLAlchemyError as error:
        return _unavailable("database unreachable", error)
    try:
        probe_write(engine)
    except SQLAlchemyError as error:
        return _unavailable("database refuses writes", error)
    head = head_revision()
    if current != head:
        reason = f"database schema at {current or 'empty'}, expected {head}"
        logger.warning("not ready: %s", reason)
        return {"status": "unavailable", "reason": reason}, 503
    return {"status": "ready", "schema": current}


def _unavailable(reason: str, error: SQLAlchemyError):
    cause = str(getattr(error, "orig", None) or error).splitlines()[:1]
    logger.warning("not ready: %s: %s", reason, cause[0] if cause else type(error).__name__)
    return {"status": "unavailable", "reason": reason}, 503
