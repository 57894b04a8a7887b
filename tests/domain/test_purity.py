"""The domain is pure: importing every engine module pulls in neither Flask nor SQLAlchemy."""

import subprocess
import sys
from pathlib import Path

import pytest

import webapp.domain

MODULES = sorted(
    p.stem for p in Path(webapp.domain.__file__).parent.glob("*.py") if p.stem != "__init__"
)


@pytest.mark.parametrize("forbidden", ["flask", "sqlalchemy"])
def test_domain_imports_neither_flask_nor_sqlalchemy(forbidden: str) -> None:
    imports = "; ".join(f"import webapp.domain.{m}" for m in MODULES)
    code = (
        f"import sys; {imports}; "
        f"bad = sorted(m for m in sys.modules "
        f"if m == {forbidden!r} or m.startswith({forbidden!r} + '.')); "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"webapp.domain imported {result.stdout.strip()} {result.stderr}"
    assert len(MODULES) >= 10
