"""Helpers that fill the database through the services, shared by the web, tracking and
browser tests (the fixtures `make_user`, `make_team` and `login` live in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from webapp.domain import parse_answers_text
from webapp.models_assessment import Answer
from webapp.services import workflows as workflow_service
from webapp.services.answers import AnswerInput, AnswerValue, save_answers
from webapp.services.evaluation import get_content

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = REPO_ROOT / "examples" / "payments-platform.yaml"


def _inputs(answers, notes) -> list[AnswerInput]:
    return [AnswerInput(qid, AnswerValue(tuple(a.choices), a.na, notes.get(qid, "")))
            for qid, a in answers.items()]


def fill_from_example(session, assessment, user) -> None:
    """Save every answer and workflow of examples/payments-platform.yaml through the services.

    Needs an app context (the content is the app's)."""
    example = parse_answers_text(EXAMPLE.read_text(encoding="utf-8"), get_content(), str(EXAMPLE))
    save_answers(session, assessment, user, _inputs(example.answers, example.notes))
    for own in example.workflows:
        workflow = workflow_service.add_workflow(session, assessment, name=own.name)
        save_answers(session, assessment, user, _inputs(own.answers, own.notes),
                     workflow=workflow)


def store_their_answer(session, assessment, user, version: int,
                       question: str = "observe.tracing") -> Answer:
    """An answer ("end-to-end", note "theirs") another member saved meanwhile, at `version`.

    Written straight to the table, as a concurrent save would leave it."""
    answer = Answer(assessment_id=assessment.id, scope="system", question_id=question,
                    choices=["end-to-end"], note="theirs", version=version,
                    updated_by_id=user.id)
    session.add(answer)
    session.flush()
    return answer
