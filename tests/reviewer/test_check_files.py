"""The checks loader refuses broken check files with the file, the check and the place."""

from __future__ import annotations

import pytest

from webapp.reviewer.checks import CheckFileError, load_checks

VALID = """\
kind: automation-checks
checks:
  - id: gha.example
    title: An example check
    target: gha
    pattern: timeouts
    severity: low
    confidence: high
    rationale: Explains why this matters in a sentence.
    remediation: [Do the right thing.]
    detector: gha_job_timeout
    fixtures:
      fires: ["on: push\\njobs: {a: {runs-on: x, steps: [{run: make}]}}\\n"]
      quiet: ["on: push\\njobs: {a: {runs-on: x, timeout-minutes: 5, steps: []}}\\n"]
"""


def load(tmp_path, text, name="checks.yaml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return load_checks(tmp_path)


def test_a_valid_file_loads(tmp_path):
    [check] = load(tmp_path, VALID)
    assert check.id == "gha.example" and check.remediation == ["Do the right thing."]


@pytest.mark.parametrize(("change", "message"), [
    (("detector: gha_job_timeout", "detector: no_such_function"), "no detector function"),
    (("pattern: timeouts", "pattern: speed"), "unknown pattern or layer"),
    (("severity: low", "severity: urgent"), "severity"),
    (("      quiet: [", "      quiet: []\n      unused: ["), "unused"),
    (("id: gha.example", "id: Gha Example"), "id"),
])
def test_broken_checks_are_refused_with_file_check_and_place(tmp_path, change, message):
    with pytest.raises(CheckFileError) as caught:
        load(tmp_path, VALID.replace(*change))
    text = str(caught.value)
    assert text.startswith("checks.yaml:") and message in text


def test_a_check_without_quiet_fixtures_is_refused(tmp_path):
    text = VALID.replace('      quiet: ["on: push\\njobs: {a: {runs-on: x, timeout-minutes: 5, '
                         'steps: []}}\\n"]\n', "      quiet: []\n")
    with pytest.raises(CheckFileError, match=r"\[gha.example\] checks.0.fixtures.quiet"):
        load(tmp_path, text)


def test_duplicate_ids_are_refused(tmp_path):
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    with pytest.raises(CheckFileError, match="defined twice"):
        load(tmp_path, VALID, name="b.yaml")


def test_every_shipped_check_is_listed_in_the_documentation(checks):
    from .conftest import REPO

    text = (REPO / "docs" / "automation-checks.md").read_text(encoding="utf-8")
    missing = [check.id for check in checks if f"`{check.id}`" not in text]
    assert not missing, f"docs/automation-checks.md does not list {missing}"
