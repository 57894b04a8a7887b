"""A render-worker target with a warm-up, for tests/report/test_cache.py."""

from __future__ import annotations

WARMED = False


def warm_up() -> None:
    global WARMED
    WARMED = True


def render(data: object) -> bytes:
    """Says whether warm_up ran in this process before the first render."""
    return b"warm" if WARMED else b"cold"
