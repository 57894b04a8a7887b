"""Every use of a token is one row of the audit log, whatever the answer; the list of
assessments reads the figures the task queue keeps and builds no result."""

from __future__ import annotations

import pytest

from tests.factories import fill_from_example
from webapp.api import tokens
from webapp.assessments.evaluation import evaluate_assessment
from webapp.audit.models import AuditEvent
from webapp.core.views import result_cache


@pytest.fixture
def world(app, db_session, people, make_assessment):
    assessment = make_assessment(people["team"], people["owner"], name="Ledgerline Payments")
    with app.test_request_context():
        fill_from_example(db_session, assessment, people["owner"])
    other = make_assessment(people["other_team"], people["stranger"], name="Elsewhere API")
    return {**people, "assessment": assessment, "other": other}


@pytest.fixture
def token_of(app, db_session):
    def make(user, scope="read-write"):
        with app.test_request_context():
            return tokens.create_token(db_session, user, name="portfolio script", scope=scope,
                                       days=30)[1]

    return make


def _auth(raw):
    return {"Authorization": f"Bearer {raw}"}


def _uses(db_session):
    db_session.expire_all()
    return db_session.query(AuditEvent).filter(AuditEvent.action.startswith("api.")).order_by(
        AuditEvent.id).all()


def test_the_list_is_one_audit_row_and_builds_no_result(
    app, client, db_session, world, token_of, monkeypatch
):
    with app.test_request_context():
        expected = evaluate_assessment(db_session, world["assessment"], result_cache())
    raw = token_of(world["editor"])
    assert client.get("/api/v1/assessments", headers=_auth(raw)).status_code == 200
    [use] = _uses(db_session)
    assert use.assessment_id is None and use.actor_id == world["editor"].id
    assert use.action == "api.read" and use.target == "GET /api/v1/assessments"
    assert use.detail["status"] == 200 and use.detail["token_name"] == "portfolio script"

    def refuse(*_args, **_kwargs):
        raise AssertionError("the list built a result")

    monkeypatch.setattr("webapp.assessments.evaluation.domain.evaluate_result", refuse)
    listed = client.get(f"/api/v1/assessments?team={world['team'].id}",
                        headers=_auth(raw)).get_json()["assessments"]
    assert [(a["name"], a["overall"], a["critical"], a["updating"]) for a in listed] == [
        ("Ledgerline Payments", expected.overall, 4, False)]
    assert len(_uses(db_session)) == 2


def test_refused_uses_are_in_the_audit_log_too(client, db_session, world, token_of):
    read_only, writer = token_of(world["editor"], "read"), token_of(world["editor"])
    aid, other = world["assessment"].id, world["other"].id
    client.get(f"/api/v1/assessments/{other}/result", headers=_auth(read_only))  # 404
    client.patch(f"/api/v1/assessments/{aid}/answers", headers=_auth(read_only),
                 json={"answers": []})  # 403
    stale = {"answers": [{"question_id": "contain.circuit-breakers", "choices": ["all-critical"],
                          "base_version": 0}]}
    assert client.patch(f"/api/v1/assessments/{aid}/answers", headers=_auth(writer),
                        json=stale).status_code == 409
    uses = _uses(db_session)
    assert [(u.action, u.assessment_id, u.detail["status"]) for u in uses] == [
        ("api.read", None, 404), ("api.write", aid, 403), ("api.write", aid, 409)]
    # the 409 rolled the change back, not the row saying it was tried
    assert uses[2].target == f"PATCH /api/v1/assessments/{aid}/answers"


def test_an_administrator_lists_every_team_as_on_the_portfolio(
    client, db_session, world, make_user, token_of
):
    raw = token_of(make_user(is_admin=True), "read")
    names = [a["name"] for a in client.get("/api/v1/assessments",
                                           headers=_auth(raw)).get_json()["assessments"]]
    assert names == ["Ledgerline Payments", "Elsewhere API"]


def test_the_account_page_shows_the_tokens_recent_uses(client, world, token_of, login):
    raw = token_of(world["editor"])
    client.get(f"/api/v1/assessments/{world['assessment'].id}/plan", headers=_auth(raw))
    login(world["editor"])
    page = client.get("/account/tokens/").get_data(True)
    assert "Recent uses" in page
    assert f"GET /api/v1/assessments/{world['assessment'].id}/plan" in page and ">200<" in page


def test_a_revoked_tokens_use_is_audited_and_an_unknown_one_is_not(
    app, client, db_session, world, token_of
):
    raw = token_of(world["editor"])
    with app.test_request_context():
        [token] = tokens.tokens_of(db_session, world["editor"])
        tokens.revoke_token(db_session, world["editor"], token.id)
    aid = world["assessment"].id
    assert client.get(f"/api/v1/assessments/{aid}/plan", headers=_auth(raw)).status_code == 401
    assert client.get("/api/v1/assessments", headers=_auth("flt_" + "x" * 43)).status_code == 401
    [use] = _uses(db_session)
    assert (use.actor_id, use.assessment_id, use.detail["status"]) == (
        world["editor"].id, aid, 401)
