"""A render-worker target whose warm-up fails, for tests/report/test_cache.py."""

from __future__ import annotations


def warm_up() -> None:
    raise OSError("fonts missing")


def render(data: object) -> bytes:
    return b"rendered"
