"""The autosave endpoint: one question at a time, JSON answers, conflicts with both values."""

from __future__ import annotations

import pytest

from tests.factories import store_their_answer
from webapp.assessments.evaluation import evaluate_assessment
from webapp.assessments.models import Answer, Assessment
from webapp.assessments.progress import not_asked
from webapp.core.startup import get_content
from webapp.core.views import result_cache

Q = "contain.circuit-breakers"


@pytest.fixture
def setup(make_user, make_team, make_assessment, client, login):
    owner, editor = make_user(name="Olga Owner"), make_user(name="Eddie Editor")
    team = make_team(owner=owner, members={editor: "editor"})
    assessment = make_assessment(team, owner, name="Checkout")
    login(owner)
    return assessment, owner, editor


def post(client, assessment, **fields):
    data = {"scope": "system", "question": Q} | {f"{Q}-{k}": v for k, v in fields.items()}
    return client.post(
        f"/assessments/{assessment.id}/answers", data=data, headers={"Accept": "application/json"}
    )


def test_autosave_saves_and_returns_the_new_version_and_rendered_note(client, setup, db_session):
    assessment, *_ = setup
    response = post(client, assessment, choice="some", version="0", note="*traced*")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "saved"
    assert (
        body["answer"]["version"] == 1 and body["answer"]["note_html"] == "<p><em>traced</em></p>"
    )
    assert body["answer"]["updated_by"] == "Olga Owner"
    again = post(client, assessment, choice="some", version="0", note="*traced*")
    assert again.get_json()["status"] == "unchanged"
    assert db_session.query(Answer).one().version == 1


def test_autosave_conflict_carries_both_values_and_who(client, setup, db_session):
    assessment, _owner, editor = setup
    store_their_answer(db_session, assessment, editor, version=3, question=Q)
    response = post(client, assessment, choice="none", version="2", note="mine")
    assert response.status_code == 409
    body = response.get_json()
    assert body["theirs"]["choices"] == [
        {"id": "all-critical",
         "label": "Yes, on every critical dependency, with visible breaker state"}
    ]
    assert body["theirs"]["updated_by"] == "Eddie Editor" and body["theirs"]["version"] == 3
    assert body["mine"]["choices"][0]["id"] == "none" and body["mine"]["note"] == "mine"
    keep_mine = post(client, assessment, choice="none", version="3", note="mine")
    assert keep_mine.status_code == 200
    db_session.expire_all()
    assert db_session.query(Answer).one().choices == ["none"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"choice": "nope"}, "not one of this question's choices"),
        ({"note": "x" * 20_001}, "20,000 characters"),
        ({"na": "y"}, "Say why"),
    ],
)
def test_autosave_bad_input_is_400_with_a_message(client, setup, db_session, fields, message):
    assessment, *_ = setup
    response = post(client, assessment, version="0", **fields)
    assert response.status_code == 400
    assert message in response.get_json()["message"]
    assert db_session.query(Answer).count() == 0


def test_autosave_of_an_unknown_question_is_400(client, setup):
    assessment, *_ = setup
    response = client.post(
        f"/assessments/{assessment.id}/answers",
        data={"scope": "system", "question": "workflow.trigger"},
    )
    assert response.status_code == 400 and "no question" in response.get_json()["message"]


def test_autosave_returns_the_steppers_new_counts(client, setup):
    assessment, *_ = setup
    body = post(client, assessment, choice="some", version="0").get_json()
    steps = {step["id"]: step for step in body["progress"]}
    observe = next(step for step in body["progress"] if step["answered"])
    assert observe["answered"] == 1 and observe["total"] > 1
    assert "workflows" in steps and "results" not in steps


def _fit_flags(rule: dict) -> list[str]:
    """The fit flags whose presence hides a question: `{not: {fit: f}}` or `{not: {any: [...]}}`."""
    hidden_by = rule.get("not", {})
    return [c["fit"] for c in hidden_by.get("any", [hidden_by]) if set(c) == {"fit"}]


def _gated_system_question(app):
    """(gated question, the one it reads, a choice that asks it, one that hides it, reason)
    from the newest questionnaire: a system question asked only for some answers to another,
    directly or through the fit flag that answer raises."""
    with app.app_context():
        index = get_content().index()
    for qid in index.system_ids:
        question = index.questions[qid].question
        rule = question.ask_if or {}
        negated = set(rule) == {"not"}
        inner = rule["not"] if negated else rule
        if set(inner) == {"q", "in"} and inner["q"] in index.system_ids:
            choices = [c.id for c in index.questions[inner["q"]].question.choices]
            outside = [c for c in choices if c not in inner["in"] and c != "unsure"]
            asks, hides = (outside, inner["in"]) if negated else (inner["in"], outside)
            if asks and hides:
                return qid, inner["q"], asks[0], hides[0], question.ask_if_reason
        for flag in _fit_flags(rule):
            for deciding in index.system_ids:
                criterion = index.questions[deciding].question.criterion
                if criterion is None or criterion.flag != flag:
                    continue
                choices = [c.id for c in index.questions[deciding].question.choices]
                asks = [c for c in choices if c not in criterion.applies_when and c != "unsure"]
                if asks:
                    return qid, deciding, asks[0], criterion.applies_when[0], \
                        question.ask_if_reason
    raise AssertionError("the newest questionnaire gates no system question on an answer")


def test_autosave_reports_the_questions_an_answer_makes_irrelevant(app, client, setup,
                                                                   db_session):
    """The save answers which questions are no longer asked (without evaluating the review):
    the same list, with the same reasons, as the results, and the stepper stops counting them."""
    assessment, *_ = setup
    gated, deciding, asks, hides, reason = _gated_system_question(app)
    data = {"scope": "system", "question": deciding, f"{deciding}-choice": asks,
            f"{deciding}-version": "0"}
    url, json_only = f"/assessments/{assessment.id}/answers", {"Accept": "application/json"}
    asked = client.post(url, data=data, headers=json_only).get_json()
    assert gated not in asked["not_asked"]
    gone = client.post(url, data=data | {f"{deciding}-choice": hides, f"{deciding}-version": "1"},
                       headers=json_only).get_json()
    stop = "" if reason.strip().endswith((".", "!", "?")) else "."
    assert gone["not_asked"][gated] == f"Does not apply because {reason.strip()}{stop}"
    before = {step["id"]: step["total"] for step in asked["progress"]}
    after = {step["id"]: step["total"] for step in gone["progress"]}
    assert sum(before.values()) - sum(after.values()) >= 1
    db_session.expire_all()
    with app.test_request_context():
        review = evaluate_assessment(db_session, db_session.get(Assessment, assessment.id),
                                     result_cache())
    assert not_asked(review) == gone["not_asked"]
