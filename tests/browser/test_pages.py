"""Every page at desktop and phone width: no accessibility violations, no sideways scrolling.

Set FAULTLINE_SCREENSHOT_DIR to keep a PNG of each page (for looking at the design).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.helpers import PASSWORD, add_member, fill_sign_in, fill_sign_up
from webapp.accounts import services as accounts
from webapp.core.db import session_scope
from webapp.teams import services as teams
from webapp.teams.models import Role

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}
SCREENSHOT_DIR = os.environ.get("FAULTLINE_SCREENSHOT_DIR")


@pytest.fixture
def seeded(live_server):
    """An owner with a team of three, and a viewer in it."""
    with session_scope(live_server.app) as session:
        owner = accounts.sign_up(session, email="owner@example.com", name="Olivia Owner",
                                 password=PASSWORD)
        for email, name in [("ed@example.com", "Edgar Editor"), ("vi@example.com", "Vi Viewer")]:
            accounts.sign_up(session, email=email, name=name, password=PASSWORD)
        team = teams.create_team(session, owner, "Payments platform")
        add_member(session, team, "ed@example.com", Role.EDITOR)
        add_member(session, team, "vi@example.com", Role.VIEWER)
        team_id = team.id
    return {"team_id": team_id}


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/signin")
    fill_sign_in(page, email)
    page.wait_for_url(base_url + "/teams/")


def check_page(page, name: str, viewport: str) -> list[str]:
    """Problems on the current page: axe violations and horizontal overflow."""
    problems = []
    results = Axe().run(page)
    for violation in results.response["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(
            f"{name}/{viewport}: axe {violation['id']} ({violation['impact']}) {targets}")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        problems.append(f"{name}/{viewport}: scrolls sideways by {overflow}px")
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}-{viewport}.png"), full_page=True)
    return problems


def anonymous_pages(page, base: str):
    page.goto(base + "/")
    yield "landing"
    page.goto(base + "/signup")
    yield "signup"
    page.get_by_role("button", name="Create account").click()
    yield "signup-errors"
    page.goto(base + "/signin")
    yield "signin"
    page.get_by_label("Email").fill("owner@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    yield "signin-wrong-password"
    page.goto(base + "/nowhere")
    yield "error-404"


def owner_pages(page, base: str, team_id: int):
    sign_in(page, base, "owner@example.com")
    yield "teams"
    page.goto(f"{base}/teams/{team_id}")
    yield "team-owner"
    page.get_by_label("Their email").fill("not an address")
    page.get_by_role("button", name="Invite", exact=True).click()
    yield "team-invite-error"
    page.get_by_label("Their email").fill("ghost@example.com")
    page.get_by_role("button", name="Invite", exact=True).click()
    yield "team-invited"
    page.goto(base + "/teams/new")
    yield "team-new"
    page.get_by_role("button", name="Create team").click()
    yield "team-new-errors"


def viewer_pages(page, base: str, team_id: int):
    sign_in(page, base, "vi@example.com")
    page.goto(f"{base}/teams/{team_id}")
    yield "team-viewer"


def newcomer_pages(page, base: str):
    page.goto(base + "/signup")
    fill_sign_up(page, "Nora Newcomer", "nora@example.com")
    page.goto(base + "/teams/")
    yield "teams-empty"


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_page_is_accessible_and_fits_the_screen(live_server, browser, seeded, viewport):
    base, team_id = live_server.url, seeded["team_id"]
    journeys = [
        lambda page: anonymous_pages(page, base),
        lambda page: owner_pages(page, base, team_id),
        lambda page: viewer_pages(page, base, team_id),
        lambda page: newcomer_pages(page, base),
    ]
    problems: list[str] = []
    for journey in journeys:
        context = browser.new_context(viewport=VIEWPORTS[viewport])
        page = context.new_page()
        for name in journey(page):
            problems += check_page(page, name, viewport)
        context.close()
    assert problems == []
