"""What a phone (390 px) shows: the shared report's key figures keep their words whole, the
charts' labels stay readable, and the review's stepper shows no step cut off at its edge."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.helpers import fill_sign_in, seed_review
from webapp.accounts.models import User
from webapp.assessments.models import Assessment
from webapp.core.db import session_scope
from webapp.sharing import services as sharing

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
#: The smallest chart label a reader can read on a phone, in CSS pixels.
READABLE_PX = 10

#: Words of an element that the layout splits over two lines (each word's Range has line
#: boxes at more than one height).
BROKEN_WORDS = """els => els.flatMap(el => {
  const broken = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
})"""


@pytest.fixture
def shared(live_server):
    review = seed_review(live_server)
    app = live_server.app
    with app.test_request_context(), session_scope(app) as session:
        assessment = session.get(Assessment, review["id"])
        owner = session.query(User).filter_by(email="owner@example.com").one()
        token = sharing.create_share(session, assessment, owner, label="Director",
                                     edition="executive").token
    return f"{live_server.url}/s/{token}"


def test_key_figures_keep_their_words_whole_on_a_phone(browser, shared):
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(shared)
        figures = page.locator(".cover-scores td, .key-figures td.figure")
        assert figures.count() >= 6
        broken = figures.evaluate_all(BROKEN_WORDS)
        assert broken == []
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_chart_labels_are_readable_on_a_phone(browser, shared):
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(shared)
        heights = page.locator("figure.chart svg text").evaluate_all(
            "texts => texts.filter(t => t.textContent.trim())"
            ".map(t => [t.textContent.trim(), t.getBoundingClientRect().height])")
        assert len(heights) >= 5
        small = [(text, round(h, 1)) for text, h in heights if h < READABLE_PX]
        assert small == []
    finally:
        context.close()


#: For each step of the stepper: how much of it lies outside the stepper's visible box, in px
#: (left, right), and whether it is the current step.
STEP_CLIPPING = """stepper => {
  const box = stepper.getBoundingClientRect();
  return [...stepper.querySelectorAll('.stepper-item')].map(item => {
    const r = item.getBoundingClientRect();
    return [Math.max(0, box.left - r.left), Math.max(0, r.right - box.right),
            item.classList.contains('is-current')];
  });
}"""


def test_the_stepper_shows_the_current_step_and_the_one_before_it_whole_on_a_phone(
    browser, live_server
):
    review = seed_review(live_server)
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/signin")
        fill_sign_in(page, "owner@example.com")
        page.wait_for_url("**/teams/")
        page.goto(f"{live_server.url}/assessments/{review['id']}/steps/fit")
        steps = page.locator("nav.stepper a").evaluate_all("links => links.map(a => a.href)")
        assert len(steps) >= 6
        for url in steps:
            page.goto(url)
            page.wait_for_load_state("load")
            step = url.rstrip("/").rsplit("/", 1)[-1]
            if step == "results":  # the results page has no stepper
                continue
            clipping = page.locator("nav.stepper").evaluate(STEP_CLIPPING)
            widths = page.locator("nav.stepper .stepper-item").evaluate_all(
                "items => items.map(i => i.getBoundingClientRect().width)")
            current = next(i for i, (_left, _right, is_current) in enumerate(clipping)
                           if is_current)
            whole = [i for i, (left, right, _) in enumerate(clipping) if left < 1 and right < 1]
            if os.environ.get("FAULTLINE_SCREENSHOT_DIR"):
                page.screenshot(path=str(Path(os.environ["FAULTLINE_SCREENSHOT_DIR"])
                                         / f"stepper-390-{step}.png"))
            hidden = [i for i, (left, right, _) in enumerate(clipping)
                      if left + right >= widths[i] - 1]
            assert current in whole, (step, clipping)
            # the steps before are shown whole, or not at all: never a sliver cut at the edge
            assert set(range(current)) <= set(whole + hidden), (step, clipping)
    finally:
        context.close()
