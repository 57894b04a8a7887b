"""Milestones (frozen snapshots of a review) and the tracking of each finding of the plan.

A milestone stores what the review was at one moment as plain JSON: the answers in the
answers-file shape (`domain.answers_to_dict`) and the engine's result (`domain.result_to_dict`),
with the questionnaire version they were evaluated against. Nothing updates a milestone: the
services have no such path and a flush that would change one is refused (see `_refuse_update`).

A finding is tracked per (assessment, scope, rule): `scope` is "system" or "workflow:<id>",
the same non-null key answers use, so a renamed workflow keeps its findings' status.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from webapp.accounts.models import User
from webapp.core.db import Base, timestamp_column

if TYPE_CHECKING:  # imported for annotations only: importing them here would be circular
    from webapp.assessments.models import Assessment, Workflow

#: Longest milestone note and finding comment, in characters (the column checks are backstops).
MILESTONE_NOTE_MAX = 5_000
COMMENT_MAX = 10_000


class FindingStatus(enum.StrEnum):
    OPEN = "open"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    RISK_ACCEPTED = "risk_accepted"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    FindingStatus.OPEN: "Open",
    FindingStatus.PLANNED: "Planned",
    FindingStatus.IN_PROGRESS: "In progress",
    FindingStatus.DONE: "Done",
    FindingStatus.RISK_ACCEPTED: "Risk accepted",
}
FINDING_STATUS_VALUES = tuple(status.value for status in FindingStatus)



class Milestone(Base):
    __tablename__ = "milestones"
    __table_args__ = (
        UniqueConstraint("assessment_id", "name", name="uq_milestones_name"),
        CheckConstraint("questionnaire_version >= 1", name="version_positive"),
        CheckConstraint(f"length(note) <= {MILESTONE_NOTE_MAX}", name="note_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    #: Markdown as typed: why this moment was frozen (a review meeting, a release).
    note: Mapped[str] = mapped_column(Text, default="")
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    questionnaire_version: Mapped[int]
    #: The assessment's revision when frozen (tells whether "now" differs at all).
    revision: Mapped[int] = mapped_column(default=0)
    #: `domain.answers_to_dict` of the answers and notes at that moment.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: `domain.result_to_dict` of the evaluation at that moment.
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = timestamp_column()

    assessment: Mapped[Assessment] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Milestone {self.id} {self.name!r}>"


class MilestoneImmutable(RuntimeError):
    """Something tried to change a frozen milestone."""


@event.listens_for(Session, "before_flush")
def _refuse_update(session: Session, _context: Any, _instances: Any) -> None:
    """A milestone is written once: a flush that would update one fails loudly."""
    for obj in session.dirty:
        if isinstance(obj, Milestone) and session.is_modified(obj, include_collections=False):
            raise MilestoneImmutable(f"milestone {obj.id} is frozen and cannot be changed")


class FindingTracking(Base):
    """Where the team stands on one finding: status, owner, due date, accepted risk."""

    __tablename__ = "finding_tracking"
    __table_args__ = (
        UniqueConstraint("assessment_id", "scope", "rule_id", name="uq_finding_tracking_finding"),
        CheckConstraint(f"status IN {FINDING_STATUS_VALUES!r}", name="status_known"),
        CheckConstraint(
            "(scope = 'system' AND workflow_id IS NULL)"
            " OR (scope <> 'system' AND workflow_id IS NOT NULL)",
            name="scope_matches_workflow",
        ),
        CheckConstraint(
            "status <> 'risk_accepted' OR (justification IS NOT NULL AND review_date IS NOT NULL)",
            name="risk_accepted_justified",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    workflow_id: Mapped[int | None] = mapped_column(
        ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    #: "system" or "workflow:<id>", as on answers.
    scope: Mapped[str] = mapped_column(String(40))
    rule_id: Mapped[str] = mapped_column(String(200))
    #: One of `FindingStatus`.
    status: Mapped[str] = mapped_column(String(16), default=FindingStatus.OPEN.value)
    #: The team member who drives the fix.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    #: Why the risk is accepted (required with that status), Markdown.
    justification: Mapped[str | None] = mapped_column(Text)
    #: When an accepted risk is to be looked at again (required with that status).
    review_date: Mapped[dt.date | None] = mapped_column(Date)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = timestamp_column()

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    workflow: Mapped[Workflow | None] = relationship()
    comments: Mapped[list[FindingComment]] = relationship(
        back_populates="tracking",
        cascade="all, delete-orphan",
        order_by="FindingComment.created_at, FindingComment.id",
    )

    @property
    def status_enum(self) -> FindingStatus:
        return FindingStatus(self.status)

    def __repr__(self) -> str:
        return f"<FindingTracking {self.rule_id} {self.scope} {self.status}>"


class FindingComment(Base):
    __tablename__ = "finding_comments"
    __table_args__ = (CheckConstraint(f"length(body) <= {COMMENT_MAX}", name="body_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_id: Mapped[int] = mapped_column(
        ForeignKey("finding_tracking.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Markdown as typed; rendered sanitized on display.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = timestamp_column()

    tracking: Mapped[FindingTracking] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FindingComment {self.id} on {self.tracking_id}>"
