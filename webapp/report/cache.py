"""The one PDF cache: files named by a key, written whole, with markers for work in progress.

Every PDF (review, share page, milestone, comparison) is stored under `pdf_key(kind,
identity, options)`: a sha256 over what decides its bytes without building them: the kind, an
identity (the assessment's `revision_key`, a milestone's id and time), the print options, the
template version and the WeasyPrint version. Asking whether a PDF is there costs a `stat`.

Files are written to a temporary name in the same folder and renamed into place, so readers
(other processes, other machines on a shared folder) never see a half written PDF, and a
renderer killed halfway leaves only a temporary file that is never served. Next to a PDF being
made lies `<key>.pending` (when the job was queued or started, and how many attempts were
made); a render that failed leaves `<key>.failed` with its message. Markers are claimed with
O_EXCL, so a PDF is queued once however many requests ask for it.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from webapp.domain.result import Result
from webapp.report.data import build_report_data, data_options
from webapp.report.html import template_version
from webapp.report.worker import RenderWorker

log = logging.getLogger(__name__)
_workers = threading.local()
_all_workers: list[RenderWorker] = []
_workers_lock = threading.Lock()

#: A failed render is shown for this long; then the next request tries again.
FAILURE_SHOWN_FOR = 600.0
#: Attempts of one PDF (a worker killed mid-render counts) before the failure is reported.
MAX_ATTEMPTS = 3


def pdf_key(kind: str, identity: str, options: Mapping[str, object]) -> str:
    """THE cache key recipe of every PDF (see the module's doc)."""
    payload = json.dumps({"kind": kind, "identity": identity, "options": dict(options)},
                         sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(payload.encode())
    digest.update(f"\0{template_version()}\0{_weasyprint()}".encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _weasyprint() -> str:
    return version("weasyprint")  # reads package metadata from disk: about 10 ms


def cache_key(data: dict) -> str:
    """Key of already built report data (the CLI and `get_or_render_pdf`)."""
    return pdf_key("data", hashlib.sha256(json.dumps(
        data, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest(), {})


def shared_worker(target: str | None = None) -> RenderWorker:
    """This thread's render worker for `target` (one child process each): a queue worker with
    N threads renders at most N PDFs at once. Children are stopped at exit."""
    workers = getattr(_workers, "by_target", None)
    if workers is None:
        workers = _workers.by_target = {}
    key = target or "default"
    if key not in workers:
        worker = RenderWorker(target) if target else RenderWorker()
        workers[key] = worker
        with _workers_lock:
            if not _all_workers:
                atexit.register(stop_workers)
            _all_workers.append(worker)
    return workers[key]


def stop_workers() -> None:
    with _workers_lock:
        for worker in _all_workers:
            worker.stop()


@dataclass(frozen=True)
class Status:
    """Where a PDF stands: "ready", "pending", "failed" or "missing"."""

    state: str
    message: str = ""
    retryable: bool = True
    attempts: int = 0


class PdfStore:
    """The cache folder (shared by every process and instance that serves the same site)."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.pdf"

    def read(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, key: str, content: bytes) -> None:
        _write_atomically(self.path(key), content)
        self._remove(key, ".pending")
        self._remove(key, ".failed")

    def status(self, key: str, started_stale_after: float,
               queued_stale_after: float) -> Status:
        """Ready, failed (for a while), pending, or missing (never asked, or its claim is
        stale: the worker that took it died, or no worker took it)."""
        if self.path(key).is_file():
            return Status("ready")
        failed = self._marker(key, ".failed")
        if failed and time.time() - failed.get("at", 0) < FAILURE_SHOWN_FOR:
            return Status("failed", failed.get("message", ""), failed.get("retryable", True))
        pending = self._marker(key, ".pending")
        if pending is None:
            return Status("missing")
        attempts = int(pending.get("attempts", 1))
        stale_after = started_stale_after if pending.get("started") else queued_stale_after
        if time.time() - pending.get("since", 0) > stale_after:
            return Status("missing", attempts=attempts)  # its worker died: try again
        return Status("pending", attempts=attempts)

    def claim(self, key: str, attempts: int = 0) -> bool:
        """Mark the PDF as queued; False when another request already did (nothing to do)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if attempts:
            self._remove(key, ".pending")  # a stale claim: its worker died
        self._remove(key, ".failed")
        marker = self.folder / f"{key}.pending"
        try:
            fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w") as handle:
            json.dump({"since": time.time(), "attempts": attempts + 1}, handle)
        return True

    def started(self, key: str) -> None:
        """A worker took the job: the staleness clock starts now."""
        marker = self._marker(key, ".pending") or {"attempts": 1}
        _write_atomically(self.folder / f"{key}.pending",
                          json.dumps({**marker, "since": time.time(), "started": True}).encode())

    def release(self, key: str) -> None:
        """Forget a claim without a result (the PDF asked for is no longer wanted)."""
        self._remove(key, ".pending")

    def clear_failure(self, key: str) -> None:
        self._remove(key, ".failed")

    def fail(self, key: str, message: str, retryable: bool) -> None:
        _write_atomically(self.folder / f"{key}.failed", json.dumps(
            {"message": message, "retryable": retryable, "at": time.time()}).encode())
        self._remove(key, ".pending")

    def _marker(self, key: str, suffix: str) -> dict | None:
        try:
            return json.loads((self.folder / f"{key}{suffix}").read_text())
        except (FileNotFoundError, ValueError):
            return None

    def _remove(self, key: str, suffix: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / f"{key}{suffix}").unlink()


def get_or_render_pdf(result: Result, cache_dir: str | os.PathLike, *,
                      timeout: float | None = None, **opts) -> tuple[bytes, bool]:
    """(PDF bytes, cache hit?) for a typed result, rendered here under a time limit on a
    miss (scripts and benchmarks; the web app goes through the task queue)."""
    data = build_report_data(result, **data_options(opts))
    store, key = PdfStore(cache_dir), cache_key(data)
    cached = store.read(key)
    if cached is not None:
        return cached, True
    pdf = shared_worker().render(data, timeout)
    store.write(key, pdf)
    return pdf, False


def is_cached(result: Result, cache_dir: str | os.PathLike, **opts) -> bool:
    data = build_report_data(result, **data_options(opts))
    return PdfStore(cache_dir).path(cache_key(data)).is_file()


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".render-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # readable by web processes running as another user
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if path.suffix == ".pdf":
        log.info("PDF cached as %s (%d bytes)", path.name, len(content))
