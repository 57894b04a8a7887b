"""The password policy: long enough, not common, not made from the account's name or email.

Strength is estimated by zxcvbn (dictionaries of common passwords, names and words, keyboard
patterns, repeats, dates), told the account's name and email so a password built from them
scores as weak as it is. A refusal says what is wrong and how to do better.
"""

from __future__ import annotations

import re

from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 256
#: zxcvbn's scale 0-4: 3 is "safely unguessable: moderate protection from offline attacks".
MIN_SCORE = 3
#: Identity pieces shorter than this (initials, "Ed") are too common to count as derived.
MIN_PIECE = 3
ADVICE = "A passphrase of three or four unrelated words works well."


def identity_pieces(name: str, email: str) -> list[str]:
    """The account's name and email, whole and in pieces, lowercased."""
    whole = [name.strip().lower(), email.strip().lower()]
    pieces = re.split(r"[^a-z0-9]+", " ".join(whole))
    return sorted({p for p in [*whole, *pieces] if len(p) >= MIN_PIECE}, key=len, reverse=True)


def password_problem(password: str, *, name: str = "", email: str = "") -> str | None:
    """Why `password` is refused for this account, or None when it is good enough."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. {ADVICE}"
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    pieces = identity_pieces(name, email)
    if _derived_from(password, pieces):
        return f"This password is built from your name or email. {ADVICE}"
    result = zxcvbn(password[:100], user_inputs=pieces)
    if result["score"] < MIN_SCORE:
        return _weak_message(result["feedback"])
    return None


def _derived_from(password: str, pieces: list[str]) -> bool:
    """True when removing the name and email pieces leaves little of the password."""
    rest = password.lower()
    for piece in pieces:
        rest = rest.replace(piece, "")
    if rest == password.lower():
        return False
    return len(rest) < MIN_LENGTH - 4 or zxcvbn(rest[:100])["score"] < MIN_SCORE


def _weak_message(feedback: dict) -> str:
    warning = (feedback.get("warning") or "This password is easy to guess.").rstrip(".")
    return f"{warning}. {ADVICE}"
