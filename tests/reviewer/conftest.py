"""Fixtures for the automated reviewer's tests: no app, no database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.corpus import CORPUS, require
from webapp.reviewer import load_checks
from webapp.reviewer.checks import Check

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def checks() -> tuple[Check, ...]:
    return load_checks()


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared real-world corpus beside the repository (a failure under CI when absent)."""
    return require(CORPUS)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write `text` to `name` under a temporary repository root and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write
