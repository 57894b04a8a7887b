"""The portfolio in a real browser: rows, heat map, trend, sorting, filtering and exports."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import OWNER, PASSWORD, seed_review, sign_in
from webapp.accounts import services as accounts
from webapp.accounts.models import User
from webapp.assessments import services as assessment_service
from webapp.assessments.models import Assessment
from webapp.core.db import session_scope
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.report.cards import score as whole
from webapp.teams import services as teams
from webapp.tracking.milestones import create_milestone

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _summaries_after_changes(live_server):
    """As in production, each committed change has the queue write the portfolio's figures
    (the tests' queue runs the job at once; a page reading in its own snapshot would not see
    a job it asked for itself)."""
    config = live_server.app.config
    before, config["SUMMARIZE_ON_CHANGE"] = config.get("SUMMARIZE_ON_CHANGE"), True
    yield
    config["SUMMARIZE_ON_CHANGE"] = before
SHOTS = os.environ.get("FAULTLINE_SCREENSHOT_DIR")


def _second_team(live_server, review_id: int) -> None:
    """A milestone on the payments review, and a second team with an empty review."""
    app = live_server.app
    with app.test_request_context(), session_scope(app) as session:
        owner = session.query(User).filter_by(email=OWNER).one()
        create_milestone(session, session.get(Assessment, review_id), owner, name="Q1",
                         note="", cache=result_cache())
        search = teams.create_team(session, owner, "Search")
        assessment_service.start_assessment(session, search, owner, name="Search indexer",
                                            content=get_content())
        accounts.sign_up(session, email="x@example.com", name="X", password=PASSWORD)


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_the_portfolio_lists_sorts_filters_and_exports(page, live_server):
    review = seed_review(live_server)
    _second_team(live_server, review["id"])
    sign_in(page, review["base"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Portfolio").click()
    page.wait_for_url(re.compile(r"/portfolio/$"))
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    first = rows.filter(has_text="Ledgerline Payments")
    # the payments example's headline score, as the engine gives it, printed whole as on
    # every page (halves up)
    score = str(whole(float(review["overall"])))
    assert score in first.inner_text() and "strong fit" in first.inner_text().lower()
    trend = f"Score trend: Q1 {score}, Now {score}"
    expect(first.get_by_role("img", name=re.compile(re.escape(trend)))).to_be_visible()
    _shot(page, "portfolio-1280")

    page.get_by_role("link", name="Score").click()
    page.wait_for_url(re.compile(r"sort=score&dir=desc"))
    assert rows.first.inner_text().startswith("Ledgerline Payments")

    page.get_by_label("Team").select_option(label="Search")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"team=\d+"))
    assert rows.count() == 1 and "Search indexer" in rows.first.inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Search indexer" in text and "Ledgerline Payments" not in text


def test_the_portfolio_reads_on_a_phone(browser, live_server):
    review = seed_review(live_server)
    _second_team(live_server, review["id"])
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, review["base"])
        page.goto(review["base"] + "/portfolio/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width}px)"
        expect(page.get_by_text("Ledgerline Payments")).to_be_visible()
        _shot(page, "portfolio-390")
    finally:
        context.close()
