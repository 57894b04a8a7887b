"""Reviews on a lens through the JSON API: listed and read like any assessment, their risks,
their answers read and written with the browser's version checks (409, nothing saved)."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from webapp.api import tokens
from webapp.core.views import result_cache


@pytest.fixture
def token(app, db_session, people, review):
    def make(user, scope="read-write"):
        with app.test_request_context():
            return tokens.create_token(db_session, user, name="ci", scope=scope, days=30)[1]

    return make


def _get(client, raw, path):
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {raw}"})


def _patch(client, raw, path, body):
    return client.patch(f"/api/v1{path}", json=body,
                        headers={"Authorization": f"Bearer {raw}"})


def _save(client, raw, review, *answers):
    return _patch(client, raw, f"/assessments/{review.id}/answers", {"answers": list(answers)})


def test_a_lens_review_is_listed_with_its_lens_coverage_and_risk_counts(
        client, people, review, token):
    raw = token(people["editor"])
    _save(client, raw, review, {"question_id": "bk_restore", "choices": ["bk_no"],
                                "base_version": 0})
    [row] = _get(client, raw, "/assessments").get_json()["assessments"]
    assert row["questionnaire"] == {"id": "lens:backup-readiness", "version": 1,
                                    "kind": "lens", "title": "Backup readiness",
                                    "upgraded_from": None}
    assert row["overall"] is None and row["coverage"] == 50.0
    assert row["risks"] == {"high": 1, "medium": 0, "none": 0, "not_applicable": 0,
                            "unanswered": 1}
    detail = _get(client, raw, f"/assessments/{review.id}").get_json()
    assert detail["name"] == "Billing DB" and detail["workflows"] == []


def test_the_result_of_a_lens_review_has_pillars_risks_and_the_plan(
        client, people, review, token):
    raw = token(people["editor"])
    _save(client, raw, review,
          {"question_id": "bk_restore", "choices": ["bk_documented"], "base_version": 0},
          {"question_id": "bk_offsite", "na_reason": "OUT_OF_SCOPE", "note": "One region",
           "base_version": 0})
    result = _get(client, raw, f"/assessments/{review.id}/result").get_json()
    assert result["kind"] == "lens" and result["lens"]["name"] == "Backup readiness"
    assert result["totals"]["medium"] == 1 and result["totals"]["not_applicable"] == 1
    [pillar] = result["pillars"]
    assert [q["risk"] for q in pillar["questions"]] == ["medium", "not_applicable"]
    assert pillar["questions"][1]["na_reason"] == "OUT_OF_SCOPE"
    [item] = result["plan"]
    assert item["id"] == "bk_restore"
    assert item["improvements"] == [{"choice": "bk_tested",
                                     "text": "Schedule a monthly restore drill.",
                                     "url": "https://example.com/plan"}]
    risks = _get(client, raw, f"/assessments/{review.id}/risks").get_json()
    assert [r["id"] for r in risks["risks"]] == ["bk_restore"]


def test_findings_of_a_lens_review_point_to_its_risks_and_its_plan_is_tracked(
        client, people, review, token):
    raw = token(people["editor"])
    response = _get(client, raw, f"/assessments/{review.id}/findings")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert f"/api/v1/assessments/{review.id}/risks" in response.get_json()["detail"]
    _save(client, raw, review, {"question_id": "bk_restore", "choices": ["bk_no"],
                                "base_version": 0})
    tracked = client.put(f"/api/v1/assessments/{review.id}/tracking",
                         json={"rule": "bk_restore", "status": "planned"},
                         headers={"Authorization": f"Bearer {raw}"})
    assert tracked.status_code == 200, tracked.get_json()
    [entry] = _get(client, raw, f"/assessments/{review.id}/plan").get_json()["entries"]
    assert (entry["rule"], entry["severity"], entry["bucket"]) == ("bk_restore", "high", "now")
    assert entry["tracking"]["status"] == "planned"


def test_answers_are_read_with_their_versions_and_a_stale_write_is_409_saving_nothing(
        client, people, review, token, db_session):
    raw = token(people["editor"])
    first = _save(client, raw, review,
                  {"question_id": "bk_restore", "choices": ["bk_tested"], "base_version": 0})
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["saved"] == ["bk_restore"]
    assert first.get_json()["versions"] == {"bk_restore": 1}
    answers = _get(client, raw, f"/assessments/{review.id}/answers").get_json()["answers"]
    assert answers == [{"workflow_id": None, "question_id": "bk_restore",
                        "choices": ["bk_tested"], "na_reason": None, "note": "", "version": 1}]
    stale = _save(client, raw, review,
                  {"question_id": "bk_offsite", "choices": ["off_yes"], "base_version": 0},
                  {"question_id": "bk_restore", "choices": ["bk_no"], "base_version": 0})
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    [conflict] = stale.get_json()["conflicts"]
    assert conflict["question_id"] == "bk_restore" and conflict["choices"] == ["bk_tested"]
    after = _get(client, raw, f"/assessments/{review.id}/answers").get_json()["answers"]
    assert [a["question_id"] for a in after] == ["bk_restore"], "nothing of the 409 was saved"


@pytest.mark.parametrize(("answer", "message"), [
    ({"question_id": "ghost", "choices": ["x"]}, "no question “ghost”"),
    ({"question_id": "bk_restore", "choices": ["bk_no", "bk_tested"]}, "cannot be combined"),
    ({"question_id": "bk_restore", "na_reason": "LAZY"}, "OUT_OF_SCOPE"),
    ([{"question_id": "bk_restore", "choices": ["bk_tested"]},
      {"question_id": "bk_restore", "choices": ["bk_no"]}], "“bk_restore” is sent twice"),
])
def test_a_bad_lens_answer_is_422_naming_the_question(client, people, review, token, answer,
                                                      message):
    raw = token(people["editor"])
    answers = answer if isinstance(answer, list) else [answer]
    response = _save(client, raw, review, *(a | {"base_version": 0} for a in answers))
    assert response.status_code == 422
    assert message in response.get_json()["detail"]
    assert _get(client, raw, f"/assessments/{review.id}/answers").get_json()["answers"] == []


def test_a_viewer_token_reads_but_cannot_write_and_strangers_see_nothing(
        client, people, review, token):
    viewer = token(people["viewer"])
    assert _get(client, viewer, f"/assessments/{review.id}/result").status_code == 200
    write = _save(client, viewer, review,
                  {"question_id": "bk_restore", "choices": ["bk_tested"], "base_version": 0})
    assert write.status_code == 403
    stranger = token(people["stranger"])
    assert _get(client, stranger, f"/assessments/{review.id}/risks").status_code == 404


def test_a_lens_milestone_reads_back_its_frozen_lens_result(
        app, client, db_session, people, review, token):
    from webapp.tracking.milestones import create_milestone

    raw = token(people["editor"])
    _save(client, raw, review, {"question_id": "bk_restore", "choices": ["bk_no"],
                                "base_version": 0})
    with app.test_request_context():
        milestone = create_milestone(db_session, review, people["editor"], name="Before",
                                     cache=result_cache())
    _save(client, raw, review, {"question_id": "bk_restore",
                                "choices": ["bk_tested", "bk_documented"], "base_version": 1})
    frozen = _get(client, raw, f"/assessments/{review.id}/milestones/{milestone.id}").get_json()
    assert frozen["result"]["kind"] == "lens"
    assert frozen["result"]["totals"]["high"] == 1


def test_the_openapi_document_describes_the_lens_result_and_risks(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert "/api/v1/assessments/{assessment_id}/risks" in document["paths"]
    assert "LensResultOut" in document["components"]["schemas"]
