"""The import contracts in pyproject.toml ([tool.importlinter]) hold: the domain imports neither
Flask, SQLAlchemy nor the rest of webapp; the report and the reviewer import no web module.

Unlike importing the modules in a fresh interpreter, the contracts see every import statement,
including those inside functions, and name the chain that breaks a rule. They run in a child
process: import-linter sets up logging of its own, which would change this process's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
LINT = ("import sys; from importlinter import cli; "
        "sys.exit(cli.lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))")


def test_the_import_contracts_hold() -> None:
    run = subprocess.run([sys.executable, "-c", LINT, str(PYPROJECT)], capture_output=True,
                         text=True, check=False, cwd=PYPROJECT.parent)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout
