"""Teams and their members. `require_membership` is the one access check for team data."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.audit.services import record_team_audit
from webapp.core.errors import ForbiddenError, NotFoundError
from webapp.core.services import ServiceError
from webapp.teams.models import Membership, Role, Team

logger = logging.getLogger(__name__)


def require_membership(
    session: Session, team_id: int, user: User, min_role: Role = Role.VIEWER
) -> Membership | AdminView:
    """The user's membership of the team, or an access error.

    Non-members get `NotFoundError` (a 404): they must not learn that the team exists. Members
    whose role is below `min_role` get `ForbiddenError` (a 403). Call it on every request that
    reads or changes anything belonging to a team, with the role the action needs. An
    administrator who is not a member reads (an `AdminView`) but changes nothing.
    """
    membership = session.get(Membership, (team_id, user.id)) if user.is_authenticated else None
    if membership is None and getattr(user, "is_admin", False):
        return _admin_view(session, team_id, user, min_role)
    if membership is None:
        logger.info("refused team %s to user %s: not a member", team_id, _uid(user))
        raise NotFoundError()
    if not membership.role_enum.at_least(min_role):
        logger.info(
            "refused team %s to user %s: role %s below %s",
            team_id,
            user.id,
            membership.role,
            min_role.value,
        )
        raise ForbiddenError(f"This needs the {min_role.value} role in this team.")
    return membership


@dataclass(frozen=True)
class AdminView:
    """An administrator reading a team they are not a member of: a viewer's rights, no more.

    Quacks like a `Membership` for the views; it is never added to the database.
    """

    team: Team
    user: User
    role: str = Role.VIEWER.value
    is_admin_view: bool = True

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


def _admin_view(session: Session, team_id: int, user: User, min_role: Role) -> AdminView:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFoundError()
    if min_role != Role.VIEWER:
        logger.info("refused team %s to admin %s: read-only without membership", team_id, user.id)
        raise ForbiddenError("Administrators can read every team's work but change only their "
                             "own teams'. Ask an owner of this team to invite you.")
    return AdminView(team=team, user=user)


def _uid(user: User) -> object:
    return getattr(user, "id", None)


def teams_of(session: Session, user: User) -> list[Membership]:
    """The user's memberships, teams ordered by name."""
    query = (
        select(Membership)
        .join(Membership.team)
        .where(Membership.user_id == user.id)
        .order_by(func.lower(Team.name), Team.id)
    )
    return list(session.scalars(query))


def members_of(session: Session, team: Team) -> list[Membership]:
    query = (
        select(Membership)
        .join(Membership.user)
        .where(Membership.team_id == team.id)
        .order_by(func.lower(User.name), User.id)
    )
    return list(session.scalars(query))


def create_team(session: Session, owner: User, name: str) -> Team:
    team = Team(name=name.strip())
    team.memberships.append(Membership(user=owner, role=Role.OWNER.value))
    session.add(team)
    session.flush()
    logger.info("team %s created by user %s", team.id, owner.id)
    return team


def _owner_count(session: Session, team_id: int) -> int:
    # Lock the team row so two owners demoting each other at once cannot leave none.
    session.execute(select(Team.id).where(Team.id == team_id).with_for_update())
    query = select(func.count()).where(
        Membership.team_id == team_id, Membership.role == Role.OWNER.value
    )
    return session.scalar(query) or 0


def _ensure_not_last_owner(session: Session, membership: Membership) -> None:
    if membership.role == Role.OWNER.value and _owner_count(session, membership.team_id) <= 1:
        raise ServiceError("A team needs at least one owner. Make someone else owner first.")


def _member(session: Session, team: Team, user_id: int) -> Membership:
    membership = session.get(Membership, (team.id, user_id))
    if membership is None:
        raise NotFoundError()
    return membership


def change_role(session: Session, team: Team, user_id: int, role: Role,
                actor: User | None = None) -> Membership:
    membership = _member(session, team, user_id)
    if role != Role.OWNER:
        _ensure_not_last_owner(session, membership)
    before = membership.role
    membership.role = role.value
    session.flush()
    if before != role.value:
        record_team_audit(session, team.id, actor=actor, action="member.role_changed",
                          target=membership.user.name,
                          detail={"member": membership.user.name, "before": before,
                                  "after": role.value})
    logger.info("user %s is now %s of team %s", user_id, role.value, team.id)
    return membership


def remove_member(session: Session, team: Team, user_id: int, actor: User | None = None) -> None:
    membership = _member(session, team, user_id)
    _ensure_not_last_owner(session, membership)
    name, role = membership.user.name, membership.role
    session.delete(membership)
    session.flush()
    record_team_audit(session, team.id, actor=actor, action="member.removed", target=name,
                      detail={"member": name, "role": role})
    logger.info("user %s removed from team %s", user_id, team.id)
