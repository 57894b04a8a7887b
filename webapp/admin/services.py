"""Administration of the installation: accounts, administrators, the sign-up mode.

Every change here is written to the administration log (`AdminEvent`) in the same
transaction, with who did it; never a token or a password.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from webapp.accounts.links import NewLink, make_reset_link
from webapp.accounts.models import AdminEvent, InstallationSetting, User
from webapp.accounts.services import end_sessions
from webapp.accounts.signups import SIGNUP_KEY, signup_mode
from webapp.core.config import SIGNUP_MODES
from webapp.core.errors import NotFoundError
from webapp.core.services import ServiceError
from webapp.teams.models import Membership, Team

logger = logging.getLogger(__name__)

#: The administration log's words for each action.
ACTION_LABELS = {
    "signup.mode_changed": "Sign-up mode changed",
    "user.disabled": "Account disabled",
    "user.enabled": "Account enabled",
    "admin.granted": "Made administrator",
    "admin.removed": "Administration removed",
    "user.signed_out": "Signed out everywhere",
    "user.reset_link_made": "Reset link made",
    "lens.imported": "Lens imported",
    "lens.retired": "Lens retired",
    "lens.restored": "Lens brought back",
    "lens.deleted": "Lens deleted",
}
RECENT_EVENTS = 30


@dataclass(frozen=True)
class UserRow:
    user: User
    teams: list[str]


def record(session: Session, actor: User | None, action: str, target: str = "",
           detail: dict[str, Any] | None = None) -> AdminEvent:
    event = AdminEvent(actor_id=actor.id if actor else None, action=action,
                       target=target[:300], detail=detail or {})
    session.add(event)
    session.flush()
    logger.info("admin: %s %s by user %s", action, target, event.actor_id)
    return event


def recent_events(session: Session) -> list[AdminEvent]:
    query = (select(AdminEvent).options(selectinload(AdminEvent.actor))
             .order_by(AdminEvent.created_at.desc(), AdminEvent.id.desc()).limit(RECENT_EVENTS))
    return list(session.scalars(query))


def users(session: Session) -> list[UserRow]:
    query = (select(User).options(selectinload(User.memberships).selectinload(Membership.team))
             .order_by(func.lower(User.name), User.id))
    return [UserRow(user, sorted(m.team.name for m in user.memberships))
            for user in session.scalars(query)]


def all_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(func.lower(Team.name), Team.id)))


def set_signup_mode(session: Session, actor: User, mode: str, configured: str) -> None:
    """Store the administrator's sign-up mode (`configured`: FAULTLINE_SIGNUP, the mode
    before any choice, for the audit event)."""
    if mode not in SIGNUP_MODES:
        raise ServiceError("Choose one of the listed sign-up modes.", "mode")
    before = signup_mode(session, configured)
    setting = session.get(InstallationSetting, SIGNUP_KEY)
    if setting is None:
        session.add(InstallationSetting(key=SIGNUP_KEY, value=mode))
    else:
        setting.value = mode
    record(session, actor, "signup.mode_changed", "installation",
           {"before": before, "after": mode})


def _other_user(session: Session, actor: User, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError()
    if user.id == actor.id:
        raise ServiceError("You cannot change your own account here; ask another administrator.")
    return user


def _target(user: User) -> str:
    return f"user:{user.id} {user.email}"


def set_disabled(session: Session, actor: User, user_id: int, disabled: bool) -> User:
    user = _other_user(session, actor, user_id)
    user.is_disabled = disabled
    end_sessions(session, user)
    record(session, actor, "user.disabled" if disabled else "user.enabled", _target(user))
    return user


def set_admin(session: Session, actor: User, user_id: int, admin: bool) -> User:
    user = _other_user(session, actor, user_id)
    user.is_admin = admin
    record(session, actor, "admin.granted" if admin else "admin.removed", _target(user))
    return user


def sign_out_everywhere(session: Session, actor: User, user_id: int) -> User:
    user = _other_user(session, actor, user_id)
    end_sessions(session, user)
    record(session, actor, "user.signed_out", _target(user))
    return user


def reset_link(session: Session, actor: User, user_id: int) -> NewLink:
    user = _other_user(session, actor, user_id)
    link = make_reset_link(session, user)
    record(session, actor, "user.reset_link_made", _target(user),
           {"expires_at": link.expires_at.isoformat()})
    return link


def create_admin(session: Session, *, email: str, name: str, password: str | None) -> User:
    """`faultline admin create`: a new administrator, or an existing account made one."""
    from webapp.accounts.services import find_user_by_email, sign_up

    user = find_user_by_email(session, email)
    if user is None:
        if password is None:
            raise ServiceError("A new account needs a password.", "password")
        user = sign_up(session, email=email, name=name, password=password)
    user.is_admin = True
    user.is_disabled = False
    session.flush()
    record(session, None, "admin.granted", _target(user), {"by": "command line"})
    return user
