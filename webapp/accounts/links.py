"""One-time account links: password reset (by email, or made by an administrator) and the
confirmation of a new email address.

A link's token is shown once (in an email or on the administrator's screen) and stored as
its SHA-256 hash; it works once, until it expires, and a newer link of the same kind for the
same account replaces it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.accounts.models import AccountToken, User
from webapp.accounts.services import find_user_by_email, normalize_email, set_password
from webapp.core.db import as_utc, utcnow
from webapp.core.services import ServiceError
from webapp.core.tokens import TOKEN_SHAPE, hash_token, new_token

logger = logging.getLogger(__name__)

LIFETIMES = {"reset": timedelta(hours=2), "email": timedelta(hours=24)}
LINK_DEAD = "This link has expired or was already used. Ask for a new one."


@dataclass(frozen=True)
class NewLink:
    user: User
    token: str
    expires_at: datetime


def _issue(session: Session, user: User, purpose: str, new_email: str | None = None) -> NewLink:
    now = utcnow()
    _retire(session, user, purpose, now)
    token = new_token()
    expires_at = now + LIFETIMES[purpose]
    session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=hash_token(token),
                             new_email=new_email, created_at=now, expires_at=expires_at))
    session.flush()
    return NewLink(user=user, token=token, expires_at=expires_at)


def _retire(session: Session, user: User, purpose: str, now: datetime) -> None:
    """Older unused links of this kind stop working: only the newest one counts."""
    session.execute(
        update(AccountToken)
        .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
               AccountToken.used_at.is_(None))
        .values(used_at=now)
    )


def live_token(session: Session, token: str, purpose: str) -> AccountToken | None:
    """The unused, unexpired link for `token`, or None (same answer for every failure)."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == hash_token(token),
                                                    AccountToken.purpose == purpose))
    if row is None or row.used_at is not None or utcnow() >= as_utc(row.expires_at):
        return None
    if row.user.is_disabled:
        return None
    return row


def request_reset(session: Session, email: str) -> NewLink | None:
    """A reset link for the account using `email`, or None when there is none (the caller
    answers the same either way)."""
    user = find_user_by_email(session, email)
    if user is None or user.is_disabled:
        logger.info("password reset asked for an unknown or disabled address")
        return None
    return _issue(session, user, "reset")


def make_reset_link(session: Session, user: User) -> NewLink:
    """A reset link an administrator hands over (when there is no email)."""
    return _issue(session, user, "reset")


def reset_password(session: Session, token: str, password: str) -> User:
    row = live_token(session, token, "reset")
    if row is None:
        raise ServiceError(LINK_DEAD)
    set_password(session, row.user, password)
    row.used_at = utcnow()
    session.flush()
    logger.info("password of user %s reset by link", row.user_id)
    return row.user


def request_email_change(session: Session, user: User, new_email: str) -> NewLink | None:
    """A confirmation link to send to `new_email`, or None when the address is taken (the
    caller answers the same either way: nobody learns which addresses have accounts)."""
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise ServiceError("This is already your email.", "email")
    if find_user_by_email(session, new_email) is not None:
        logger.info("email change of user %s refused quietly: address taken", user.id)
        return None
    return _issue(session, user, "email", new_email=new_email)


def change_email_now(session: Session, user: User, new_email: str) -> None:
    """Without outgoing mail there is nobody to confirm with: change at once, if free."""
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise ServiceError("This is already your email.", "email")
    if find_user_by_email(session, new_email) is not None:
        raise ServiceError("This email cannot be used. Choose another one.", "email")
    user.email = new_email
    session.flush()


def confirm_email_change(session: Session, token: str) -> User:
    row = live_token(session, token, "email")
    if row is None or find_user_by_email(session, row.new_email or "") is not None:
        raise ServiceError(LINK_DEAD)
    row.user.email = row.new_email or row.user.email
    row.used_at = utcnow()
    session.flush()
    logger.info("email of user %s changed after confirmation", row.user_id)
    return row.user
