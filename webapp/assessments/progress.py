"""How much of each step of an assessment is answered: the stepper's numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.assessments.answers import index_of
from webapp.assessments.kinds import Kind, kind_of
from webapp.assessments.models import SYSTEM_SCOPE, Answer, Assessment, answered_clause
from webapp.core.cache import ResultCache


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
    query = select(Answer.scope, Answer.question_id).where(
        Answer.assessment_id == assessment.id, answered_clause()
    )
    out: dict[str, set[str]] = {}
    for scope, qid in session.execute(query):
        out.setdefault(scope, set()).add(qid)
    return out


def not_asked(result, position: int = -1) -> dict[str, str]:
    """Question id -> "Does not apply because …" for the questions the answers make irrelevant
    (`ask_if`), for the system (-1) or the workflow at `position`, from the typed result."""
    if position < 0:
        sections = result.answers.sections
    else:
        found = [w for w in result.answers.workflows if w.position == position]
        sections = found[0].sections if found else ()
    return {r.id: r.answer.na_reason or "" for s in sections for r in s.questions if not r.asked}


def progress(session: Session, assessment: Assessment,
             cache: ResultCache) -> list[StepProgress]:
    """Every step in order: the system sections, workflows, then results. A question the
    answers make irrelevant (`ask_if`) is not counted."""
    if (kind := kind_of(assessment)) is not None:
        return _lens_progress(session, assessment, kind)
    from webapp.assessments.evaluation import relevance

    index = index_of(assessment, content=cache.content)
    hidden = relevance(session, assessment, cache)  # not the whole result: a save asks for this
    answered = answered_by_scope(session, assessment)
    system = answered.get(SYSTEM_SCOPE, set())
    gone = set(hidden.get(-1, ()))
    steps = []
    for s in index.questionnaire.sections:
        if s.kind == "workflow":
            continue
        ids = {q.id for q in s.questions} - gone
        steps.append(StepProgress(s.id, s.title, len(system & ids), len(ids)))
    workflow_done = workflow_total = 0
    for w in assessment.workflows:
        ids = set(index.workflow_ids) - set(hidden.get(w.position, ()))
        workflow_done += len(answered.get(w.scope, set()) & ids)
        workflow_total += len(ids)
    steps.append(StepProgress("workflows", "Workflows", workflow_done, workflow_total))
    steps.append(StepProgress("results", "Results", 0, 0))
    return steps


def _lens_progress(session: Session, assessment: Assessment, kind: Kind) -> list[StepProgress]:
    """A review on a lens: one step per pillar, then results."""
    return lens_steps(kind.result(session, assessment))


def lens_steps(result: Any) -> list[StepProgress]:
    """The steps of a lens result (`webapp.domain.lens_result.LensResult`)."""
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
