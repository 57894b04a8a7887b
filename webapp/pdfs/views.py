"""The one download path of every PDF (review, share page, milestone, comparison).

A ready PDF is sent at once. Otherwise the job is queued (once) and the answer is a progress
page (202) that reloads itself every few seconds through the HTTP Refresh header, so it works
without JavaScript and within the Content-Security-Policy, and offers to stop checking
automatically (no timed reload the reader cannot turn off); once the file is ready, the page
that follows starts the download (a zero-delay meta refresh) and offers a link to it. A
failed render shows its message and a way to try again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Response, abort, render_template, request, url_for

from webapp.assessments.evaluation import QuestionnaireMissing
from webapp.core.db import get_session
from webapp.pdfs.specs import PdfSpec
from webapp.tasks import get_queue, request_pdf

logger = logging.getLogger(__name__)

#: Seconds between two reloads of the progress page.
REFRESH_SECONDS = 2
#: Seconds a client is asked to wait before retrying a PDF that failed.
RETRY_AFTER = 30


@dataclass(frozen=True)
class Pages:
    """The templates of one audience: members' pages or the share frame."""

    progress: str
    failed: str
    context: dict


def pdf_download(assessment, spec: PdfSpec, pages: Pages, endpoint_args: dict,
                 *, endpoint: str | None = None) -> Response:
    """The response to a PDF download: the file, the progress page or the failure page."""
    endpoint = endpoint or request.endpoint
    try:
        description, status, queued = request_pdf(get_session(), assessment, spec,
                                                  retry=request.args.get("retry") == "1")
    except QuestionnaireMissing as error:
        abort(503, error.message)
    waiting = request.args.get("waiting") == "1"
    plain_url = url_for(endpoint, **endpoint_args)
    if status.state == "ready" and not waiting:
        return _file(description, hit=not queued)
    if status.state == "failed":
        return _failed(pages, status, plain_url)
    manual = request.args.get("manual") == "1"
    wait_url = url_for(endpoint, **endpoint_args, waiting="1", **({"manual": "1"} if manual
                                                                  else {}))
    ready = status.state == "ready"
    page = render_template(pages.progress, ready=ready, file_url=plain_url, wait_url=wait_url,
                           refresh=REFRESH_SECONDS, filename=description.filename,
                           manual=manual, manual_url=url_for(endpoint, **endpoint_args,
                                                             waiting="1", manual="1"),
                           **pages.context)
    response = Response(page, status=200 if ready else 202, headers={"Cache-Control": "no-store"})
    if not ready and not manual:
        # The HTTP Refresh header: reloads without JavaScript, and the page offers to stop it.
        response.headers["Refresh"] = f"{REFRESH_SECONDS}; url={wait_url}"
    return response


def _file(description, hit: bool) -> Response:
    pdf = get_queue().store.read(description.key)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{description.filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Report-Cache"] = "hit" if hit else "miss"
    return response


def _failed(pages: Pages, status, plain_url: str) -> Response:
    code = 503 if status.retryable else 500
    page = render_template(pages.failed, message=status.message, retryable=status.retryable,
                           retry_url=f"{plain_url}?retry=1", **pages.context)
    response = Response(page, status=code)
    if status.retryable:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response
