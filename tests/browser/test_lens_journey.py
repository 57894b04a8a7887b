"""An assessment on the ORR sample lens in the browser: an administrator imports the file, a
review is started on it, its questions are answered (autosave, multi-select, not applicable
with a reason, "None of these"), and its results lead to the PDF.
Set FAULTLINE_SCREENSHOT_DIR to keep a PNG of each lens page at 1280 and 390 px."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.helpers import sign_up
from tests.browser.test_accessibility import BLOCKING, violations
from tests.lenses.conftest import ORR, SMALL_LENS, corpus_lenses_dir

pytestmark = pytest.mark.browser
SCREENSHOT_DIR = os.environ.get("FAULTLINE_SCREENSHOT_DIR")


def shoot(page, name: str) -> None:
    """axe-core at desktop and phone width (serious and critical violations fail), and a
    screenshot of each when FAULTLINE_SCREENSHOT_DIR is set."""
    problems = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        problems += [
            f"{name}@{width}: {v['id']} {v['help']} {[n['target'] for n in v['nodes']][:3]}"
            for v in violations(page)
            if v["impact"] in BLOCKING
        ]
        if SCREENSHOT_DIR:
            Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(Path(SCREENSHOT_DIR) / f"lens-{name}-{width}.png"), full_page=True
            )
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not problems, "\n".join(problems)


def import_lens(page, base: str, path: Path) -> None:
    page.goto(base + "/admin/lenses/")
    page.get_by_label("Lens file").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()


def start_review(page, base: str, lens_label: str, name: str) -> None:
    page.goto(base + "/assessments/new")
    page.get_by_label("System name").fill(name)
    page.get_by_label("Questionnaire").select_option(label=lens_label)
    page.get_by_role("button", name="Start the review").click()
    page.wait_for_url(re.compile(r"/lens/pillars/\w+$"))


def question(page, title: str):
    return page.locator("fieldset.question", has=page.locator("legend", has_text=title))


def test_a_review_on_the_orr_lens_from_import_to_pdf(page, live_server):
    orr = corpus_lenses_dir() / ORR
    base = live_server.url
    sign_up(page, base, "Ada Admin", "ada@example.com")  # the first account administers
    page.get_by_label("Team name").fill("Payments")
    page.get_by_role("button", name="Create team").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lenses").click()
    shoot(page, "admin-empty")
    import_lens(page, base, orr)
    assert "imported as version 1" in page.locator(".flashes").inner_text()
    shoot(page, "admin")

    start_review(
        page,
        base,
        "AWS Operational Readiness Review Whitepaper Sample (lens, version 1)",
        "Checkout",
    )
    diagrams = question(page, "Architecture Diagram (H)")
    diagrams.get_by_label("Data/network flow diagram provided.").check()
    expect_saved(diagrams)
    assert (
        "medium risk" in diagrams.locator(".lens-risk").inner_text().lower()
    )  # one of the two diagrams: the lens says medium
    api = question(page, "Impacted API Matrix (H)")
    api.get_by_label("This question does not apply").check()
    api.get_by_label("Reason").select_option(label="Architecture constraints")
    expect_saved(api)
    shoot(page, "pillar")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/pillars/release_quality$"))

    page.get_by_role("link", name="View results").click()
    counts = page.locator("table.lens-counts")
    architecture = counts.locator("tr", has=page.get_by_role("link", name="01 - Architecture"))
    assert architecture.locator('[data-label="Medium"]').inner_text() == "1"
    assert architecture.locator('[data-label="Not applicable"]').inner_text() == "1"
    assert architecture.locator('[data-label="Unanswered"]').inner_text() == "4"
    plan = page.locator(".lens-plan")
    assert "Architecture Diagram (H)" in plan.inner_text()
    shoot(page, "results")

    with page.expect_download(timeout=60_000) as download:  # the render worker starts
        page.get_by_role("link", name="Download PDF").click()
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Checkout" in text and "Improvement plan" in text
    assert "Architecture Diagram (H)" in text
    page.goto(page.url.replace("/results", "/report"))
    shoot(page, "report")

    results_url = page.url.replace("/report", "/results")
    page.goto(results_url)
    page.get_by_role("link", name="Track the plan").click()
    item = page.locator("a.track-title", has_text="Architecture Diagram (H)")
    page.goto(base + item.get_attribute("href"))
    page.get_by_label("Status", exact=True).select_option(label="In progress")
    page.get_by_role("button", name="Save tracking").click()
    page.wait_for_load_state()
    assert "Tracking saved." in page.locator(".flashes").inner_text()
    page.goto(results_url)
    assert "In progress" in page.locator(".lens-plan").inner_text()

    page.goto(results_url.replace("/lens/results", "/settings"))
    assert "AWS Operational Readiness Review Whitepaper Sample, version 1" in page.locator(
        ".assessment-meta").inner_text()
    with page.expect_download() as exported:
        page.get_by_role("link", name="Export answers file").click()
    text = Path(exported.value.path()).read_text(encoding="utf-8")
    assert "questionnaire: lens:aws-operational-readiness-review-whitepaper-sample" in text
    assert "- data_flow_diagram" in text
    shoot(page, "settings")
    page.goto(results_url)

    page.goto(page.url.replace("/lens/results", "/milestones"))
    page.get_by_label("Name").fill("Before go-live")
    page.get_by_role("button", name="Create milestone").click()
    page.wait_for_url(re.compile(r"/lens/milestones/\d+$"))
    assert "Before go-live" in page.locator(".share-bar").inner_text()
    page.goto(page.url.split("/lens/")[0] + "/lens/pillars/architecture")
    flows = question(page, "Architecture Diagram (H)")
    flows.get_by_label("Architecture design to reduce the blast radius").check()
    expect_saved(flows)
    page.get_by_role("link", name="Compare").click()
    moved = page.locator(".lens-moved")
    assert "Architecture Diagram (H)" in moved.inner_text()
    assert "better" in moved.inner_text()
    shoot(page, "compare")


def expect_saved(fieldset) -> None:
    fieldset.locator("[data-save-state]").filter(has_text=re.compile("Saved at")).wait_for()
    fieldset.page.reload()


def test_none_of_these_clears_the_other_choices_and_back(page, live_server, tmp_path):
    base = live_server.url
    sign_up(page, base, "Ada Admin", "ada@example.com")
    page.get_by_label("Team name").fill("Storage")
    page.get_by_role("button", name="Create team").click()
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(SMALL_LENS))
    import_lens(page, base, path)
    start_review(page, base, "Backup readiness (lens, version 1)", "Billing DB")
    restore = question(page, "How do you know a restore works?")
    restore.get_by_label("Restores are tested monthly").check()
    restore.get_by_label("The restore steps are written down").check()
    restore.get_by_label("None of these").check()
    assert not restore.get_by_label("Restores are tested monthly").is_checked()
    assert not restore.get_by_label("The restore steps are written down").is_checked()
    expect_saved(restore)
    risk = question(page, "How do you know a restore works?").locator(".lens-risk")
    assert risk.inner_text().lower() == "high risk"
    restore = question(page, "How do you know a restore works?")
    restore.get_by_label("Restores are tested monthly").check()
    assert not restore.get_by_label("None of these").is_checked()
