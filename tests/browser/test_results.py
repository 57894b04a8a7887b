"""The results page and the report in real Chromium: a team member reads a filled review.

Set FAULTLINE_SCREENSHOT_DIR to keep PNGs of the results page at desktop and phone width.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import seed_review, sign_in
from webapp import report
from webapp.tasks import get_queue, render_job
from webapp.teams.models import Role

pytestmark = pytest.mark.browser

SCREENSHOT_DIR = os.environ.get("FAULTLINE_SCREENSHOT_DIR")


@pytest.fixture
def review(live_server):
    """A team (owner + viewer) whose assessment holds the payments example's answers."""
    return seed_review(live_server, ("vi@example.com", "Vi Viewer", Role.VIEWER))


def shoot(page, name: str) -> None:
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        path = Path(SCREENSHOT_DIR) / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, timeout=60_000)


def test_a_viewer_sees_plan_scenarios_and_findings_and_opens_one(page, review):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    sign_in(page, review["base"], "vi@example.com")
    page.goto(f"{review['base']}/assessments/{review['id']}/results")

    plan = page.locator("#plan")
    expect(plan.get_by_role("heading", name="Now")).to_be_visible()
    now_items = plan.locator(".plan-now .plan-list > li")
    assert now_items.count() >= 3
    expect(plan.get_by_text("Quick win").first).to_be_visible()

    scenarios = page.locator("#scenarios")
    expect(scenarios.get_by_role("heading", name="Card payment capture")).to_be_visible()
    expect(scenarios.locator(".status-unsafe").first).to_be_visible()
    assert scenarios.locator(".because a[href*='#q-']").count() > 10

    # The first Now step leads to its finding, opened, with its fix and its causes.
    first = now_items.first.locator("a.plan-title")
    title = first.inner_text().split("\n")[-1].split(": ", 1)[-1]
    first.click()
    anchor = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    finding = page.locator(f"[id='{anchor}']")
    assert finding.locator("details").get_attribute("open") is not None
    assert title in finding.locator("summary").inner_text()
    expect(finding.get_by_role("heading", name="How to fix it")).to_be_visible()
    expect(finding.locator(".because a[href*='#q-']").first).to_be_visible()
    assert errors == [], errors
    shoot(page, "results-desktop")

    # Each cause leads to its question on the editing page, which names this finding back.
    cause = finding.locator(".because a[href*='#q-']").first
    question_text = cause.inner_text()
    cause.click()
    page.wait_for_load_state()
    question_id = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    question = page.locator(f"[id='{question_id}']")
    assert question_text in question.inner_text()
    assert question.get_by_role("link", name=title).count() == 1


def test_the_results_page_fits_a_phone_and_the_heat_map_scrolls_inside(browser, review):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        sign_in(page, review["base"], "vi@example.com")
        page.goto(f"{review['base']}/assessments/{review['id']}/results")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
        region = page.locator("#heat-map .table-scroll")
        assert region.evaluate("e => e.scrollWidth > e.clientWidth")
        sticky = page.locator("#heat-map tbody th").first
        assert sticky.evaluate("e => getComputedStyle(e).position") == "sticky"
        shoot(page, "results-phone")
    finally:
        context.close()


def test_the_report_page_is_styled_despite_the_strict_policy(page, review):
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, review["base"], "vi@example.com")
    page.goto(f"{review['base']}/assessments/{review['id']}/report")
    expect(page.get_by_role("heading", name="Executive summary")).to_be_visible()
    width = page.locator("main.report").evaluate("e => getComputedStyle(e).maxWidth")
    assert width == "860px", "the report's stylesheet was not applied"
    assert violations == []
    shoot(page, "report-desktop")


def test_download_pdf_shows_progress_then_saves_the_file(page, review, live_server,
                                                         monkeypatch, fake_renderer):
    app = live_server.app

    def queued_then_made_a_second_later(spec: dict, key: str) -> None:
        def later() -> None:
            time.sleep(1.0)
            with app.app_context():
                render_job(app, spec, key)

        threading.Thread(target=later, daemon=True).start()

    monkeypatch.setattr(get_queue(app), "render", queued_then_made_a_second_later)
    sign_in(page, review["base"], "vi@example.com")
    page.goto(f"{review['base']}/assessments/{review['id']}/results")
    status = page.get_by_role("status").filter(has_text="PDF")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download PDF").click()
        assert "Preparing the PDF" in status.inner_text()
    download = caught.value
    assert download.suggested_filename.startswith("ledgerline-payments-reliability-review-")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    page.get_by_text("PDF downloaded").wait_for()
    assert len(fake_renderer.calls) == 1


def test_a_pdf_timeout_is_explained_next_to_the_button(page, review, fake_renderer):
    fake_renderer.error = report.ReportTimeout(
        "The PDF took longer than 60 seconds to render and was stopped. Try again in a minute.")
    sign_in(page, review["base"], "vi@example.com")
    page.goto(f"{review['base']}/assessments/{review['id']}/results")
    page.get_by_role("link", name="Download PDF").click()
    page.get_by_role("status").get_by_text("Try again in a minute").wait_for()
    if SCREENSHOT_DIR:
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / "results-pdf-failed.png"))
    assert page.url.endswith("/results"), "the person stays on the results page"


def test_a_keyboard_user_opens_a_finding_and_its_body_arrives(page, review):
    sign_in(page, review["base"], "vi@example.com")
    page.goto(f"{review['base']}/assessments/{review['id']}/results")
    card = page.locator(".finding-card").nth(1)
    summary = card.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(card.get_by_role("heading", name="Caused by these answers")).to_be_visible()
    expect(card.get_by_role("heading", name="How to fix it")).to_be_visible()
    expect(card.locator(".because a[href*='#q-']").first).to_be_visible()
    assert summary.evaluate("e => e === document.activeElement"), "focus stays on the card"
    assert card.locator("[data-finding-body], [aria-busy]").count() == 0


def test_a_finding_that_cannot_be_fetched_still_leads_to_the_report(page, review):
    sign_in(page, review["base"], "vi@example.com")
    page.goto(f"{review['base']}/assessments/{review['id']}/results")
    page.route("**/results/findings/**", lambda route: route.abort())
    card = page.locator(".finding-card").first
    card.locator("summary").click()
    expect(card.get_by_text("could not be loaded here")).to_be_visible()
    link = card.get_by_role("link", name="in the report")
    assert link.get_attribute("href").endswith(f"/report#{card.get_attribute('id')}")


def test_without_javascript_findings_open_and_the_pdf_is_a_plain_link(browser, review):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, review["base"], "vi@example.com")
        page.goto(f"{review['base']}/assessments/{review['id']}/results")
        link = page.get_by_role("link", name="Download PDF")
        assert link.get_attribute("href").endswith("/report.pdf")
        assert link.get_attribute("download") is not None
        # An opened finding leads to its whole card in the report (the page carries summaries).
        finding = page.locator(".finding-card").first
        anchor, title = finding.get_attribute("id"), finding.locator(".finding-title").inner_text()
        details = finding.get_by_role("link", name="in the report")
        expect(details).not_to_be_visible()
        finding.locator("summary").click()
        details.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/report#{anchor}")
        card = page.locator(f"[id='{anchor}']")
        expect(card.get_by_text(title).first).to_be_visible()
        expect(card.get_by_text("How to fix it").first).to_be_visible()
    finally:
        context.close()


def test_a_team_narrows_the_plan_and_findings_to_one_workflow(page, review):
    sign_in(page, review["base"], "vi@example.com")
    page.goto(f"{review['base']}/assessments/{review['id']}/results")
    cards = page.locator("#findings .finding-card")
    total = cards.count()
    page.get_by_label("Show findings for").select_option(label="Support refunds")

    shown = page.locator("#findings .finding-card:visible")
    assert 0 < shown.count() < total
    scopes = set(shown.evaluate_all("cards => cards.map(c => c.dataset.scope)"))
    assert scopes == {"Support refunds"}
    assert page.locator("#findings-heading .count").inner_text() == str(shown.count())
    plan_scopes = page.locator("#plan .plan-item:visible").evaluate_all(
        "items => items.map(i => i.dataset.scope)")
    assert plan_scopes and set(plan_scopes) == {"Support refunds"}
    assert "shown for Support refunds" in page.locator("#scope-filter-status").inner_text()
    # a bucket counts its actions for this workflow, listed or left to the findings below
    buckets = page.evaluate("""() => Array.from(document.querySelectorAll('.plan-bucket'), b => {
        const more = b.querySelector('.plan-more');
        const folded = more ? JSON.parse(more.dataset.folded)
          .filter(scope => scope === 'Support refunds').length : 0;
        return {count: Number(b.querySelector('h3 .count').textContent),
                listed: b.querySelectorAll('.plan-item:not([hidden])').length, folded,
                more: more && {hidden: more.hidden,
                               says: Number(more.querySelector('[data-folded-count]')
                                 .textContent)}};
      })""")
    assert any(b["more"] for b in buckets)
    for bucket in buckets:
        assert bucket["count"] == bucket["listed"] + bucket["folded"]
        if bucket["more"]:
            assert bucket["more"] == {"hidden": bucket["folded"] == 0, "says": bucket["folded"]}

    page.get_by_label("Show findings for").select_option(label="the whole review")
    assert page.locator("#findings .finding-card:visible").count() == total
