"""Absolute links to this installation (share, invitation, reset and confirmation links).

They are built from FAULTLINE_BASE_URL, or else from the address `faultline serve` was
started on; never from a request's Host header, which whoever sends the request chooses.
"""

from __future__ import annotations

from flask import current_app

CONFIGURED = "configured"
SERVED = "served"


def base_url() -> str | None:
    """The address links use, or None when it is unknown (then no link can be made)."""
    configured = str(current_app.config.get("FAULTLINE_BASE_URL") or "").rstrip("/")
    served = str(current_app.config.get("FAULTLINE_SERVED_AT") or "").rstrip("/")
    return configured or served or None


def base_url_source() -> str | None:
    """Where `base_url()` comes from: CONFIGURED, SERVED, or None."""
    if current_app.config.get("FAULTLINE_BASE_URL"):
        return CONFIGURED
    return SERVED if current_app.config.get("FAULTLINE_SERVED_AT") else None


def public_url(path: str) -> str:
    """`path` (starting with /) on the public address; raises when the address is unknown."""
    root = base_url()
    if root is None:
        raise LookupError("the public address of this installation is unknown")
    return f"{root}{path}"
