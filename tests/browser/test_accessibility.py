"""axe-core on every page a new user meets in a full review, at desktop and phone width.

The journey is the real one: sign up, create a team, start an assessment in the browser, then
(answers saved through the services, as the example payments review) every step page, the
workflow pages, the results, the report, the follow-up pages (plan, a finding's tracking,
milestones, a comparison before and after an answer changed, with every detail open) and an
error page. A serious or critical violation
fails the test; every violation is listed in the failure message.
Set FAULTLINE_AXE_REPORT to a file path to keep a per-page summary of all violations.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.helpers import fill_sign_up
from tests.factories import fill_from_example
from tests.tracking.support import CLEARING, RULE, answer
from webapp import report
from webapp.accounts.models import User
from webapp.assessments.models import Assessment
from webapp.core.db import session_scope
from webapp.core.views import result_cache
from webapp.pdfs import views as pdf_download
from webapp.tasks import get_queue

pytestmark = pytest.mark.browser

EMAIL = "nora@example.com"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = {"serious", "critical"}
REPORT_FILE = os.environ.get("FAULTLINE_AXE_REPORT")


def violations(page) -> list[dict]:
    return Axe().run(page).response["violations"]


def describe(name: str, violation: dict) -> str:
    targets = [node["target"] for node in violation["nodes"]][:3]
    return f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} {targets}"


def seed_answers(app, assessment_id: int) -> None:
    with app.test_request_context(), session_scope(app) as session:
        assessment = session.get(Assessment, assessment_id)
        user = session.query(User).filter_by(email=EMAIL).one()
        fill_from_example(session, assessment, user)


def seed_follow_up(app, assessment_id: int) -> tuple[int, str]:
    """A milestone and a live share link of the seeded review: (milestone id, share token)."""
    from webapp.sharing import services as sharing
    from webapp.tracking import milestones

    with app.test_request_context(), session_scope(app) as session:
        assessment = session.get(Assessment, assessment_id)
        user = session.query(User).filter_by(email=EMAIL).one()
        frozen = milestones.create_milestone(session, assessment, user, name="Kick-off",
                                             cache=result_cache())
        token = sharing.create_share(session, assessment, user, label="Director",
                                     edition="executive").token
        return frozen.id, token


def seed_change(app, assessment_id: int) -> None:
    """The answer behind the plan's tracked finding changed to one that clears it."""
    with app.test_request_context(), session_scope(app) as session:
        assessment = session.get(Assessment, assessment_id)
        user = session.query(User).filter_by(email=EMAIL).one()
        answer(session, assessment, user, CLEARING)


def journey(page, server) -> Iterator[str]:
    """Drive the app as a newcomer; yield a name each time a page worth checking is shown."""
    base = server.url
    page.goto(base + "/signup")
    yield "signup"
    fill_sign_up(page, "Nora Newcomer", EMAIL)
    page.wait_for_load_state()
    yield "team-new"
    page.get_by_label("Team name").fill("Payments platform")
    page.get_by_role("button", name="Create team").click()
    page.wait_for_load_state()
    yield "team"
    page.get_by_label("Their email").fill("colleague@example.com")
    page.get_by_role("button", name="Invite", exact=True).click()
    page.wait_for_load_state()
    invitation_url = page.locator("#invite-url").input_value()
    yield "team-invited"
    page.goto(base + "/account")
    yield "account"
    page.goto(base + "/admin/")
    yield "admin"
    page.get_by_label("Who can create an account").select_option("closed")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    yield "admin-mode-saved"
    page.goto(base + "/teams/")
    yield "teams"
    page.goto(base + "/assessments/")
    yield "dashboard-empty"
    page.goto(base + "/assessments/new")
    yield "assessment-new"
    page.get_by_label("System name").fill("Ledgerline Payments")
    page.get_by_role("button", name="Start the review").click()
    page.wait_for_load_state()
    assessment_id = int(re.search(r"/assessments/(\d+)/", page.url).group(1))
    yield "first-step"
    page.goto(f"{base}/assessments/{assessment_id}/results")
    yield "results-empty"

    seed_answers(server.app, assessment_id)
    page.goto(base + "/assessments/")
    yield "dashboard"
    page.goto(f"{base}/assessments/{assessment_id}/steps/fit")
    steps = page.locator("nav.stepper a").evaluate_all("links => links.map(a => a.href)")
    for url in steps:
        page.goto(url)
        yield "step " + url.rsplit("/", 1)[-1]
    page.goto(f"{base}/assessments/{assessment_id}/workflows")
    workflow_pages = page.locator("a[href*='/workflows/']").evaluate_all(
        "links => links.map(a => a.href).filter(h => /workflows\\/\\d+$/.test(h))")
    page.goto(workflow_pages[0])
    yield "workflow"
    page.goto(f"{base}/assessments/{assessment_id}/settings")
    yield "settings"
    page.goto(f"{base}/assessments/{assessment_id}/import")
    yield "import-answers"
    page.goto(f"{base}/assessments/{assessment_id}/next-review")
    yield "next-review"
    page.goto(base + "/assessments/import")
    yield "import-new"
    page.goto(base + "/portfolio/")
    yield "portfolio"
    page.goto(base + "/account/tokens/")
    yield "tokens"
    page.goto(f"{base}/assessments/{assessment_id}/results")
    yield "results"
    open_every_details(page)
    yield "results-all-open"
    page.goto(f"{base}/assessments/{assessment_id}/report")
    yield "report"
    milestone_id, token = seed_follow_up(server.app, assessment_id)
    compare = f"compare?from={milestone_id}&to=now"
    follow_up = (("plan", "plan"), ("plan-finding", f"plan/findings/{RULE}"),
                 ("audit", "audit"), ("sharing", "sharing"), ("milestones", "milestones"),
                 ("milestone", f"milestones/{milestone_id}"), ("compare", compare))
    # then an answer changes since the milestone: the comparison and the log show it
    changed = (("results-changed", "results"), ("compare-changed", compare),
               ("audit-changed", "audit"))
    for name, path in (*follow_up, *changed):
        if name == changed[0][0]:
            seed_change(server.app, assessment_id)
        page.goto(f"{base}/assessments/{assessment_id}/{path}")
        open_every_details(page)
        yield name
    page.goto(f"{base}/s/{token}")
    yield "shared-report"
    page.goto(f"{base}/assessments/{assessment_id + 1000}/results")
    yield "error-404"
    page.goto(f"{base}/assessments/{assessment_id}/report.pdf")
    yield "error-pdf-timeout"
    page.goto(f"{base}/assessments/{assessment_id}/report.pdf?retry=1")
    yield "pdf-progress"
    page.goto(base + "/teams/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    page.goto(base + "/signin")
    yield "signin"
    page.goto(invitation_url)
    yield "invitation"
    page.goto(base + "/signup")
    yield "signup-closed"
    page.goto(base + "/password/forgot")
    yield "forgot-password"


def open_every_details(page) -> None:
    """Open every <details>, and wait until the finding cards among them have fetched their
    bodies: axe checks the page as a reader sees it, not halfway through loading."""
    page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
    expect(page.locator("[data-finding-body], [aria-busy='true']")).to_have_count(0)


class _FirstFailsThenWaits:
    """The queue's render task: the first PDF times out, later ones stay queued (progress)."""

    def __init__(self, real) -> None:
        self.real, self.calls = real, 0

    def __call__(self, spec: dict, key: str) -> None:
        self.calls += 1
        if self.calls == 1:
            self.real(spec, key)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_no_serious_accessibility_violation_on_any_page(browser, live_server, viewport,
                                                         monkeypatch, fake_renderer):
    fake_renderer.error = report.ReportTimeout("The PDF took too long to render. Try again "
                                               "in a minute.")
    queue = get_queue(live_server.app)
    monkeypatch.setattr(queue, "render", _FirstFailsThenWaits(queue.render))
    monkeypatch.setattr(pdf_download, "REFRESH_SECONDS", 60)  # no reload while axe reads
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    context.set_default_timeout(15_000)
    page = context.new_page()
    found: dict[str, list[dict]] = {}
    too_wide: dict[str, int] = {}
    try:
        for name in journey(page, live_server):
            found[name] = violations(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > VIEWPORTS[viewport]["width"]:
                too_wide[name] = width
    finally:
        context.close()
    _keep_summary(viewport, found)
    assert len(found) >= 40, f"the journey stopped early: {list(found)}"
    blocking = [describe(name, v) for name, vs in found.items() for v in vs
                if v["impact"] in BLOCKING]
    problems = blocking + [f"{name}: {width} px wide" for name, width in too_wide.items()]
    assert problems == [], "\n".join(problems)


def _keep_summary(viewport: str, found: dict[str, list[dict]]) -> None:
    if not REPORT_FILE:
        return
    lines = [f"## {viewport}"]
    for name, found_here in found.items():
        summary = ", ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])})" for v in found_here)
        lines.append(f"{name}: {summary or 'no violations'}")
    with Path(REPORT_FILE).open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
