"""The review as a document: report data, HTML page and PDF, from the typed `domain.Result`.

Nothing here needs Flask or the database; the CLI and the web app call the same functions, and
WeasyPrint is imported only when a PDF is made.

- `build_report_data(result, *, team, milestone, generated_at, page_size)`: plain,
  JSON-serializable data (summary, chart geometry, heat map, sanitized notes, contents).
- `render_html(result, *, static_url="/static/", **opts)`: a standalone page (CSS inline,
  fonts from `static_url` + "fonts/").
- `render_pdf(result, **opts)`: PDF bytes, in this process, no time limit (CLI, tests).
- `get_or_render_pdf(result, cache_dir, *, timeout=None, **opts)`: (bytes, hit) from the
  file cache, or rendered in the worker process under a time limit (`ReportTimeout`), and
  `is_cached(result, cache_dir, **opts)`: for scripts. The web app's PDFs go through the
  task queue (`webapp.tasks`) into the same cache folder (`cache.PdfStore`, keys from
  `cache.pdf_key`).
- Options, not settings: `page_size` (A4 | Letter) and `timeout`; the app reads and checks
  FAULTLINE_PDF_PAGE_SIZE and FAULTLINE_PDF_TIMEOUT in `webapp.core.config` and passes them.
  FAULTLINE_STATIC_DIR says where static/ is, if not next to the package.
"""

from webapp.report.cache import get_or_render_pdf, is_cached, shared_worker
from webapp.report.data import PAGE_SIZES, build_report_data
from webapp.report.html import render_html, template_version
from webapp.report.pdf import render_pdf
from webapp.report.worker import ReportError, ReportTimeout

__all__ = ["ReportError", "ReportTimeout", "PAGE_SIZES", "build_report_data",
           "get_or_render_pdf", "is_cached", "render_html", "render_pdf", "shared_worker",
           "template_version"]
