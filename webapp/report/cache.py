"""Render each distinct report once: PDFs cached as files named by a hash of what they show.

The key covers the report data (everything printed, including the date and page size), the
template version (templates, stylesheet, fonts) and the WeasyPrint version, so an unchanged
assessment is served from disk and any change renders anew. Files are written to a temporary
name in the same folder and renamed into place, so workers sharing the folder never read a half
written PDF. Two workers missing the same key at once both render; the second rename wins and
both files are identical.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import tempfile
import threading
from importlib.metadata import version
from pathlib import Path

from webapp.domain.result import Result
from webapp.report.data import build_report_data, data_options
from webapp.report.html import template_version
from webapp.report.worker import RenderWorker

log = logging.getLogger(__name__)
_worker: RenderWorker | None = None
_worker_lock = threading.Lock()


def cache_key(data: dict) -> str:
    payload = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(payload.encode())
    digest.update(f"\0{template_version()}\0{version('weasyprint')}".encode())
    return digest.hexdigest()


def shared_worker() -> RenderWorker:
    """The process-wide render worker, created on first use and stopped at exit."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = RenderWorker()
            atexit.register(_worker.stop)
        return _worker


def source_key(key: str, opts: dict) -> str:
    """The PDF cache key from the key of what the report shows (the web app passes
    `services.evaluation.revision_key`), the report options, the template version and the
    WeasyPrint version. Builds no report data: cheap enough to ask on every page view."""
    options = data_options(opts)
    if options.get("generated_at") is None:  # the printed date is part of what is shown
        options["generated_at"] = dt.datetime.now(dt.UTC).date().isoformat()
    payload = json.dumps({"source": key, "options": options}, sort_keys=True, default=str)
    digest = hashlib.sha256(payload.encode())
    digest.update(f"\0{template_version()}\0{_weasyprint()}".encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _weasyprint() -> str:
    return version("weasyprint")  # reads package metadata from disk: about 10 ms


def cached_path(result: Result, cache_dir: str | os.PathLike, *, key: str | None = None,
                **opts) -> Path:
    """Where the PDF of this result lives in the cache (it may not be there yet). With `key`
    (what identifies `result`) the path is found without building the report data."""
    name = source_key(key, opts) if key else cache_key(build_report_data(
        result, **data_options(opts)))
    return Path(cache_dir) / f"{name}.pdf"


def is_cached(result: Result, cache_dir: str | os.PathLike, *, key: str | None = None,
              **opts) -> bool:
    """True when a download would be served at once (lets a page decide to show progress)."""
    return cached_path(result, cache_dir, key=key, **opts).is_file()


def get_or_render_pdf(result: Result, cache_dir: str | os.PathLike, *, key: str | None = None,
                      timeout: float | None = None, **opts) -> tuple[bytes, bool]:
    """(PDF bytes, cache hit?) for a typed result; renders under a time limit on a miss.

    Raises `ReportTimeout` (retryable) when the render takes longer than `timeout` seconds
    (default: FAULTLINE_PDF_TIMEOUT or 60).
    """
    path = cached_path(result, cache_dir, key=key, **opts)
    cached = _read(path)  # no exists() check first: the file may vanish in between
    if cached is not None:
        return cached, True
    pdf = shared_worker().render(build_report_data(result, **data_options(opts)), timeout)
    _write_atomically(path, pdf)
    return pdf, False


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".render-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("PDF cached as %s (%d bytes)", path.name, len(content))
