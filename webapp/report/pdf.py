"""HTML report to PDF with WeasyPrint, behind the static-only URL fetcher.

The stylesheet (with its @font-face rules) is parsed once per thread and reused with its font
configuration: that saves about a tenth of each render. WeasyPrint objects are not shared
between threads.
"""

from __future__ import annotations

import atexit
import gc
import logging
import threading

from webapp.domain.result import Result
from webapp.report.data import build_report_data, data_options
from webapp.report.html import (
    font_faces,
    pdf_font_base,
    render_report,
    stylesheet,
    template_version,
)
from webapp.report.paths import STATIC_DIR

log = logging.getLogger(__name__)
_local = threading.local()


@atexit.register
def _release_fonts() -> None:
    """Drop this thread's font configuration while the interpreter is still whole: WeasyPrint
    removes its temporary font folder when the configuration is collected, which at interpreter
    teardown fails ("'NoneType' object is not callable") and leaves the folder behind."""
    if getattr(_local, "stylesheet", None) is not None:
        del _local.stylesheet
        gc.collect()


def _print_stylesheet():
    """(CSS, FontConfiguration) for this thread, rebuilt when the template version changes."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from webapp.report.fetcher import StaticOnlyFetcher

    cached = getattr(_local, "stylesheet", None)
    if cached is None or cached[0] != template_version():
        fonts = FontConfiguration()
        css = CSS(string=font_faces(pdf_font_base()) + stylesheet(), font_config=fonts,
                  base_url=STATIC_DIR.as_uri() + "/", url_fetcher=StaticOnlyFetcher())
        _local.stylesheet = cached = (template_version(), css, fonts)
    return cached[1:]


def html_to_pdf(html: str) -> bytes:
    """Lay out and write the PDF; the base URL is static/ so relative URLs stay inside it."""
    from weasyprint import HTML  # heavy imports: only where a PDF is actually made

    from webapp.report.fetcher import StaticOnlyFetcher

    css, fonts = _print_stylesheet()
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/",
                    url_fetcher=StaticOnlyFetcher())
    return document.write_pdf(stylesheets=[css], font_config=fonts)


def warm_up() -> None:
    """Import WeasyPrint and load the stylesheet and fonts with a one-line render: about a
    second that the render worker spends when it starts rather than on its first download."""
    html_to_pdf('<html lang="en"><body><p>Faultline</p></body></html>')


def render_data_pdf(data: dict) -> bytes:
    """PDF bytes for already built report data (what the cache's worker runs)."""
    return html_to_pdf(render_report(data, inline_css=False))


def render_pdf(result: Result, **opts) -> bytes:
    """The review as PDF bytes, rendered in this process (no time limit: CLI and tests)."""
    return render_data_pdf(build_report_data(result, **data_options(opts)))
