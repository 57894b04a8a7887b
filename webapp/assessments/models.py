"""Assessments, their workflows and answers, and one-shot form submissions.

An answer belongs to the system or to one workflow. Its `scope` column says which as a non-null
key ("system" or "workflow:<id>") because a unique constraint over a nullable `workflow_id`
would let two system answers to the same question coexist (NULLs never compare equal).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    cast,
    false,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from webapp.accounts.models import User
from webapp.core.db import Base, timestamp_column
from webapp.teams.models import Team

SYSTEM_SCOPE = "system"
#: Notes longer than this are refused with a message (the column check is a backstop).
NOTE_MAX_CHARS = 20_000


class Status(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


STATUS_VALUES = tuple(status.value for status in Status)


def workflow_scope(workflow_id: int) -> str:
    return f"workflow:{workflow_id}"



class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUS_VALUES!r}", name="status_known"),
        CheckConstraint("questionnaire_version >= 1", name="version_positive"),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    questionnaire_id: Mapped[str] = mapped_column(String(100))
    #: The questionnaire version pinned at start: later versions never change this review.
    questionnaire_version: Mapped[int]
    #: One of `Status`, kept up to date by every save.
    status: Mapped[str] = mapped_column(String(16), default=Status.NOT_STARTED.value)
    #: Bumped by every change to answers or workflows; keys the cached evaluation.
    revision: Mapped[int] = mapped_column(default=0)
    #: The step the review was last seen on ("fit", a layer id, "workflows", ...), to resume.
    last_step: Mapped[str | None] = mapped_column(String(100))
    #: The team chose the full review although the fit is poor (else: the minimum checklist).
    full_review: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The questionnaire version the answers were carried from by an upgrade (None: none).
    upgraded_from: Mapped[int | None] = mapped_column(default=None)
    #: The review this one continues ("Start the next review"), for comparing the two.
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = timestamp_column()
    updated_at: Mapped[datetime] = timestamp_column()

    team: Mapped[Team] = relationship()
    created_by: Mapped[User | None] = relationship()
    workflows: Mapped[list[Workflow]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="Workflow.position, Workflow.id",
    )

    def __repr__(self) -> str:
        return f"<Assessment {self.id} {self.name!r}>"


class Workflow(Base):
    __tablename__ = "workflows"
    __table_args__ = (CheckConstraint("position >= 0", name="position_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    #: 0-based display order, kept contiguous; the engine's workflow position.
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Where the automation lives (a file path or URL), for readers of the review.
    source: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = timestamp_column()
    #: The workflow's automation file (GitHub Actions workflow, compose file or Kubernetes
    #: manifest) as uploaded or pasted: its name as shown ("release.yml") and its text. The
    #: automated reviewer reads it to suggest answers; None when no file is linked.
    automation_name: Mapped[str | None] = mapped_column(String(200))
    automation_text: Mapped[str | None] = mapped_column(Text)

    assessment: Mapped[Assessment] = relationship(back_populates="workflows")

    @property
    def scope(self) -> str:
        return workflow_scope(self.id)

    def __repr__(self) -> str:
        return f"<Workflow {self.id} {self.name!r} at {self.position}>"


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("assessment_id", "scope", "question_id", name="uq_answers_question"),
        CheckConstraint(
            "(scope = 'system' AND workflow_id IS NULL)"
            " OR (scope <> 'system' AND workflow_id IS NOT NULL)",
            name="scope_matches_workflow",
        ),
        CheckConstraint(f"length(note) <= {NOTE_MAX_CHARS}", name="note_length"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_answers_workflow_id", "workflow_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    workflow_id: Mapped[int | None] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    #: "system" or "workflow:<id>": non-null so the unique constraint holds on every backend.
    scope: Mapped[str] = mapped_column(String(40))
    question_id: Mapped[str] = mapped_column(String(200))
    #: Chosen choice ids in questionnaire order; empty when unanswered or not applicable.
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Set when the question is marked not applicable: the reason given.
    na_reason: Mapped[str | None] = mapped_column(Text)
    #: Markdown as typed; rendered sanitized on display.
    note: Mapped[str] = mapped_column(Text, default="")
    #: Optimistic concurrency: a save names the version it was based on.
    version: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = timestamp_column()

    updated_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Answer {self.scope} {self.question_id} v{self.version}>"


def answered_clause() -> ColumnElement[bool]:
    """SQL for "this answer has a choice or is marked not applicable", so counts and progress
    are computed by the database instead of decoding every row's choices in Python. An empty
    choice list is stored as the JSON text `[]` on every backend."""
    return or_(Answer.na_reason.is_not(None), cast(Answer.choices, String) != "[]")


class FormSubmission(Base):
    """A form's one-time token, claimed when the form is processed: a resubmission is seen."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = timestamp_column()
