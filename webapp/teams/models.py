"""Teams and their members; a member's role decides what they may do."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import Base, timestamp_column, utcnow

if TYPE_CHECKING:
    from webapp.accounts.models import User


class Role(enum.StrEnum):
    """A member's role in a team; the order of `RANKS` is the order of power."""

    VIEWER = "viewer"
    EDITOR = "editor"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return ROLE_RANKS[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


ROLE_RANKS = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}
ROLE_VALUES = tuple(role.value for role in Role)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="team", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Team {self.id} {self.name!r}>"


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLE_VALUES!r}", name="role_known"),
    )

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: One of `Role`; stored as text so a new role needs no enum migration.
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def __repr__(self) -> str:
        return f"<Membership team={self.team_id} user={self.user_id} {self.role}>"


class Invitation(Base):
    """An owner's invitation for an email address to join a team with a role.

    Nobody joins before accepting: accepting (signed in with any account) adds the membership.
    """

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint(f"role IN {ROLE_VALUES!r}", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    #: Lowercased, as typed by the owner; the invitee may accept with another account.
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = timestamp_column()
    #: The last time a link was made for it (creation or resend): resending makes a new token.
    sent_at: Mapped[datetime] = timestamp_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    team: Mapped[Team] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    def __repr__(self) -> str:
        return f"<Invitation {self.id} team={self.team_id} {self.email}>"
