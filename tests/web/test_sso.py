"""Single sign-on against a real OpenID Connect provider running on localhost: discovery,
authorization code, signed ID token, all over HTTP. The provider's sign-in page is driven
with plain HTTP here (the browser test clicks through it)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from webapp.accounts import services as accounts
from webapp.accounts.models import User
from webapp.core.db import session_scope

BASE_URL = "http://faultline.test"


@pytest.fixture
def sso_app(make_app, oidc_provider):
    return make_app(FAULTLINE_OIDC_ISSUER=oidc_provider.issuer,
                    FAULTLINE_OIDC_CLIENT_ID="faultline",
                    FAULTLINE_OIDC_CLIENT_SECRET="s3cret", FAULTLINE_OIDC_NAME="Acme ID",
                    FAULTLINE_BASE_URL=BASE_URL)


def sign_in_as(client, subject: str, start: str = "/sso/start"):
    """Start at Faultline, pick `subject` on the provider's page, come back with the code."""
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    authorize = to_provider.headers["Location"]
    assert f"redirect_uri={BASE_URL}/sso/callback".replace(":", "%3A").replace("/", "%2F") in (
        authorize)
    back = requests.post(authorize, data={"sub": subject}, allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def users(app) -> dict[str, User]:
    with session_scope(app) as session:
        found = {u.email: u for u in session.scalars(select(User))}
        session.expunge_all()
        return found


def seed_user(app, email: str, name: str = "Someone") -> None:
    with app.test_request_context(), session_scope(app) as session:
        accounts.sign_up(session, email=email, name=name, password="lilac summit ferry cobalt")


def test_the_sign_in_page_offers_the_provider(sso_app):
    page = sso_app.test_client().get("/signin")
    assert "Sign in with Acme ID" in page.text


def test_a_verified_email_signs_in_to_the_matching_account(sso_app):
    seed_user(sso_app, "dana@example.com", "Dana D.")
    client = sso_app.test_client()
    response = sign_in_as(client, "dana")
    assert response.status_code == 302
    assert client.get("/teams/").status_code == 200
    assert set(users(sso_app)) == {"dana@example.com"}
    assert users(sso_app)["dana@example.com"].last_signin_at is not None


def test_a_first_sign_in_creates_the_account_when_sign_up_is_open(sso_app):
    seed_user(sso_app, "first@example.com")
    client = sso_app.test_client()
    assert sign_in_as(client, "dana").status_code == 302
    dana = users(sso_app)["dana@example.com"]
    assert dana.name == "Dana Director" and not dana.is_admin
    assert dana.password_hash == accounts.NO_PASSWORD
    assert "this account has no password" in client.get("/account").text


@pytest.mark.parametrize("mode", ["invite", "closed"])
def test_no_account_is_created_when_sign_up_is_not_open(make_app, oidc_provider, mode):
    app = make_app(FAULTLINE_OIDC_ISSUER=oidc_provider.issuer, FAULTLINE_OIDC_CLIENT_ID="x",
                   FAULTLINE_OIDC_CLIENT_SECRET="y", FAULTLINE_BASE_URL=BASE_URL,
                   FAULTLINE_SIGNUP=mode)
    seed_user(app, "first@example.com")
    client = app.test_client()
    response = sign_in_as(client, "dana")
    assert response.headers["Location"] == "/signin"
    assert "new accounts need an invitation" in client.get("/signin").text
    assert "dana@example.com" not in users(app)


def test_an_unverified_email_is_never_trusted(sso_app):
    seed_user(sso_app, "olga@example.com", "Olga")
    client = sso_app.test_client()
    response = sign_in_as(client, "unverified")
    assert response.headers["Location"] == "/signin"
    assert "did not confirm an email address" in client.get("/signin").text
    assert client.get("/teams/").status_code == 302


def test_a_forged_callback_is_refused(sso_app):
    client = sso_app.test_client()
    client.get("/sso/start")
    response = client.get("/sso/callback?code=made-up&state=made-up")
    assert response.headers["Location"] == "/signin"
    assert client.get("/teams/").status_code == 302


def test_without_configuration_there_is_no_single_sign_on(client):
    assert client.get("/sso/start").status_code == 404
    assert "Sign in with" not in client.get("/signin").text
