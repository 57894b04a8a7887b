"""The review as a document: report data, HTML page and PDF, from the engine's result dict.

Nothing here needs Flask or the database; the CLI and the web app call the same functions.
WeasyPrint is imported only when a PDF is made.
"""

from webapp.report.cache import get_or_render_pdf, is_cached, shared_worker
from webapp.report.data import build_report_data
from webapp.report.html import render_html, template_version
from webapp.report.pdf import default_page_size, render_pdf
from webapp.report.worker import ReportError, ReportTimeout

__all__ = ["ReportError", "ReportTimeout", "build_report_data", "default_page_size",
           "get_or_render_pdf", "is_cached", "render_html", "render_pdf", "shared_worker",
           "template_version"]
