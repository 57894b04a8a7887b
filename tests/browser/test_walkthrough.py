"""The walk-through: every page a team lead, a viewer, an administrator and an anonymous
share-link holder sees, at 1280 and 390 px, on the payments example and a second team.

Each page fails the test when it scrolls sideways (the document wider than the window) or
answers with an unexpected status. Set FAULTLINE_SCREENSHOT_DIR to keep a full-page PNG of
every page at both widths (named `<width>-<nn>-<role>-<page>.png`) for a review by eye;
`python -m pytest tests/browser/test_walkthrough.py` with that variable is the whole script.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.helpers import PASSWORD, add_member, fill_sign_in, fill_sign_up
from tests.factories import fill_from_example
from tests.lenses.conftest import ORR, corpus_lenses_dir
from webapp import report
from webapp.accounts import services as accounts
from webapp.assessments import services as assessment_service
from webapp.assessments import workflows as workflow_service
from webapp.core.db import DatabaseUnavailable, session_scope
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.lenses import services as lenses
from webapp.pdfs import views as pdf_download
from webapp.sharing import services as sharing
from webapp.tasks import get_queue
from webapp.teams import services as teams
from webapp.teams.models import Role
from webapp.tracking import milestones
from webapp.tracking import services as tracking_service

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
SCREENSHOT_DIR = os.environ.get("FAULTLINE_SCREENSHOT_DIR")
LEAD, VIEWER, ADMIN = "lena@example.com", "victor@example.com", "ada@example.com"
ORR_LABEL = "AWS Operational Readiness Review Whitepaper Sample (lens, version 1)"


@dataclass
class Seed:
    base: str
    review: int = 0
    other_review: int = 0
    milestone: int = 0
    token: str = ""
    workflow: int = 0
    finding_url: str = ""
    team: int = 0
    other_team: int = 0
    problems: list[str] = field(default_factory=list)


def seed(live_server) -> Seed:
    """An administrator (the first account), team lead Lena with "Payments platform" (the
    payments example, tracked, with a milestone, a share link and a comment) and "Mobile apps"
    (a review half started), viewer Victor in the payments team, and the ORR lens imported."""
    app, out = live_server.app, Seed(live_server.url)
    with app.test_request_context(), session_scope(app) as session:
        admin = accounts.sign_up(session, email=ADMIN, name="Ada Admin", password=PASSWORD)
        lead = accounts.sign_up(session, email=LEAD, name="Lena Lead", password=PASSWORD)
        accounts.sign_up(session, email=VIEWER, name="Victor Viewer", password=PASSWORD)
        team = teams.create_team(session, lead, "Payments platform")
        add_member(session, team, VIEWER, Role.VIEWER)
        other = teams.create_team(session, lead, "Mobile apps")
        review = assessment_service.start_assessment(session, team, lead,
                                                     name="Ledgerline Payments",
                                                     content=get_content())
        fill_from_example(session, review, lead)
        frozen = milestones.create_milestone(session, review, lead, name="Kick-off",
                                             note="Before the **retry** work.",
                                             cache=result_cache())
        plan = tracking_service.tracked_plan(session, review, result_cache()).entries
        today = dt.datetime.now(dt.UTC).date()
        tracking_service.update_tracking(session, review, lead, plan[0].ref,
                                         tracking_service.TrackingInput(
                                             "in_progress", lead.id, today + dt.timedelta(14)),
                                         result_cache())
        tracking_service.update_tracking(session, review, lead, plan[1].ref,
                                         tracking_service.TrackingInput(
                                             "planned", lead.id, today - dt.timedelta(3)),
                                         result_cache())
        tracking_service.update_tracking(session, review, lead, plan[2].ref,
                                         tracking_service.TrackingInput(
                                             "risk_accepted", None, None,
                                             "The card network retries for us; the CFO "
                                             "agreed until the Q3 rewrite.",
                                             today + dt.timedelta(90)), result_cache())
        tracking_service.add_comment(session, review, lead, plan[0].ref,
                                     "Progress:\n\n- [x] `Idempotency-Key` header\n"
                                     "- [ ] replay test in staging", result_cache())
        out.token = sharing.create_share(session, review, lead, label="Director",
                                         edition="executive").token
        mobile = assessment_service.start_assessment(session, other, lead, name="Mobile app",
                                                     content=get_content())
        workflow_service.add_workflow(session, mobile, name="Nightly push campaign",
                                      content=get_content())
        lenses.import_lens(session, (corpus_lenses_dir() / ORR).read_bytes(), admin)
        session.flush()
        first = plan[0].ref
        out.finding_url = (f"/assessments/{review.id}/plan/findings/{first.rule_id}"
                           + (f"/workflows/{first.workflow_id}" if first.workflow_id else ""))
        out.review, out.other_review, out.milestone = review.id, mobile.id, frozen.id
        out.workflow = review.workflows[0].id
        out.team, out.other_team = team.id, other.id
    return out


def visit(page, s: Seed, path: str, expect: int = 200) -> None:
    response = page.goto(s.base + path)
    status = response.status if response else 0
    if status != expect:
        s.problems.append(f"{path}: status {status}, expected {expect}")


def sign_in(page, s: Seed, email: str) -> None:
    page.goto(s.base + "/signin")
    fill_sign_in(page, email)
    page.wait_for_url(re.compile(r"/(teams|assessments)/"))


def anonymous(page, s: Seed) -> Iterator[str]:
    visit(page, s, "/")
    yield "landing"
    visit(page, s, "/signup")
    yield "signup"
    page.get_by_role("button", name="Create account").click()
    yield "signup-errors"
    visit(page, s, "/signin")
    yield "signin"
    visit(page, s, "/password/forgot")
    yield "forgot-password"
    visit(page, s, f"/s/{s.token}")
    yield "share-page"
    visit(page, s, f"/s/{s.token}/report.pdf", 503)
    yield "share-pdf-failed"
    visit(page, s, "/s/not-a-real-token", 404)
    yield "share-unknown"
    visit(page, s, "/nowhere", 404)
    yield "error-404"


def newcomer(page, s: Seed) -> Iterator[str]:
    visit(page, s, "/signup")
    fill_sign_up(page, "Nora Newcomer", "nora@example.com")
    page.wait_for_url(re.compile(r"/teams/new$"))
    yield "team-new"
    page.get_by_role("button", name="Create team").click()
    yield "team-new-errors"
    visit(page, s, "/teams/")
    yield "teams-empty"
    visit(page, s, "/assessments/")
    yield "dashboard-empty"


def lead(page, s: Seed) -> Iterator[str]:
    r = f"/assessments/{s.review}"
    sign_in(page, s, LEAD)
    visit(page, s, "/teams/")
    yield "teams"
    visit(page, s, f"/teams/{s.team}")
    yield "team"
    page.get_by_label("Their email").fill("new.colleague@example.com")
    page.get_by_role("button", name="Invite", exact=True).click()
    yield "team-invited"
    visit(page, s, "/assessments/")
    yield "dashboard"
    visit(page, s, "/assessments/new")
    yield "assessment-new"
    visit(page, s, f"{r}/steps/fit")
    steps = page.locator("nav.stepper a").evaluate_all("links => links.map(a => a.href)")
    for url in steps:
        page.goto(url)
        yield "step-" + url.rsplit("/", 1)[-1]
    visit(page, s, f"{r}/workflows")
    yield "workflows"
    visit(page, s, f"{r}/workflows/{s.workflow}")
    yield "workflow-questions"
    visit(page, s, f"{r}/workflows/{s.workflow}/edit")
    yield "workflow-edit"
    visit(page, s, f"/assessments/{s.other_review}/workflows")
    page.locator("a[href*='/workflows/']").filter(has_text="Nightly push campaign").first.click()
    release = Path(__file__).resolve().parents[2] / "examples" / "automation" / "release.yml"
    page.get_by_label("Upload the file").set_input_files(str(release))
    page.get_by_role("button", name="Review the file").click()
    page.wait_for_load_state()
    yield "automation-suggestions"
    visit(page, s, f"/assessments/{s.other_review}/results")
    yield "results-partly-answered"
    visit(page, s, f"{r}/results")
    yield "results"
    page.locator("details").evaluate_all("all => all.forEach(d => { d.open = true; })")
    yield "results-all-open"
    visit(page, s, f"{r}/report")
    yield "report"
    visit(page, s, f"{r}/report.pdf", 202)
    yield "pdf-progress"
    visit(page, s, f"{r}/report.pdf?edition=executive", 503)  # the share link's, failed
    yield "pdf-failed"
    visit(page, s, f"{r}/report.pdf?edition=executive&retry=1", 202)
    yield "pdf-progress-after-retry"
    visit(page, s, f"{r}/plan")
    yield "plan"
    visit(page, s, f"{r}/plan?status=open&sort=severity")
    yield "plan-filtered"
    visit(page, s, s.finding_url)
    yield "plan-finding"
    visit(page, s, f"{r}/milestones")
    yield "milestones"
    visit(page, s, f"{r}/milestones/{s.milestone}")
    yield "milestone"
    visit(page, s, f"{r}/compare?from={s.milestone}&to=now")
    yield "comparison"
    visit(page, s, f"{r}/audit")
    yield "audit-log"
    visit(page, s, f"{r}/sharing")
    yield "sharing"
    visit(page, s, f"{r}/settings")
    yield "settings"
    visit(page, s, f"{r}/import")
    yield "import-answers"
    visit(page, s, f"{r}/next-review")
    yield "next-review"
    visit(page, s, "/assessments/import")
    yield "import-new"
    visit(page, s, "/portfolio/")
    yield "portfolio"
    visit(page, s, "/account")
    yield "account"
    visit(page, s, "/account/tokens/")
    yield "tokens"
    visit(page, s, "/assessments/new")
    page.get_by_label("System name").fill("Checkout on the ORR lens")
    page.get_by_label("Questionnaire").select_option(label=ORR_LABEL)
    page.get_by_role("button", name="Start the review").click()
    page.wait_for_url(re.compile(r"/lens/pillars/\w+$"))
    yield "lens-pillar"
    lens_review = re.search(r"/assessments/(\d+)/", page.url).group(1)
    visit(page, s, f"/assessments/{lens_review}/lens/results")
    yield "lens-results"


def viewer(page, s: Seed) -> Iterator[str]:
    r = f"/assessments/{s.review}"
    sign_in(page, s, VIEWER)
    visit(page, s, "/teams/")
    yield "teams"
    visit(page, s, f"/teams/{s.team}")
    yield "team"
    visit(page, s, f"{r}/results")
    yield "results"
    visit(page, s, f"{r}/plan")
    yield "plan"
    visit(page, s, s.finding_url)
    yield "plan-finding"
    visit(page, s, f"{r}/steps/fit")
    yield "step-fit-read-only"
    visit(page, s, f"{r}/sharing", 403)
    yield "error-403"
    visit(page, s, f"/assessments/{s.other_review}/results", 404)
    yield "error-404-other-team"
    visit(page, s, f"/s/{s.token}/report.pdf", 202)
    yield "share-pdf-progress"


def administrator(page, s: Seed, monkeypatch) -> Iterator[str]:
    sign_in(page, s, ADMIN)
    visit(page, s, "/admin/")
    yield "admin"
    visit(page, s, "/admin/lenses/")
    yield "lenses"
    visit(page, s, "/portfolio/")
    yield "portfolio"
    visit(page, s, f"/assessments/{s.review}/results")
    yield "results-as-administrator"
    with monkeypatch.context() as patch:
        patch.setattr(teams, "teams_of", _unavailable)
        visit(page, s, "/teams/", 503)
        yield "error-503"


def _unavailable(*args, **kwargs):
    raise DatabaseUnavailable()


class _FirstFailsThenWaits:
    """The queue's render task: the first PDF (the share link's) times out, later ones stay
    queued (progress pages)."""

    def __init__(self, real) -> None:
        self.real, self.calls = real, 0

    def __call__(self, spec: dict, key: str) -> None:
        self.calls += 1
        if self.calls == 1:
            self.real(spec, key)


def too_wide(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - innerWidth)")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_the_screen(browser, live_server, width, monkeypatch, fake_renderer):
    fake_renderer.error = report.ReportTimeout("The PDF took too long to render. Try again "
                                               "in a minute.")
    queue = get_queue(live_server.app)
    monkeypatch.setattr(queue, "render", _FirstFailsThenWaits(queue.render))
    monkeypatch.setattr(pdf_download, "REFRESH_SECONDS", 600)  # no reload while we look
    s = seed(live_server)
    walks = {"anonymous": lambda p: anonymous(p, s), "newcomer": lambda p: newcomer(p, s),
             "lead": lambda p: lead(p, s), "viewer": lambda p: viewer(p, s),
             "admin": lambda p: administrator(p, s, monkeypatch)}
    seen = 0
    for role, walk in walks.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            for name in walk(page):
                seen += 1
                extra = too_wide(page)
                if extra:
                    s.problems.append(f"{role}/{name}: {extra} px wider than the {width} px "
                                      "window")
                if SCREENSHOT_DIR:
                    Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
                    page.screenshot(full_page=True, timeout=90_000, path=str(
                        Path(SCREENSHOT_DIR) / f"{width}-{seen:02d}-{role}-{name}.png"))
        finally:
            context.close()
    assert seen >= 60, f"the walk stopped early after {seen} pages"
    assert s.problems == [], "\n".join(s.problems)
