"""A workflow's long page: its questions grouped by pattern, one group open at a time, with
counters and relevance that follow each autosaved answer (issue 14)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_team_and_assessment, sign_up

pytestmark = pytest.mark.browser

NO_SCHEDULE = "no schedule starts the workflow"


@pytest.fixture
def workflow_page(live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_up(page, live_server.url, "Gwen Groups", "gwen@example.com")
    assessment_id = create_team_and_assessment(page, live_server.url)
    page.goto(f"{live_server.url}/assessments/{assessment_id}/workflows")
    page.get_by_label("Workflow name").fill("Nightly settlement export")
    page.get_by_role("button", name="Add workflow").click()
    page.wait_for_url(re.compile(r"/workflows/\d+$"))
    yield page
    context.close()


def open_groups(page) -> list[str]:
    return page.eval_on_selector_all(
        "[data-group]:not(.is-collapsed)", "els => els.map(e => e.dataset.group)")


def test_one_group_open_at_a_time(workflow_page):
    page = workflow_page
    assert open_groups(page) == ["about"]  # the first group with open questions
    visible = page.locator("fieldset.question:visible")
    assert visible.count() == 5  # trigger, side effects, external systems, volume, criticality
    retries = page.get_by_role("button", name=re.compile("^Retries"))
    assert retries.get_attribute("aria-expanded") == "false"
    retries.click()
    assert open_groups(page) == ["retries"]
    assert retries.get_attribute("aria-expanded") == "true"
    expect(page.locator("fieldset[data-question='retries.automatic']")).to_be_visible()
    expect(page.locator("fieldset[data-question='workflow.trigger']")).not_to_be_visible()
    # the contents list opens the group it links to
    page.locator(".group-toc").get_by_role("link", name=re.compile("^Idempotency")).click()
    assert open_groups(page) == ["idempotency"]


def test_next_opens_the_following_group(workflow_page):
    page = workflow_page
    page.locator(".group-toc").get_by_role("link", name=re.compile("^Idempotency")).click()
    assert open_groups(page) == ["idempotency"]
    next_button = page.locator("[data-group='idempotency'] [data-group-next]")
    assert next_button.inner_text() == "Next: Fail fast"
    next_button.click()
    assert open_groups(page) == ["fail-fast"]
    expect(page.locator("fieldset[data-question='fail-fast.gate']")).to_be_visible()
    # the last group has nowhere to go
    groups = page.eval_on_selector_all("[data-group]", "els => els.map(e => e.dataset.group)")
    assert page.locator(f"[data-group='{groups[-1]}'] [data-group-next]").count() == 0


def test_an_answer_hides_what_cannot_apply_and_the_counters_follow(workflow_page):
    page = workflow_page
    group = page.locator("[data-group='state-management']")
    count = group.locator("[data-group-count]")
    toc = page.locator("[data-toc-count='state-management']")
    gaps = page.locator("fieldset[data-question='state-management.schedule-gaps']")
    assert count.inner_text() == "0 of 2 answered"  # where to resume, and missed schedules
    # a workflow started by pull requests has no schedule to miss
    trigger = page.locator("input[name='workflow.trigger-choice'][value='pull-request']")
    trigger.check()
    page.locator("fieldset[data-question='workflow.trigger'] [data-save-state]").filter(
        has_text="Saved at").wait_for()
    page.get_by_role("button", name=re.compile("^State management")).click()
    gaps.wait_for(state="hidden")
    line = page.locator("[data-not-asked-line='state-management.schedule-gaps']")
    expect(line).to_be_visible()
    assert NO_SCHEDULE in line.inner_text()
    assert count.inner_text() == "0 of 1 answered"
    assert toc.inner_text() == "0/1"
    # a schedule as well asks it again, nothing typed was lost
    page.locator("[data-group='about'] [data-group-toggle]").click()
    assert trigger.is_checked()
    page.locator("input[name='workflow.trigger-choice'][value='schedule']").check()
    page.locator("fieldset[data-question='workflow.trigger'] [data-save-state]").filter(
        has_text="Saved at").wait_for()
    page.get_by_role("button", name=re.compile("^State management")).click()
    gaps.wait_for(state="visible")
    expect(line).not_to_be_visible()
    assert count.inner_text() == "0 of 2 answered"


def test_without_javascript_every_group_is_shown(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_up(page, live_server.url, "Nils NoScript", "nils@example.com")
    assessment_id = create_team_and_assessment(page, live_server.url)
    page.goto(f"{live_server.url}/assessments/{assessment_id}/workflows")
    page.get_by_label("Workflow name").fill("Export")
    page.get_by_role("button", name="Add workflow").click()
    page.wait_for_url(re.compile(r"/workflows/\d+$"))
    assert page.locator("[data-group].is-collapsed").count() == 0
    gaps = "state-management.schedule-gaps"
    expect(page.locator(f"fieldset[data-question='{gaps}']")).to_be_visible()
    page.locator("input[name='workflow.trigger-choice'][value='pull-request']").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(re.compile(r"/workflows/\d+$"))
    expect(page.locator(f"fieldset[data-question='{gaps}']")).not_to_be_visible()
    assert NO_SCHEDULE in page.locator(f"[data-not-asked-line='{gaps}']").inner_text()
    context.close()
