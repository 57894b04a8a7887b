"""CSRF, security headers, request ids and error pages."""

from __future__ import annotations

import json
import logging

import pytest

from webapp.core.errors import ForbiddenError, NotFoundError
from webapp.core.logs import JsonFormatter, RequestIdFilter
from webapp.core.security import CONTENT_SECURITY_POLICY


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, make_user, db_session):
    response = client.post("/signup", csrf=False, data={
        "name": "Mallory", "email": "mallory@example.com",
        "password": "long enough pass", "confirm": "long enough pass",
    })
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    from sqlalchemy import select

    from webapp.accounts.models import User
    assert db_session.scalar(select(User)) is None


def test_post_with_forged_csrf_token_is_refused(client, make_user, make_team, login):
    owner = make_user()
    team = make_team(owner=owner)
    login(owner)
    response = client.post(f"/teams/{team.id}/members/{owner.id}/remove", csrf=False,
                           data={"csrf_token": "forged"})
    assert response.status_code == 400


def test_signout_needs_a_csrf_token(client, make_user, login):
    login(make_user())
    client.post("/signout", csrf=False)
    assert client.get("/teams/").status_code == 200  # still signed in


PATHS = ["/", "/signin", "/healthz", "/no-such-page", "/static/css/app.css"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_security_headers(client, path):
    response = client.get(path)
    response.close()
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Request-ID"]


def test_session_cookie_is_http_only_and_same_site(client, make_user, login):
    response = login(make_user())
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_sane_incoming_request_id_is_echoed_and_insane_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123-def"}).headers[
        "X-Request-ID"] == "abc-123-def"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert replaced.headers["X-Request-ID"] != "bad id <script>"
    assert len(replaced.headers["X-Request-ID"]) == 32


def test_log_lines_are_json_with_the_request_id(app):
    formatter, request_filter = JsonFormatter(), RequestIdFilter()
    record = logging.LogRecord("webapp.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    with app.test_request_context("/", headers={"X-Request-ID": "req-12345678"}):
        app.preprocess_request()
        request_filter.filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "hello you"
    assert line["request_id"] == "req-12345678"
    assert line["level"] == "info" and line["logger"] == "webapp.x"


def test_templates_have_no_inline_script_or_style(app):
    from pathlib import Path

    for path in Path(app.root_path, "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "style=" not in text, path
        assert "<style" not in text, path
        assert "<script>" not in text and "onclick=" not in text, path


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Not found" in page and "Back to Faultline" in page


def test_403_page_says_which_role_is_needed(client, make_user, make_team, login):
    viewer = make_user()
    team = make_team(members={viewer: "viewer"})
    login(viewer)
    response = client.post(f"/teams/{team.id}/invitations", data={"email": "x@example.com"})
    assert response.status_code == 403
    assert "This needs the owner role in this team." in response.get_data(as_text=True)


@pytest.mark.parametrize(("error", "status", "text"), [
    (NotFoundError(), 404, "There is nothing here, or it is not shared with you."),
    (ForbiddenError(), 403, "Your role in this team does not allow this. Ask a team owner."),
    (ForbiddenError("This needs the owner role in this team."), 403,
     "This needs the owner role in this team."),
])
def test_a_services_access_error_is_the_error_page_with_the_security_headers(
    app, client, error, status, text
):
    def refuse():
        raise error

    app.add_url_rule("/refuse", view_func=refuse)
    response = client.get("/refuse")
    assert response.status_code == status
    assert text in response.text and "Back to Faultline" in response.text
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-ID"] in response.text
    as_json = client.get("/refuse", headers={"Accept": "application/json"})
    assert as_json.get_json() == {"error": "Not found" if status == 404 else "Not allowed",
                                  "detail": text, "status": status}


def test_unexpected_error_shows_500_page_without_traceback(app, client, caplog):
    def explode():
        raise RuntimeError("secret internals")

    app.add_url_rule("/explode", view_func=explode)
    with caplog.at_level(logging.ERROR):
        response = client.get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "Traceback" not in page and "secret internals" not in page
    assert response.headers["X-Request-ID"] in page
    assert any("unhandled error" in r.getMessage() for r in caplog.records)


def test_error_in_a_view_rolls_back_what_it_wrote(app, client, db_session):
    from sqlalchemy import select

    from webapp.core.db import get_session
    from webapp.teams.models import Team

    def write_then_fail():
        get_session().add(Team(name="Half-written"))
        get_session().flush()
        raise RuntimeError("boom")

    app.add_url_rule("/write-then-fail", view_func=write_then_fail)
    assert client.get("/write-then-fail").status_code == 500
    assert db_session.scalar(select(Team).where(Team.name == "Half-written")) is None


def test_oversized_request_is_refused_with_413(client, app):
    body = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/signin", data={"email": body, "password": "p"})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_json_clients_get_json_errors(client):
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_a_failing_commit_becomes_a_500_and_is_logged_as_one(app, client, caplog, make_user):
    from webapp.accounts.models import User
    from webapp.core.db import get_session

    taken = make_user(email="taken@example.com")

    def duplicate_at_commit():
        get_session().add(User(email=taken.email, name="Twin", password_hash="x"))
        return "looks fine"  # the unique violation only shows when the request commits

    app.add_url_rule("/duplicate-at-commit", view_func=duplicate_at_commit)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: no re-raise to the client
    with caplog.at_level(logging.INFO):
        response = client.get("/duplicate-at-commit")
    assert response.status_code == 500
    access = [r for r in caplog.records if r.name == "webapp.access"]
    assert [r.status for r in access] == [500]


def test_share_tokens_in_paths_never_reach_the_log(client, caplog):
    token = "AbCdEf0123456789_-xyzXYZ"
    formatter = JsonFormatter()
    with caplog.at_level(logging.INFO, logger="webapp.access"):
        client.get(f"/s/{token}")
    lines = [formatter.format(r) for r in caplog.records if r.name == "webapp.access"]
    assert lines and all(token not in line for line in lines)
