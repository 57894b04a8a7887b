"""The JSON API: tokens, access, every endpoint, problem+json errors and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openapi_spec_validator import validate

from tests.factories import EXAMPLE, fill_from_example
from webapp import cli
from webapp.api import tokens
from webapp.assessments.evaluation import evaluate_assessment
from webapp.core.db import utcnow
from webapp.core.views import result_cache
from webapp.tracking.models import Milestone


@pytest.fixture
def world(app, db_session, people, make_assessment):
    assessment = make_assessment(people["team"], people["owner"], name="Ledgerline Payments")
    with app.test_request_context():
        fill_from_example(db_session, assessment, people["owner"])
        # the results page's figure
        score = evaluate_assessment(db_session, assessment, result_cache()).overall
    other = make_assessment(people["other_team"], people["stranger"], name="Elsewhere API")
    return {**people, "assessment": assessment, "other": other, "score": score}


@pytest.fixture
def make_token(app, db_session):
    def make(user, scope="read-write", days=30):
        with app.test_request_context():
            _token, raw = tokens.create_token(db_session, user, name="ci", scope=scope, days=days)
        return raw

    return make


def _auth(raw):
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def editor_token(world, make_token):
    return make_token(world["editor"])


def test_listing_shows_the_assessments_of_the_users_teams_only(client, world, editor_token):
    response = client.get("/api/v1/assessments", headers=_auth(editor_token))
    assert response.status_code == 200
    rows = response.get_json()["assessments"]
    assert [r["name"] for r in rows] == ["Ledgerline Payments"]
    assert rows[0]["overall"] == world["score"] and rows[0]["team"]["name"] == "Payments"


@pytest.mark.parametrize("suffix", ["", "/result", "/findings", "/answers", "/plan",
                                    "/milestones"])
def test_another_teams_assessment_is_404_as_problem_json(client, world, editor_token, suffix):
    response = client.get(f"/api/v1/assessments/{world['other'].id}{suffix}",
                          headers=_auth(editor_token))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("patch", "/answers",
     {"answers": [{"question_id": "contain.circuit-breakers", "base_version": 0}]}),
    ("put", "/tracking", {"rule": "observe.no-alerts", "status": "planned"}),
    ("get", "/milestones/1", None),
])
def test_another_teams_assessment_is_404_for_writes_and_milestones_too(
    client, world, editor_token, method, suffix, body
):
    response = getattr(client, method)(f"/api/v1/assessments/{world['other'].id}{suffix}",
                                       json=body, headers=_auth(editor_token))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_access_errors_keep_their_problem_json_bodies(client, world, make_token):
    editor, viewer = make_token(world["editor"]), make_token(world["viewer"])
    aid, other = world["assessment"].id, world["other"].id
    answers = [
        client.get(f"/api/v1/assessments/{other}", headers=_auth(editor)),
        client.get(f"/api/v1/assessments/{aid}/risks", headers=_auth(editor)),
        client.patch(f"/api/v1/assessments/{aid}/answers", headers=_auth(viewer), json={
            "answers": [{"question_id": "contain.circuit-breakers", "base_version": 1}]}),
    ]
    assert [(r.status_code, r.mimetype) for r in answers] == [
        (404, "application/problem+json")] * 2 + [(403, "application/problem+json")]
    assert [r.get_json() for r in answers] == [
        {"type": "about:blank", "title": "Not Found", "status": 404,
         "detail": f"There is no assessment {other}, or this token's user cannot see it."},
        {"type": "about:blank", "title": "Not Found", "status": 404,
         "detail": f"Only a review on a lens has risks: read /api/v1/assessments/{aid}/findings."},
        {"type": "about:blank", "title": "Forbidden", "status": 403,
         "detail": "This needs the editor role in this team."},
    ]


def test_one_assessment_with_its_workflows(client, world, editor_token):
    body = client.get(f"/api/v1/assessments/{world['assessment'].id}",
                      headers=_auth(editor_token)).get_json()
    assert [w["name"] for w in body["workflows"]][:1] == ["Card payment capture"]


def test_the_result_is_the_json_the_cli_prints(client, world, editor_token, runner):
    aid = world["assessment"].id
    body = client.get(f"/api/v1/assessments/{aid}/result", headers=_auth(editor_token))
    data = body.get_json()
    printed = json.loads(runner.invoke(cli.main, ["report", str(EXAMPLE)]).output)
    assert (data["overall"], data["fit"]["verdict"]) == (printed["overall"], "strong")
    assert [(f["rule"], f["workflow"], f["priority"]) for f in data["findings"]] == [
        (f["rule"], f["workflow"], f["priority"]) for f in printed["findings"]]


def test_findings_and_plan_with_tracking(client, world, editor_token):
    aid = world["assessment"].id
    findings = client.get(f"/api/v1/assessments/{aid}/findings",
                          headers=_auth(editor_token)).get_json()["findings"]
    assert findings[0]["severity"] == "critical"
    plan = client.get(f"/api/v1/assessments/{aid}/plan", headers=_auth(editor_token)).get_json()
    assert plan["entries"][0]["tracking"]["status"] == "open"


def test_tracking_is_written_and_read_back(client, world, editor_token):
    aid = world["assessment"].id
    first = client.get(f"/api/v1/assessments/{aid}/plan",
                       headers=_auth(editor_token)).get_json()["entries"][0]
    body = {"rule": first["rule"], "workflow_id": first["workflow_id"], "status": "planned",
            "due_date": "2020-01-31"}
    response = client.put(f"/api/v1/assessments/{aid}/tracking", json=body,
                          headers=_auth(editor_token))
    assert response.status_code == 200, response.get_json()
    entry = response.get_json()["entries"][0]
    assert entry["tracking"]["status"] == "planned" and entry["tracking"]["overdue"] is True


def test_answers_are_written_with_their_version_and_a_stale_version_is_409(
    client, world, editor_token
):
    aid = world["assessment"].id
    answers = client.get(f"/api/v1/assessments/{aid}/answers",
                         headers=_auth(editor_token)).get_json()["answers"]
    tracing = next(a for a in answers if a["question_id"] == "contain.circuit-breakers")
    body = {"answers": [{"question_id": "contain.circuit-breakers", "choices": ["all-critical"],
                         "base_version": tracing["version"]}]}
    saved = client.patch(f"/api/v1/assessments/{aid}/answers", json=body,
                         headers=_auth(editor_token))
    assert saved.status_code == 200 and saved.get_json()["saved"] == ["contain.circuit-breakers"]
    body["answers"][0]["choices"] = ["none"]  # still based on the old version
    stale = client.patch(f"/api/v1/assessments/{aid}/answers", json=body,
                         headers=_auth(editor_token))
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    assert stale.get_json()["conflicts"][0]["choices"] == ["all-critical"]


@pytest.mark.parametrize(("body", "field"), [
    ({"answers": [{"question_id": "contain.circuit-breakers", "choices": ["none"]}]},
     "answers.0.base_version"),
    ({"answers": []}, "answers"),
    ({"answers": [{"question_id": "contain.circuit-breakers", "base_version": -1}]},
     "answers.0.base_version"),
    ({"answers": [{"question_id": "contain.circuit-breakers", "base_version": 0, "colour": 1}]},
     "answers.0.colour"),
])
def test_a_body_that_does_not_fit_the_schema_is_422_naming_the_field(
    client, world, editor_token, body, field
):
    response = client.patch(f"/api/v1/assessments/{world['assessment'].id}/answers", json=body,
                            headers=_auth(editor_token))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.get_json()["errors"]]


@pytest.mark.parametrize(("method", "suffix", "body", "field"), [
    ("patch", "/answers",
     {"answers": [{"question_id": "contain.circuit-breakers", "choices": ["none"],
                   "base_version": "1"}]}, "answers.0.base_version"),
    ("patch", "/answers",
     {"answers": [{"question_id": "contain.circuit-breakers", "choices": ["none"],
                   "base_version": True}]}, "answers.0.base_version"),
    ("patch", "/answers",
     {"workflow_id": "WORKFLOW", "answers": [{"question_id": "timeouts.bounded",
                                              "choices": ["all"], "base_version": 0}]},
     "workflow_id"),
    ("put", "/tracking", {"rule": "observe.no-alerts", "status": "planned", "owner_id": "OWNER"},
     "owner_id"),
    ("put", "/tracking", {"rule": "observe.no-alerts", "status": "planned",
                          "workflow_id": "WORKFLOW"}, "workflow_id"),
], ids=["base_version-string", "base_version-bool", "workflow_id-string", "owner_id-string",
        "tracking-workflow_id-string"])
def test_a_number_sent_as_a_string_is_422_naming_the_field_and_nothing_is_saved(
    client, world, editor_token, method, suffix, body, field
):
    assessment = world["assessment"]
    workflow = str(assessment.workflows[0].id)  # a valid id, but as a JSON string
    for target in (body, *body.get("answers", [])):
        for key in ("workflow_id", "owner_id"):
            if key in target:
                target[key] = workflow if target[key] == "WORKFLOW" else str(world["editor"].id)
    before = client.get(f"/api/v1/assessments/{assessment.id}/answers",
                        headers=_auth(editor_token)).get_json()
    response = getattr(client, method)(f"/api/v1/assessments/{assessment.id}{suffix}",
                                       json=body, headers=_auth(editor_token))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert problem["detail"] == f"{field}: Input should be a valid integer"
    assert client.get(f"/api/v1/assessments/{assessment.id}/answers",
                      headers=_auth(editor_token)).get_json() == before


def test_an_unknown_assessment_is_404_in_the_same_words_as_another_teams(
    client, world, editor_token
):
    other = world["other"].id
    answers = {aid: client.get(f"/api/v1/assessments/{aid}/answers", headers=_auth(editor_token))
               for aid in (other, 999999)}
    for aid, response in answers.items():
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
        assert response.get_json()["detail"] == (
            f"There is no assessment {aid}, or this token's user cannot see it.")


def test_a_wrong_choice_is_422_naming_the_question(client, world, editor_token):
    body = {"answers": [{"question_id": "contain.circuit-breakers", "choices": ["maybe"],
                         "base_version": 1}]}
    response = client.patch(f"/api/v1/assessments/{world['assessment'].id}/answers", json=body,
                            headers=_auth(editor_token))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "contain.circuit-breakers"


@pytest.mark.parametrize(("body", "detail"), [
    ({"answers": [{"question_id": "contain.circuit-breaker", "choices": ["some"],
                   "base_version": 1}]},
     "There is no system question “contain.circuit-breaker” (did you mean "
     "“contain.circuit-breakers”?)"),
    ({"answers": [{"question_id": "timeouts.bounded", "choices": ["all"], "base_version": 0}]},
     "“timeouts.bounded” is a question of each workflow: send it with the workflow's "
     "workflow_id"),
    ({"workflow_id": "WORKFLOW", "answers": [{"question_id": "fit.high-volume",
                                              "choices": ["high"], "base_version": 1}]},
     "“fit.high-volume” is a question of the system: send it without a workflow_id"),
], ids=["misspelled", "workflow-question-as-system", "system-question-on-a-workflow"])
def test_an_unknown_or_misplaced_question_is_422_naming_it(
    client, world, editor_token, body, detail
):
    aid = world["assessment"].id
    if body.get("workflow_id") == "WORKFLOW":
        body["workflow_id"] = world["assessment"].workflows[0].id
    response = client.patch(f"/api/v1/assessments/{aid}/answers", json=body,
                            headers=_auth(editor_token))
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["detail"] == detail  # it said "on this page", a page the API has none of
    assert problem["errors"][0]["field"] == body["answers"][0]["question_id"]


def test_a_question_sent_twice_in_one_request_is_422_and_nothing_is_saved(
    client, world, editor_token
):
    aid = world["assessment"].id
    body = {"answers": [
        {"question_id": "contain.circuit-breakers", "choices": ["all-critical"], "base_version": 1},
        {"question_id": "contain.circuit-breakers", "choices": ["none"], "base_version": 1},
    ]}
    response = client.patch(f"/api/v1/assessments/{aid}/answers", json=body,
                            headers=_auth(editor_token))
    assert response.status_code == 422
    assert response.get_json()["detail"] == (
        "“contain.circuit-breakers” is sent twice: send each question once")
    answers = client.get(f"/api/v1/assessments/{aid}/answers",
                         headers=_auth(editor_token)).get_json()["answers"]
    row = next(a for a in answers if a["question_id"] == "contain.circuit-breakers")
    assert (row["choices"], row["version"]) == (["some"], 1)


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/api/v1/assesments", 404),
    ("GET", "/api/v1/assessments/abc", 404),
    ("DELETE", "/api/v1/assessments/ASSESSMENT/answers", 405),
])
def test_an_address_the_api_does_not_have_answers_problem_json(
    client, world, editor_token, method, path, status
):
    path = path.replace("ASSESSMENT", str(world["assessment"].id))
    response = client.open(path, method=method, headers=_auth(editor_token))
    assert response.status_code == status  # it answered the web's HTML error page
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == status


def test_an_unknown_workflow_is_404_saying_so(client, world, editor_token):
    body = {"workflow_id": 99999, "answers": [
        {"question_id": "timeouts.bounded", "choices": ["all"], "base_version": 0}]}
    response = client.patch(f"/api/v1/assessments/{world['assessment'].id}/answers", json=body,
                            headers=_auth(editor_token))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "This assessment has no workflow 99999."


def test_a_read_only_token_cannot_write(client, world, make_token):
    raw = make_token(world["editor"], scope="read")
    aid = world["assessment"].id
    assert client.get(f"/api/v1/assessments/{aid}", headers=_auth(raw)).status_code == 200
    response = client.patch(f"/api/v1/assessments/{aid}/answers", headers=_auth(raw),
                            json={"answers": []})
    assert response.status_code == 403
    assert "read-only" in response.get_json()["detail"]


def test_a_viewers_read_write_token_cannot_write_either(client, world, make_token):
    raw = make_token(world["viewer"])
    body = {"answers": [{"question_id": "contain.circuit-breakers", "base_version": 1}]}
    response = client.patch(f"/api/v1/assessments/{world['assessment'].id}/answers",
                            headers=_auth(raw), json=body)
    assert response.status_code == 403


def test_expired_revoked_unknown_and_missing_tokens_are_401(
    app, client, db_session, world, make_token
):
    expired = make_token(world["editor"])
    revoked = make_token(world["editor"])
    token_rows = tokens.tokens_of(db_session, world["editor"])
    by_hash = {t.token_hash: t for t in token_rows}
    by_hash[tokens.token_hash(expired)].expires_at = utcnow() - dt.timedelta(seconds=1)
    with app.test_request_context():
        tokens.revoke_token(db_session, world["editor"], by_hash[tokens.token_hash(revoked)].id)
    db_session.flush()
    for headers in (_auth(expired), _auth(revoked), _auth("flt_nope"), {}):
        response = client.get("/api/v1/assessments", headers=headers)
        assert response.status_code == 401, headers
        assert response.mimetype == "application/problem+json"


def test_a_write_without_a_token_still_needs_a_csrf_token(client, world):
    response = client.patch(f"/api/v1/assessments/{world['assessment'].id}/answers",
                            json={"answers": []})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["detail"]


def test_each_use_is_in_the_audit_log(client, db_session, world, editor_token):
    from webapp.audit.models import AuditEvent

    client.get(f"/api/v1/assessments/{world['assessment'].id}/result",
               headers=_auth(editor_token))
    db_session.expire_all()
    events = db_session.query(AuditEvent).filter_by(action="api.read").all()
    assert [e.target for e in events] == [f"GET /api/v1/assessments/{world['assessment'].id}"
                                          "/result"]
    assert events[0].actor_id == world["editor"].id


def test_milestones_are_listed_and_read(client, app, db_session, world, editor_token):
    from webapp.tracking.milestones import create_milestone

    with app.test_request_context():
        milestone = create_milestone(db_session, world["assessment"], world["owner"],
                                     name="Baseline", note="", cache=result_cache())
    aid = world["assessment"].id
    listed = client.get(f"/api/v1/assessments/{aid}/milestones",
                        headers=_auth(editor_token)).get_json()["milestones"]
    assert [m["name"] for m in listed] == ["Baseline"] and listed[0]["overall"] == world["score"]
    one = client.get(f"/api/v1/assessments/{aid}/milestones/{milestone.id}",
                     headers=_auth(editor_token)).get_json()
    assert one["result"]["overall"] == world["score"]
    assert isinstance(milestone, Milestone)


def test_the_rate_limit_answers_429(app, client, world, editor_token):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    codes = [client.get("/api/v1/assessments", headers=_auth(editor_token)).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_openapi_document_is_valid_and_lists_every_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    documented = {(path, method.upper()) for path, ops in document["paths"].items()
                  for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document":
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<int:{name}>", f"{{{name}}}")
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes and routes == documented
