"""An answers file through the browser: export it, change it, import it with a preview; and a
personal access token created on the account page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import seed_review, sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("FAULTLINE_SCREENSHOT_DIR")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_export_edit_import_with_a_preview(page, live_server, tmp_path):
    review = seed_review(live_server)
    sign_in(page, review["base"])
    page.goto(f"{review['base']}/assessments/{review['id']}/settings")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export answers file").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "observe.correlated-metrics: traces-partial" in text
    edited = tmp_path / "answers.yaml"
    edited.write_text(text.replace("metrics: traces-partial", "metrics: correlated"),
                      encoding="utf-8")

    page.get_by_role("link", name="Import answers file").click()
    page.get_by_label("Answers file (YAML)").set_input_files(str(edited))
    page.get_by_role("button", name="Preview the changes").click()
    row = page.locator("tbody tr", has_text="observe.correlated-metrics")
    shown = row.inner_text().replace("observe.correlated-metrics", "")
    assert "traces-partial" in shown and "correlated" in shown.replace("traces-partial", "")
    _shot(page, "import-preview-1280")
    page.get_by_role("button", name="Apply 1 change").click()
    expect(page.get_by_text("Answers file imported: 1 answer changed.")).to_be_visible()


def test_a_token_is_shown_once(page, live_server):
    review = seed_review(live_server)
    sign_in(page, review["base"])
    page.locator(".user-name").click()  # the account page leads to the tokens
    page.get_by_role("link", name="Manage API tokens").click()
    page.get_by_label("Name").fill("CI pipeline")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("code.token-secret").inner_text()
    assert re.fullmatch(r"flt_[A-Za-z0-9_-]{43}", secret)
    _shot(page, "tokens-1280")
    page.goto(review["base"] + "/account/tokens/")
    assert page.locator("code.token-secret").count() == 0
    expect(page.get_by_role("cell", name=re.compile("CI pipeline"))).to_be_visible()
