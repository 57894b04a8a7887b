"""PDFs through the task queue: progress pages, one job per PDF, made ahead of time."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.factories import fill_from_example
from webapp import tasks
from webapp.core.views import result_cache
from webapp.pdfs import specs as pdfs
from webapp.sharing import services as sharing
from webapp.tasks import get_queue, page_size
from webapp.tracking import milestones as milestone_service
from webapp.tracking.models import Milestone

REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+);url=([^"]+)">')


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "REPORT_CACHE_DIR": str(tmp_path / "pdf-cache")}


@pytest.fixture
def filled(app, db_session, people, make_assessment):
    assessment = make_assessment(people["team"], people["owner"], name="Ledgerline Payments")
    with app.test_request_context():
        fill_from_example(db_session, assessment, people["owner"])
    return assessment


class HeldJobs:
    """Stands in for the queue's render task: keeps the jobs until `run_all()`."""

    def __init__(self, app) -> None:
        self.app = app
        self.jobs: list[tuple[dict, str]] = []

    def __call__(self, spec: dict, key: str) -> None:
        self.jobs.append((spec, key))

    def run_all(self) -> None:
        with self.app.app_context():
            for spec, key in self.jobs:
                tasks.render_job(self.app, spec, key)
        self.jobs.clear()


@pytest.fixture
def held(app, monkeypatch, fake_renderer) -> HeldJobs:
    jobs = HeldJobs(app)
    monkeypatch.setattr(get_queue(app), "render", jobs)
    return jobs


def follow_refresh(response) -> tuple[int, str]:
    """(delay, url) of the page's reload: the Refresh header while waiting, a zero-delay meta
    refresh once ready; both work without JavaScript."""
    if "Refresh" in response.headers:
        delay, _, url = response.headers["Refresh"].partition("; url=")
        return int(delay), url
    match = REFRESH.search(response.get_data(as_text=True))
    assert match, "the progress page must refresh itself without JavaScript"
    return int(match.group(1)), match.group(2).replace("&amp;", "&")


def test_a_pdf_being_made_shows_a_progress_page_that_ends_in_the_download(
        client, login, people, filled, held):
    login(people["viewer"])
    pdf_url = f"/assessments/{filled.id}/report.pdf"
    waiting = client.get(pdf_url)
    assert waiting.status_code == 202
    page = waiting.get_data(as_text=True)
    assert "Preparing the PDF" in page and "<script>" not in page  # no inline script
    delay, next_url = follow_refresh(waiting)
    assert delay == 2 and next_url == pdf_url + "?waiting=1"
    assert client.get(next_url).status_code == 202  # still rendering: the page keeps waiting
    assert len(held.jobs) == 1, "asking again must not queue the same PDF twice"
    stopped = client.get(next_url + "&manual=1")  # the reader turns the reloading off
    assert stopped.status_code == 202 and "Refresh" not in stopped.headers
    assert "Check now" in stopped.get_data(as_text=True)
    held.run_all()
    ready = client.get(next_url)
    assert ready.status_code == 200 and "The PDF is ready" in ready.get_data(as_text=True)
    assert follow_refresh(ready) == (0, pdf_url)
    download = client.get(pdf_url)
    assert download.mimetype == "application/pdf" and download.headers["X-Report-Cache"] == "hit"


def test_a_share_page_shows_the_same_progress_in_its_own_frame(
        app, client, db_session, people, filled, held):
    with app.app_context():
        token = sharing.create_share(db_session, filled, people["owner"], label="Audit").token
    pdf_url = f"/s/{token}/report.pdf"
    waiting = client.get(pdf_url)
    assert waiting.status_code == 202
    page = waiting.get_data(as_text=True)
    assert "Preparing the PDF" in page and "/assessments/" not in page
    assert waiting.headers["Cache-Control"] == "no-store"
    held.run_all()
    _, next_url = follow_refresh(waiting)
    assert follow_refresh(client.get(next_url)) == (0, pdf_url)
    assert client.get(pdf_url).data.startswith(b"%PDF")


def test_members_and_share_links_share_one_cached_file(
        app, client, login, db_session, people, filled, fake_renderer):
    login(people["viewer"])
    assert client.get(f"/assessments/{filled.id}/report.pdf").headers["X-Report-Cache"] == "miss"
    with app.app_context():
        token = sharing.create_share(db_session, filled, people["owner"], label="Audit").token
    shared = client.get(f"/s/{token}/report.pdf")
    assert shared.status_code == 200 and len(fake_renderer.calls) == 1


def test_asking_whether_a_pdf_is_ready_builds_no_report_data(
        app, client, login, people, filled, monkeypatch):
    def forbidden(*_args, **_kwargs):
        raise AssertionError("report data built to answer 'is it ready?'")

    monkeypatch.setattr(pdfs, "build_report_data", forbidden)
    login(people["viewer"])
    page = client.get(f"/assessments/{filled.id}/results")
    assert page.status_code == 200 and "made on its first download" in page.text


def test_a_worker_that_keeps_dying_is_reported_after_a_few_attempts(
        app, client, login, people, filled, held, monkeypatch):
    monkeypatch.setattr(tasks, "STARTED_GRACE", -1e6)  # every started job looks dead at once
    login(people["viewer"])
    pdf_url = f"/assessments/{filled.id}/report.pdf"
    for attempt in range(1, 4):
        assert client.get(pdf_url).status_code == 202
        assert len(held.jobs) == attempt  # queued again: the last one's worker died
        spec, key = held.jobs[-1]
        get_queue(app).store.started(key)  # taken by a worker that then died
    failed = client.get(pdf_url)
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "30"
    assert "stopped before finishing, several times" in failed.get_data(as_text=True)
    assert not any(get_queue(app).store.folder.glob("*.pdf"))


def test_a_settled_assessment_gets_its_pdf_once_and_a_changed_one_waits(
        app, db_session, people, filled, fake_renderer):
    queue = get_queue(app)
    revision = filled.revision
    with app.app_context():
        queue.settled.call_local(filled.id, revision - 1)  # changed since: nothing to do
        assert fake_renderer.calls == []
        queue.settled.call_local(filled.id, revision)
        queue.settled.call_local(filled.id, revision)  # a second check renders nothing
        key = pdfs.describe(db_session, filled, pdfs.review(filled), page_size=page_size(app),
                            cache=result_cache()).key
    assert len(fake_renderer.calls) == 1
    assert queue.store.path(key).is_file()


def test_saving_schedules_the_settle_check_and_a_milestone_queues_its_pdf(
        app, client, login, db_session, people, filled, fake_renderer, monkeypatch):
    app.config["PDF_PRERENDER"] = True
    queue = get_queue(app)
    scheduled: list[tuple[Any, ...]] = []
    monkeypatch.setattr(queue.settled, "schedule",
                        lambda args, delay: scheduled.append((*args, delay)))
    login(people["editor"])
    response = client.post(f"/assessments/{filled.id}/milestones",
                           data={"name": "Q3 review", "note": "",
                                 "submit_token": "t" * 32})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    milestone = db_session.query(Milestone).one()
    with app.app_context():
        key = pdfs.describe(db_session, filled, pdfs.milestone(filled, milestone.id),
                            page_size=page_size(app), cache=result_cache()).key
    assert queue.store.path(key).is_file(), "the milestone's PDF is made when it is taken"
    [(target, data)] = fake_renderer.calls
    assert data["meta"]["milestone"] == "Q3 review"
    answer = client.post(f"/assessments/{filled.id}/answers",
                         headers={"Accept": "application/json"},
                         data={"scope": "system", "question": "contain.circuit-breakers",
                               "contain.circuit-breakers-choice": "none",
                               "contain.circuit-breakers-version": _version(db_session, filled)})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    db_session.expire_all()
    assert scheduled[-1] == (filled.id, filled.revision, app.config["PDF_SETTLE_SECONDS"])
    assert milestone_service.milestones_of(db_session, filled)


def test_a_burst_of_saves_queues_one_settle_check_and_one_summary_per_assessment(
        app, client, login, db_session, people, filled, monkeypatch):
    """Outside tests the jobs a change asks for are queued a moment after the commit, once per
    assessment with its newest revision: a burst of autosaves neither writes to the queue in
    every save nor queues checks and summaries the next save made useless."""
    app.config["PDF_PRERENDER"] = True
    monkeypatch.setitem(app.extensions, tasks.CHANGE_BATCH, tasks.ChangeBatch(app, 60))
    queue = get_queue(app)
    scheduled: list[tuple[Any, ...]] = []
    monkeypatch.setattr(queue.settled, "schedule",
                        lambda args, delay: scheduled.append((*args, delay)))
    summaries: list[dict[int, int]] = []
    tasks.on_change(app, summaries.append)
    login(people["editor"])
    question = "contain.circuit-breakers"
    for choice in ("none", "some", "all-critical"):
        answer = client.post(f"/assessments/{filled.id}/answers",
                             headers={"Accept": "application/json"},
                             data={"scope": "system", "question": question,
                                   f"{question}-choice": choice,
                                   f"{question}-version": _version(db_session, filled)})
        assert answer.status_code == 200, answer.get_data(as_text=True)
    assert scheduled == [] and summaries == [], "nothing is queued inside the saves"
    app.extensions[tasks.CHANGE_BATCH].flush()  # what the batch's thread does after 60 s
    db_session.expire_all()
    assert summaries == [{filled.id: filled.revision}]
    assert scheduled == [(filled.id, filled.revision, app.config["PDF_SETTLE_SECONDS"])]
    quick = tasks.ChangeBatch(app, 0.05)  # and the thread does send them by itself
    quick.add({filled.id: filled.revision + 1})
    deadline = time.monotonic() + 10
    while len(summaries) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert summaries[1:] == [{filled.id: filled.revision + 1}]


def _version(db_session, assessment) -> str:
    from sqlalchemy import select

    from webapp.assessments.models import Answer

    row = db_session.scalar(select(Answer).where(Answer.assessment_id == assessment.id,
                                                 Answer.question_id == "contain.circuit-breakers"))
    return str(row.version if row else 0)
