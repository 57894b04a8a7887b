"""Share links, their view log, and the audit log of changes to an assessment.

A share link keeps only the SHA-256 hash of its token: the token itself is shown once, when
the link is created, and never stored or logged. The audit log records who changed what and
when; its `detail` holds before/after values, never a token.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.core.db import Base, timestamp_column

if TYPE_CHECKING:  # imported for annotations only: importing them here would be circular
    from webapp.assessments.models import Assessment
    from webapp.tracking.models import Milestone

#: A share link's label, at most this many characters.
LABEL_MAX = 120
#: A view's client description ("Firefox on Windows"), at most this many characters.
CLIENT_MAX = 80



class ShareLink(Base):
    """A read-only link to an assessment's report, live or pinned to a milestone."""

    __tablename__ = "share_links"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        CheckConstraint("view_count >= 0", name="view_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    #: Set: the link shows this frozen milestone; null: the assessment as it is now.
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(LABEL_MAX))
    #: Hex SHA-256 of the token. The token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = timestamp_column()
    #: The first instant the link no longer works.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    view_count: Mapped[int] = mapped_column(default=0)
    #: the PDF the link offers: "full" or "executive"
    edition: Mapped[str] = mapped_column(String(16), default="full", server_default="full")
    last_viewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    assessment: Mapped[Assessment] = relationship()
    milestone: Mapped[Milestone | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def __repr__(self) -> str:
        return f"<ShareLink {self.id} {self.label!r}>"


class ShareView(Base):
    """One opening of a share link: when, what (page or PDF) and a coarse client description.
    Neither the token nor the client's address is kept."""

    __tablename__ = "share_views"
    __table_args__ = (Index("ix_share_views_link_time", "share_link_id", "viewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    share_link_id: Mapped[int] = mapped_column(ForeignKey("share_links.id", ondelete="CASCADE"))
    viewed_at: Mapped[datetime] = timestamp_column()
    #: "page" (the report in the browser) or "pdf" (the download).
    kind: Mapped[str] = mapped_column(String(8))
    #: Such as "Firefox on Windows"; never the full User-Agent or the IP address.
    client: Mapped[str] = mapped_column(String(CLIENT_MAX))

    def __repr__(self) -> str:
        return f"<ShareView {self.id} link={self.share_link_id} {self.kind}>"
