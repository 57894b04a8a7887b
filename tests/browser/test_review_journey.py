"""The review in real Chromium: from sign-up to the results link, with and without JavaScript,
autosave with failures and retries, two editors on one question, double submits, viewers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_team_and_assessment, invite_and_join, sign_up, stored
from webapp.assessments.models import Workflow
from webapp.core.db import get_database
from webapp.domain import load_content
from webapp.domain.loader import default_content_dir

pytestmark = pytest.mark.browser

Q = "contain.circuit-breakers"
NEWEST = load_content(default_content_dir()).questionnaire()  # new reviews start on it
#: the system steps after the fit check, in order (layers and, from version 2, the others)
LAYERS = [s.id for s in NEWEST.sections if s.kind not in ("fit", "workflow")]
FIT_QUESTIONS = sum(len(s.questions) for s in NEWEST.sections if s.kind == "fit")
#: nothing decides relevance yet (trigger, side effects... are open): every one is asked
WORKFLOW_QUESTIONS = sum(len(s.questions) for s in NEWEST.sections if s.kind == "workflow")


def answer_first_choices(page, count: int) -> None:
    questions = page.locator("fieldset.question")
    for i in range(count):
        questions.nth(i).locator(".choice-input").first.check()


def workflows(live_server) -> list[str]:
    session = get_database(live_server.app).sessionmaker()
    try:
        return [w.name for w in session.query(Workflow).order_by(Workflow.position)]
    finally:
        session.close()


def journey(page, base: str, js: bool) -> None:
    sign_up(page, base, "Nora New", "nora@example.com")
    assessment_id = create_team_and_assessment(page, base)
    expect(page.get_by_role("heading", name="Is this review for you?")).to_be_visible()
    answer_first_choices(page, 3)
    page.get_by_role("button", name="Save and continue").click()
    for layer in LAYERS:
        page.wait_for_url(re.compile(rf"/steps/{layer}$"))
        answer_first_choices(page, 1)
        page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/workflows$"))
    stepper = page.get_by_role("navigation", name="Review steps")
    expect(stepper.get_by_text(f"3 of {FIT_QUESTIONS} answered")).to_be_visible()  # the fit step
    page.get_by_label("Workflow name").fill("Nightly settlement export")
    page.get_by_role("button", name="Add workflow").click()
    page.wait_for_url(re.compile(r"/workflows/\d+$"))
    expect(page.get_by_role("heading", name="Idempotency")).to_be_visible()
    expect(page.get_by_text("Safe to repeat?")).to_be_visible()
    for qid, choice in WORKFLOW_ANSWERS.items():
        if js:  # one group is open at a time: open the question's own group first
            group = page.locator(f"[data-group]:has(fieldset[data-question='{qid}'])")
            if "is-collapsed" in (group.get_attribute("class") or ""):
                group.locator("[data-group-toggle]").click()
        page.locator(f"input[name='{qid}-choice'][value='{choice}']").check()
        if js:  # each answer autosaves: wait until it says so, as a person would
            page.locator(f"fieldset[data-question='{qid}'] [data-save-state]").filter(
                has_text="Saved at").wait_for()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Saved.").is_visible() or js
    page.goto(f"{base}/assessments/{assessment_id}/workflows")
    progress = f"{len(WORKFLOW_ANSWERS)} of {WORKFLOW_QUESTIONS} answered"
    expect(page.locator(".workflow-progress").get_by_text(progress)).to_be_visible()
    results = page.get_by_role("link", name="View results")
    results.click()
    page.wait_for_url(re.compile(rf"/assessments/{assessment_id}/results$"))
    see_findings_scenarios_and_plan(page)


# Retries on a step that is not safe to rerun: the review must call this out as critical.
WORKFLOW_ANSWERS = {
    "workflow.volume": "daily",
    "retries.automatic": "yes-immediate",
    "idempotency.rerun-safe": "no",
}


def see_findings_scenarios_and_plan(page) -> None:
    """The results page shows the plan, the workflow's failure scenarios and the findings."""
    plan = page.locator("#plan")
    expect(plan.get_by_text("Now", exact=True).first).to_be_visible()
    title = "Automatic retries repeat side effects that are not safe to repeat"
    expect(plan.get_by_text(title).first).to_be_visible()
    scenarios = page.locator("#scenarios")
    expect(scenarios.get_by_text("Nightly settlement export").first).to_be_visible()
    expect(scenarios.get_by_text("Duplicate side effects").first).to_be_visible()
    assert page.locator("#findings").get_by_text(title).first.count() == 1


def test_new_user_reviews_a_system_to_the_results_with_javascript(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    journey(page, live_server.url, js=True)
    assert errors == []
    context.close()


def test_new_user_reviews_a_system_to_the_results_without_javascript(live_server, browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    journey(context.new_page(), live_server.url, js=False)
    assert len(stored(live_server, scope="system")) == 3 + len(LAYERS)
    context.close()


@pytest.fixture
def editor_page(live_server, browser):
    """A signed-up owner on the Observe page of a new assessment (JavaScript on)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_up(page, live_server.url, "Olga Owner", "olga@example.com")
    assessment_id = create_team_and_assessment(page, live_server.url)
    page.goto(f"{live_server.url}/assessments/{assessment_id}/steps/contain")
    page.assessment_id = assessment_id
    yield page
    context.close()


def state_of(page, qid: str):
    return page.locator(f"fieldset[data-question='{qid}'] [data-save-state]")


def test_autosave_keeps_the_answer_across_a_reload(editor_page):
    page = editor_page
    page.locator(f"input[name='{Q}-choice'][value='some']").check()
    state = state_of(page, Q)
    state.filter(has_text="Saved at").wait_for()
    page.reload()
    assert page.locator(f"input[name='{Q}-choice'][value='some']").is_checked()
    assert "Saved by Olga Owner" in state_of(page, Q).inner_text()


def test_a_failed_save_is_shown_and_retried(editor_page, live_server):
    page = editor_page
    calls = {"n": 0}

    def fail_first(route):
        calls["n"] += 1
        if calls["n"] == 1:
            route.fulfill(status=503, body="down for a moment")
        else:
            route.continue_()

    page.route("**/answers", fail_first)
    page.locator(f"input[name='{Q}-choice'][value='none']").check()
    state = state_of(page, Q)
    state.filter(has_text="Trying again").wait_for()
    expect(page.get_by_role("button", name="Retry now")).to_be_visible()
    page.get_by_role("button", name="Retry now").click()
    state.filter(has_text="Saved at").wait_for()
    assert page.get_by_role("button", name="Retry now").count() == 0
    assert [a.choices for a in stored(live_server, question_id=Q)] == [["none"]]


def test_two_editors_on_one_question_see_a_conflict_and_lose_nothing(
    editor_page, live_server, browser
):
    owner = editor_page
    other_context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = other_context.new_page()
    sign_up(other, live_server.url, "Eddie Editor", "eddie@example.com")
    invite_and_join(owner, other, live_server.url, "eddie@example.com")
    url = f"{live_server.url}/assessments/{owner.assessment_id}/steps/contain"
    owner.goto(url)
    other.goto(url)

    owner.locator(f"input[name='{Q}-choice'][value='all-critical']").check()
    state_of(owner, Q).filter(has_text="Saved at").wait_for()

    other.locator(f"fieldset[data-question='{Q}'] summary").click()
    other.locator(f"textarea[name='{Q}-note']").fill("Only checkout is traced")
    other.locator(f"input[name='{Q}-choice'][value='some']").check()
    panel = other.locator(f"fieldset[data-question='{Q}'] .conflict-panel")
    panel.wait_for()
    text = panel.text_content()
    assert "Olga Owner" in text
    assert "Yes, on every critical dependency" in text and "On some dependencies" in text
    assert other.locator(f"input[name='{Q}-choice'][value='some']").is_checked()
    assert other.locator(f"textarea[name='{Q}-note']").input_value() == "Only checkout is traced"
    assert stored(live_server, question_id=Q)[0].choices == ["all-critical"]

    panel.get_by_role("button", name="Keep mine").click()
    state_of(other, Q).filter(has_text="Saved at").wait_for()
    [answer] = stored(live_server, question_id=Q)
    assert answer.choices == ["some"] and answer.note == "Only checkout is traced"
    other_context.close()


def hidden(page, name: str) -> str:
    return page.locator(f"input[name='{name}']").first.get_attribute("value") or ""


def test_double_submit_changes_things_once(live_server, browser):
    context = browser.new_context()
    page = context.new_page()
    sign_up(page, live_server.url, "Dora Double", "dora@example.com")
    assessment_id = create_team_and_assessment(page, live_server.url)
    workflows_url = f"{live_server.url}/assessments/{assessment_id}/workflows"
    page.goto(workflows_url)
    page.get_by_label("Workflow name").fill("Deploy")
    page.get_by_role("button", name="Add workflow").dblclick()
    page.wait_for_url(re.compile(r"/workflows/\d+$"))
    assert workflows(live_server) == ["Deploy"]

    # The same form sent twice (a resend after a timeout): one workflow, one answer version.
    page.goto(workflows_url)
    form = {
        "csrf_token": hidden(page, "csrf_token"),
        "submit_token": hidden(page, "submit_token"),
        "name": "Export",
    }
    assert page.request.post(workflows_url, form=form).ok
    assert page.request.post(workflows_url, form=form).ok
    assert workflows(live_server) == ["Deploy", "Export"]

    observe = f"{live_server.url}/assessments/{assessment_id}/steps/contain"
    page.goto(observe)
    form = {
        "csrf_token": hidden(page, "csrf_token"),
        f"{Q}-choice": "none",
        f"{Q}-version": hidden(page, f"{Q}-version"),
        f"{Q}-orig": hidden(page, f"{Q}-orig"),
    }
    assert page.request.post(observe, form=form).ok
    assert page.request.post(observe, form=form).ok
    assert [a.version for a in stored(live_server, question_id=Q)] == [1]
    context.close()


def test_a_viewer_has_no_controls_and_a_forged_post_is_refused(editor_page, live_server, browser):
    owner = editor_page
    viewer_context = browser.new_context()
    viewer = viewer_context.new_page()
    sign_up(viewer, live_server.url, "Vic Viewer", "vic@example.com")
    invite_and_join(owner, viewer, live_server.url, "vic@example.com", "viewer")

    url = f"{live_server.url}/assessments/{owner.assessment_id}/steps/contain"
    viewer.goto(url)
    assert viewer.locator("input[type=radio], textarea, .save-bar").count() == 0
    expect(viewer.get_by_text("read only").first).to_be_visible()
    token = viewer.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = viewer.request.post(
        f"{live_server.url}/assessments/{owner.assessment_id}/answers",
        form={"csrf_token": token, "scope": "system", "question": Q, f"{Q}-choice": "none"},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert forged.status == 403
    page_post = viewer.request.post(url, form={"csrf_token": token, f"{Q}-choice": "none"})
    assert page_post.status == 403
    assert stored(live_server, question_id=Q) == []
    viewer_context.close()


def test_progress_counters_follow_each_saved_answer(editor_page):
    page = editor_page
    step = page.locator(".stepper-item[data-step='contain'] [data-step-count]")
    before = step.inner_text()
    assert before.startswith("0 of ")
    page.locator(f"input[name='{Q}-choice'][value='some']").check()
    state_of(page, Q).filter(has_text="Saved at").wait_for()
    assert step.inner_text() == before.replace("0 of ", "1 of ", 1)
    group = page.locator(f"fieldset[data-question='{Q}']").locator(
        "xpath=ancestor::section[contains(@class, 'question-group')]")
    counts = group.locator("[data-group-count]")
    if counts.count():
        assert counts.inner_text().startswith("1 of ")
