"""Fixtures for engine tests: no app, no database."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from webapp.domain import Content, load_answers, load_content
from webapp.domain.answers import Answers

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_CONTENT = FIXTURES / "content"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(FIXTURE_CONTENT)


@pytest.fixture(scope="session")
def shipped() -> Content:
    """The content that ships with Faultline (questionnaires/ and rules/ at the repo root)."""
    return load_content(REPO)


@pytest.fixture
def fixture_answers(content: Content) -> Answers:
    return load_answers(FIXTURES / "answers.yaml", content)


@pytest.fixture
def broken_content(tmp_path: Path) -> Callable[[str, str, str], Path]:
    """A copy of the fixture content with one text replacement in one file."""

    def make(file: str, old: str, new: str) -> Path:
        root = tmp_path / "content"
        if not root.exists():
            shutil.copytree(FIXTURE_CONTENT, root)
        path = root / file
        text = path.read_text()
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1))
        return root

    return make


V2_FIXTURES = FIXTURES / "v2"


def make_v2_content(root: Path) -> Path:
    """The fixture content with version 2 of its questionnaire beside version 1, the rules
    rewritten onto version 2's ids (as content authors do) and rules and a scenario `since: 2`."""
    shutil.copytree(FIXTURE_CONTENT, root)
    shutil.copy(V2_FIXTURES / "mini-v2.yaml", root / "questionnaires" / "mini-v2.yaml")
    for name in ("rules-v2.yaml", "scenarios-v2.yaml"):
        shutil.copy(V2_FIXTURES / name, root / "rules" / name)
    system = root / "rules" / "system.yaml"
    system.write_text(system.read_text().replace("contain.bulkheads", "contain.isolation"))
    return root


@pytest.fixture(scope="session")
def content_v2(tmp_path_factory: pytest.TempPathFactory) -> Content:
    return load_content(make_v2_content(tmp_path_factory.mktemp("v2") / "content"))
