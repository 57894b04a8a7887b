"""The `/api/v1` blueprint: token authentication, problem+json errors, and the operations.

Each operation is declared with `operation(...)`, which validates the body with its pydantic
model, serializes the answer with its model and enters the route in the OpenAPI document.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_wtf.csrf import CSRFError
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import (
    Forbidden,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    Unauthorized,
)

from webapp.api import openapi, schemas
from webapp.api import services as api
from webapp.api.tokens import USE_ACTIONS, TokenRefused, authenticate
from webapp.audit.models import AuditEvent
from webapp.core import error_pages
from webapp.core.db import get_session, utcnow
from webapp.core.extensions import csrf, limiter
from webapp.core.services import ServiceError
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.portfolio import jobs
from webapp.teams.models import Role

logger = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PROBLEM = "application/problem+json"


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _rate_key() -> str:
    raw = _bearer()
    return "api-token:" + hashlib.sha256(raw.encode()).hexdigest()[:32] if raw else (
        "api-ip:" + (request.remote_addr or "?"))


def _rate_limit() -> str:
    return str(current_app.config.get("API_RATE_LIMIT") or "300 per minute")


# Token requests carry no cookie a browser could send for another site, so they need no CSRF
# token; a request without a token is held to CSRF before it is refused (see `_authenticate`).
csrf.exempt(bp)
limiter.limit(_rate_limit, key_func=_rate_key)(bp)


@bp.before_request
def _authenticate() -> None:
    if request.endpoint == "api.openapi_document":
        return
    raw = _bearer()
    if raw is None:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        raise Unauthorized("Send a personal access token: Authorization: Bearer flt_...")
    try:
        g.api_token = authenticate(get_session(), raw)
    except TokenRefused as refused:
        logger.info("refused API request %s %s: %s", request.method, request.path, refused)
        g.api_token = refused.token  # an expired or revoked token's use is audited too
        raise Unauthorized("The token is unknown, expired or revoked.") from None
    if request.method not in SAFE_METHODS and not g.api_token.can_write:
        logger.info("refused API write with read-only token %s", g.api_token.id)
        raise Forbidden("This token is read-only: create a read-write token to change things.")


@bp.after_request
def _record_use(response: Response) -> Response:
    """One audit row per use of a token, whatever the answer: the assessment it concerned (if
    the token's user may see it), the request and its status. A refused request rolls back, so
    its row is written after that rollback, on its own."""
    token = g.get("api_token")
    if token is None:
        return response
    event = AuditEvent(
        assessment_id=g.get("api_assessment_id"), actor_id=token.user_id, created_at=utcnow(),
        action=USE_ACTIONS[0] if request.method in SAFE_METHODS else USE_ACTIONS[1],
        target=f"{request.method} {request.full_path.rstrip('?')}"[:300],
        detail={"token": token.prefix, "token_name": token.name,
                "status": response.status_code})
    session = get_session()
    if response.status_code < 400:
        session.add(event)  # committed with the request's change
        return response
    session.rollback()
    if event.assessment_id is None:  # refused before the assessment was loaded (403, 422)
        event.assessment_id = api.visible_id(session, token.user_id,
                                             (request.view_args or {}).get("assessment_id"))
    session.add(event)
    try:
        session.commit()
    except Exception:  # the answer stands; only its audit row is lost, and logged
        session.rollback()
        logger.exception("could not record API use %s by token %s", event.target, token.id)
    return response


def problem(status: int, title: str, detail: str | None = None, **extra):
    body = schemas.Problem(title=title, status=status, detail=detail, **extra)
    response = jsonify(body.model_dump(mode="json", exclude_none=True))
    response.status_code, response.mimetype = status, PROBLEM
    return response


@bp.errorhandler(CSRFError)
def _csrf_problem(_error: CSRFError):
    return problem(400, "Bad Request", "A request without a token needs a CSRF token.")


@bp.errorhandler(HTTPException)
def _http_problem(error: HTTPException):
    return problem(error.code or 500, error.name, error.description)


def _unrouted(error: HTTPException):
    """An address under /api/v1 that no operation has (or a method it does not take) gets
    problem+json like every other API answer; other addresses keep the site's error page."""
    if request.path == bp.url_prefix or request.path.startswith(f"{bp.url_prefix}/"):
        return problem(error.code or 404, error.name, error.description)
    return error_pages.http_error_page(error)


def init_app(app) -> None:
    app.register_error_handler(NotFound, _unrouted)
    app.register_error_handler(MethodNotAllowed, _unrouted)


@bp.errorhandler(ServiceError)
def _refused(error: ServiceError):
    errors = [{"field": error.field, "message": error.message}] if error.field else None
    return problem(422, "Unprocessable Content", error.message, errors=errors)


def _body(model: type[BaseModel]) -> BaseModel:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise _Invalid([{"field": "body", "message": "Send a JSON object."}])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _Invalid([{"field": ".".join(str(p) for p in e["loc"]) or "body",
                         "message": e["msg"]} for e in error.errors()]) from None


class _Invalid(Exception):
    def __init__(self, errors: list[dict]) -> None:
        super().__init__(errors)
        self.errors = errors


@bp.errorhandler(_Invalid)
def _invalid(error: _Invalid):
    first = error.errors[0]
    return problem(422, "Unprocessable Content", f"{first['field']}: {first['message']}",
                   errors=error.errors)


def operation(method: str, rule: str, summary: str, response: type[BaseModel],
              body: type[BaseModel] | None = None) -> Callable:
    def wrap(fn: Callable) -> Callable:
        openapi.register(openapi.Operation(method, rule, summary, response, body))

        @functools.wraps(fn)
        def view(**kwargs):
            if body is not None:
                kwargs["body"] = _body(body)
            out = fn(**kwargs)
            if isinstance(out, Response):
                return out
            if not isinstance(out, BaseModel):
                out = response.model_validate(out)
            return jsonify(out.model_dump(mode="json"))

        bp.add_url_rule(rule, fn.__name__, view, methods=[method])
        return view

    return wrap


def _load(assessment_id: int, role: Role = Role.VIEWER):
    assessment = api.load(get_session(), g.api_token, assessment_id, role)
    g.api_assessment_id = assessment.id  # the request's audit row names it
    return assessment


# --- the operations ---------------------------------------------------------------------------

A = "/assessments/<int:assessment_id>"


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@operation("GET", "/assessments", "The assessments of every team the token's user is in "
           "(?team=ID for one team)", schemas.AssessmentList)
def list_assessments():
    return api.assessments(get_session(), g.api_token.user, request.args.get("team", type=int),
                           jobs.asker(), content=get_content())


@operation("GET", A, "One assessment with its workflows", schemas.AssessmentDetail)
def get_assessment(assessment_id: int):
    return api.detail(get_session(), _load(assessment_id), jobs.asker(), result_cache())


@operation("GET", A + "/result", "The review's result (the JSON faultline report prints; "
           "for a review on a lens, the lens result)", schemas.Result)
def get_result(assessment_id: int):
    return api.result(get_session(), _load(assessment_id), result_cache())


@operation("GET", A + "/risks", "A review on a lens: its high and medium risks with their "
           "improvements", schemas.LensRiskList)
def get_risks(assessment_id: int):
    return api.risks(get_session(), _load(assessment_id))


@operation("GET", A + "/findings", "The findings, ranked", schemas.FindingList)
def get_findings(assessment_id: int):
    return api.findings(get_session(), _load(assessment_id), result_cache())


@operation("GET", A + "/answers", "Every answer with its version", schemas.AnswerList)
def get_answers(assessment_id: int):
    return api.answers(get_session(), _load(assessment_id))


@operation("PATCH", A + "/answers", "Save answers; each names the version it was based on "
           "(409 when someone saved it since)", schemas.WriteResult, body=schemas.AnswersWrite)
def patch_answers(assessment_id: int, body: schemas.AnswersWrite):
    session = get_session()
    assessment = _load(assessment_id, Role.EDITOR)
    saved = api.write_answers(session, assessment, g.api_token.user, body,
                              content=get_content())
    if saved.conflicts:
        session.rollback()
        conflicts = [{"question_id": c.question_id, "version": c.theirs.version,
                      "choices": list(c.theirs.value.choices),
                      "na_reason": c.theirs.value.na_reason, "note": c.theirs.value.note}
                     for c in saved.conflicts]
        return problem(409, "Conflict", "Answers were saved since the base_version you sent; "
                       "nothing was saved. Read them and send again.", conflicts=conflicts)
    return {"saved": saved.saved, "unchanged": saved.unchanged, "versions": saved.versions,
            "revision": assessment.revision}


@operation("GET", A + "/plan", "The plan, each finding with its tracking", schemas.PlanOut)
def get_plan(assessment_id: int):
    return api.plan(get_session(), _load(assessment_id), result_cache())


@operation("PUT", A + "/tracking", "Set a finding's status, owner and due date",
           schemas.PlanOut, body=schemas.TrackingWrite)
def put_tracking(assessment_id: int, body: schemas.TrackingWrite):
    session = get_session()
    assessment = _load(assessment_id, Role.EDITOR)
    return api.write_tracking(session, assessment, g.api_token.user, body, result_cache())


@operation("GET", A + "/milestones", "The frozen milestones", schemas.MilestoneList)
def list_milestones(assessment_id: int):
    return api.milestones(get_session(), _load(assessment_id))


@operation("GET", A + "/milestones/<int:milestone_id>", "One milestone with its result",
           schemas.MilestoneDetail)
def get_milestone(assessment_id: int, milestone_id: int):
    return api.milestone(get_session(), _load(assessment_id), milestone_id)
