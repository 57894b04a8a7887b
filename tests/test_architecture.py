"""The import contracts in pyproject.toml ([tool.importlinter]) hold: the domain imports neither
Flask, SQLAlchemy nor the rest of webapp; the report and the reviewer import no web module.

Unlike importing the modules in a fresh interpreter, the contracts see every import statement,
including those inside functions, and name the chain that breaks a rule."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path

from importlinter import cli

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@contextmanager
def _logging_kept():
    """import-linter configures logging and disables every existing logger; later tests that
    read the app's logs (caplog) need them back as they were."""
    loggers = [logging.getLogger(name) for name in logging.root.manager.loggerDict]
    disabled = {logger: logger.disabled for logger in loggers}
    level, handlers = logging.root.level, list(logging.root.handlers)
    try:
        yield
    finally:
        for logger, was_disabled in disabled.items():
            logger.disabled = was_disabled
        logging.root.setLevel(level)
        logging.root.handlers[:] = handlers


def test_the_import_contracts_hold(capsys) -> None:
    with _logging_kept():
        status = cli.lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    assert status == cli.EXIT_STATUS_SUCCESS, capsys.readouterr().out

