"""One-time account links (password reset, email change), installation
settings and the administration log.

Every token here is 256 random bits shown once (in a link) and stored only as its SHA-256
hash, like share-link tokens.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, func
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.db import Base, timestamp_column, utcnow

if TYPE_CHECKING:
    from webapp.teams.models import Membership

#: What an account token is for.
TOKEN_PURPOSES = ("reset", "email")


class AccountToken(Base):
    """A one-time link for an account: a password reset, or the confirmation of a new email."""

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint(f"purpose IN {TOKEN_PURPOSES!r}", name="purpose_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: For an email change: the address to switch to once confirmed.
    new_email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = timestamp_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class InstallationSetting(Base):
    """A setting changed on the admin page; it wins over the environment's default."""

    __tablename__ = "installation_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class AdminEvent(Base):
    """One administrative action: who, when, what (`action`), on whom or what (`target`)."""

    __tablename__ = "admin_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = timestamp_column(index=True)
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300), default="")
    #: JSON, never a token or a password.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


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


