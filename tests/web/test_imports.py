"""Every module of the web app can be imported first, on its own, in a fresh interpreter.

An import cycle between the model modules only shows when something other than
`webapp.models` is imported first (a script, a shell session, a new service module).
"""

import subprocess
import sys

import pytest

MODULES = [
    "webapp.models_assessment",
    "webapp.models_sharing",
    "webapp.models_tracking",
    "webapp.services.evaluation",
    "webapp.services.sharing",
    "webapp.services.tracking",
]


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_on_its_own(module: str) -> None:
    code = f"import {module}; from sqlalchemy.orm import configure_mappers; configure_mappers()"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
