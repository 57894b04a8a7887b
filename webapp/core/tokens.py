"""Secret tokens given out once (share links, invitations, account links, API tokens).

The holder gets the token; the database keeps only its SHA-256 hash, so a leaked database
grants nothing. Every token made by `new_token` has the same shape, which a request is checked
against before any lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
#: What `new_token` returns: 32 random bytes, URL-safe base64 without padding.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
