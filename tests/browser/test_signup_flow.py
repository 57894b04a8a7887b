"""A new user signs up, creates a team, invites a member who accepts, signs out and in again:
real Chromium."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PASSWORD, add_member, fill_sign_in, fill_sign_up

pytestmark = pytest.mark.browser



def sign_up(page, base_url: str, name: str, email: str) -> None:
    """Through the home page's "Sign up" link."""
    page.goto(base_url + "/")
    page.get_by_role("link", name="Sign up").click()
    fill_sign_up(page, name, email)


def test_new_user_signs_up_creates_team_invites_member_signs_out_and_in(live_server, browser):
    colleague = browser.new_context()
    bob = colleague.new_page()
    sign_up(bob, live_server.url, "Bob Builder", "bob@example.com")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)

    sign_up(page, live_server.url, "Alice Example", "alice@example.com")
    page.wait_for_url(re.compile(r"/teams/new$"))
    expect(page.get_by_text("Welcome to Faultline, Alice Example.")).to_be_visible()

    page.get_by_label("Team name").fill("Payments")
    page.get_by_role("button", name="Create team").click()
    page.wait_for_url(re.compile(r"/teams/\d+$"))
    expect(page.get_by_role("heading", name="Payments", level=1)).to_be_visible()

    page.get_by_label("Their email").fill("bob@example.com")
    page.get_by_label("Role", exact=True).select_option("viewer")
    page.get_by_role("button", name="Invite", exact=True).click()
    bob.goto(page.locator("#invite-url").input_value())
    bob.get_by_role("button", name="Accept and join Payments").click()
    expect(bob.get_by_text("You joined Payments as viewer.")).to_be_visible()
    colleague.close()
    page.goto(page.url.removesuffix("/invitations"))
    members = page.get_by_role("table")
    expect(members.get_by_text("bob@example.com")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin$"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    fill_sign_in(page, "alice@example.com")
    page.wait_for_url(re.compile(r"/teams/$"))
    page.get_by_role("link", name="Payments").click()
    expect(page.get_by_role("table").get_by_text("Bob Builder", exact=True)).to_be_visible()
    assert errors == []  # no CSP violations or script errors along the way
    context.close()


def test_removing_a_member_asks_first(live_server, page):
    from webapp.accounts import services as accounts
    from webapp.core.db import session_scope
    from webapp.teams.models import Role, Team

    with session_scope(live_server.app) as session:
        accounts.sign_up(session, email="carl@example.com", name="Carl Colleague",
                         password=PASSWORD)
    sign_up(page, live_server.url, "Dana Owner", "dana@example.com")
    page.get_by_label("Team name").fill("Search")
    page.get_by_role("button", name="Create team").click()
    # The URL changes when the team page's response arrives, before the page has loaded;
    # reloading a page that is still loading can lose it, so wait for the load first.
    page.wait_for_url(re.compile(r"/teams/\d+$"), wait_until="load")
    team_id = int(page.url.rsplit("/", 1)[1])
    with session_scope(live_server.app) as session:
        add_member(session, session.get(Team, team_id), "carl@example.com", Role.EDITOR)
    page.goto(page.url)
    remove = page.get_by_role("button", name="Remove Carl Colleague from Search")

    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    page.wait_for_timeout(500)  # a submitted form would have navigated by now
    expect(page.get_by_role("table").get_by_text("carl@example.com")).to_be_visible()
    assert page.get_by_text("Member removed.").count() == 0

    page.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    page.get_by_text("Member removed.").wait_for()
    assert page.get_by_role("table").get_by_text("carl@example.com").count() == 0
