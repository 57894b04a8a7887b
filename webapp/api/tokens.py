"""Personal access tokens: create (the token is returned once), authenticate, revoke.

A token is `flt_` and 43 random URL-safe characters; only its SHA-256 is stored, so a leaked
database does not leak working tokens. Expired and revoked tokens authenticate nobody.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.api.models import ApiToken, TokenScope
from webapp.audit.models import AuditEvent
from webapp.core.db import utcnow
from webapp.core.errors import NotFoundError
from webapp.core.services import ServiceError
from webapp.core.tokens import hash_token as token_hash

logger = logging.getLogger(__name__)

PREFIX = "flt_"
#: Lifetimes a person can choose, in days; a token always expires.
LIFETIMES = (7, 30, 90, 365)
MAX_ACTIVE = 20
#: The audit log's actions for a request made with a token.
USE_ACTIONS = ("api.read", "api.write")


class TokenRefused(Exception):
    """No usable token: missing, unknown, expired or revoked (the reason is for the log).
    `token` is the stored token when it exists (expired or revoked): its use is audited."""

    def __init__(self, reason: str, token: ApiToken | None = None) -> None:
        super().__init__(reason)
        self.token = token


def create_token(
    session: Session, user: User, *, name: str, scope: str, days: int
) -> tuple[ApiToken, str]:
    """A new token of `user` and its secret, which is never stored or shown again."""
    name = name.strip()
    if not name:
        raise ServiceError("Name the token after what uses it, e.g. “CI pipeline”.", "name")
    if scope not in {s.value for s in TokenScope}:
        raise ServiceError("Choose read or read-write.", "scope")
    if days not in LIFETIMES:
        raise ServiceError("Choose one of the listed lifetimes.", "days")
    if len(active_tokens(session, user)) >= MAX_ACTIVE:
        raise ServiceError(f"You have {MAX_ACTIVE} active tokens: revoke one first.")
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:100], token_hash=token_hash(raw),
                     prefix=raw[:12], scope=scope, expires_at=utcnow() + dt.timedelta(days=days))
    session.add(token)
    session.flush()
    logger.info("user %s created API token %s (%s, %d days)", user.id, token.id, scope, days)
    return token, raw


def active_tokens(session: Session, user: User) -> list[ApiToken]:
    now = utcnow()
    return [t for t in tokens_of(session, user) if t.revoked_at is None and _aware(t.expires_at)
            > now]


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))


def recent_uses(session: Session, user: User, limit: int = 20) -> list[AuditEvent]:
    """The latest uses of the user's tokens, from the audit log (each request is one row)."""
    query = (select(AuditEvent).where(AuditEvent.actor_id == user.id,
                                      AuditEvent.action.in_(USE_ACTIONS))
             .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit))
    return list(session.scalars(query))


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        logger.info("user %s revoked API token %s", user.id, token.id)
    return token


def authenticate(session: Session, raw: str) -> ApiToken:
    """The live token for `raw`; `TokenRefused` otherwise. Marks it used."""
    if not raw.startswith(PREFIX):
        raise TokenRefused("not a Faultline token")
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
    if token is None:
        raise TokenRefused("unknown token")
    if token.revoked_at is not None:
        raise TokenRefused(f"token {token.id} is revoked", token)
    if _aware(token.expires_at) <= utcnow():
        raise TokenRefused(f"token {token.id} expired", token)
    token.last_used_at = utcnow()
    session.flush()
    return token


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; they are stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
