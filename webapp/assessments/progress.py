"""How much of each step of an assessment is answered: the stepper's numbers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.assessments.answers import index_of
from webapp.assessments.kinds import Kind, kind_of
from webapp.assessments.models import SYSTEM_SCOPE, Answer, Assessment


@dataclass(frozen=True)
class StepProgress:
    id: str  # a system section id, "workflows" or "results"
    title: str
    answered: int
    total: int

    @property
    def done(self) -> bool:
        return self.total > 0 and self.answered >= self.total

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def answered_by_scope(session: Session, assessment: Assessment) -> dict[str, set[str]]:
    """scope -> ids of questions answered there (a choice or N/A)."""
    query = select(Answer.scope, Answer.question_id, Answer.choices, Answer.na_reason).where(
        Answer.assessment_id == assessment.id
    )
    out: dict[str, set[str]] = {}
    for scope, qid, choices, na_reason in session.execute(query):
        if choices or na_reason is not None:
            out.setdefault(scope, set()).add(qid)
    return out


def progress(session: Session, assessment: Assessment) -> list[StepProgress]:
    """Every step in order: the system sections, workflows, then results."""
    if (kind := kind_of(assessment)) is not None:
        return _lens_progress(session, assessment, kind)
    index = index_of(assessment)
    answered = answered_by_scope(session, assessment)
    system = answered.get(SYSTEM_SCOPE, set())
    steps = [
        StepProgress(s.id, s.title, len(system & {q.id for q in s.questions}), len(s.questions))
        for s in index.questionnaire.sections
        if s.kind != "workflow"
    ]
    per_workflow = len(index.workflow_ids)
    workflow_done = sum(len(answered.get(w.scope, set())) for w in assessment.workflows)
    steps.append(
        StepProgress(
            "workflows", "Workflows", workflow_done, per_workflow * len(assessment.workflows)
        )
    )
    steps.append(StepProgress("results", "Results", 0, 0))
    return steps


def _lens_progress(session: Session, assessment: Assessment, kind: Kind) -> list[StepProgress]:
    """A review on a lens: one step per pillar, then results."""
    result = kind.result(session, assessment)
    steps = [
        StepProgress(
            p.pillar.id,
            p.pillar.name,
            sum(q.answer.is_answered for q in p.questions),
            len(p.questions),
        )
        for p in result.pillars
    ]
    return [*steps, StepProgress("results", "Results", 0, 0)]
