"""WeasyPrint's URL fetcher, locked down: `data:` URLs and files under static/, nothing else.

Notes are user input and end up in the PDF, so the renderer must not become a way to reach
the network (SSRF) or to read and embed arbitrary files (`<link rel=attachment>`). Every
refusal is logged once, with the URL and the reason, and the render carries on without the
resource.

WeasyPrint 70 expects a `weasyprint.urls.URLFetcher` subclass whose `fetch(url, headers)`
returns a `URLFetcherResponse`; errors raised here are caught by WeasyPrint and the resource
is skipped.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from webapp.report.paths import STATIC_DIR

log = logging.getLogger(__name__)


class FetchRefused(ValueError):
    """A resource the report may not load; the reason says why."""


class StaticOnlyFetcher(URLFetcher):
    """Serves `data:` URLs and regular files inside `root`; refuses everything else."""

    def __init__(self, root: Path = STATIC_DIR) -> None:
        # No redirects and no handlers are ever used: fetch() below never calls urllib for
        # anything but data: URLs.
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)
        self.root = Path(root).resolve()

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        try:
            return self._fetch(url, headers)
        except FetchRefused as refusal:
            log.warning("PDF fetch refused: %s (%s)", _short(url), refusal)
            raise

    def _fetch(self, url: str, headers: dict | None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise FetchRefused(f"scheme {scheme or 'none'!r} is not allowed")
        path = self.resolve(url)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    def resolve(self, url: str) -> Path:
        """The real path of a file: URL, only if it is a regular file inside the root."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise FetchRefused(f"remote file host {parts.netloc!r} is not allowed")
        path = Path(unquote(parts.path)).resolve()  # follows symlinks and removes '..'
        if not path.is_relative_to(self.root):
            raise FetchRefused("file is outside the static folder")
        if not path.is_file():
            raise FetchRefused("no such file in the static folder")
        return path


def _short(url: str, limit: int = 200) -> str:
    """Log a data: URL or a huge URL by its head only."""
    return url if len(url) <= limit else url[:limit] + "…"
