"""Accounts: sessions ended on the server, the password policy, the account page, password
reset by email, sign-up modes, and answers that never tell which emails have accounts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD
from webapp.accounts.models import User

NEW_PASSWORD = "quiet harbour lantern seventeen"
BASE_URL = "http://faultline.test"


@pytest.fixture
def with_mail(app, mailbox):
    app.config.update(FAULTLINE_SMTP_URL=mailbox.url, FAULTLINE_BASE_URL=BASE_URL)
    return mailbox


def without_csrf(text: str) -> str:
    """The page minus its CSRF tokens, which carry a timestamp."""
    return re.sub(r'(name="csrf_token"[^>]*value=)"[^"]+"', r"\1", text)


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def signed_in(client) -> bool:
    return client.get("/teams/").status_code == 200


def test_a_cookie_replayed_after_sign_out_is_refused(client, app, make_user, login):
    login(make_user())
    captured = session_cookie(client)
    assert client.post("/signout").status_code == 302
    assert not signed_in(client)
    client.set_cookie("session", captured)  # the attacker's copy
    response = client.get("/teams/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    assert client.post("/teams/new", data={"name": "Sneaky"}).status_code == 302  # to sign in


def test_a_password_change_ends_other_sessions_but_keeps_this_one(app, make_user, login, client):
    user = make_user()
    login(user)
    laptop = app.test_client()
    laptop.post("/signin", data={"email": user.email, "password": PASSWORD})
    assert signed_in(laptop)
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert signed_in(client) and not signed_in(laptop)


def test_sign_out_everywhere_ends_every_session(app, make_user, login, client):
    user = make_user()
    login(user)
    phone = app.test_client()
    phone.post("/signin", data={"email": user.email, "password": PASSWORD})
    assert client.post("/account/signout-everywhere").status_code == 302
    assert not signed_in(client) and not signed_in(phone)


@pytest.mark.parametrize(("password", "message"), [
    ("password12", "Use at least 12 characters."),
    ("aaaaaaaaaaaa", "Repeats like"),
    ("password1234", "This is a very common password."),
    ("ada@example.com", "built from your name or email"),
    ("adalovelace1815", "built from your name or email"),
])
def test_sign_up_refuses_weak_passwords_with_a_helpful_message(client, db_session, password,
                                                               message):
    response = client.post("/signup", data={"name": "Ada Lovelace", "email": "ada@example.com",
                                            "password": password, "confirm": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "passphrase" in page
    assert 'value="ada@example.com"' in page and password not in page.replace(
        'value="ada@example.com"', "")
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_changing_the_password_needs_the_current_one_and_a_strong_new_one(client, make_user,
                                                                         login):
    login(make_user())
    wrong = client.post("/account/password", data={
        "current": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "This is not your current password." in wrong.text
    weak = client.post("/account/password", data={
        "current": PASSWORD, "password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "very common password" in weak.text


def test_name_and_email_change_without_mail_apply_at_once(client, db_session, make_user, login):
    user = make_user()
    other = make_user(email="taken@example.com")
    login(user)
    assert client.post("/account/name", data={"name": "  Ada King "}).status_code == 302
    taken = client.post("/account/email", data={"email": other.email})
    assert taken.status_code == 400 and "cannot be used" in taken.text
    assert client.post("/account/email", data={"email": "Ada@Example.org"}).status_code == 302
    db_session.expire_all()
    assert (user.name, user.email) == ("Ada King", "ada@example.org")


def test_an_email_change_is_confirmed_from_the_new_inbox(client, db_session, make_user, login,
                                                         with_mail):
    user = make_user()
    login(user)
    response = client.post("/account/email", data={"email": "new@example.org"},
                           follow_redirects=True)
    assert "A confirmation link is on its way to new@example.org" in response.text
    db_session.expire_all()
    assert user.email != "new@example.org"
    link = with_mail.link_in("new@example.org", "/account/email/")
    assert client.get(link.removeprefix(BASE_URL)).status_code == 302
    db_session.expire_all()
    assert user.email == "new@example.org"
    assert client.get(link.removeprefix(BASE_URL)).status_code == 404  # once


def test_an_email_change_to_a_taken_address_answers_the_same_and_mails_nothing(
        client, make_user, login, with_mail):
    user, other = make_user(), make_user(email="taken@example.com")
    login(user)
    response = client.post("/account/email", data={"email": other.email}, follow_redirects=True)
    assert "A confirmation link is on its way to taken@example.com" in response.text
    with pytest.raises(AssertionError, match="no mail"):
        with_mail.wait_for(other.email, timeout=1)


def test_reset_by_email_answers_the_same_for_unknown_addresses(client, make_user, with_mail):
    user = make_user()
    known = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.com"},
                          follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "If an account uses this address" in known.text
    assert without_csrf(known.text.replace(user.email, "X")) == without_csrf(
        unknown.text.replace("nobody@example.com", "X"))
    with_mail.wait_for(user.email)
    assert [str(m["To"]) for m in with_mail.messages] == [user.email]


def test_a_reset_link_sets_a_new_password_once_and_ends_sessions(app, client, make_user,
                                                                  with_mail, login):
    user = make_user()
    elsewhere = app.test_client()
    elsewhere.post("/signin", data={"email": user.email, "password": PASSWORD})
    client.post("/password/forgot", data={"email": user.email})
    path = with_mail.link_in(user.email, "/password/reset/").removeprefix(BASE_URL)
    weak = client.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "very common password" in weak.text
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert not signed_in(elsewhere)
    assert client.get(path).status_code == 404
    old = client.post("/signin", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 400
    login(user, NEW_PASSWORD)


def test_without_mail_the_forgot_page_points_to_an_administrator(client):
    page = client.get("/password/forgot")
    assert "ask one of its administrators" in page.text
    assert client.post("/password/forgot", data={"email": "x@example.com"}).status_code == 200


@pytest.mark.parametrize("token", ["x" * 43, "short", "y" * 60])
def test_unknown_reset_and_confirmation_links_get_404(client, token):
    assert client.get(f"/password/reset/{token}").status_code == 404
    assert client.get(f"/account/email/{token}").status_code == 404
    assert client.get(f"/signup/confirm/{token}").status_code == 404


def test_a_disabled_account_cannot_sign_in(client, db_session, make_user):
    user = make_user()
    user.is_disabled = True
    db_session.flush()
    wrong = client.post("/signin", data={"email": user.email, "password": "wrong guess here"})
    assert "Wrong email or password." in wrong.text  # no hint without the password
    right = client.post("/signin", data={"email": user.email, "password": PASSWORD})
    assert right.status_code == 400 and "This account is disabled" in right.text


def signup(client, email="ada@example.com", **extra):
    data = {"name": "Ada Lovelace", "email": email, "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD}
    return client.post("/signup" + extra.get("query", ""), data=data)


def test_with_mail_sign_up_answers_the_same_for_new_and_taken_addresses(client, db_session,
                                                                        make_user, with_mail):
    make_user(email="taken@example.com")
    new = signup(client, "new@example.com")
    taken = signup(client, "taken@example.com")
    assert new.status_code == taken.status_code == 200
    assert without_csrf(new.text.replace("new@example.com", "X")) == without_csrf(
        taken.text.replace("taken@example.com", "X"))
    reminder = with_mail.wait_for("taken@example.com")
    assert "You already have a Faultline account" in str(reminder["Subject"])
    link = with_mail.link_in("new@example.com", "/signup/confirm/").removeprefix(BASE_URL)
    assert db_session.scalar(select(User).where(User.email == "new@example.com")) is None
    assert client.get(link).status_code == 302
    assert db_session.scalar(select(User).where(User.email == "new@example.com")) is not None
    assert signed_in(client)


@pytest.mark.parametrize("mode", ["invite", "closed"])
def test_sign_up_is_refused_when_not_open(app, client, make_user, mode):
    make_user()
    app.config["FAULTLINE_SIGNUP"] = mode
    assert client.get("/signup").status_code == 403
    refused = signup(client)
    assert refused.status_code == 403
    assert ("need an invitation" if mode == "invite" else "does not take new accounts") in (
        refused.text)


def test_the_first_account_can_always_be_made(app, client, db_session):
    app.config["FAULTLINE_SIGNUP"] = "closed"
    assert signup(client).status_code == 302
    assert db_session.scalar(select(User)).is_admin
