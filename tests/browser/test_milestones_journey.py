"""Milestones and plan tracking in real Chromium: freeze the review, change an answer, compare
(axe checks these pages in tests/browser/test_accessibility.py).

Set FAULTLINE_SCREENSHOT_DIR to keep PNGs of the follow-up pages at desktop and phone width.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import seed_review, sign_in
from tests.tracking.support import CLEARING_LABEL, RULE, TRIGGERING_LABEL
from webapp.teams.models import Role

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("FAULTLINE_SCREENSHOT_DIR")
BEFORE = TRIGGERING_LABEL
AFTER = CLEARING_LABEL


@pytest.fixture
def review(live_server):
    """A team (owner + editor) whose assessment holds the payments example's answers."""
    return seed_review(live_server, ("ed@example.com", "Ed Editor", Role.EDITOR))


def shoot(page, name: str) -> None:
    if not SCREENSHOT_DIR:
        return
    Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}-{width}.png"), full_page=True,
                        timeout=60_000)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_freeze_change_an_answer_and_compare(page, review):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base, aid = review["base"], review["id"]
    sign_in(page, base, "ed@example.com")

    # From the results page to the milestones, and freeze one.
    page.goto(f"{base}/assessments/{aid}/results")
    page.get_by_role("region", name="Plan tracking").get_by_role("link",
                                                                 name="Milestones").click()
    page.get_by_label("Name").fill("Q3 review")
    page.get_by_label("Note").fill("Agreed in the **review meeting**.")
    page.get_by_role("button", name="Create milestone").click()
    expect(page.get_by_role("heading", name="Q3 review", level=1)).to_be_visible()
    assert page.locator(".milestone-note strong").inner_text() == "review meeting"
    shoot(page, "milestone")

    # Change one answer on its question page, without scripts' help needed.
    page.goto(f"{base}/assessments/{aid}/steps/respond")
    question = page.locator("#q-respond\\.postmortems")
    question.get_by_text(AFTER).click()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()

    # The comparison defaults to the newest milestone against now.
    page.goto(f"{base}/assessments/{aid}/milestones")
    page.get_by_role("link", name="Compare with now").first.click()
    assert "From Q3 review to Now" in page.locator("h1 + p").inner_text()
    answers = page.get_by_role("region", name="Answers changed")
    row = answers.locator("tbody tr").filter(has_text="action items")
    assert row.count() == 1
    assert BEFORE in row.inner_text() and AFTER in row.inner_text()
    resolved = page.locator(".compare-resolved")
    assert "not tracked to closure" in resolved.inner_text()
    layer = page.locator(".compare-table tr").filter(has_text="Respond").first
    assert "↑" in layer.inner_text() and "(up)" in layer.inner_text()
    shoot(page, "compare")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    assert not errors, errors


def test_an_editor_tracks_a_finding_and_sees_the_flag(page, review):
    base, aid = review["base"], review["id"]
    sign_in(page, base, "ed@example.com")
    page.goto(f"{base}/assessments/{aid}/plan")
    shoot(page, "plan")
    page.locator(f"a[href$='/plan/findings/{RULE}']").click()
    page.get_by_label("Status").select_option("risk_accepted")
    page.get_by_label("Owner").select_option(label="Olivia Owner")
    page.get_by_role("button", name="Save tracking").click()
    expect(page.get_by_text("Say why the risk is accepted")).to_be_visible()
    assert page.get_by_label("Owner").input_value() != ""
    shoot(page, "finding-error")
    page.get_by_label("Status").select_option("done")
    page.get_by_role("button", name="Save tracking").click()
    expect(page.get_by_text("Tracking saved.")).to_be_visible()
    expect(page.get_by_text("Marked done, but the answers still show it").first).to_be_visible()
    page.get_by_label("Add a comment").fill("Closed in **ticket 12**")
    page.get_by_role("button", name="Add comment").click()
    assert page.locator(".comment-body strong").inner_text() == "ticket 12"
    shoot(page, "finding")
    page.goto(f"{base}/assessments/{aid}/results")
    item = page.locator(".plan-item").filter(has_text="not tracked to closure")
    assert "● Done" in item.locator(".track-status").text_content()
    assert "still show it" in item.locator(".track-flag").text_content()
    shoot(page, "results-plan")
    page.goto(f"{base}/assessments/{aid}/audit")
    expect(page.get_by_role("cell", name="Status Open → Done")).to_be_visible()
    shoot(page, "audit")
