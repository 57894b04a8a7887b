"""The import contracts in pyproject.toml ([tool.importlinter]) hold: the domain imports neither
Flask, SQLAlchemy nor the rest of webapp; the report and the reviewer import no web module.

Unlike importing the modules in a fresh interpreter, the contracts see every import statement,
including those inside functions, and name the chain that breaks a rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_the_import_contracts_hold() -> None:
    # In a process of its own: import-linter reconfigures logging, which silenced the
    # app's loggers for the tests that ran after it.
    done = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
         "lint_imports_command()", "--config", str(PYPROJECT), "--no-cache"],
        capture_output=True, text=True, cwd=PYPROJECT.parent)
    assert done.returncode == 0, done.stdout + done.stderr

