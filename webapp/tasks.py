"""The task queue: PDFs are made by queue workers, never inside a request.

huey is the queue: small, maintained for over a decade, with an embedded storage (a SQLite
file next to the app's, so `faultline serve` alone does everything) and a distributed one
(Redis, when FAULTLINE_REDIS_URL is set, for several instances and workers on other
machines), delayed tasks (the "settled" check) and a consumer with a bounded number of worker
threads. Each worker thread owns one render child process (`webapp.report.worker`), so a queue
worker started with N threads renders at most N PDFs at once, each under the time limit.

A request only asks (`request_pdf`): ready, pending, failed or, when missing, it claims the
PDF in the cache and queues the job. A worker killed mid-render leaves a stale claim and a
temporary file that is never served; the next request for that PDF queues it again, and after
`MAX_ATTEMPTS` the page reports the failure. Jobs carry ids only; the worker reads what it
needs in a short read-only transaction and closes it before rendering.

Pre-rendering: a committed change to an assessment schedules a check `SETTLE_SECONDS` later
(each web process queues its changes of the last second together, `ChangeBatch`); if the
revision is still the same then, its review PDF is queued. A new milestone's PDF is
queued when the milestone is committed. A PDF already cached or pending is never queued again.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.core.db import session_scope
from webapp.core.views import result_cache
from webapp.report.cache import MAX_ATTEMPTS, PdfStore, Status, shared_worker
from webapp.report.worker import ReportError

logger = logging.getLogger(__name__)

EXTENSION_KEY = "faultline.queue"
#: session.info keys filled by services, read after the commit.
CHANGED_ASSESSMENTS = "faultline.changed_assessments"
#: app.extensions key: what runs after a commit that changed assessments (see `on_change`).
CHANGE_LISTENERS = "faultline.change_listeners"
NEW_MILESTONES = "faultline.new_milestones"
#: app.extensions key: the committed changes not queued yet (`ChangeBatch`).
CHANGE_BATCH = "faultline.change_batch"
#: A job still queued after this long (no worker took it) is queued again.
QUEUED_STALE_AFTER = 900.0
#: Seconds past the render time limit after which a started job's worker is taken for dead.
STARTED_GRACE = 30.0


@dataclass
class Queue:
    huey: Huey
    render: Any
    settled: Any
    milestone_taken: Any
    store: PdfStore
    timeout: float
    settle_seconds: float


def init_app(app: Flask) -> Queue:
    huey = _make_huey(app)
    queue = Queue(huey, *_register(huey, app), store=PdfStore(cache_dir(app)),
                  timeout=float(app.config["PDF_TIMEOUT"]),
                  settle_seconds=float(app.config["PDF_SETTLE_SECONDS"]))
    app.extensions[EXTENSION_KEY] = queue
    return queue


def on_change(app: Flask, listener: Callable[[dict[int, int]], None]) -> None:
    """Call `listener({assessment id: revision})` after each commit that changed assessments
    (features queue their own jobs: the portfolio's summaries)."""
    app.extensions.setdefault(CHANGE_LISTENERS, []).append(listener)


def get_queue(app: Flask | None = None) -> Queue:
    return (app or current_app).extensions[EXTENSION_KEY]


def cache_dir(app: Flask) -> Path:
    configured = app.config.get("REPORT_CACHE_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "report-cache"


def _make_huey(app: Flask) -> Huey:
    if app.config.get("QUEUE_IMMEDIATE"):  # tests: jobs run inside the call that queues them
        return MemoryHuey("faultline", immediate=True, results=False)
    redis_url = str(app.config.get("QUEUE_REDIS_URL") or "")
    if redis_url:
        return RedisHuey("faultline", url=redis_url, results=False)
    path = Path(str(app.config["QUEUE_FILE"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("faultline", filename=str(path), results=False)


def _register(huey: Huey, app: Flask) -> tuple[Any, Any, Any]:
    @huey.task(name="render_pdf")
    def render(spec: dict, key: str) -> None:
        with app.app_context():
            render_job(app, spec, key)

    @huey.task(name="assessment_settled")
    def settled(assessment_id: int, revision: int) -> None:
        with app.app_context():
            _prerender_if_settled(app, assessment_id, revision)

    @huey.task(name="milestone_taken")
    def milestone_taken(assessment_id: int, milestone_id: int) -> None:
        with app.app_context():
            _prerender(app, assessment_id, {"kind": "milestone", "milestone_id": milestone_id})

    return render, settled, milestone_taken


# --- asking for a PDF (requests) ------------------------------------------------------------


def request_pdf(session: Session, assessment: Any, spec: Any, *, retry: bool = False
                ) -> tuple[Any, Status, bool]:
    """(description, status, queued now?) of the PDF; queues it when it is neither ready nor
    on its way."""
    from webapp.pdfs.specs import describe

    queue = get_queue()
    description = describe(session, assessment, spec, page_size=page_size(),
                           cache=result_cache())
    if retry:
        queue.store.clear_failure(description.key)
    status, queued = _status(queue, description.key), False
    if status.state == "missing":
        if status.attempts >= MAX_ATTEMPTS:
            queue.store.fail(description.key, _GAVE_UP, retryable=True)
        elif queue.store.claim(description.key, status.attempts):
            logger.info("PDF %s queued (%s of assessment %s)", description.key[:12],
                        spec.kind, assessment.id)
            queue.render(spec.as_dict(), description.key)
            queued = True
        status = _status(queue, description.key)
    return description, status, queued


def page_size(app: Flask | None = None) -> str:
    """The PDFs' page size (PDF_PAGE_SIZE, validated by `webapp.core.config`)."""
    return str((app or current_app).config.get("PDF_PAGE_SIZE") or "A4")


def pdf_ready(session: Session, assessment: Any, spec: Any,
              follow_up: dict[str, Any] | None = None) -> bool:
    """Whether a download would be served at once: a file check, no report data built
    (`follow_up`: the review's plan tracking, when the caller has read it already)."""
    from webapp.pdfs.specs import describe

    key = describe(session, assessment, spec, follow_up, page_size=page_size(),
                   cache=result_cache()).key
    return get_queue().store.path(key).is_file()


_GAVE_UP = ("The PDF renderer stopped before finishing, several times. Try again later; if it "
            "keeps failing, use the HTML report and tell an operator.")


def _status(queue: Queue, key: str) -> Status:
    return queue.store.status(key, started_stale_after=queue.timeout + STARTED_GRACE,
                              queued_stale_after=QUEUED_STALE_AFTER)


# --- the worker's side ----------------------------------------------------------------------


def render_job(app: Flask, spec_values: dict, key: str) -> None:
    """Render one PDF into the cache, or leave a failure marker with a clear message."""
    from webapp.pdfs.specs import PdfSpec

    queue = get_queue(app)
    if queue.store.path(key).is_file():
        return  # made meanwhile: nothing is rendered twice
    queue.store.started(key)
    spec = PdfSpec(**spec_values)
    try:
        target, data = _render_input(app, spec, key)
        if target is None:
            return
        pdf = shared_worker(target).render(data, queue.timeout)
    except ReportError as error:
        logger.warning("PDF %s failed: %s", key[:12], error)
        queue.store.fail(key, str(error), error.retryable)
        return
    except Exception:
        logger.exception("PDF %s failed", key[:12])
        queue.store.fail(key, "The PDF could not be made; the error was logged. The HTML "
                         "report shows the same review.", retryable=False)
        return
    queue.store.write(key, pdf)


def _render_input(app: Flask, spec: Any, key: str) -> tuple[str | None, dict]:
    """Read what the PDF shows in one short read-only transaction, closed before rendering."""
    from webapp.assessments.models import Assessment
    from webapp.pdfs.specs import describe, render_input

    with session_scope(app) as session:
        assessment = session.get(Assessment, spec.assessment_id)
        if assessment is None:
            queue = get_queue(app)
            queue.store.fail(key, "This assessment no longer exists.", retryable=False)
            return None, {}
        cache = result_cache(app)
        if describe(session, assessment, spec, page_size=page_size(app), cache=cache).key != key:
            get_queue(app).store.release(key)  # changed since it was asked for
            return None, {}
        return render_input(session, assessment, spec, page_size=page_size(app), cache=cache)


def _prerender_if_settled(app: Flask, assessment_id: int, revision: int) -> None:
    from webapp.assessments.models import Assessment

    with session_scope(app) as session:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None or assessment.revision != revision:
            return  # changed again: the check scheduled by that change decides
    _prerender(app, assessment_id, {"kind": "review"})


def _prerender(app: Flask, assessment_id: int, spec_values: dict) -> None:
    from webapp.assessments.models import Assessment
    from webapp.pdfs.specs import PdfSpec

    spec = PdfSpec(assessment_id=assessment_id, **spec_values)
    with session_scope(app) as session:
        assessment = session.get(Assessment, assessment_id)
        if assessment is not None:
            request_pdf(session, assessment, spec)


# --- after a commit -------------------------------------------------------------------------


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changed = session.info.pop(CHANGED_ASSESSMENTS, None)
    taken = session.info.pop(NEW_MILESTONES, None)
    if not (changed or taken) or not has_app_context():
        return
    if changed:
        _changes(current_app._get_current_object()).add(changed)
    queue = current_app.extensions.get(EXTENSION_KEY)
    if not taken or queue is None or not current_app.config.get("PDF_PRERENDER", True):
        return
    try:
        for assessment_id, milestone_id in taken:
            queue.milestone_taken(assessment_id, milestone_id)
    except Exception:  # the milestone is saved; only the PDF made ahead of time is lost
        logger.exception("could not queue PDFs made ahead of time")


def _after_changes(app: Flask, changed: dict[int, int]) -> None:
    """What committed changes ask of the queue: the listeners' jobs, the settle checks."""
    for listener in app.extensions.get(CHANGE_LISTENERS, ()):
        try:
            listener(changed)
        except Exception:  # the change is saved; what the listener makes is made later
            logger.exception("after a change: %r failed", listener)
    queue = app.extensions.get(EXTENSION_KEY)
    if queue is None or not app.config.get("PDF_PRERENDER", True):
        return
    try:
        for assessment_id, revision in changed.items():
            queue.settled.schedule(args=(assessment_id, revision), delay=queue.settle_seconds)
    except Exception:  # the change is saved; only the PDF made ahead of time is lost
        logger.exception("could not queue PDFs made ahead of time")


class ChangeBatch:
    """Committed changes of one process go to the queue together, `delay` seconds after the
    first of them, each assessment once with its newest revision (`_after_changes`).

    Queued at each commit, a burst of autosaves cost two queue writes per save (the SQLite
    queue: a commit each, about 5 ms, behind a lock every writer of the file shares) inside
    the save's own response time, for a summary and a settle check the next revision made
    useless a moment later. With `delay` 0 (tests, whose queue runs each job at once) the
    jobs are queued before the commit returns. A process that ends queues what it holds."""

    def __init__(self, app: Flask, delay: float) -> None:
        self.app, self.delay = app, delay
        self.pending: dict[int, int] = {}
        self.condition = threading.Condition()
        self.pid = 0  # the process whose thread sends the batches (gunicorn forks after)

    def add(self, changed: dict[int, int]) -> None:
        if self.delay <= 0:
            _after_changes(self.app, changed)
            return
        with self.condition:
            for assessment_id, revision in changed.items():
                self.pending[assessment_id] = max(revision, self.pending.get(assessment_id, 0))
            if self.pid != os.getpid():
                self.pid = os.getpid()
                threading.Thread(target=self._run, daemon=True, name="change-batch").start()
                atexit.register(self.flush)
            self.condition.notify()

    def flush(self) -> None:
        with self.condition:
            changed, self.pending = self.pending, {}
        if changed:
            with self.app.app_context():
                _after_changes(self.app, changed)

    def _run(self) -> None:
        while True:
            with self.condition:
                while not self.pending:
                    self.condition.wait()
            time.sleep(self.delay)  # what comes meanwhile joins this batch
            self.flush()


def _changes(app: Flask) -> ChangeBatch:
    batch = app.extensions.get(CHANGE_BATCH)
    if batch is None:
        delay = 0.0 if app.config.get("QUEUE_IMMEDIATE") else float(
            app.config.get("QUEUE_CHANGE_DELAY", 1.0))
        batch = app.extensions.setdefault(CHANGE_BATCH, ChangeBatch(app, delay))
    return batch


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(CHANGED_ASSESSMENTS, None)
    session.info.pop(NEW_MILESTONES, None)
