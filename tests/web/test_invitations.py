"""Invitations: an owner invites, nobody joins without accepting, links work once, and the
answers never tell whether an email has an account."""

from __future__ import annotations

import difflib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.core.db import utcnow
from webapp.teams.models import Invitation, Membership

BASE_URL = "http://faultline.test"
LINK = re.compile(re.escape(BASE_URL) + r"/invitations/([A-Za-z0-9_-]{43})")


@pytest.fixture(autouse=True)
def base_url(app):
    app.config["FAULTLINE_BASE_URL"] = BASE_URL


def invite(client, team, email="new@example.com", role="editor"):
    response = client.post(f"/teams/{team.id}/invitations", data={"email": email, "role": role})
    assert response.status_code == 200, response.status_code
    return LINK.search(response.text).group(1), response


def members(db_session, team) -> dict[int, str]:
    db_session.expire_all()
    rows = db_session.scalars(select(Membership).where(Membership.team_id == team.id))
    return {m.user_id: m.role for m in rows}


def test_an_invitation_adds_nobody_until_accepted(client, db_session, make_user, make_team,
                                                  login):
    owner, invitee = make_user(), make_user(email="new@example.com")
    team = make_team(owner=owner)
    login(owner)
    token, response = invite(client, team)
    assert response.headers["Cache-Control"] == "no-store"
    assert "shown only once" in response.text
    assert invitee.id not in members(db_session, team)
    stored = db_session.scalar(select(Invitation))
    assert token not in (stored.token_hash, stored.email) and len(stored.token_hash) == 64
    assert "new@example.com" in client.get(f"/teams/{team.id}").text  # listed as pending

    client.post("/signout")
    login(invitee)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200 and f"Join {team.name}" in page.text
    assert invitee.id not in members(db_session, team)
    assert client.post(f"/invitations/{token}/accept").status_code == 302
    assert members(db_session, team)[invitee.id] == "editor"
    assert client.get(f"/invitations/{token}").status_code == 404  # single use
    assert client.post(f"/invitations/{token}/accept").status_code == 404


def test_the_answer_is_the_same_whether_the_email_has_an_account(client, make_user, make_team,
                                                                 login):
    owner = make_user()
    make_user(email="known@example.com")
    first, second = make_team(owner=owner, name="Same"), make_team(owner=owner, name="Same")
    login(owner)
    _, known = invite(client, first, "known@example.com")
    _, unknown = invite(client, second, "unknown@example.com")

    def normalized(response, email):
        text = re.sub(r"[A-Za-z0-9_-]{43}", "TOKEN", response.text.replace(email, "EMAIL"))
        text = re.sub(r'(name="csrf_token"[^>]*value=)"[^"]+"', r"\1", text)
        return re.sub(r"\d+", "N", text)  # ids of teams and invitations

    assert known.status_code == unknown.status_code == 200
    a = normalized(known, "known@example.com").splitlines()
    b = normalized(unknown, "unknown@example.com").splitlines()
    diff = list(difflib.unified_diff(a, b, n=0))
    assert not diff, "\n".join(diff)


def test_accepting_needs_a_signed_in_account(client, make_user, make_team, login):
    owner = make_user()
    team = make_team(owner=owner)
    login(owner)
    token, _ = invite(client, team)
    client.post("/signout")
    page = client.get(f"/invitations/{token}")
    assert "Sign in to accept" in page.text and "Create an account" in page.text
    response = client.post(f"/invitations/{token}/accept")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")


def test_an_invited_person_signs_up_even_when_sign_up_is_invitation_only(
        app, client, db_session, make_user, make_team, login):
    owner = make_user()
    team = make_team(owner=owner)
    app.config["FAULTLINE_SIGNUP"] = "invite"
    login(owner)
    token, _ = invite(client, team, "newcomer@example.com", "viewer")
    client.post("/signout")
    assert client.get("/signup").status_code == 403
    form = client.get(f"/signup?invite={token}")
    assert form.status_code == 200 and 'value="newcomer@example.com"' in form.text
    password = "mossy granite teapot orbit"
    created = client.post(f"/signup?invite={token}", data={
        "name": "Nia Newcomer", "email": "newcomer@example.com", "password": password,
        "confirm": password})
    assert created.headers["Location"] == f"/invitations/{token}"
    assert len(members(db_session, team)) == 1  # not yet: accepting is a separate step
    client.post(f"/invitations/{token}/accept")
    assert sorted(members(db_session, team).values()) == ["owner", "viewer"]


def test_revoked_expired_and_resent_links_stop_working(client, db_session, make_user, make_team,
                                                       login):
    owner = make_user()
    team = make_team(owner=owner)
    login(owner)
    revoked, _ = invite(client, team, "a@example.com")
    expired, _ = invite(client, team, "b@example.com")
    replaced, _ = invite(client, team, "c@example.com")
    rows = {i.email: i for i in db_session.scalars(select(Invitation))}
    assert client.post(f"/teams/{team.id}/invitations/{rows['a@example.com'].id}/revoke"
                       ).status_code == 302
    rows["b@example.com"].expires_at = utcnow() - timedelta(seconds=1)
    db_session.flush()
    resent = client.post(f"/teams/{team.id}/invitations/{rows['c@example.com'].id}/resend")
    fresh = LINK.search(resent.text).group(1)
    for token in (revoked, expired, replaced):
        page = client.get(f"/invitations/{token}")
        assert page.status_code == 404 and "does not open anything" in page.text
    assert client.get(f"/invitations/{fresh}").status_code == 200


def test_a_second_pending_invitation_for_the_same_address_is_refused(client, make_user,
                                                                      make_team, login):
    owner = make_user()
    team = make_team(owner=owner)
    login(owner)
    invite(client, team, "twice@example.com")
    again = client.post(f"/teams/{team.id}/invitations",
                        data={"email": "Twice@example.com", "role": "viewer"})
    assert again.status_code == 400 and "already pending" in again.text
    assert 'value="Twice@example.com"' in again.text


def test_an_existing_member_accepting_keeps_their_role(client, db_session, make_user, make_team,
                                                       login):
    owner, member = make_user(), make_user()
    team = make_team(owner=owner, members={member: "editor"})
    login(owner)
    token, _ = invite(client, team, member.email, "viewer")
    client.post("/signout")
    login(member)
    response = client.post(f"/invitations/{token}/accept", follow_redirects=True)
    assert "already a member" in response.text
    assert members(db_session, team)[member.id] == "editor"


def test_invitations_are_mailed_when_mail_is_configured(app, client, make_user, make_team, login,
                                                        mailbox):
    app.config["FAULTLINE_SMTP_URL"] = mailbox.url
    owner = make_user(name="Olga Owner")
    team = make_team(owner=owner, name="Payments")
    login(owner)
    token, page = invite(client, team, "mailed@example.com")
    assert "on its way by email" in page.text
    message = mailbox.wait_for("mailed@example.com")
    assert message["Subject"] == "Olga Owner invites you to Payments on Faultline"
    assert f"{BASE_URL}/invitations/{token}" in message.get_content()


def test_an_invitation_that_rolls_back_is_never_mailed(app, client, make_user, make_team, login,
                                                       mailbox):
    app.config["FAULTLINE_SMTP_URL"] = mailbox.url
    owner = make_user()
    team = make_team(owner=owner)
    login(owner)
    invite(client, team, "dup@example.com")
    mailbox.wait_for("dup@example.com")
    refused = client.post(f"/teams/{team.id}/invitations",
                          data={"email": "dup@example.com", "role": "viewer"})
    assert refused.status_code == 400
    with pytest.raises(AssertionError):
        mailbox.wait_for("nobody", timeout=0.5)
    assert len(mailbox.messages) == 1


def test_production_without_an_address_makes_no_invitation_links(app, client, make_user,
                                                                  make_team, login):
    owner = make_user()
    team = make_team(owner=owner)
    login(owner)
    app.config.update(FAULTLINE_BASE_URL="", FAULTLINE_SERVED_AT="")
    refused = client.post(f"/teams/{team.id}/invitations",
                          data={"email": "x@example.com", "role": "viewer"})
    assert refused.status_code == 503 and "FAULTLINE_BASE_URL" in refused.text
