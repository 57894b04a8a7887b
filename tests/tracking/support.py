"""Helpers of the milestone, comparison and tracking tests."""

from __future__ import annotations

import pytest

from webapp.assessments.answers import AnswerInput, AnswerValue, save_answers
from webapp.assessments.evaluation import evaluate_assessment
from webapp.core.startup import get_content
from webapp.core.views import result_cache

#: A system finding of the example and the answer that triggers it / clears it.
RULE = "respond.review-actions-not-closed"
QUESTION = "respond.postmortems"
TRIGGERING, CLEARING = "actions-lost", "always"
#: how the results, the comparison and the audit log name them
TRIGGERING_LABEL = (
    "Blameless reviews for every significant incident, but action items are reminders, "
    "quietly expire, or stay with one team"
)
CLEARING_LABEL = (
    "Yes: blameless reviews; engineering action items tracked to closure; lessons reach "
    "shared standards"
)
RULE_TITLE = (
    "Action items from incident reviews do not change the system or are not tracked to closure"
)


def answer(session, assessment, user, choice: str, question: str = QUESTION) -> None:
    from webapp.assessments.answers import answers_in_scope

    row = answers_in_scope(session, assessment, None).get(question)
    version = row.version if row is not None else 0
    result = save_answers(session, assessment, user,
                          [AnswerInput(question, AnswerValue((choice,)), version)],
                          content=get_content())
    assert not result.conflicts


def findings_of(app, db_session, assessment) -> int:
    """How many findings the engine gives the assessment (the plan and its exports list every
    one): tests read it rather than a number that changes with the content."""
    with app.app_context():
        return len(evaluate_assessment(db_session, assessment, result_cache()).findings)


@pytest.fixture
def small(app, db_session, people, make_assessment):
    """An assessment with one answer, which triggers `RULE` (fast to evaluate)."""
    assessment = make_assessment(people["team"], people["owner"], name="Checkout")
    with app.test_request_context():
        answer(db_session, assessment, people["owner"], TRIGGERING)
    return assessment
