"""The stakeholder journey in real Chromium: an owner shares a review, someone without an
account reads it and downloads the PDF, the owner sees the views and revokes the link.

Set FAULTLINE_SCREENSHOT_DIR to keep PNGs of the sharing page and the shared report at
desktop and phone width.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import seed_review, sign_in

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("FAULTLINE_SCREENSHOT_DIR")
PHONE = {"width": 390, "height": 844}
BLOCKING = {"serious", "critical"}


@pytest.fixture
def review(live_server):
    return seed_review(live_server)


def shoot(page, name: str, width: int = 1280) -> None:
    if not SCREENSHOT_DIR:
        return
    Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": size["height"] if size else 900})
    page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}-{width}.png"), full_page=True,
                    timeout=60_000)
    if size:
        page.set_viewport_size(size)


def assert_accessible(page, name: str) -> None:
    """No serious or critical axe-core violation on the page as shown."""
    found = [v for v in Axe().run(page).response["violations"] if v["impact"] in BLOCKING]
    assert not found, [f"{name}: {v['id']} {v['help']} {[n['target'] for n in v['nodes']][:3]}"
                       for v in found]


def test_owner_shares_stakeholder_reads_and_downloads_owner_revokes(browser, page, review):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, review["base"])
    page.goto(f"{review['base']}/assessments/{review['id']}/steps/fit")
    page.get_by_role("link", name="Share", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_text("No links yet.")).to_be_visible()
    shoot(page, "sharing-empty")
    assert_accessible(page, "sharing page, empty")

    page.get_by_label("Label").fill("Board review, Dana")
    page.get_by_role("button", name="Create link").click()
    page.wait_for_load_state()
    expect(page.get_by_text("This is the only time this link is shown.")).to_be_visible()
    url = page.locator("#share-url").input_value()
    assert re.fullmatch(re.escape(review["base"]) + r"/s/[A-Za-z0-9_-]{43}", url)
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    shoot(page, "sharing-created")
    assert_accessible(page, "sharing page, link created")
    shoot(page, "sharing-created", PHONE["width"])

    stakeholder = browser.new_context(viewport={"width": 1280, "height": 900},
                                      accept_downloads=True)
    try:
        reader = stakeholder.new_page()
        reader.goto(url)
        expect(reader.get_by_role("heading", name="Ledgerline Payments", level=1)).to_be_visible()
        expect(reader.get_by_text("Shared review, read only.")).to_be_visible()
        assert reader.get_by_role("link", name="Sign in").count() == 0
        shoot(reader, "shared-report")
        shoot(reader, "shared-report", PHONE["width"])
        with reader.expect_download(timeout=60_000) as download_info:
            reader.get_by_role("link", name="Download PDF").click()
        download = download_info.value
        assert download.suggested_filename.startswith("ledgerline-payments-reliability-review")
        assert Path(download.path()).read_bytes().startswith(b"%PDF")

        page.goto(f"{review['base']}/assessments/{review['id']}/sharing")  # not a re-POST
        assert page.get_by_text("already sent").count() == 0
        item = page.locator(".share-item", has_text="Board review, Dana")
        assert item.locator(".share-views-count").inner_text() == "2"
        item.get_by_text("View log").click()
        expect(item.get_by_role("cell", name="PDF download")).to_be_visible()
        expect(item.get_by_role("cell", name=re.compile("Chrome on Linux")).first).to_be_visible()
        assert url not in page.content()  # shown once, never again
        shoot(page, "sharing-list")
        assert_accessible(page, "sharing page, view log open")
        shoot(page, "sharing-list", PHONE["width"])

        page.once("dialog", lambda dialog: dialog.accept())
        item.get_by_role("button", name=re.compile("^Revoke")).click()
        page.wait_for_load_state()
        state = page.locator(".share-item", has_text="Board review, Dana").locator(".share-state")
        assert state.text_content() == "Revoked"

        response = reader.goto(url)
        assert response.status == 404
        dead = reader.get_by_role("heading", name="This link does not open anything")
        expect(dead).to_be_visible()
        assert reader.get_by_text("Ledgerline Payments").count() == 0
        assert_accessible(reader, "dead link")
    finally:
        stakeholder.close()
    assert errors == []
