"""An assessment as the engine sees it, and its typed result, computed once per revision.

Content (questionnaires, rules, scenarios) is loaded once per process, at startup
(`webapp.core.startup.check_content`); this module only reads it, as an argument (`content`,
or the `ResultCache` that carries it). Every assessment is evaluated against the questionnaire
version it pinned when it started.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import domain
from webapp.assessments.models import SYSTEM_SCOPE, Answer, Assessment
from webapp.core.cache import ResultCache, Shared
from webapp.core.services import ServiceError
from webapp.domain.models import Questionnaire
from webapp.report.cards import finding_anchor  # noqa: F401 - the anchor scheme, one place

logger = logging.getLogger(__name__)



class QuestionnaireMissing(ServiceError):
    """The questionnaire version an assessment pinned is not among the loaded content."""


def questionnaire_of(assessment: Assessment, content: domain.Content) -> Questionnaire:
    """The pinned questionnaire, or `QuestionnaireMissing` with a message an operator can act on."""
    qid, version = assessment.questionnaire_id, assessment.questionnaire_version
    try:
        return content.questionnaire(qid, version)
    except KeyError:
        logger.error("assessment %s pins missing questionnaire %s v%s", assessment.id, qid, version)
        raise QuestionnaireMissing(
            f"This assessment uses questionnaire “{qid}” version {version}, which this "
            "installation no longer ships. Restore that questionnaire file to open it."
        ) from None


def _domain_answer(row: Any) -> domain.Answer | None:
    if row.na_reason is not None:
        return domain.Answer.not_applicable(row.na_reason)
    return domain.Answer.of(list(row.choices)) if row.choices else None


def _fill(answers: dict[str, domain.Answer], notes: dict[str, str] | None,
          rows: Iterable[Any]) -> None:
    for row in rows:
        answer = _domain_answer(row)
        if answer is not None:
            answers[row.question_id] = answer
        if notes is not None and row.note.strip():
            notes[row.question_id] = row.note


def answers_for_domain(session: Session, assessment: Assessment, *, content: domain.Content,
                       only: Collection[str] | None = None) -> domain.Answers:
    """The assessment's answers, notes and workflows (in position order) as engine input.

    `only`: the answers to these questions alone, without notes and automation evidence
    (what `relevance` reads: a save does not read every answer and note back)."""
    choices_only = only is not None
    columns = [Answer.scope, Answer.question_id, Answer.choices, Answer.na_reason]
    if not choices_only:
        columns.append(Answer.note)
    query = select(*columns).where(Answer.assessment_id == assessment.id)
    if only is not None:
        query = query.where(Answer.question_id.in_(sorted(only)))
    rows = session.execute(query).all()
    by_scope: dict[str, list[Any]] = {}
    for row in rows:
        by_scope.setdefault(row.scope, []).append(row)
    result = domain.Answers(
        questionnaire=assessment.questionnaire_id,
        version=assessment.questionnaire_version,
        system=domain.SystemInfo(assessment.name, assessment.description),
        full_review=assessment.full_review,
        upgraded_from=assessment.upgraded_from,
    )
    _fill(result.answers, None if choices_only else result.notes, by_scope.get(SYSTEM_SCOPE, []))
    for workflow in assessment.workflows:
        own = domain.WorkflowAnswers(workflow.name)
        _fill(own.answers, None if choices_only else own.notes, by_scope.get(workflow.scope, []))
        result.workflows.append(own)
    return result if choices_only else _with_evidence(result, assessment, content)


def _with_evidence(answers: domain.Answers, assessment: Assessment,
                   content: domain.Content) -> domain.Answers:
    """Suggestions from the workflows' automation files, as evidence (never applied)."""
    from webapp.assessments.automation import attach_evidence

    workflows = list(assessment.workflows)
    if not any(w.automation_name for w in workflows):
        return answers
    index = content.index(assessment.questionnaire_id, assessment.questionnaire_version)
    return attach_evidence(answers, workflows, index)


def revision_key(assessment: Assessment, *, content: domain.Content) -> str:
    """What identifies an assessment's result: sha256 hex over (assessment id, revision,
    updated_at, questionnaire id, questionnaire version, digest of the loaded content files).

    Every change to answers, workflows, evidence, name or description bumps the revision and
    the update time (`mark_changed`), so equal keys mean an equal result. updated_at too: a
    revision number seen in a transaction that was rolled back can recur. Cheap: no query.
    """
    parts = (assessment.id, assessment.revision, _stamp(assessment.updated_at),
             assessment.questionnaire_id, assessment.questionnaire_version, content.digest)
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()


def _stamp(value: datetime | None) -> str:
    # SQLite hands back naive datetimes, PostgreSQL aware ones: the same instant, one text.
    if value is None:
        return ""
    return value.replace(tzinfo=None).isoformat() if value.tzinfo is None else \
        value.astimezone(UTC).replace(tzinfo=None).isoformat()


def evaluate_assessment(session: Session, assessment: Assessment,
                        cache: ResultCache) -> domain.Result:
    """The typed review of `assessment` (`domain.Result`), computed once per revision.

    Evaluated against the pinned questionnaire version (`QuestionnaireMissing` if it is gone)
    and cached under `revision_key` in `cache` (this process and the shared file cache), so every
    process and page reuses it until the assessment changes. The result is frozen: share it.

    Anchor scheme shared by the editing pages and the results page (see `finding_anchor`):
      - a system finding:    ``#finding-<rule id>``  (e.g. ``#finding-observe.no-alerts``)
      - a workflow finding:  ``#finding-<rule id>--<position>``, position being the workflow's
        0-based place in the list (``Workflow.position``, the result's ``Finding.position``)
      - a question on its editing page: ``#q-<question id>`` (see `question_anchor`)
    """
    content = cache.content
    questionnaire_of(assessment, content)

    def build() -> domain.Result:
        answers = answers_for_domain(session, assessment, content=content)
        ids = [str(w.id) for w in assessment.workflows]
        return domain.evaluate_result(content, answers, assessment.questionnaire_id, ids)

    shared = Shared(f"assessment-{assessment.id}", domain.result_to_dict,
                    domain.result_from_dict)
    return cache.computed(revision_key(assessment, content=content), "result", build, shared)


def relevance(session: Session, assessment: Assessment,
              cache: ResultCache) -> dict[int, dict[str, str]]:
    """Position (-1: the system, else the workflow's) -> question -> "Does not apply because
    …" for the questions the answers make irrelevant: what the result reports as not asked,
    once per revision, without evaluating the review (a save asks for this, not the result)."""
    content = cache.content
    questionnaire_of(assessment, content)

    def build() -> dict[int, dict[str, str]]:
        compiled = content.engine(assessment.questionnaire_id, assessment.questionnaire_version)
        answers = answers_for_domain(session, assessment, content=content,
                                     only=domain.screen_inputs(compiled))
        return domain.hidden_questions(content, answers, assessment.questionnaire_id)

    return cache.computed(revision_key(assessment, content=content), "relevance", build)


def finding_data(assessment: Assessment, result: domain.Result,
                 cache: ResultCache) -> tuple[dict[str, Any], ...]:
    """The result's findings as JSON data (plan page, exports), once per revision."""
    return cache.computed(revision_key(assessment, content=cache.content), "finding-data",
                          lambda: tuple(domain.result_to_dict(result)["findings"]))


def workflow_positions(assessment: Assessment, cache: ResultCache) -> dict[int, int]:
    """Workflow id -> position, read once per revision (adding, moving or removing a workflow
    changes the revision)."""
    return cache.computed(revision_key(assessment, content=cache.content), "workflow-positions",
                          lambda: {w.id: w.position for w in assessment.workflows})


def question_anchor(question_id: str) -> str:
    """The HTML id of a question on its editing page."""
    return f"q-{question_id}"
