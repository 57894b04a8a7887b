"""Use cases on a SQLAlchemy session.

Services flush and never commit: the request (or the CLI command) commits once. They raise
`ServiceError` for a refusal the user can act on (its message is shown as is), and
`NotFoundError` / `ForbiddenError` (`webapp.core.errors`) for access decisions, which the pages
and the API answer with their 404 and 403, so views need no translation.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from webapp.core.errors import NotFoundError

logger = logging.getLogger(__name__)
Row = TypeVar("Row")


class ServiceError(Exception):
    """A request the service refuses, with a message written for the user.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def row_of_assessment(session: Session, model: type[Row], row_id: int, assessment: Any) -> Row:
    """The `model` row `row_id` if it belongs to `assessment`, else 404 (another assessment's
    row is not found here either)."""
    row = session.get(model, row_id)
    if row is None or row.assessment_id != assessment.id:
        logger.info("refused %s %s of assessment %s: not found", model.__name__, row_id,
                    assessment.id)
        raise NotFoundError()
    return row
