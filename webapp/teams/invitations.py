"""Invitations: an owner invites an email address into a team; nobody joins without accepting.

The link's token is 256 random bits, stored as its SHA-256 hash, shown once to the owner (and
mailed when mail is configured); it works once, until it expires or is revoked. Resending
makes a new token (the old link stops working). Whoever holds the link accepts it with the
account they sign in or sign up with. Answers never say whether an address has an account.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.accounts.services import normalize_email
from webapp.audit.services import record_team_audit
from webapp.core.db import as_utc, utcnow
from webapp.core.errors import NotFoundError
from webapp.core.services import ServiceError
from webapp.core.tokens import TOKEN_SHAPE, hash_token, new_token
from webapp.teams.models import Invitation, Membership, Role, Team

logger = logging.getLogger(__name__)

LIFETIME = timedelta(days=7)
ALREADY_PENDING = "An invitation for this address is already pending: resend or revoke it below."


@dataclass(frozen=True)
class NewInvitation:
    invitation: Invitation
    token: str


def _token_for(invitation: Invitation) -> str:
    token = new_token()
    invitation.token_hash = hash_token(token)
    invitation.sent_at = utcnow()
    invitation.expires_at = invitation.sent_at + LIFETIME
    return token


def pending(session: Session, team: Team) -> list[Invitation]:
    """Invitations neither accepted nor revoked nor expired, newest first."""
    query = (select(Invitation)
             .where(Invitation.team_id == team.id, Invitation.accepted_at.is_(None),
                    Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
             .order_by(Invitation.sent_at.desc(), Invitation.id.desc()))
    return list(session.scalars(query))


def invite(session: Session, team: Team, inviter: User, email: str, role: Role) -> NewInvitation:
    email = normalize_email(email)
    if any(invitation.email == email for invitation in pending(session, team)):
        raise ServiceError(ALREADY_PENDING, "email")
    invitation = Invitation(team_id=team.id, email=email, role=role.value,
                            invited_by_id=inviter.id)
    token = _token_for(invitation)
    session.add(invitation)
    session.flush()
    logger.info("invitation %s to team %s sent by user %s", invitation.id, team.id, inviter.id)
    return NewInvitation(invitation, token)


def _pending_of(session: Session, team: Team, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.team_id != team.id or invitation not in pending(
            session, team):
        raise NotFoundError()
    return invitation


def resend(session: Session, team: Team, invitation_id: int) -> NewInvitation:
    invitation = _pending_of(session, team, invitation_id)
    token = _token_for(invitation)
    session.flush()
    logger.info("invitation %s resent", invitation.id)
    return NewInvitation(invitation, token)


def revoke(session: Session, team: Team, invitation_id: int) -> Invitation:
    invitation = _pending_of(session, team, invitation_id)
    invitation.revoked_at = utcnow()
    session.flush()
    logger.info("invitation %s revoked", invitation.id)
    return invitation


def open_invitation(session: Session, token: str) -> Invitation | None:
    """The live invitation for `token`, or None (one answer for unknown, used, expired,
    revoked)."""
    if not TOKEN_SHAPE.match(token or ""):
        return None
    invitation = session.scalar(select(Invitation).where(
        Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        return None
    if utcnow() >= as_utc(invitation.expires_at):
        return None
    return invitation


def _claim(session: Session, invitation: Invitation, user: User) -> bool:
    """Mark it accepted unless someone else just did: single use even when two accept at once."""
    result = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
               Invitation.revoked_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=user.id)
    )
    return result.rowcount == 1


def accept(session: Session, token: str, user: User) -> tuple[Invitation, bool]:
    """Join the team; returns the invitation and whether a membership was added (False when
    `user` was already a member: the role they have is kept)."""
    invitation = open_invitation(session, token)
    if invitation is None or not _claim(session, invitation, user):
        raise NotFoundError()
    joined = session.get(Membership, (invitation.team_id, user.id)) is None
    if joined:
        session.add(Membership(team_id=invitation.team_id, user_id=user.id,
                               role=invitation.role))
    session.flush()
    if joined:
        record_team_audit(session, invitation.team_id, actor=user, action="member.joined",
                          target=user.name, detail={"member": user.name, "role": invitation.role})
    session.refresh(invitation)
    logger.info("invitation %s accepted by user %s (joined=%s)", invitation.id, user.id, joined)
    return invitation, joined
