"""An assessment revision's figures as the portfolio shows them, kept in the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.db import Base, timestamp_column


class AssessmentSummary(Base):
    """A dozen numbers of one assessment's result: overall and layer scores, coverage, fit,
    counts of critical, high and all findings, and its "Now" findings. The task queue writes it
    after every change (`webapp.portfolio.summaries`), so the portfolio, the assessments
    dashboard and the API's list read small rows instead of building results. `revision_key`
    is the evaluation's key of the revision the figures describe: a row whose key is not the
    assessment's current one is out of date and is never shown as current."""

    __tablename__ = "assessment_summaries"

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    revision_key: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int]
    overall: Mapped[float | None]
    coverage: Mapped[float | None]
    #: "strong" | "partial" | "poor"; None while unanswered or on a lens.
    fit: Mapped[str | None] = mapped_column(String(20))
    fit_title: Mapped[str] = mapped_column(String(200), default="")
    #: [[layer id, title, score or null], ...] in the result's order.
    layers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    critical: Mapped[int] = mapped_column(default=0)
    high: Mapped[int] = mapped_column(default=0)
    #: Every finding (a lens review: its high and medium risks), as the dashboard counts them.
    findings: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The "Now" findings: [[rule id, workflow name or null], ...].
    now: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Why there are no figures (e.g. the pinned questionnaire is gone), else None.
    problem: Mapped[str | None] = mapped_column(Text)
    computed_at: Mapped[datetime] = timestamp_column()

    def __repr__(self) -> str:
        return f"<AssessmentSummary {self.assessment_id} r{self.revision}>"
