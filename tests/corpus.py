"""The shared real-world corpus beside the checkout (`../shared/corpus`): automation files and
AWS lenses from public projects, which nobody here wrote. A test that reads it is skipped when
the corpus is absent, except under CI (`CI=true`), where its absence fails the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# A checkout kept one folder deeper (a worktree under `<workspace>/wt/`) finds it one level up.
CORPUS = next((p for p in (REPO.parent / "shared" / "corpus",
                           REPO.parent.parent / "shared" / "corpus") if p.is_dir()),
              REPO.parent / "shared" / "corpus")


def require(path: Path) -> Path:
    """`path` inside the corpus; skips the test when it is absent (fails it under CI)."""
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"corpus file or folder missing: {path}")
        pytest.skip("the shared corpus is not beside this checkout")
    return path
