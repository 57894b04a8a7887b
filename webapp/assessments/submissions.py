"""One-time form tokens: a form that creates something carries one; processing claims it.

A second submission of the same form (double click, browser resend) finds its token claimed
and changes nothing. The primary key makes two racing submissions end in one claim.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments.models import FormSubmission
from webapp.core.db import utcnow

logger = logging.getLogger(__name__)

TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
#: Claimed tokens are kept this long: far longer than any browser resends a form.
KEEP_FOR = timedelta(days=7)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def claim(session: Session, token: str | None, user: User) -> bool:
    """True the first time `token` is seen; False for a resubmission or a malformed token."""
    if not token or not TOKEN_SHAPE.match(token):
        return False
    _forget_old(session, user)
    try:
        with session.begin_nested():
            session.add(FormSubmission(token=token, user_id=user.id))
            session.flush()
    except IntegrityError:
        logger.info("ignored resubmitted form (user %s)", user.id)
        return False
    return True


def _forget_old(session: Session, user: User) -> None:
    cutoff = utcnow() - KEEP_FOR
    session.execute(
        delete(FormSubmission).where(
            FormSubmission.user_id == user.id, FormSubmission.created_at < cutoff
        )
    )
