"""The import contracts in pyproject.toml ([tool.importlinter]) hold: the domain imports neither
Flask, SQLAlchemy nor the rest of webapp; the report and the reviewer import no web module.

Unlike importing the modules in a fresh interpreter, the contracts see every import statement,
including those inside functions, and name the chain that breaks a rule."""

from __future__ import annotations

from pathlib import Path

from importlinter import cli

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_the_import_contracts_hold(capsys) -> None:
    status = cli.lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    assert status == cli.EXIT_STATUS_SUCCESS, capsys.readouterr().out

