"""What a share link opens: `/s/<token>` (the report page) and `/s/<token>/report.pdf`.

Nothing else answers under `/s/`, and these two routes take GET only (POST, PUT and DELETE
get 405). No account is involved; the token alone decides which assessment (or milestone)
is shown, so no other assessment and no editing page is reachable from here.

Unknown, expired and revoked tokens get one and the same 404 page. Failed lookups are rate
limited per client (storage: the app's limiter, Redis when configured, so the limit holds
across workers); a client that guesses gets 429 while others' links keep working.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from webapp import report
from webapp.assessments.evaluation import evaluate_assessment, revision_key
from webapp.core.db import get_session
from webapp.core.extensions import limiter
from webapp.core.views import result_cache
from webapp.domain.result import Result
from webapp.lenses import views as lens_pages
from webapp.lenses.follow_views import report_html_of
from webapp.pdfs import specs as pdfs
from webapp.pdfs.views import Pages, pdf_download
from webapp.results.views import report_page
from webapp.sharing import services as sharing
from webapp.sharing.models import ShareLink
from webapp.tracking import services as tracking_service
from webapp.tracking.milestones import snapshot_key, snapshot_result

logger = logging.getLogger(__name__)
bp = Blueprint("shared", __name__, url_prefix="/s")

PREFIX = "/s/"
HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Cache-Control": "no-store",
}
#: Failed lookups (404) a client may make; successful ones do not count against it.
DEFAULT_GUESS_LIMIT = "10 per minute;50 per hour"
#: Every request to a share URL, as a ceiling against hammering a valid link.
DEFAULT_REQUEST_LIMIT = "120 per minute"


def _guess_limit() -> str:
    return str(current_app.config.get("SHARE_GUESS_RATE_LIMIT") or DEFAULT_GUESS_LIMIT)


def _request_limit() -> str:
    return str(current_app.config.get("SHARE_RATE_LIMIT") or DEFAULT_REQUEST_LIMIT)


guesses = limiter.shared_limit(_guess_limit, scope="share-guesses",
                               deduct_when=lambda response: response.status_code == 404)
requests_ceiling = limiter.shared_limit(_request_limit, scope="share-requests")


@bp.get("/<token>")
@guesses
@requests_ceiling
def page(token: str):
    link = _resolve(token)
    if lens_pages.is_lens_review(link.assessment):
        html = report_html_of(link.assessment, link.milestone)
    else:
        result, options, _key = _document(link)
        # the page offers what the link offers: the executive edition is short on a phone too
        html = report.render_html(result, static_url=url_for("static", filename=""),
                                  edition=link.edition, **options)
    bar = render_template("shared/_bar.html", link=link, pdf_url=url_for("shared.pdf", token=token))
    _record(link, "page")
    return report_page(html, bar, render_template("shared/_head.html"))


@bp.get("/<token>/report.pdf")
@guesses
@requests_ceiling
def pdf(token: str):
    link = _resolve(token)
    assessment = link.assessment
    spec = (pdfs.milestone(assessment, link.milestone.id, link.edition)
            if link.milestone is not None else pdfs.review(assessment, link.edition))
    pages = Pages("shared/pdf_progress.html", "shared/unavailable.html",
                  {"back_url": url_for("shared.page", token=token)})
    response = pdf_download(assessment, spec, pages, {"token": token}, endpoint="shared.pdf")
    if response.mimetype == "application/pdf":
        _record(link, "pdf")
    return response


@bp.errorhandler(404)
def _not_found(_error):
    return _message_page("shared/not_found.html", 404)


@bp.errorhandler(429)
def _too_many(_error):
    logger.info("refused share link lookup: rate limit")
    return _message_page("shared/too_many.html", 429)


@bp.after_app_request
def _share_headers(response: Response) -> Response:
    """On every response under /s/, errors and 405s included: no referrer, no index, no cache."""
    if request.path.startswith(PREFIX):
        response.headers.update(HEADERS)
    return response


def _resolve(token: str) -> ShareLink:
    link = sharing.resolve_share(get_session(), token)
    if link is None:
        abort(404)
    return link


def _document(link: ShareLink) -> tuple[Result, dict, str]:
    """(typed result, report options, what keys its PDF): the milestone's frozen result, or
    the live one."""
    team = link.assessment.team.name
    size = current_app.config["PDF_PAGE_SIZE"]
    cache = result_cache()
    if link.milestone is not None:
        milestone = link.milestone
        return snapshot_result(milestone, cache), {"team": team, "milestone": milestone.name,
                                                   "generated_at": milestone.created_at,
                                                   "page_size": size}, \
            snapshot_key(milestone)
    assessment = link.assessment
    follow_up = tracking_service.follow_up(get_session(), assessment, cache)
    return evaluate_assessment(get_session(), assessment, cache), {
        "team": team, "page_size": size, "follow_up": follow_up}, revision_key(
            assessment, content=cache.content)


def _record(link: ShareLink, kind: str) -> None:
    if request.method == "GET":
        sharing.record_view(get_session(), link, kind=kind,
                            user_agent=request.headers.get("User-Agent"))


def _message_page(template: str, status: int, **context: object):
    return Response(render_template(template, **context), status=status, mimetype="text/html")

