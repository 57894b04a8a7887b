"""Security headers on every response."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, abort, current_app, request

logger = logging.getLogger(__name__)

#: No inline script and no inline style: templates use static files only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _set_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _nul_field() -> str | None:
    """The name of the first field, query parameter, JSON value or uploaded file holding a NUL
    character: PostgreSQL cannot store one in text, SQLite would keep a truncated-looking
    value, and no legitimate input contains it."""
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            if "\x00" in value:
                return name
    for name, upload in request.files.items(multi=True):
        content = upload.stream.read()
        upload.stream.seek(0)
        if b"\x00" in content:
            wide = _wide_encoding(content)
            if wide:  # NULs of UTF-16 or UTF-32 text, not binary data: say what to do
                abort(400, f"“{upload.filename or name}” is {wide} text, not UTF-8: save it "
                           "as UTF-8 (an editor's “Save with encoding”) and send it again.")
            return upload.filename or name
    if request.is_json:
        return _nul_in_json(request.get_json(silent=True), "JSON body")
    return None


def _wide_encoding(content: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when `content` is text in one of them (Windows editors and
    PowerShell's `>` save UTF-16), by its byte order mark or its NULs' places; else None."""
    if content.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = content[:400]
    if len(head) >= 4 and len(head) % 2 == 0:
        for zero in (0, 1):  # big-endian ASCII has NULs first, little-endian second
            if (all(b == 0 for b in head[zero::2])
                    and all(b != 0 for b in head[1 - zero::2])):
                return "UTF-16"
    return None


def _nul_in_json(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return where if "\x00" in value else None
    if not isinstance(value, dict | list):
        return None  # numbers, booleans and null hold no text
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return where
        found = _nul_in_json(item, str(key))
        if found:
            return found
    return None


def _refuse_nul() -> None:
    field = _nul_field()
    if field is not None:
        logger.info("refused %s %s: NUL character in %s", request.method, request.path, field)
        abort(400, f"“{field}” contains a NUL character (\\0), which cannot be stored. Remove "
                   "it (it usually comes from pasting binary data) and send it again.")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_nul)
    app.after_request(_set_headers)
