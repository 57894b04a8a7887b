"""Read-only share links: create, revoke, resolve a token, log a view, list for the owners.

A token is 256 bits from `secrets` (43 URL-safe characters). It exists in exactly two places:
the creator's screen, once, and the recipient's hands. The database keeps its SHA-256 hash
(a fast hash is enough: the token is random, not a password), the logs never see it, and the
audit log names links by id and label.

Every function takes an optional `now` so tests pin the clock; expiry is exact: a link
stops working at `expires_at` itself.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from webapp.accounts.models import User
from webapp.assessments.models import Assessment
from webapp.audit.services import record_audit
from webapp.core.db import as_utc, utcnow
from webapp.core.services import ServiceError, row_of_assessment
from webapp.core.tokens import TOKEN_SHAPE, hash_token, new_token
from webapp.report.data import EDITIONS
from webapp.sharing.clients import describe_client
from webapp.sharing.models import CLIENT_MAX, LABEL_MAX, ShareLink, ShareView
from webapp.teams.models import Role
from webapp.teams.services import require_membership
from webapp.tracking.models import Milestone

logger = logging.getLogger(__name__)

#: What `secrets.token_urlsafe(32)` looks like; anything else is refused before any lookup.
DEFAULT_DAYS = 30
MAX_DAYS = 365
#: Views listed per link on the sharing page (the count covers all of them).
VIEWS_SHOWN = 20


class ShareState(enum.StrEnum):
    LIVE = "live"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class NewShare:
    """A link just created, with its token: show `token` once, then let it go."""

    link: ShareLink
    token: str


@dataclass(frozen=True)
class ShareSummary:
    link: ShareLink
    state: ShareState
    views: list[ShareView]


def share_state(link: ShareLink, now: datetime | None = None) -> ShareState:
    if link.revoked_at is not None:
        return ShareState.REVOKED
    if (now or utcnow()) >= as_utc(link.expires_at):
        return ShareState.EXPIRED
    return ShareState.LIVE


def _checked_edition(edition: str) -> str:
    if edition not in EDITIONS:
        raise ServiceError("Choose the full review or the executive edition.", "edition")
    return edition


def create_share(
    session: Session,
    assessment: Assessment,
    user: User,
    *,
    label: str,
    days: int = DEFAULT_DAYS,
    milestone_id: int | None = None,
    edition: str = "full",
    now: datetime | None = None,
) -> NewShare:
    """A new link valid for `days` (1 to 365); editors and owners only."""
    require_membership(session, assessment.team_id, user, Role.EDITOR)
    label = _checked_label(label)
    if not 1 <= days <= MAX_DAYS:
        raise ServiceError(f"A link can last from 1 to {MAX_DAYS} days.", "days")
    milestone = _milestone(session, assessment, milestone_id)
    now = now or utcnow()
    token = new_token()
    link = ShareLink(assessment_id=assessment.id, milestone=milestone, label=label,
                     token_hash=hash_token(token), created_by_id=user.id, created_at=now,
                     expires_at=now + timedelta(days=days), view_count=0,
                     edition=_checked_edition(edition))
    session.add(link)
    session.flush()
    record_audit(session, assessment=assessment, actor=user, action="share.created",
                 target=f"share:{link.id}", detail={"after": _audit_view(link)}, now=now)
    logger.info("assessment %s: user %s created share link %s", assessment.id, user.id, link.id)
    return NewShare(link, token)


def revoke_share(
    session: Session, assessment: Assessment, link_id: int, user: User,
    now: datetime | None = None,
) -> ShareLink:
    """Revoke at once (the next request is refused); revoking twice changes nothing."""
    require_membership(session, assessment.team_id, user, Role.EDITOR)
    link = _link_of(session, assessment, link_id)
    if link.revoked_at is not None:
        return link
    now = now or utcnow()
    before = _audit_view(link, now)
    link.revoked_at, link.revoked_by_id = now, user.id
    session.flush()
    record_audit(session, assessment=assessment, actor=user, action="share.revoked",
                 target=f"share:{link.id}",
                 detail={"before": before, "after": _audit_view(link, now)}, now=now)
    logger.info("assessment %s: user %s revoked share link %s", assessment.id, user.id, link.id)
    return link


def resolve_share(session: Session, token: str, now: datetime | None = None) -> ShareLink | None:
    """The live link for `token`, or None (unknown, expired or revoked: callers answer all
    three alike). Each refusal is logged with its reason and the link id, never the token."""
    if not TOKEN_SHAPE.match(token):
        logger.info("refused share link: malformed token")
        return None
    link = session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_token(token)))
    if link is None:
        logger.info("refused share link: unknown token")
        return None
    state = share_state(link, now)
    if state is not ShareState.LIVE:
        logger.info("refused share link %s: %s", link.id, state.value)
        return None
    return link


def record_view(
    session: Session, link: ShareLink, *, kind: str, user_agent: str | None,
    now: datetime | None = None,
) -> ShareView:
    """Log one opening ("page" or "pdf") with a coarse client description."""
    now = now or utcnow()
    view = ShareView(share_link_id=link.id, viewed_at=now, kind=kind,
                     client=describe_client(user_agent)[:CLIENT_MAX])
    session.add(view)
    link.view_count = ShareLink.view_count + 1  # an UPDATE ... SET x = x + 1: no lost counts
    link.last_viewed_at = now
    session.flush()
    return view


def list_shares(
    session: Session, assessment: Assessment, now: datetime | None = None
) -> list[ShareSummary]:
    """Every link of the assessment, newest first, with its state and latest views."""
    links = session.scalars(
        select(ShareLink)
        .where(ShareLink.assessment_id == assessment.id)
        .options(selectinload(ShareLink.milestone), selectinload(ShareLink.created_by))
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
    ).all()
    return [ShareSummary(link, share_state(link, now), _latest_views(session, link))
            for link in links]


def milestone_choices(session: Session, assessment: Assessment) -> list[tuple[int, str]]:
    """(id, name) of the assessment's milestones, newest first, for the "pin to" choice."""
    rows = session.execute(
        select(Milestone.id, Milestone.name)
        .where(Milestone.assessment_id == assessment.id)
        .order_by(Milestone.created_at.desc(), Milestone.id.desc())
    )
    return [(row.id, row.name) for row in rows]


def _latest_views(session: Session, link: ShareLink) -> list[ShareView]:
    return list(session.scalars(
        select(ShareView).where(ShareView.share_link_id == link.id)
        .order_by(ShareView.viewed_at.desc(), ShareView.id.desc()).limit(VIEWS_SHOWN)
    ))


def _checked_label(label: str) -> str:
    label = " ".join((label or "").split())
    if not label:
        raise ServiceError("Give the link a label, such as who it is for.", "label")
    if len(label) > LABEL_MAX:
        raise ServiceError(f"Labels are limited to {LABEL_MAX} characters.", "label")
    return label


def _milestone(session: Session, assessment: Assessment, milestone_id: int | None):
    if milestone_id is None:
        return None
    milestone = session.get(Milestone, milestone_id)
    if milestone is None or milestone.assessment_id != assessment.id:
        raise ServiceError("That milestone is not part of this assessment.", "milestone")
    return milestone


def _link_of(session: Session, assessment: Assessment, link_id: int) -> ShareLink:
    return row_of_assessment(session, ShareLink, link_id, assessment)


def _audit_view(link: ShareLink, now: datetime | None = None) -> dict[str, object]:
    """What the audit log says about a link: never its token or its hash."""
    return {
        "label": link.label,
        "milestone": link.milestone.name if link.milestone else None,
        "expires_at": as_utc(link.expires_at).isoformat(timespec="seconds"),
        "status": share_state(link, now).value,
    }
