"""The audit log: one row per change somebody made."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.accounts.models import User
from webapp.core.db import Base, timestamp_column

if TYPE_CHECKING:
    from webapp.assessments.models import Assessment


class AuditEvent(Base):
    """One change to an assessment: who (or nobody, for share-link views and the system),
    when, what (`action` such as "answer.changed", "share.created", "finding.status_changed"),
    on what (`target`, e.g. "system/obs.alerting" or "share:12"), and the before/after."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_assessment_time", "assessment_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    #: Null for events without a signed-in user (share-link views, system jobs) or once the
    #: user's account is deleted.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = timestamp_column()
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300), default="")
    #: JSON: usually {"before": ..., "after": ...}; never a share token.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    assessment: Mapped[Assessment] = relationship()
    actor: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.target!r}>"


