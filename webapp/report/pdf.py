"""HTML report to PDF with WeasyPrint, behind the static-only URL fetcher."""

from __future__ import annotations

import logging

from webapp.report.data import build_report_data, data_options
from webapp.report.html import pdf_font_base, render_report
from webapp.report.paths import STATIC_DIR

log = logging.getLogger(__name__)


def html_to_pdf(html: str) -> bytes:
    """Lay out and write the PDF; the base URL is static/ so relative URLs stay inside it."""
    from weasyprint import HTML  # heavy imports: only where a PDF is actually made

    from webapp.report.fetcher import StaticOnlyFetcher

    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/",
                    url_fetcher=StaticOnlyFetcher())
    return document.write_pdf()


def render_data_pdf(data: dict) -> bytes:
    """PDF bytes for already built report data (what the cache's worker runs)."""
    return html_to_pdf(render_report(data, font_base=pdf_font_base()))


def render_pdf(result_dict: dict, **opts) -> bytes:
    """The review as PDF bytes, rendered in this process (no time limit: CLI and tests)."""
    return render_data_pdf(build_report_data(result_dict, **data_options(opts)))
