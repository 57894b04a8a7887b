"""A real `faultline worker` process: it renders queued PDFs, and when it is killed mid-render
no partial PDF is ever served and the job is queued again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, TEST_SECRET
from tests.factories import PASSWORD
from webapp import tasks
from webapp.accounts import services as accounts
from webapp.assessments import services as assessment_service
from webapp.core.db import session_scope
from webapp.core.startup import get_content
from webapp.pdfs import specs as pdfs
from webapp.tasks import get_queue, request_pdf
from webapp.teams import services as team_service

pytestmark = pytest.mark.slow


@pytest.fixture
def setup(make_app, tmp_path):
    """An app queueing into a SQLite queue file, a worker command on the same settings."""
    app = make_app(QUEUE_IMMEDIATE=False, QUEUE_FILE=str(tmp_path / "queue.sqlite3"),
                   REPORT_CACHE_DIR=str(tmp_path / "cache"), PDF_TIMEOUT=60)
    with app.app_context(), session_scope(app) as session:
        owner = accounts.sign_up(session, email="o@example.com", name="O", password=PASSWORD)
        team = team_service.create_team(session, owner, "Payments")
        assessment_id = assessment_service.start_assessment(session, team, owner,
                                                            name="Ledger", content=get_content()).id
    env = {**os.environ, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": TEST_SECRET,
           "FAULTLINE_QUEUE_FILE": str(tmp_path / "queue.sqlite3"),
           "FAULTLINE_REPORT_CACHE_DIR": str(tmp_path / "cache"),
           "FAULTLINE_CONTENT_DIR": str(REPO_ROOT), "FAULTLINE_ENV": "development"}
    env.pop("FAULTLINE_REDIS_URL", None)
    return app, assessment_id, env


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "webapp.cli", "worker"], env=env,
                            cwd=REPO_ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ask(app, assessment_id: int):
    from webapp.assessments.models import Assessment

    with app.app_context(), session_scope(app) as session:
        assessment = session.get(Assessment, assessment_id)
        description, status, _ = request_pdf(session, assessment, pdfs.review(assessment))
    return description.key, status


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def marker(cache: Path, key: str) -> dict:
    try:
        return json.loads((cache / f"{key}.pending").read_text())
    except (FileNotFoundError, ValueError):
        return {}


def test_a_worker_killed_mid_render_leaves_no_pdf_and_the_job_runs_again(setup, monkeypatch):
    app, assessment_id, env = setup
    cache = get_queue(app).store.folder
    key, status = ask(app, assessment_id)
    assert status.state == "pending"
    worker = start_worker(env)
    try:
        assert wait_for(lambda: marker(cache, key).get("started"), 60), "no worker took the job"
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its render child, mid-job
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert not (cache / f"{key}.pdf").exists()
    assert ask(app, assessment_id)[1].state == "pending"  # not yet taken for dead
    monkeypatch.setattr(tasks, "STARTED_GRACE", -60.0)  # now it is: queued again
    assert ask(app, assessment_id)[1].attempts == 2
    monkeypatch.setattr(tasks, "STARTED_GRACE", 30.0)
    worker = start_worker(env)
    try:
        assert wait_for(lambda: (cache / f"{key}.pdf").exists(), 90), "the retried job never ran"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
    assert (cache / f"{key}.pdf").read_bytes().startswith(b"%PDF")
    assert ask(app, assessment_id)[1].state == "ready"
    assert not list(cache.glob(".render-*"))
