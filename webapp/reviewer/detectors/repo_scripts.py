"""Shell scripts a workflow runs from its own repository (`bash ./scripts/release.sh`).

Release logic often lives in a script next to the workflow; what the script creates matters as
much as what the step does inline. Scripts are resolved against the repository holding the
workflow (the parent of its `.github` folder) and never read from outside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

_SCRIPT = re.compile(r"(?:\$\{\{\s*github\.workspace\s*\}\}/|\$GITHUB_WORKSPACE/|\./)?"
                     r"((?:[\w.-]+/)*[\w.-]+\.(?:sh|bash))\b")
MAX_BYTES = 200_000


@lru_cache(maxsize=1024)
def repository_root(workflow: Path) -> Path | None:
    for parent in workflow.resolve().parents:
        if parent.name == ".github":
            return parent.parent
    return None


def referenced_scripts(workflow: Path, line: str) -> Iterator[tuple[str, str]]:
    """(repository-relative name, text) of each script of this repository that `line` runs."""
    root = repository_root(workflow)
    if root is None:
        return
    for name in _SCRIPT.findall(line):
        text = _read(root, name)
        if text is not None:
            yield name, text


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line, command) with continuations joined and comments dropped."""
    pending, first = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        first = first or number
        pending = f"{pending} {stripped.rstrip(chr(92)).strip()}".strip()
        if not stripped.endswith("\\"):
            yield first, pending
            pending, first = "", 0
    if pending:
        yield first, pending


@lru_cache(maxsize=256)
def _read(root: Path, name: str) -> str | None:
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.stat().st_size > MAX_BYTES:
        return None
    return path.read_text(encoding="utf-8", errors="replace")
