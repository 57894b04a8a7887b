"""The consolidated portfolio PDF, through the report's machinery: its Jinja environment,
stylesheet and fonts, the static-only fetcher, a render worker with a time limit and a file
cache keyed by what is printed. `portfolio_pdf` is the one entry point the views call."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from webapp.report.html import environment, font_faces, stylesheet, template_version
from webapp.report.pdf import html_to_pdf
from webapp.report.worker import RenderWorker

TEMPLATE = "portfolio.html.j2"
TARGET = "webapp.portfolio.pdf:render_portfolio_pdf"
_worker: RenderWorker | None = None
_lock = threading.Lock()


def render_portfolio_html(data: Mapping[str, Any], *, inline_css: bool = True) -> str:
    return environment().get_template(TEMPLATE).render(
        p=data, css=stylesheet() if inline_css else "", font_faces=font_faces("/static/fonts/"))


def render_portfolio_pdf(data: Mapping[str, Any]) -> bytes:
    """PDF bytes (what the render worker's child runs)."""
    return html_to_pdf(render_portfolio_html(data, inline_css=False))


def _shared_worker() -> RenderWorker:
    global _worker
    with _lock:
        if _worker is None:
            import atexit

            _worker = RenderWorker(TARGET)
            atexit.register(_worker.stop)
        return _worker


def portfolio_pdf(data: Mapping[str, Any], cache_dir: str | os.PathLike, *,
                  timeout: float | None = None) -> tuple[bytes, bool]:
    """(PDF bytes, cache hit?): the same portfolio is rendered once."""
    payload = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    key = hashlib.sha256(f"{payload}\0{template_version()}".encode()).hexdigest()
    path = Path(cache_dir) / f"portfolio-{key}.pdf"
    try:
        return path.read_bytes(), True
    except FileNotFoundError:
        pass
    pdf = _shared_worker().render(dict(data), timeout)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".render-", suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(pdf)
    os.replace(temporary, path)
    return pdf, False
