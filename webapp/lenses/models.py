"""Imported AWS custom lenses and the answers of assessments taken on one.

A lens is stored in the database (not in a file) so that every app process on every machine
sees the same lenses. An assessment on a lens keeps its usual row: its `questionnaire_id` is
`lens:<key>` and its `questionnaire_version` the lens version it was started with.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.core.db import Base, timestamp_column

LENS_PREFIX = "lens:"
#: Characters a note of a lens answer may hold.
NOTE_MAX_CHARS = 20_000
NA_REASONS = ("OUT_OF_SCOPE", "BUSINESS_PRIORITIES", "ARCHITECTURE_CONSTRAINTS", "OTHER")



class LensVersion(Base):
    """One imported version of a lens; importing a changed file adds the next version."""

    __tablename__ = "lens_versions"
    __table_args__ = (
        UniqueConstraint("lens_key", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Faultline's id of the lens, derived from its name ("amazon-ecs-lens").
    lens_key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(128))
    #: The file as imported (JSON text), validated again whenever it is read.
    source: Mapped[str] = mapped_column(Text)
    #: sha256 of the canonical JSON of the lens: an unchanged file is not a new version.
    digest: Mapped[str] = mapped_column(String(64))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = timestamp_column()
    #: Set on every version of a retired lens: no longer offered when a review starts.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    imported_by: Mapped[User | None] = relationship()

    @property
    def questionnaire_id(self) -> str:
        return LENS_PREFIX + self.lens_key

    def __repr__(self) -> str:
        return f"<LensVersion {self.lens_key} v{self.version}>"


class LensAnswerRow(Base):
    """One question's answer in an assessment on a lens: choices, or not applicable."""

    __tablename__ = "lens_answers"
    __table_args__ = (
        UniqueConstraint("assessment_id", "question_id"),
        CheckConstraint(f"na_reason IS NULL OR na_reason IN {NA_REASONS!r}", name="na_known"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(128))
    #: The selected choice ids, in the lens's order.
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    na_reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    #: Bumped by every save; a save made from an older version is a conflict.
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = timestamp_column()

    updated_by: Mapped[User | None] = relationship()
