"""The import contracts in pyproject.toml ([tool.importlinter]) hold: the domain imports neither
Flask, SQLAlchemy nor the rest of webapp; the report and the reviewer import no web module. And
no feature service reads the app's loaded content itself: it takes it as an argument.

Unlike importing the modules in a fresh interpreter, the contracts see every import statement,
including those inside functions, and name the chain that breaks a rule."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
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



# --- the loaded content reaches services as an argument -------------------------------------

SERVICES_CONTRACT = "Feature services take what they need as arguments"


def _service_modules() -> list[Path]:
    """The files of the modules the services contract lists (`webapp.*.services` expanded)."""
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    contract = next(c for c in contracts["contracts"] if c["name"].startswith(SERVICES_CONTRACT))
    files: list[Path] = []
    for name in contract["source_modules"]:
        pattern = name.replace(".", "/")
        files += sorted(PYPROJECT.parent.glob(pattern + ".py"))
        files += sorted(PYPROJECT.parent.glob(pattern + "/__init__.py"))
    return files


def _reads_of_get_content(source: str) -> list[int]:
    """Lines that import, call or name `get_content` (the app's content, read from Flask)."""
    def names(node: ast.AST) -> list[str]:
        if isinstance(node, ast.ImportFrom):
            return [alias.name for alias in node.names]
        if isinstance(node, ast.Name):
            return [node.id]
        return [node.attr] if isinstance(node, ast.Attribute) else []

    return sorted({node.lineno for node in ast.walk(ast.parse(source))
                   if "get_content" in names(node)})


def test_the_check_finds_every_way_of_reading_the_content() -> None:
    source = ("from webapp.core.startup import get_content\n"
              "from webapp.core import startup\n"
              "def title(a):\n"
              "    return startup.get_content().questionnaire(a.questionnaire_id).title\n"
              "def index(a, content):\n"
              "    return content.index(a.questionnaire_id)\n")
    assert _reads_of_get_content(source) == [1, 4]


def test_services_take_the_content_as_an_argument() -> None:
    # Views, CLI commands and queue tasks read it (webapp.core.startup.get_content) and pass
    # it down: as `content`, or in the ResultCache (`cache.content`) an evaluation takes.
    files = _service_modules()
    assert len(files) > 40  # the contract's wildcards found the feature services
    found = {str(f.relative_to(PYPROJECT.parent)): lines for f in files
             if (lines := _reads_of_get_content(f.read_text(encoding="utf-8")))}
    assert found == {}
