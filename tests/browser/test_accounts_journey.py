"""Accounts in real Chromium: invitations accepted by a new and an existing user, password
reset by email (a local SMTP server receives it) and by an administrator's link, closed and
invitation-only sign-up, a replayed cookie after sign-out, and single sign-on through a local
OpenID Connect provider.

Set FAULTLINE_SCREENSHOT_DIR to keep PNGs of the new pages at desktop and phone width.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PASSWORD, fill_sign_in, fill_sign_up, sign_up
from tests.browser.test_sharing import assert_accessible
from tests.conftest import LiveServer, app_settings
from webapp.accounts import services as accounts
from webapp.app import create_app
from webapp.core import migrate
from webapp.core.db import get_database, session_scope

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("FAULTLINE_SCREENSHOT_DIR")
NEW_PASSWORD = "amber kettle violin harbor"


def shoot(page, name: str) -> None:
    """Keep the page at 1280 and 390 px wide when FAULTLINE_SCREENSHOT_DIR is set."""
    if not SCREENSHOT_DIR:
        return
    Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


@pytest.fixture
def other(browser):
    """A second person's browser (own cookies)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def owner_invites(page, base: str, email: str) -> str:
    """The first account (the administrator) makes a team and invites `email`; the link."""
    sign_up(page, base, "Olivia Owner", "owner@example.com")
    page.get_by_label("Team name").fill("Payments")
    page.get_by_role("button", name="Create team").click()
    page.get_by_label("Their email").fill(email)
    page.get_by_label("Role", exact=True).select_option("viewer")
    page.get_by_role("button", name="Invite", exact=True).click()
    expect(page.get_by_text("shown only once")).to_be_visible()
    shoot(page, "team-invited")
    link = page.locator("#invite-url").input_value()
    assert re.fullmatch(re.escape(base) + r"/invitations/[A-Za-z0-9_-]{43}", link)
    return link


def test_a_new_colleague_signs_up_from_the_invitation_and_joins(page, other, live_server):
    base = live_server.url
    link = owner_invites(page, base, "nia@example.com")
    other.goto(link)
    expect(other.get_by_role("heading", name="Join Payments")).to_be_visible()
    shoot(other, "invitation")
    assert_accessible(other, "invitation for a visitor")
    other.get_by_role("link", name="Create an account").click()
    assert other.get_by_label("Email").input_value() == "nia@example.com"
    fill_sign_up(other, "Nia Newcomer", "nia@example.com")
    other.get_by_role("button", name="Accept and join Payments").click()
    expect(other.get_by_text("You joined Payments as viewer.")).to_be_visible()
    page.goto(base + "/teams/1")
    expect(page.get_by_role("cell", name="Nia Newcomer nia@example.com")).to_be_visible()
    assert page.get_by_text("Pending invitations").count() == 0


def test_an_existing_colleague_signs_in_from_the_invitation_and_joins(page, other, live_server):
    base = live_server.url
    sign_up(other, base, "Eve Existing", "eve@example.com")
    other.context.clear_cookies()
    link = owner_invites(page, base, "eve@example.com")
    other.goto(link)
    other.get_by_role("link", name="Sign in to accept").click()
    fill_sign_in(other, "eve@example.com")
    other.wait_for_url(link)
    other.get_by_role("button", name="Accept and join Payments").click()
    expect(other.get_by_text("You joined Payments as viewer.")).to_be_visible()
    other.goto(link)
    dead = other.get_by_role("heading", name="This invitation does not open anything")
    expect(dead).to_be_visible()


def test_a_forgotten_password_is_reset_from_the_email(page, live_server, mailbox):
    base = live_server.url
    sign_up(page, base, "Rita Reset", "rita@example.com")
    live_server.app.config["FAULTLINE_SMTP_URL"] = mailbox.url  # after: sign-up mails too
    page.context.clear_cookies()
    page.goto(base + "/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    shoot(page, "forgot-password")
    page.get_by_label("Email").fill("rita@example.com")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_text("If an account uses this address")).to_be_visible()
    link = mailbox.link_in("rita@example.com", "/password/reset/")
    assert link.startswith(base)
    page.goto(link)
    shoot(page, "reset-password")
    assert_accessible(page, "reset password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.get_by_label("Email").fill("rita@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(teams|assessments)/"))


def test_an_administrator_hands_over_a_reset_link(page, other, live_server):
    base = live_server.url
    sign_up(page, base, "Ada Admin", "ada@example.com")
    sign_up(other, base, "Lou Lost", "lou@example.com")
    other.context.clear_cookies()
    page.goto(base + "/admin/")
    shoot(page, "admin")
    page.locator("tr", has_text="Lou Lost").get_by_role("button", name="Reset link").click()
    link = page.locator("#reset-url").input_value()
    shoot(page, "admin-reset-link")
    assert_accessible(page, "admin page with a reset link")
    other.goto(link)
    other.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    other.get_by_label("Repeat new password").fill(NEW_PASSWORD)
    other.get_by_role("button", name="Set password").click()
    other.get_by_label("Email").fill("lou@example.com")
    other.get_by_label("Password").fill(NEW_PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_url(re.compile(r"/(teams|assessments)/"))
    page.goto(base + "/admin/")
    expect(page.get_by_role("cell", name="Reset link made")).to_be_visible()


def test_closed_and_invitation_only_sign_up(page, other, live_server):
    base = live_server.url
    sign_up(page, base, "Ada Admin", "ada@example.com")
    page.goto(base + "/admin/")
    page.get_by_label("Who can create an account").select_option("closed")
    page.get_by_role("button", name="Save", exact=True).click()
    other.goto(base + "/signup")
    expect(other.get_by_role("heading", name="Sign-up is closed")).to_be_visible()
    expect(other.get_by_text("does not take new accounts")).to_be_visible()
    shoot(other, "signup-closed")

    page.get_by_label("Who can create an account").select_option("invite")
    page.get_by_role("button", name="Save", exact=True).click()
    other.goto(base + "/signup")
    expect(other.get_by_text("need an invitation")).to_be_visible()
    page.goto(base + "/teams/new")
    page.get_by_label("Team name").fill("Ops")
    page.get_by_role("button", name="Create team").click()
    page.get_by_label("Their email").fill("ivan@example.com")
    page.get_by_role("button", name="Invite", exact=True).click()
    other.goto(page.locator("#invite-url").input_value())
    other.get_by_role("link", name="Create an account").click()
    fill_sign_up(other, "Ivan Invited", "ivan@example.com")
    other.get_by_role("button", name="Accept and join Ops").click()
    expect(other.get_by_text("You joined Ops as editor.")).to_be_visible()


def test_a_cookie_copied_before_sign_out_opens_nothing_after(browser, page, live_server):
    base = live_server.url
    sign_up(page, base, "Sam Signout", "sam@example.com")
    page.goto(base + "/account")
    shoot(page, "account")
    copied = page.context.cookies()
    page.get_by_role("button", name="Sign out").first.click()
    thief = browser.new_context()
    try:
        thief.add_cookies(copied)
        stolen = thief.new_page()
        stolen.goto(base + "/teams/")
        assert "/signin" in stolen.url
        expect(stolen.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        thief.close()


@pytest.fixture
def sso_server(tmp_path, oidc_provider):
    url = f"sqlite:///{tmp_path / 'sso.sqlite3'}"
    migrate.upgrade(url)
    app = create_app({**app_settings(url), "FAULTLINE_OIDC_ISSUER": oidc_provider.issuer,
                      "FAULTLINE_OIDC_CLIENT_ID": "faultline",
                      "FAULTLINE_OIDC_CLIENT_SECRET": "s3cret",
                      "FAULTLINE_OIDC_NAME": "Acme ID"})
    server = LiveServer(app).start()
    yield server
    server.stop()
    get_database(app).engine.dispose()


def test_single_sign_on_through_the_local_provider(page, sso_server):
    with sso_server.app.test_request_context(), session_scope(sso_server.app) as session:
        accounts.sign_up(session, email="first@example.com", name="First", password=PASSWORD)
    page.goto(sso_server.url + "/signin")
    shoot(page, "signin-sso")
    assert_accessible(page, "sign-in with single sign-on")
    page.get_by_role("link", name="Sign in with Acme ID").click()
    page.get_by_role("button", name="dana", exact=True).click()  # the provider's own page
    page.wait_for_url(re.compile(re.escape(sso_server.url)))
    page.goto(sso_server.url + "/account")
    expect(page.get_by_text("dana@example.com").first).to_be_visible()
    expect(page.get_by_text("You sign in with single sign-on")).to_be_visible()
