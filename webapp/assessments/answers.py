"""Saving answers with optimistic concurrency.

Every submitted answer names the version it was based on (0: there was no answer yet). The
save is a compare-and-set:

- same value as stored: nothing changes (a double submit, or a field nobody touched);
- based on the stored version: written, version + 1;
- based on an older version with a different value: a `Conflict` carrying both values, and
  nothing is written for it. The caller shows both and lets the person choose.

The UPDATE itself checks the version, so two transactions racing past the read still cannot
both win (PostgreSQL); on SQLite writers are serialized anyway.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.accounts.models import User
from webapp.assessments.models import NOTE_MAX_CHARS, SYSTEM_SCOPE, Answer, Assessment, Workflow
from webapp.assessments.services import mark_changed
from webapp.audit.services import answer_change, record_audit
from webapp.core.db import utcnow
from webapp.core.services import ServiceError
from webapp.domain import Content
from webapp.domain.answer_checks import AnswerProblem, answer_problems
from webapp.domain.index import QuestionInfo, QuestionnaireIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerValue:
    """What a person gave for one question: choice ids, or N/A with a reason, and a note."""

    choices: tuple[str, ...] = ()
    na_reason: str | None = None
    note: str = ""

    @property
    def is_answered(self) -> bool:
        return bool(self.choices) or self.na_reason is not None


@dataclass(frozen=True)
class AnswerInput:
    question_id: str
    value: AnswerValue
    #: The version the person saw when they edited (0 when there was no answer yet).
    base_version: int = 0


@dataclass(frozen=True)
class StoredAnswer:
    value: AnswerValue
    version: int
    updated_by: str | None
    updated_at: datetime | None


@dataclass(frozen=True)
class Conflict:
    question_id: str
    mine: AnswerValue
    theirs: StoredAnswer


@dataclass
class SaveResult:
    saved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    #: question id -> the version now stored (0: none)
    versions: dict[str, int] = field(default_factory=dict)
    #: question id -> what is stored now, for the saved and the unchanged answers (a caller
    #: answering with it needs no second read)
    stored: dict[str, StoredAnswer] = field(default_factory=dict)


def index_of(assessment: Assessment, *, content: Content) -> QuestionnaireIndex:
    return content.index(assessment.questionnaire_id, assessment.questionnaire_version)


def scope_questions(assessment: Assessment, workflow: Workflow | None, *,
                    content: Content) -> list[str]:
    index = index_of(assessment, content=content)
    return index.workflow_ids if workflow is not None else index.system_ids


def answer_problem(info: QuestionInfo, value: AnswerValue) -> str | None:
    """Why `value` cannot be saved as an answer to the question (for the user), or None."""
    problems = answer_problems(info, value.choices, value.na_reason is not None)
    if problems:
        return _form_message(info, problems[0])
    if value.na_reason is not None and not value.na_reason.strip():
        return "Say why this question does not apply."
    if len(value.note) > NOTE_MAX_CHARS:
        return (
            f"Notes are limited to {NOTE_MAX_CHARS:,} characters; this one has {len(value.note):,}."
        )
    return None


def _form_message(info: QuestionInfo, problem: AnswerProblem) -> str:
    if problem.kind == "unknown-choice":
        return (f"“{problem.choice}” is not one of this question's choices. "
                "Reload the page and choose again.")
    if problem.kind == "not-applicable":
        return "This question cannot be marked not applicable."
    if problem.kind == "one-choice":
        return "Choose one answer."
    return f"“{info.labels[problem.choice or '']}” cannot be combined with other choices."


def normalize(info: QuestionInfo, value: AnswerValue) -> AnswerValue:
    """Choices in questionnaire order; N/A drops choices; notes keep what was typed."""
    if value.na_reason is not None:
        return AnswerValue((), value.na_reason.strip(), value.note)
    order = [c.id for c in info.question.choices]
    return AnswerValue(tuple(c for c in order if c in value.choices), None, value.note)


def value_of(row: Answer | None) -> AnswerValue:
    if row is None:
        return AnswerValue()
    return AnswerValue(tuple(row.choices or ()), row.na_reason, row.note or "")


def stored(row: Answer | None) -> StoredAnswer:
    if row is None:
        return StoredAnswer(AnswerValue(), 0, None, None)
    who = row.updated_by.name if row.updated_by else None
    return StoredAnswer(value_of(row), row.version, who, row.updated_at)


def answers_in_scope(
    session: Session, assessment: Assessment, workflow: Workflow | None,
    question_ids: Collection[str] | None = None,
) -> dict[str, Answer]:
    """question id -> stored answer of the system (`workflow` None) or of one workflow; only
    those of `question_ids` when given (a save reads the rows it writes, not the whole scope)."""
    scope = workflow.scope if workflow is not None else SYSTEM_SCOPE
    query = select(Answer).where(Answer.assessment_id == assessment.id, Answer.scope == scope)
    if question_ids is not None:
        query = query.where(Answer.question_id.in_(list(question_ids)))
    return {row.question_id: row for row in session.scalars(query)}


def _check(
    assessment: Assessment, workflow: Workflow | None, inputs: Sequence[AnswerInput],
    content: Content,
) -> list[AnswerInput]:
    index = index_of(assessment, content=content)
    allowed = set(scope_questions(assessment, workflow, content=content))
    checked, sent = [], set()
    for item in inputs:
        if item.question_id not in allowed:
            scope = "workflow" if workflow is not None else "system"
            close = difflib.get_close_matches(item.question_id, sorted(allowed), n=1, cutoff=0.75)
            hint = f" (did you mean “{close[0]}”?)" if close else ""
            raise ServiceError(f"There is no {scope} question “{item.question_id}”{hint}",
                               item.question_id)
        if item.question_id in sent:  # which of the two would win is anyone's guess
            raise ServiceError(f"“{item.question_id}” is sent twice: send each question once",
                               item.question_id)
        sent.add(item.question_id)
        info = index.questions[item.question_id]
        problem = answer_problem(info, item.value)
        if problem:
            raise ServiceError(problem, item.question_id)
        checked.append(
            AnswerInput(item.question_id, normalize(info, item.value), item.base_version)
        )
    return checked


def save_answers(
    session: Session,
    assessment: Assessment,
    user: User,
    inputs: Iterable[AnswerInput],
    workflow: Workflow | None = None,
    *,
    content: Content,
) -> SaveResult:
    """Save a page (or one) of answers; see the module docstring for the rules.

    Raises `ServiceError` (with `field` = the question id) for an invalid answer; nothing is
    saved then. Conflicts are returned, not raised: the caller decides (a page with any
    conflict is answered 409, which rolls the whole request back).
    """
    checked = _check(assessment, workflow, list(inputs), content)
    saver = _Saver(session, assessment, user, workflow)
    rows = answers_in_scope(session, assessment, workflow, [item.question_id for item in checked])
    for item in checked:
        saver.save(rows.get(item.question_id), item)
    if saver.result.saved:
        mark_changed(session, assessment, content=content)
        logger.info(
            "assessment %s: user %s saved %d answers",
            assessment.id,
            user.id,
            len(saver.result.saved),
        )
    return saver.result


@dataclass
class _Saver:
    """One page's save: where the answers go, who saves them, and what happened so far."""

    session: Session
    assessment: Assessment
    user: User
    workflow: Workflow | None
    result: SaveResult = field(default_factory=SaveResult)

    @property
    def scope(self) -> str:
        return self.workflow.scope if self.workflow is not None else SYSTEM_SCOPE

    def save(self, row: Answer | None, item: AnswerInput) -> None:
        current, result = stored(row), self.result
        if current.value == item.value:
            result.unchanged.append(item.question_id)
            result.versions[item.question_id] = current.version
            result.stored[item.question_id] = current
            return
        if item.base_version != current.version:
            result.conflicts.append(Conflict(item.question_id, item.value, current))
            return
        won, written = self.write(row, item)
        if not won:  # lost a race after our read
            result.conflicts.append(Conflict(item.question_id, item.value, written))
            return
        result.saved.append(item.question_id)
        result.versions[item.question_id] = written.version
        result.stored[item.question_id] = written
        record_audit(
            self.session,
            assessment=self.assessment,
            actor=self.user,
            action="answer.changed",
            target=f"{self.scope}/{item.question_id}",
            detail=answer_change(current.value, item.value),
        )

    def write(self, row: Answer | None, item: AnswerInput) -> tuple[bool, StoredAnswer]:
        """Write the answer: (True, what is now stored), read from the write itself; or
        (False, what is stored) when someone else saved it first."""
        value = item.value
        fields = {
            "choices": list(value.choices),
            "na_reason": value.na_reason,
            "note": value.note,
            "updated_by_id": self.user.id,
            "updated_at": utcnow(),
        }
        if row is None:
            return self.insert(item, fields)
        done = self.session.execute(
            update(Answer)
            .where(Answer.id == row.id, Answer.version == item.base_version)
            .values(version=Answer.version + 1, **fields)
            .returning(Answer.version, Answer.updated_at)
            .execution_options(synchronize_session=False)
        ).first()
        if done is None:  # lost a race after our read: what the winner stored
            self.session.refresh(row)
            return False, stored(row)
        fields.update(version=done.version, updated_at=done.updated_at, updated_by=self.user)
        for name, new_value in fields.items():  # the row as stored, no SELECT
            set_committed_value(row, name, new_value)
        return True, stored(row)

    def insert(self, item: AnswerInput, fields: dict) -> tuple[bool, StoredAnswer]:
        row = Answer(
            assessment_id=self.assessment.id,
            workflow_id=self.workflow.id if self.workflow is not None else None,
            scope=self.scope,
            question_id=item.question_id,
            version=1,
            **fields,
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
                self.session.flush()
        except IntegrityError:  # someone inserted it first
            existing = answers_in_scope(self.session, self.assessment, self.workflow,
                                        [item.question_id])
            return False, stored(existing.get(item.question_id))
        set_committed_value(row, "updated_by", self.user)
        return True, stored(row)
