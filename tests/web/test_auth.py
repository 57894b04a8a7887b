"""Sign up, sign in, sign out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from webapp.accounts.models import User


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "name": "Ada Lovelace",
        "email": "Ada@Example.com",
        "password": "analytical engine",
        "confirm": "analytical engine",
    }
    return {**data, **overrides}


def test_signup_creates_account_signs_in_and_first_account_is_admin(client, db_session):
    response = client.post("/signup", data=signup_data())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/teams/new")
    user = db_session.scalar(select(User).where(User.email == "ada@example.com"))
    assert user is not None and user.is_admin
    assert user.password_hash.startswith("$argon2id$")
    assert "Ada Lovelace" in client.get("/teams/").get_data(as_text=True)


def test_second_account_is_not_admin(client, db_session, make_user):
    make_user()
    client.post("/signup", data=signup_data(email="second@example.com"))
    user = db_session.scalar(select(User).where(User.email == "second@example.com"))
    assert user is not None and not user.is_admin


def test_invalid_signup_returns_400_keeps_input_but_never_the_password(client, db_session):
    response = client.post("/signup", data=signup_data(confirm="something else"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Ada Lovelace"' in page
    assert 'value="Ada@Example.com"' in page
    assert "analytical engine" not in page
    assert "The passwords differ." in page
    assert db_session.scalar(select(User)) is None


def test_signup_with_taken_email_is_refused_on_the_email_field(client, make_user):
    make_user(email="ada@example.com")
    response = client.post("/signup", data=signup_data())
    assert response.status_code == 400
    assert "cannot be used for a new account" in response.get_data(as_text=True)


def test_signin_with_right_password_then_signout(client, make_user, login):
    user = make_user(name="Grace Hopper")
    login(user)
    assert "Grace Hopper" in client.get("/teams/").get_data(as_text=True)
    response = client.post("/signout")
    assert response.status_code == 302
    response = client.get("/teams/")
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]


def test_signin_with_wrong_password_is_refused_with_400(client, make_user):
    user = make_user()
    response = client.post("/signin", data={"email": user.email, "password": "not it at all"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Wrong email or password." in page
    assert f'value="{user.email}"' in page
    assert client.get("/teams/").status_code == 302


def test_signin_for_unknown_email_says_the_same_as_wrong_password(client):
    response = client.post("/signin", data={"email": "nobody@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_signin_email_is_case_insensitive(client, make_user):
    user = make_user(email="mixed@example.com")
    response = client.post("/signin", data={"email": "  MIXED@example.com", "password": PASSWORD})
    assert response.status_code == 302, user


def test_signin_redirects_to_next_only_on_this_site(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD}
    response = client.post("/signin?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"
    client.post("/signout")
    response = client.post("/signin?next=/teams/new", data=data)
    assert response.headers["Location"] == "/teams/new"


def test_signin_attempts_are_rate_limited_per_address(client, app, make_user):
    user = make_user()
    limit = int(app.config["SIGNIN_RATE_LIMIT"].split()[0])
    for number in range(limit):  # other accounts each time: only the address limit counts
        wrong = {"email": f"guess{number}@example.com", "password": "wrong"}
        assert client.post("/signin", data=wrong).status_code == 400
    response = client.post("/signin", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts. Try again in 1 minute." in response.get_data(as_text=True)
    assert client.get("/signin").status_code == 200  # reading the form is not limited


def test_one_account_is_limited_from_many_addresses(make_app):
    app = make_app(PROXY_HOPS=1, SIGNIN_ACCOUNT_RATE_LIMIT="3 per 10 minutes")
    client = app.test_client()
    wrong = {"email": "target@example.com", "password": "wrong"}
    statuses = [client.post("/signin", data=wrong,
                            headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
                for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    refused = client.post("/signin", data={**wrong, "email": "Target@Example.com "},
                          headers={"X-Forwarded-For": "198.51.100.1"})
    assert refused.status_code == 429
    assert "Try again in 10 minutes." in refused.get_data(as_text=True)
    other = client.post("/signin", data={**wrong, "email": "other@example.com"},
                        headers={"X-Forwarded-For": "198.51.100.1"})
    assert other.status_code == 400


def test_pages_need_an_account(client):
    response = client.get("/teams/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin")


def test_rate_limit_counts_the_forwarded_client_behind_a_trusted_proxy(make_app):
    app = make_app(PROXY_HOPS=1, SIGNIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    wrong = {"email": "someone@example.com", "password": "wrong"}
    for _ in range(2):
        client.post("/signin", data=wrong, headers={"X-Forwarded-For": "203.0.113.7"})
    blocked = client.post("/signin", data=wrong, headers={"X-Forwarded-For": "203.0.113.7"})
    other = client.post("/signin", data=wrong, headers={"X-Forwarded-For": "198.51.100.9"})
    assert blocked.status_code == 429
    assert other.status_code == 400


def test_rate_limits_can_live_in_redis(make_app, redis_url):
    import secrets

    app = make_app(RATELIMIT_STORAGE_URI=redis_url, SIGNIN_RATE_LIMIT="2 per minute",
                   RATELIMIT_KEY_PREFIX=f"test-{secrets.token_hex(4)}")
    client = app.test_client()
    wrong = {"email": "someone@example.com", "password": "wrong"}
    statuses = [client.post("/signin", data=wrong).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_unreachable_redis_refuses_to_start(app_config):
    from webapp.app import create_app
    from webapp.core.startup import StartupError

    with pytest.raises(StartupError, match=r"^rate-limit storage unreachable \(redis://:\*\*\*@"):
        create_app({**app_config, "RATELIMIT_STORAGE_URI": "redis://:pw@127.0.0.1:1/0"})


def test_with_redis_the_account_limit_holds_across_instances(make_app, redis_url):
    import secrets

    settings = {"RATELIMIT_STORAGE_URI": redis_url, "SIGNIN_ACCOUNT_RATE_LIMIT": "2 per minute",
                "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(4)}", "PROXY_HOPS": 1}
    first, second = make_app(**settings).test_client(), make_app(**settings).test_client()
    wrong = {"email": "target@example.com", "password": "wrong"}
    statuses = [client.post("/signin", data=wrong,
                            headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
                for n, client in enumerate([first, second, first, second])]
    assert statuses == [400, 400, 429, 429]
