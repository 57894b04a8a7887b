"""Helpers of the milestone, comparison and tracking tests."""

from __future__ import annotations

from pathlib import Path

from webapp.domain import parse_answers_text
from webapp.services import workflows as workflow_service
from webapp.services.answers import AnswerInput, AnswerValue, save_answers
from webapp.services.evaluation import get_content

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "examples" / "payments-platform.yaml"
#: A system finding of the example and the answer that triggers it / clears it.
RULE = "repeat.action-items-not-closed"
QUESTION = "repeat.action-item-closure"
TRIGGERING, CLEARING = "loosely", "tracked"


def _inputs(answers, notes) -> list[AnswerInput]:
    return [AnswerInput(qid, AnswerValue(tuple(a.choices), a.na, notes.get(qid, "")))
            for qid, a in answers.items()]


def fill_from_example(session, assessment, user) -> None:
    """Every answer and workflow of examples/payments-platform.yaml, saved through the services."""
    example = parse_answers_text(EXAMPLE.read_text(encoding="utf-8"), get_content(), str(EXAMPLE))
    save_answers(session, assessment, user, _inputs(example.answers, example.notes))
    for own in example.workflows:
        workflow = workflow_service.add_workflow(session, assessment, name=own.name)
        save_answers(session, assessment, user, _inputs(own.answers, own.notes), workflow=workflow)


def answer(session, assessment, user, choice: str, question: str = QUESTION) -> None:
    from webapp.services.answers import answers_in_scope

    row = answers_in_scope(session, assessment, None).get(question)
    version = row.version if row is not None else 0
    result = save_answers(session, assessment, user,
                          [AnswerInput(question, AnswerValue((choice,)), version)])
    assert not result.conflicts
