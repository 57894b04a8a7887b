"""Share links: creation and permissions, what a link opens, expiry, revocation, rate limits,
and that the token never reaches the database or the logs."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select

from webapp.accounts.models import User
from webapp.assessments import services as assessment_service
from webapp.assessments.answers import AnswerInput, AnswerValue, save_answers
from webapp.assessments.evaluation import evaluate_assessment
from webapp.audit.models import AuditEvent
from webapp.core.db import Base, session_scope
from webapp.core.errors import NotFoundError
from webapp.core.logs import JsonFormatter
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.domain import result_to_dict
from webapp.sharing import services as sharing
from webapp.sharing.models import ShareLink, ShareView
from webapp.teams.models import Membership, Team
from webapp.tracking.models import Milestone

BASE_URL = "https://faultline.example.com"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
LINK = re.compile(re.escape(BASE_URL) + r"/s/([A-Za-z0-9_-]{43})")
GUESS_LIMIT = 5
SHARE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return {**app_config, "REPORT_CACHE_DIR": str(tmp_path / "pdf-cache"),
            "FAULTLINE_BASE_URL": BASE_URL,
            "SHARE_GUESS_RATE_LIMIT": f"{GUESS_LIMIT} per minute"}


@pytest.fixture
def assessment(app, db_session, people):
    with app.test_request_context():
        found = assessment_service.start_assessment(
            db_session, people["team"], people["owner"], name="Payments API", content=get_content())
        save_answers(db_session, found, people["owner"], [
            AnswerInput("observe.structured-logs", AnswerValue(("none",), None, "grep on hosts"))],
            content=get_content())
    return found


@pytest.fixture
def other_assessment(make_assessment, people):
    return make_assessment(people["other_team"], people["stranger"], name="Secret Ledger")


@pytest.fixture
def share(app, db_session, assessment, people):
    """make a link through the service: share(label=..., days=..., now=...) -> NewShare."""

    def make(**options: Any) -> sharing.NewShare:
        options.setdefault("label", "Audit")
        with app.app_context():
            return sharing.create_share(db_session, assessment, people["owner"], **options)

    return make


def as_client(client, address: str = "198.51.100.7", agent: str = FIREFOX):
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    return client


def form_token(html: str) -> str:
    return re.search(r'name="submit_token"[^>]*value="([^"]+)"', html).group(1)


def create_through_page(client, assessment, label="Quarterly audit", days="30", **extra):
    page = client.get(f"/assessments/{assessment.id}/sharing")
    data = {"label": label, "days": days, "milestone": "", "submit_token": form_token(page.text),
            **extra}
    return client.post(f"/assessments/{assessment.id}/sharing", data=data)


# --- creating links: who may, what the creator sees ---------------------------------------


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_owners_and_editors_create_a_link_shown_once(client, login, people, assessment, role):
    login(people[role])
    created = create_through_page(client, assessment)
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    token = LINK.search(created.text).group(1)
    assert "only time this link is shown" in created.text
    again = client.get(f"/assessments/{assessment.id}/sharing")
    assert "Quarterly audit" in again.text and "Live" in again.text
    assert token not in again.text


def test_viewers_cannot_share_and_non_members_do_not_see_the_page(
    client, login, people, assessment
):
    login(people["viewer"])
    assert client.get(f"/assessments/{assessment.id}/sharing").status_code == 403
    refused = client.post(f"/assessments/{assessment.id}/sharing",
                          data={"label": "x", "days": "30", "milestone": ""})
    assert refused.status_code == 403
    results = client.get(f"/assessments/{assessment.id}/results")
    assert "/sharing" not in results.text  # no Share button for viewers
    client.post("/signout")
    login(people["stranger"])
    assert client.get(f"/assessments/{assessment.id}/sharing").status_code == 404
    assert client.post(f"/assessments/{assessment.id}/sharing",
                       data={"label": "x", "days": "30"}).status_code == 404


def test_link_urls_come_from_the_configured_base_url_not_the_host_header(
    client, login, people, assessment
):
    login(people["owner"])
    page = client.get(f"/assessments/{assessment.id}/sharing")
    data = {"label": "Board", "days": "7", "milestone": "", "submit_token": form_token(page.text)}
    created = client.post(f"/assessments/{assessment.id}/sharing", data=data,
                          headers={"X-Forwarded-Host": "evil.example"})
    assert LINK.search(created.text)  # the request itself came to http://localhost/
    assert "evil.example" not in created.text and "localhost" not in created.text


@pytest.mark.parametrize(("days", "message"), [("0", "From 1 to 365 days"),
                                               ("366", "From 1 to 365 days"),
                                               ("", "how many days")])
def test_expiry_outside_one_to_365_days_is_refused(
    client, login, people, assessment, db_session, days, message
):
    login(people["owner"])
    refused = create_through_page(client, assessment, days=days, label="Kept label")
    assert refused.status_code == 400 and message in refused.text
    assert 'value="Kept label"' in refused.text
    assert db_session.scalar(select(ShareLink)) is None


def test_default_expiry_is_30_days_and_a_label_is_required(
    app, db_session, assessment, people, share
):
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    created = share(now=now)
    assert sharing.as_utc(created.link.expires_at) == now + timedelta(days=30)
    with pytest.raises(ServiceError, match="label"):
        share(label="   ")
    with pytest.raises(ServiceError, match="1 to 365"):
        share(days=366)


def test_a_resent_create_form_makes_one_link(client, login, people, assessment, db_session):
    login(people["owner"])
    page = client.get(f"/assessments/{assessment.id}/sharing")
    data = {"label": "Once", "days": "30", "milestone": "", "submit_token": form_token(page.text)}
    first = client.post(f"/assessments/{assessment.id}/sharing", data=data)
    second = client.post(f"/assessments/{assessment.id}/sharing", data=data)
    assert first.status_code == 200 and second.status_code == 302
    assert len(db_session.scalars(select(ShareLink)).all()) == 1


def test_without_a_base_url_production_makes_no_links(app, client, login, people, assessment,
                                                     db_session):
    app.config.update(FAULTLINE_BASE_URL="", FAULTLINE_ENV="production")
    login(people["owner"])
    page = client.get(f"/assessments/{assessment.id}/sharing")
    assert "Share links need FAULTLINE_BASE_URL" in page.text
    refused = create_through_page(client, assessment)
    assert refused.status_code == 503 and "FAULTLINE_BASE_URL" in refused.text
    assert db_session.scalar(select(ShareLink)) is None


def empty_milestone(db_session, assessment, name: str) -> Milestone:
    """A milestone row with no answers and no result, stored straight to the table."""
    milestone = Milestone(assessment_id=assessment.id, name=name,
                          questionnaire_id="reliability-review", questionnaire_version=1,
                          answers={}, result={})
    db_session.add(milestone)
    db_session.flush()
    return milestone


def test_a_link_can_be_pinned_to_a_milestone_from_the_page(
    client, login, people, assessment, db_session
):
    milestone = empty_milestone(db_session, assessment, "Sign-off March")
    login(people["editor"])
    page = client.get(f"/assessments/{assessment.id}/sharing")
    assert "Milestone: Sign-off March" in page.text
    created = create_through_page(client, assessment, milestone=str(milestone.id))
    assert created.status_code == 200
    assert db_session.scalar(select(ShareLink.milestone_id)) == milestone.id
    assert "Milestone “Sign-off March”" in client.get(
        f"/assessments/{assessment.id}/sharing").text


# --- what a link opens -----------------------------------------------------------------------


def test_a_link_opens_the_report_read_only_with_private_headers(client, share, assessment):
    token = share().token
    response = as_client(client).get(f"/s/{token}")
    assert response.status_code == 200
    assert "Payments API" in response.text and "Download PDF" in response.text
    assert f'href="/s/{token}/report.pdf"' in response.text
    for name, value in SHARE_HEADERS.items():
        assert response.headers[name] == value
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "/assessments/" not in response.text and "/signin" not in response.text


def test_a_link_downloads_the_pdf_and_both_views_are_logged(
    client, login, share, assessment, people, db_session
):
    token = share().token
    as_client(client).get(f"/s/{token}")
    pdf = client.get(f"/s/{token}/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert pdf.headers["Content-Disposition"].startswith('attachment; filename="payments-api-')
    assert pdf.headers["Cache-Control"] == "no-store"
    login(people["owner"])
    page = client.get(f"/assessments/{assessment.id}/sharing")
    assert "Firefox on Windows" in page.text
    assert "PDF download" in page.text and "Report page" in page.text
    assert re.search(r'share-views-count">2<', page.text)


def test_a_link_reaches_no_other_assessment_and_no_edit_endpoint(
    client, share, assessment, other_assessment
):
    token = share().token
    client = as_client(client)
    assert client.get(f"/s/{token}").status_code == 200
    for path in (f"/s/{token}/{other_assessment.id}", f"/s/{token}/results",
                 f"/s/{token}/sharing", f"/s/{token}/steps/fit", f"/s/{token}/report.pdf/x",
                 f"/s/{token}/../assessments/{other_assessment.id}/results"):
        assert client.get(path).status_code == 404, path
    # The link gives no session: the app's own pages still ask to sign in.
    for path in (f"/assessments/{other_assessment.id}/results",
                 f"/assessments/{assessment.id}/steps/fit",
                 f"/assessments/{assessment.id}/sharing"):
        response = client.get(path)
        assert response.status_code == 302 and "/signin" in response.headers["Location"]
    edit = client.post(f"/assessments/{assessment.id}/steps/fit", data={})
    assert edit.status_code in (302, 400)
    assert "Secret Ledger" not in client.get(f"/s/{token}").text


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("suffix", ["", "/report.pdf"])
def test_writing_methods_on_share_urls_are_refused(client, share, db_session, method, suffix):
    token = share().token
    response = as_client(client).open(f"/s/{token}{suffix}", method=method)
    assert response.status_code == 405
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert db_session.scalar(select(ShareView)) is None


def test_unknown_expired_and_revoked_links_get_the_same_404(
    app, client, share, assessment, people, db_session
):
    expired = share(label="Old", now=datetime.now(UTC) - timedelta(days=31)).token
    revoked = share(label="Revoked")
    with app.app_context():
        sharing.revoke_share(db_session, assessment, revoked.link.id, people["owner"])
    client = as_client(client)
    answers = [client.get(f"/s/{token}") for token in
               (secrets.token_urlsafe(32), expired, revoked.token, "short")]
    assert {r.status_code for r in answers} == {404}
    assert len({r.data for r in answers}) == 1
    for response in answers:
        for name, value in SHARE_HEADERS.items():
            assert response.headers[name] == value
    assert "Payments API" not in answers[0].text


def test_a_services_not_found_under_a_share_link_is_the_share_links_own_404(
    client, share, monkeypatch
):
    token, client = share().token, as_client(client)
    unknown = client.get(f"/s/{secrets.token_urlsafe(32)}")

    def not_found(*_args):
        raise NotFoundError()

    monkeypatch.setattr(sharing, "resolve_share", not_found)
    response = client.get(f"/s/{token}")
    assert (response.status_code, response.data) == (404, unknown.data)
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_expiry_is_exact_to_the_second(app, client, share, monkeypatch):
    start = datetime(2026, 5, 4, 9, 30, 15, tzinfo=UTC)
    created = share(days=1, now=start)
    expiry = start + timedelta(days=1)
    link = created.link
    assert sharing.share_state(link, expiry - timedelta(seconds=1)) is sharing.ShareState.LIVE
    assert sharing.share_state(link, expiry) is sharing.ShareState.EXPIRED
    client = as_client(client)
    monkeypatch.setattr(sharing, "utcnow", lambda: expiry - timedelta(microseconds=1))
    assert client.get(f"/s/{created.token}").status_code == 200
    monkeypatch.setattr(sharing, "utcnow", lambda: expiry)
    assert client.get(f"/s/{created.token}").status_code == 404


def test_a_revoked_link_fails_on_the_very_next_request(
    client, login, share, assessment, people, db_session
):
    created = share(label="Board pack")
    viewer = as_client(client)
    assert viewer.get(f"/s/{created.token}").status_code == 200
    login(people["editor"])
    revoked = client.post(f"/assessments/{assessment.id}/sharing/{created.link.id}/revoke")
    assert revoked.status_code == 302
    assert client.get(f"/s/{created.token}").status_code == 404
    assert client.get(f"/s/{created.token}/report.pdf").status_code == 404
    page = client.get(f"/assessments/{assessment.id}/sharing")
    assert "Revoked" in page.text and "Board pack" in page.text


def test_revoking_needs_the_form_token_and_an_editor(client, login, share, assessment, people):
    created = share()
    login(people["viewer"])
    assert client.post(
        f"/assessments/{assessment.id}/sharing/{created.link.id}/revoke").status_code == 403
    client.post("/signout")
    login(people["owner"])
    assert client.post(f"/assessments/{assessment.id}/sharing/{created.link.id}/revoke",
                       csrf=False).status_code == 400
    assert as_client(client).get(f"/s/{created.token}").status_code == 200


def test_a_link_of_another_assessment_cannot_be_revoked_from_this_one(
    app, db_session, share, other_assessment, people
):
    created = share()
    with app.app_context(), pytest.raises(NotFoundError):
        sharing.revoke_share(db_session, other_assessment, created.link.id, people["stranger"])
    assert created.link.revoked_at is None


# --- rate limits ---------------------------------------------------------------------------


def test_guessing_gets_429_while_a_valid_link_from_another_client_works(app, share):
    token = share().token
    guesser = as_client(app.test_client(), "203.0.113.66")
    reader = as_client(app.test_client(), "198.51.100.20")
    for _ in range(GUESS_LIMIT):
        assert guesser.get(f"/s/{secrets.token_urlsafe(32)}").status_code == 404
    blocked = guesser.get(f"/s/{secrets.token_urlsafe(32)}")
    assert blocked.status_code == 429
    assert blocked.headers["Referrer-Policy"] == "no-referrer"
    assert guesser.get(f"/s/{token}").status_code == 429  # even a right guess, now
    for _ in range(3):
        assert reader.get(f"/s/{token}").status_code == 200


def test_successful_views_do_not_use_up_the_guess_allowance(app, share):
    token = share().token
    reader = as_client(app.test_client(), "198.51.100.21")
    for _ in range(GUESS_LIMIT + 3):
        assert reader.get(f"/s/{token}").status_code == 200


def committed_link(app) -> str:
    """A link created and committed in `app`'s own database (apps from `make_app`)."""
    with app.app_context(), session_scope(app) as session:
        user = User(email=f"{secrets.token_hex(4)}@example.com", name="P", password_hash="x")
        team = Team(name="T", memberships=[Membership(user=user, role="owner")])
        session.add(team)
        session.flush()
        found = assessment_service.start_assessment(session, team, user, name="Own API",
                                                    content=get_content())
        return sharing.create_share(session, found, user, label="Link").token


def test_behind_a_proxy_the_limit_follows_the_forwarded_client(make_app):
    app = make_app(PROXY_HOPS=1, SHARE_GUESS_RATE_LIMIT=f"{GUESS_LIMIT} per minute")
    token = committed_link(app)
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request arrives from the same proxy
    guesser = app.test_client()
    for _ in range(GUESS_LIMIT):
        guesser.get(f"/s/{secrets.token_urlsafe(32)}", environ_base=proxy,
                    headers={"X-Forwarded-For": "203.0.113.9"})
    assert guesser.get(f"/s/{token}", environ_base=proxy,
                       headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    assert app.test_client().get(f"/s/{token}", environ_base=proxy,
                                 headers={"X-Forwarded-For": "192.0.2.44"}).status_code == 200


def test_with_redis_the_guess_limit_holds_across_workers(make_app, redis_url):
    settings = {"RATELIMIT_STORAGE_URI": redis_url,
                "SHARE_GUESS_RATE_LIMIT": f"{GUESS_LIMIT} per minute"}
    first, second = make_app(**settings), make_app(**settings)
    token = committed_link(first)
    guesser = f"203.0.113.{secrets.randbelow(250) + 1}"  # fresh counters in a shared Redis
    statuses = [as_client(worker.test_client(), guesser)
                .get(f"/s/{secrets.token_urlsafe(32)}").status_code
                for worker in [first, second] * 3]  # alternate between the two "workers"
    assert statuses == [404] * GUESS_LIMIT + [429]
    keys = redis.Redis.from_url(redis_url).keys(f"*{guesser}*")
    assert keys, "the guess counter is kept in Redis"
    reader = as_client(second.test_client(), "198.51.100.30")
    assert reader.get(f"/s/{token}").status_code == 200


# --- milestones ----------------------------------------------------------------------------


def test_a_milestone_link_shows_the_frozen_review_not_later_edits(
    app, client, db_session, assessment, people, share
):
    with app.app_context():
        result = result_to_dict(evaluate_assessment(db_session, assessment, result_cache()))
    milestone = Milestone(assessment_id=assessment.id, name="Before the migration",
                          questionnaire_id=assessment.questionnaire_id,
                          questionnaire_version=assessment.questionnaire_version,
                          revision=assessment.revision, answers={}, result=result,
                          created_by_id=people["owner"].id)
    db_session.add(milestone)
    db_session.flush()
    token = share(milestone_id=milestone.id).token
    with app.app_context():
        assessment_service.update_details(db_session, assessment, name="Renamed API",
                                          description="", content=get_content())
    page = as_client(client).get(f"/s/{token}")
    assert "Before the migration" in page.text and "Payments API" in page.text
    assert "Renamed API" not in page.text


def test_a_milestone_of_another_assessment_is_refused(
    app, db_session, share, other_assessment, people
):
    foreign = empty_milestone(db_session, other_assessment, "Theirs")
    with pytest.raises(ServiceError, match="milestone"):
        share(milestone_id=foreign.id)


# --- audit and secrecy ---------------------------------------------------------------------


def test_creating_and_revoking_are_audited_without_the_token(
    app, db_session, share, assessment, people
):
    created = share(label="Auditor")
    with app.app_context():
        sharing.revoke_share(db_session, assessment, created.link.id, people["editor"])
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action.like("share.%"))
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_id, e.target) for e in events] == [
        ("share.created", people["owner"].id, f"share:{created.link.id}"),
        ("share.revoked", people["editor"].id, f"share:{created.link.id}"),
    ]
    assert events[1].detail["before"]["status"] == "live"
    assert events[1].detail["after"]["status"] == "revoked"
    assert created.token not in repr([e.detail for e in events])


def test_the_token_is_in_neither_the_database_nor_the_logs(
    client, login, people, assessment, db_session, caplog
):
    caplog.set_level(logging.DEBUG)
    login(people["owner"])
    token = LINK.search(create_through_page(client, assessment).text).group(1)
    link_id = db_session.scalar(select(ShareLink.id))
    client.post("/signout")
    reader = as_client(client)
    assert reader.get(f"/s/{token}").status_code == 200
    assert reader.get(f"/s/{token}/nothing").status_code == 404
    reader.post(f"/s/{token}", csrf=False)
    login(people["owner"])
    client.post(f"/assessments/{assessment.id}/sharing/{link_id}/revoke")
    assert reader.get(f"/s/{token}").status_code == 404

    connection = db_session.connection()
    dump = "\n".join(repr(row) for table in Base.metadata.sorted_tables
                     for row in connection.execute(select(table)))
    assert sharing.hash_token(token) in dump  # the dump did read the share links
    assert token not in dump
    formatter = JsonFormatter()
    logged = "\n".join([caplog.text, *(formatter.format(r) for r in caplog.records)])
    assert "/s/[redacted]" in logged  # the access log saw the share requests
    assert token not in logged and token[:16] not in logged


def test_the_owner_picks_the_pdf_edition_a_link_offers(client, login, people, assessment,
                                                       db_session, share):
    login(people["owner"])
    assert create_through_page(client, assessment, edition="executive").status_code == 200
    assert db_session.scalars(select(ShareLink)).one().edition == "executive"
    bad = create_through_page(client, assessment, label="Odd", edition="glossy")
    assert bad.status_code == 400 and "Odd" in bad.text
    executive = client.get(f"/s/{share(edition='executive').token}/report.pdf")
    assert "-reliability-review-executive-" in executive.headers["Content-Disposition"]
    full = client.get(f"/s/{share().token}/report.pdf")
    assert "-reliability-review-executive-" not in full.headers["Content-Disposition"]


def test_the_shared_page_is_the_edition_the_link_offers(client, share):
    """A director on a phone gets the short edition on the page too, not 130,000 px."""
    executive = client.get(f"/s/{share(edition='executive').token}").text
    full = client.get(f"/s/{share(label='Auditor').token}").text
    assert "Findings in detail" in full and "Findings in detail" not in executive
    assert "Executive summary" in executive


def test_a_link_shows_the_system_under_stress_once(client, share, assessment):
    """The system's scenarios (a zone lost, an expired certificate...) are the system's, so the
    shared report shows them once, even before any workflow is described."""
    page = as_client(client).get(f"/s/{share().token}").text
    assert page.count("<h3>The system under stress</h3>") == 1
    assert "One availability zone or data centre is lost" in page
    assert "No workflows were described." in page
