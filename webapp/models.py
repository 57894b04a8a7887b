"""The database model: typed SQLAlchemy 2 declarative classes.

Later issues add their tables here (or in a `models_<feature>.py` imported below) together
with an Alembic revision; `tests/web/test_migrations.py` fails when the two drift apart.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


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


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lowercased; the unique index makes sign-up races end in one account.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: An argon2id hash in PHC string format (includes its own parameters and salt).
    password_hash: Mapped[str] = mapped_column(String(255))
    #: The first account created on an installation administers it.
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: A disabled account cannot sign in and its sessions end at once.
    is_disabled: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    #: Part of every session cookie; bumping it (sign-out, password change, an administrator's
    #: action) ends every session of the account on the server side.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    last_signin_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        """Flask-Login's session id: the user id and the session generation."""
        return f"{self.id}:{self.session_generation}"

    @property
    def is_active(self) -> bool:
        return not self.is_disabled

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


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


# Issue 4's tables live in their own module; importing it registers them on Base.metadata.
import webapp.models_accounts  # noqa: E402, F401
import webapp.models_api  # noqa: E402, F401
import webapp.models_assessment  # noqa: E402, F401
import webapp.models_lens  # noqa: E402, F401
import webapp.models_sharing  # noqa: E402, F401
import webapp.models_tracking  # noqa: E402, F401
import webapp.portfolio.models  # noqa: E402, F401
