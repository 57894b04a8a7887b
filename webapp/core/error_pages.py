"""Error pages: a short explanation and a way back, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError, NotFound

from webapp.core.db import DatabaseUnavailable, is_unavailable, unavailable
from webapp.core.errors import AccessError, ForbiddenError
from webapp.core.extensions import login_manager

logger = logging.getLogger(__name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your role in this team does not allow this. Ask a team owner."),
    404: ("Not found", "There is nothing here, or it is not shared with you."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than this server accepts."),
    429: ("Too many attempts", "Wait a minute, then try again."),
    503: ("Temporarily unavailable", "The service cannot answer right now. Try again in a "
          "minute."),
    500: ("Something went wrong", "The error was logged. Try again in a moment."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, (f"Error {code}", "The request failed."))
    if _wants_json():
        return {"error": title, "detail": detail or message, "status": code}, code
    return render_template(
        "errors/error.html", code=code, title=title, message=detail or message,
        request_id=g.get("request_id"),
    ), code


def _http_error(error: HTTPException):
    code = error.code or 500
    detail = _own_description(error)
    if code == 429 and error.response is not None:
        return error.response  # a page that handles its own limit (sign-in) said it all
    if code == 429:
        logger.info("refused %s %s: rate limit %s", request.method, request.path, detail)
        detail = f"This allows {detail or 'only a few attempts'}. Wait a minute, then try again."
    return render_error(code, detail)


#: The error page of an HTTP error, for a feature that answers some addresses its own way.
http_error_page = _http_error


def _own_description(error: HTTPException) -> str | None:
    """A description we wrote (abort(403, "...")), not werkzeug's generic text."""
    default = type(error).description
    return error.description if error.description and error.description != default else None


def _access_error(error: AccessError):
    """A service's refusal answered as the HTTP error it means, by whichever handler the
    request's blueprint uses for that error: the API's problem+json, the share links' own 404
    page, else the error page above."""
    http_error = Forbidden if isinstance(error, ForbiddenError) else NotFound
    return current_app.handle_http_exception(http_error(error.message))


def _csrf_error(error: CSRFError):
    logger.info("refused %s %s: %s", request.method, request.path, error.description)
    return render_error(400, "This form expired or did not come from this site. "
                             "Reload the page and send it again.")


def _database_unavailable(error: DatabaseUnavailable):
    """The 503 page, drawn without the database: as an anonymous visitor, with no team."""
    g._login_user = login_manager.anonymous_user()
    g.pop("team", None)
    g.pop("membership", None)
    body, code = render_error(503, _own_description(error))
    return body, code, {"Retry-After": str(error.retry_after)}


def _unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return _http_error(error)
    if isinstance(error, SQLAlchemyError) and is_unavailable(error):
        return _database_unavailable(unavailable(error))
    logger.exception("unhandled error on %s %s", request.method, request.path)
    return render_error(InternalServerError.code)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DatabaseUnavailable, _database_unavailable)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(AccessError, _access_error)
    app.register_error_handler(Exception, _unexpected_error)
