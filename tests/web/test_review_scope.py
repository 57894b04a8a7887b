"""The fit verdict on the fit step, the minimum checklist for a poor fit, and the honest results."""

from __future__ import annotations

import re

import pytest

from tests.factories import fill_from_example
from webapp.assessments.answers import AnswerInput, AnswerValue, save_answers
from webapp.audit.models import AuditEvent
from webapp.core.startup import get_content

POOR_FIT = {
    "fit.high-volume": "low",
    "fit.customer-facing": "no",
    "fit.multi-team": "no",
    "fit.regulated": "no",
    "fit.single-developer": "one",
    "fit.small-internal": "yes",
    "fit.prototype": "established",
    "fit.no-integrations": "few",
}


@pytest.fixture
def assessment(make_assessment, people):
    return make_assessment(people["team"], people["owner"], name="Desk booking")


def answer(app, db_session, assessment, user, values: dict) -> None:
    inputs = [AnswerInput(q, AnswerValue((c,))) for q, c in values.items()]
    with app.test_request_context():
        save_answers(db_session, assessment, user, inputs, content=get_content())


def step(client, assessment, name: str) -> str:
    response = client.get(f"/assessments/{assessment.id}/steps/{name}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_fit_step_shows_a_verdict_only_once_six_questions_are_answered(
    app, client, login, people, db_session, assessment
) -> None:
    login(people["owner"])
    answer(app, db_session, assessment, people["owner"], dict(list(POOR_FIT.items())[:5]))
    page = step(client, assessment, "fit")
    assert "No verdict yet" in page and "Answer 1 more fit question" in page
    answer(app, db_session, assessment, people["owner"], POOR_FIT)
    page = step(client, assessment, "fit")
    assert "Poor fit" in page
    assert "One person builds and runs it" in page  # the reasons are listed


def test_a_poor_fit_is_asked_the_minimum_checklist_and_can_choose_the_full_review(
    app, client, login, people, db_session, assessment
) -> None:
    login(people["owner"])
    answer(app, db_session, assessment, people["owner"], POOR_FIT)
    evolve = step(client, assessment, "evolve")
    assert "evolve.rollback" in evolve
    assert "evolve.backward-compatibility" not in evolve
    assert "Minimum checklist" in evolve
    fit = step(client, assessment, "fit")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', fit)
    data = {"csrf_token": token.group(1)} if token else {}
    response = client.post(f"/assessments/{assessment.id}/review-scope/full", data=data)
    assert response.status_code == 302
    assert "evolve.backward-compatibility" in step(client, assessment, "evolve")
    assert "You chose the full review" in step(client, assessment, "fit")
    db_session.expire_all()
    assert assessment.full_review
    assert db_session.query(AuditEvent).filter_by(action="assessment.review_scope").count() == 1


def test_a_viewer_cannot_choose_the_review_scope(
    app, client, login, people, db_session, assessment
) -> None:
    login(people["viewer"])
    response = client.post(f"/assessments/{assessment.id}/review-scope/full", data={})
    assert response.status_code in (403, 404)
    db_session.expire_all()
    assert not assessment.full_review


def test_results_show_the_provisional_headline_risk_counts_and_open_risks(
    app, client, login, people, db_session, assessment
) -> None:
    with app.test_request_context():
        fill_from_example(db_session, assessment, people["owner"])
    login(people["owner"])
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert "Risks by layer and workflow" in page
    assert "Workflow: Nightly merchant payouts" in page
    assert "Also removes:" in page  # findings sharing a root cause are one action
    now = re.search(r'id="bucket-now".*?<span class="count"[^>]*>(\d+)</span>', page, re.S)
    assert now and int(now.group(1)) <= 7
