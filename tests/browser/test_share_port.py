"""`faultline serve` on a port other than 5000, with no FAULTLINE_BASE_URL: the link printed
on the sharing page opens the shared review on the first click."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import seed_review, sign_in
from tests.web.test_startup import free_port, wait_for
from webapp.app import create_app
from webapp.core.db import get_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SECRET = "s" * 40


@pytest.fixture
def served(tmp_path):
    """`faultline serve --port N` in its own process, on its own SQLite file."""
    port = free_port()
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FAULTLINE_")},
           "DATABASE_URL": url, "SECRET_KEY": SECRET}
    command = [sys.executable, "-c", "from webapp.cli import main; main()",
               "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        assert wait_for(f"http://127.0.0.1:{port}/readyz", timeout=60) == 200
        app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": SECRET})
        yield SimpleNamespace(app=app, url=f"http://127.0.0.1:{port}")
        get_database(app).engine.dispose()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_printed_share_link_opens_on_a_non_default_port(browser, page, served):
    review = seed_review(served)
    sign_in(page, served.url)
    page.goto(f"{served.url}/assessments/{review['id']}/sharing")
    note = page.locator(".share-base-note")
    assert served.url in note.inner_text()
    assert "FAULTLINE_BASE_URL" in note.inner_text()
    page.get_by_label("Label").fill("Director")
    page.get_by_role("button", name="Create link").click()
    link = page.locator("#share-url").input_value()
    assert re.fullmatch(re.escape(served.url) + r"/s/[A-Za-z0-9_-]{43}", link)

    stakeholder = browser.new_context()
    try:
        reader = stakeholder.new_page()
        response = reader.goto(link)
        assert response.status == 200
        expect(reader.get_by_role("heading", name="Ledgerline Payments", level=1)).to_be_visible()
    finally:
        stakeholder.close()
