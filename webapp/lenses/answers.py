"""Saving answers of a review on a lens: the pillar page, its autosave, the API and answers
files all save through `save_answers`, with the checks of the lens (known choices, "None of
these" alone, a known reason) and the version each sender read: a save based on an older
version is a conflict, returned for the caller to answer 409 (nothing is saved then)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments.answers import (
    AnswerInput,
    AnswerValue,
    Conflict,
    SaveResult,
    stored,
)
from webapp.assessments.models import Assessment
from webapp.assessments.services import mark_changed
from webapp.audit.services import answer_change, record_audit
from webapp.core.db import utcnow
from webapp.core.services import ServiceError
from webapp.domain.lens import Question
from webapp.domain.lens_result import AnswerInvalid, LensAnswer, NaReason, check_answer
from webapp.lenses.models import NOTE_MAX_CHARS, LensAnswerRow
from webapp.lenses.services import answer_of, lens_of, stored_answers


@dataclass(frozen=True)
class Saved:
    #: "saved", "unchanged" or "conflict" (someone saved a newer version first).
    status: str
    row: LensAnswerRow | None


def save_answer(session: Session, assessment: Assessment, user: User, question: Question,
                answer: LensAnswer, seen_version: int) -> Saved:
    """One question's answer (the page's autosave), unless saved since `seen_version`."""
    reason = answer.na_reason.value if answer.na_reason else None
    value = AnswerValue(tuple(sorted(answer.choices)), reason, answer.note)
    result = save_answers(session, assessment, user,
                          [AnswerInput(question.id, value, seen_version)])
    row = stored_answers(session, assessment).get(question.id)
    status = "conflict" if result.conflicts else "saved" if result.saved else "unchanged"
    return Saved(status, row)


def save_answers(session: Session, assessment: Assessment, user: User,
                 inputs: list[AnswerInput]) -> SaveResult:
    """Save answers (a pillar page, the API, an answers file), each based on the version its
    sender read. An invalid answer raises `ServiceError` naming the question; conflicts are
    returned: the caller answers 409 and rolls the whole request back."""
    _row, lens = lens_of(session, assessment)
    questions = {q.id: q for _pillar, q in lens.questions()}
    checked = [(questions.get(item.question_id), item) for item in inputs]
    sent = [item.question_id for item in inputs]
    twice = next((qid for i, qid in enumerate(sent) if qid in sent[:i]), None)
    if twice is not None:  # which of the two would win is anyone's guess
        raise ServiceError(f"“{twice}” is sent twice: send each question once", twice)
    answers = [(q, _checked(q, item), item) for q, item in checked]
    rows, result = stored_answers(session, assessment), SaveResult()
    for question, answer, item in answers:
        _save_one(session, assessment, user, (question, answer, item), rows, result)
    if result.saved:
        mark_changed(session, assessment, content=None)  # a lens's status reads no questionnaire
    return result


def _checked(question: Question | None, item: AnswerInput) -> LensAnswer:
    if question is None:
        raise ServiceError(f"There is no question “{item.question_id}” in this lens.",
                           item.question_id)
    value = item.value
    try:
        reason = NaReason(value.na_reason) if value.na_reason else None
        answer = LensAnswer(frozenset(value.choices), reason, value.note)
        check_answer(question, answer)
    except (ValueError, AnswerInvalid) as error:
        message = str(error) if isinstance(error, AnswerInvalid) else "Unknown reason."
        raise ServiceError(f"{question.title}: {message}", question.id) from None
    if len(answer.note) > NOTE_MAX_CHARS:
        raise ServiceError("Notes are limited to 20,000 characters.", question.id)
    return answer


def _save_one(session, assessment, user, item, rows, result: SaveResult) -> None:
    question, answer, given = item
    row = rows.get(question.id)
    current = stored(row)
    if answer_of(row) == answer:
        result.unchanged.append(question.id)
        result.versions[question.id] = current.version
        return
    version = None
    if given.base_version == current.version:
        version = _write(session, assessment, user, question, answer, row, given.base_version)
    if version is None:  # saved since it was read (or just now, by someone quicker)
        again = stored_answers(session, assessment).get(question.id)
        result.conflicts.append(Conflict(question.id, given.value, stored(again)))
        return
    result.saved.append(question.id)
    result.versions[question.id] = version
    record_audit(session, assessment=assessment, actor=user, action="answer.changed",
                 target=f"lens/{question.id}",
                 detail=answer_change(current.value, _value(question, answer)))


def _value(question: Question, answer: LensAnswer) -> AnswerValue:
    choices = tuple(c.id for c in question.choices if c.id in answer.choices)
    return AnswerValue(choices, answer.na_reason.value if answer.na_reason else None,
                       answer.note)


def _write(session, assessment, user, question, answer, row, base_version) -> int | None:
    """Write the answer if it is still at `base_version`: its new version, else None."""
    value = _value(question, answer)
    fields = {"choices": list(value.choices), "na_reason": value.na_reason, "note": value.note,
              "updated_by_id": user.id, "updated_at": utcnow()}
    if row is None:
        try:
            with session.begin_nested():
                session.add(LensAnswerRow(assessment_id=assessment.id, question_id=question.id,
                                          version=1, **fields))
                session.flush()
        except IntegrityError:  # someone inserted it first
            return None
        return 1
    done = session.execute(
        update(LensAnswerRow)
        .where(LensAnswerRow.id == row.id, LensAnswerRow.version == base_version)
        .values(version=LensAnswerRow.version + 1, **fields)
        .execution_options(synchronize_session=False))
    session.refresh(row)
    return row.version if done.rowcount == 1 else None
