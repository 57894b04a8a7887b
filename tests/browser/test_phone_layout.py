"""What a director sees on a phone (390 px): the shared report's key figures keep their words
whole and the charts' labels stay readable."""

from __future__ import annotations

import pytest

from tests.browser.helpers import seed_review
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
