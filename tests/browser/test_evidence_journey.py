"""Evidence in Chromium: upload a workflow's file, see "detected in", accept one suggestion,
find it on the results page; screenshots of the workflow page and the evidence blocks."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import create_team_and_assessment, sign_up, stored

pytestmark = pytest.mark.browser

RELEASE = Path(__file__).resolve().parents[2] / "examples" / "automation" / "release.yml"
TIMEOUT = "timeouts.bounded"
#: Set FAULTLINE_SCREENSHOTS=<folder> to keep screenshots for a visual check.
SHOTS = os.environ.get("FAULTLINE_SCREENSHOTS")


def shot(target, name: str, full_page: bool = True) -> None:
    """A screenshot of a page (whole) or of one element, when SHOTS names a folder."""
    if SHOTS:
        options = {"full_page": True} if full_page else {}
        target.screenshot(path=str(Path(SHOTS) / f"{name}.png"), **options)


def serious_violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def add_workflow(page, base: str, assessment_id: int) -> None:
    page.goto(f"{base}/assessments/{assessment_id}/workflows")
    page.get_by_label("Workflow name").fill("Release on tag")
    page.get_by_role("button", name="Add workflow").click()
    page.wait_for_url(re.compile(r"/workflows/\d+$"))


def start_a_workflow(page, base: str) -> int:
    """A new user's team, assessment and first workflow, its page open; the assessment's id."""
    sign_up(page, base, "Rita Release", "rita@example.com")
    assessment_id = create_team_and_assessment(page, base)
    add_workflow(page, base, assessment_id)
    return assessment_id


def upload_release_to_a_new_workflow(page, base: str) -> int:
    """`start_a_workflow` with examples/automation/release.yml uploaded to it."""
    assessment_id = start_a_workflow(page, base)
    page.get_by_label("Upload the file").set_input_files(str(RELEASE))
    page.get_by_role("button", name="Review the file").click()
    page.wait_for_url(re.compile(r"/workflows/\d+#automation$"))
    return assessment_id


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_upload_accept_and_see_it_on_the_results_page(browser, live_server, js):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=js)
    context.set_default_timeout(10_000)
    page = context.new_page()
    base = live_server.url
    assessment_id = upload_release_to_a_new_workflow(page, base)
    expect(page.get_by_text("Reviewed release.yml: 6 suggested answers")).to_be_visible()
    question = page.locator(f"[id='q-{TIMEOUT}']")  # the id holds a dot
    if js:  # one group of questions is open at a time: open the one holding this question
        group = page.locator("[data-group]", has=question)
        if "is-collapsed" in (group.get_attribute("class") or ""):
            group.locator("[data-group-toggle]").click()
    suggestion = question.locator(".suggestion")
    expect(suggestion).to_be_visible()
    assert "detected in release.yml:20" in suggestion.inner_text()
    shot(page, f"workflow-suggestions-1280-{'js' if js else 'nojs'}")
    shot(question, f"question-suggestion-1280-{'js' if js else 'nojs'}", full_page=False)
    if js:
        assert serious_violations(page) == []

    suggestion.get_by_role("button", name="Accept").click()
    page.wait_for_url(re.compile(rf"#q-{re.escape(TIMEOUT)}$"))
    expect(page.get_by_text("Suggestion accepted and saved.")).to_be_visible()
    assert "Agrees with the evidence" in question.locator(".suggestion").inner_text()
    assert question.locator("input[value='defaults']").is_checked()
    [row] = stored(live_server, question_id=TIMEOUT)
    assert list(row.choices) == ["defaults"]

    page.goto(f"{base}/assessments/{assessment_id}/results")
    block = page.locator(".evidence-block")
    row = block.locator(".evidence-suggestions li", has_text="release.yml:20")
    assert "Accepted" in row.text_content() and "platform defaults" in row.text_content()
    assert "Pending" in block.locator("li", has_text="release.yml:13").first.text_content()
    if js:
        assert serious_violations(page) == []
        shot(block, "results-evidence-1280", full_page=False)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(block, "results-evidence-390", full_page=False)
        page.goto(f"{base}/assessments/{assessment_id}/workflows/1")
        shot(page.locator("#automation"), "panel-390", full_page=False)
        shot(
            page.locator(
                ".question", has=page.locator(".suggestion-overridden, .suggestion-pending")
            ).first,
            "question-suggestion-390",
            full_page=False,
        )
    context.close()


def test_malformed_paste_keeps_the_text(page, live_server):
    start_a_workflow(page, live_server.url)
    page.get_by_role("link", name="Paste the text instead").click()
    page.get_by_label("File name or repository path").fill(".github/workflows/ci.yml")
    page.get_by_label("Or paste its text").fill("on: [push\njobs: {}\n")
    page.get_by_role("button", name="Review the file").click()
    expect(page.get_by_role("alert").filter(has_text="not valid YAML")).to_be_visible()
    assert page.get_by_label("Or paste its text").input_value() == "on: [push\njobs: {}\n"
    shot(page, "automation-malformed-1280")


def test_accept_all_says_how_many_were_saved_in_the_servers_words(page, live_server):
    upload_release_to_a_new_workflow(page, live_server.url)
    page.get_by_role("button", name=re.compile(r"^Accept all \d+ suggestions$")).click()
    status = page.locator("[data-accept-all-status]")
    expect(status).to_have_text(re.compile(r"^\d+ suggested answers accepted and saved\.$"))
    count = int(status.inner_text().split()[0])
    assert count >= 2 and len(stored(live_server)) == count
