"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app
from sqlalchemy.exc import SQLAlchemyError

from webapp.db import get_database
from webapp.extensions import csrf, limiter
from webapp.migrate import answering_revision, head_revision

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
    """Ready to serve: the database answers and its schema is at the latest migration."""
    engine = get_database(current_app).engine
    try:
        current = answering_revision(engine)
    except SQLAlchemyError as error:
        logger.warning("not ready: database unreachable: %s", error.__class__.__name__)
        return {"status": "unavailable", "reason": "database unreachable"}, 503
    head = head_revision()
    if current != head:
        reason = f"database schema at {current or 'empty'}, expected {head}"
        logger.warning("not ready: %s", reason)
        return {"status": "unavailable", "reason": reason}, 503
    return {"status": "ready", "schema": current}
