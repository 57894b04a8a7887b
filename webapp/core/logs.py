"""JSON log lines carrying the request id, and the request id itself.

Each request gets an id: the caller's `X-Request-ID` when it looks sane (so a proxy's id
follows the request through), a fresh one otherwise. It is returned in `X-Request-ID` and
added to every log line written while the request runs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
QUIET_PATHS = frozenset({"/healthz", "/readyz"})
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
#: LogRecord attributes that are not "extra" fields.
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "request_id", "taskName",
}

access_logger = logging.getLogger("webapp.access")
#: A share link's token in a path (/s/<token>): never written to a log.
_SHARE_TOKEN = re.compile(r"/s/[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    """`text` with share-link tokens replaced, for anything that may reach a log."""
    return _SHARE_TOKEN.sub("/s/[redacted]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry.update(_extras(record))
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def _extras(record: logging.LogRecord) -> dict[str, object]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and "request_id" in g:
            record.request_id = g.request_id
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Send every log record to stderr as JSON. Idempotent."""
    root = logging.getLogger()
    if any(getattr(h, "_faultline", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    handler._faultline = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic announces its context on every revision lookup (each /readyz): keep it quiet.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)


def incoming_request_id() -> str:
    candidate = request.headers.get(REQUEST_ID_HEADER, "")
    return candidate if _SANE_REQUEST_ID.match(candidate) else uuid.uuid4().hex


def _start_request() -> None:
    g.request_id = incoming_request_id()
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    elapsed_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
    # Probes hit the health endpoints every few seconds: log them only when they fail.
    quiet = request.path in QUIET_PATHS and response.status_code < 400
    access_logger.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s", request.method, redact(request.path), response.status_code,
        extra={
            "method": request.method,
            "path": redact(request.path),
            "status": response.status_code,
            "duration_ms": round(elapsed_ms, 1),
        },
    )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
