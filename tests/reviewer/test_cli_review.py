"""`faultline review`: formats, exit codes, malformed files, suppressions and baselines."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from webapp.cli import main
from webapp.reviewer.engine import Report
from webapp.reviewer.models import Finding
from webapp.reviewer.output import render_text

RELEASE = """\
name: Release
on:
  push:
    tags: ['v*']
jobs:
  publish:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: npm publish
"""
CLEAN = """\
on: pull_request
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - uses: actions/checkout@v5
      - run: make test
"""


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def _run(*args: str):
        return CliRunner().invoke(main, ["review", *args])

    return _run


def test_clean_workflow_exits_0(run, write):
    write(".github/workflows/ci.yml", CLEAN)
    result = run(".github")
    assert result.exit_code == 0, result.output
    assert "1 file reviewed, no findings" in result.output


def test_the_summary_line_counts_files_and_findings_in_the_singular_and_the_plural():
    def finding(line: int) -> Finding:
        return Finding("gha.timeout", "No timeout", "ci.yml", line, 1, "medium", "high",
                       "timeouts", "m", "r", "f", "job", "runs-on: ubuntu-latest")

    one = render_text(Report(findings=[finding(3)], files=["ci.yml"]))
    assert one.rstrip().endswith("1 file reviewed, 1 finding (1 medium)")
    many = render_text(Report(findings=[finding(3), finding(9)], files=["ci.yml", "cd.yml"]))
    assert many.rstrip().endswith("2 files reviewed, 2 findings (2 medium)")


def test_findings_exit_1_and_are_grouped_by_file_without_colours(run, write):
    write(".github/workflows/release.yml", RELEASE)
    result = run(".")
    assert result.exit_code == 1
    assert result.output.startswith(".github/workflows/release.yml\n")
    assert "gha.unguarded-create" in result.output and "10:" in result.output
    assert "why:" in result.output and "fix:" in result.output
    assert "\x1b[" not in result.output


def test_fail_on_raises_the_bar(run, write):
    write(".github/workflows/release.yml", RELEASE)
    assert run(".", "--fail-on", "critical").exit_code == 0
    assert run(".", "--fail-on", "high").exit_code == 1


@pytest.mark.parametrize("args", [
    ("missing-folder",), ("--format", "xml", "."), ("--fail-on", "urgent", "."), (),
])
def test_usage_errors_exit_2(run, write, args):
    write("ci.yml", CLEAN)
    assert run(*args).exit_code == 2


def test_unreadable_baseline_is_a_usage_error(run, write):
    write(".github/workflows/ci.yml", CLEAN)
    write("baseline.json", "{not json")
    result = run(".", "--baseline", "baseline.json")
    assert result.exit_code == 2
    assert "baseline" in result.output


def test_a_crash_of_the_tool_exits_3_with_a_message(run, write, monkeypatch):
    write(".github/workflows/ci.yml", CLEAN)

    def broken(*args, **kwargs):
        raise RuntimeError("detector exploded")

    monkeypatch.setattr("webapp.reviewer.command.review", broken)
    result = run(".")
    assert result.exit_code == 3
    assert "internal error: detector exploded" in result.output


def test_a_malformed_file_is_a_finding_and_the_others_are_still_reviewed(run, write):
    write(".github/workflows/broken.yml", "on: push\njobs:\n  build: [unclosed\n")
    write(".github/workflows/release.yml", RELEASE)
    data = json.loads(run(".", "--format", "json").output)
    [parse] = [f for f in data["findings"] if f["rule_id"] == "faultline.parse-error"]
    assert parse["path"] == ".github/workflows/broken.yml"
    assert parse["line"] >= 3 and parse["column"] >= 1
    assert any(f["path"] == ".github/workflows/release.yml" for f in data["findings"])


def test_json_is_sorted_and_stable(run, write):
    write(".github/workflows/release.yml", RELEASE)
    write("compose.yaml", "services:\n  db:\n    image: postgres\n")
    first, second = run(".", "--format", "json").output, run(".", "--format", "json").output
    assert first == second
    data = json.loads(first)
    keys = [(f["path"], f["line"], f["column"], f["rule_id"]) for f in data["findings"]]
    assert keys == sorted(keys)
    assert data["summary"]["files"] == 2
    assert set(data["findings"][0]) >= {"rule_id", "severity", "confidence", "pattern", "why",
                                        "fix", "line", "column", "fingerprint"}


def test_output_file(run, write, tmp_path):
    write(".github/workflows/release.yml", RELEASE)
    result = run(".", "--format", "sarif", "-o", "out.sarif")
    assert result.exit_code == 1
    assert json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"


def test_inline_suppression_with_a_reason_suppresses_and_is_counted(run, write):
    text = RELEASE.replace(
        "      - run: npm publish",
        "      # faultline: ignore[gha.unguarded-create] npm refuses the duplicate, we rerun\n"
        "      - run: npm publish",
    )
    write(".github/workflows/release.yml", text)
    data = json.loads(run(".", "--format", "json").output)
    [finding] = [f for f in data["findings"] if f["rule_id"] == "gha.unguarded-create"]
    assert finding["suppressed"] == {"kind": "inSource",
                                     "justification": "npm refuses the duplicate, we rerun"}
    assert data["summary"]["suppressed"] == 1
    assert "1 suppressed" in run(".").output


def test_inline_suppression_without_a_reason_is_refused_and_reported(run, write):
    text = RELEASE.replace("      - run: npm publish",
                           "      - run: npm publish  # faultline: ignore[gha.unguarded-create]")
    write(".github/workflows/release.yml", text)
    data = json.loads(run(".", "--format", "json").output)
    rules = {f["rule_id"]: f for f in data["findings"]}
    assert rules["gha.unguarded-create"]["suppressed"] is None
    assert rules["faultline.suppression-without-reason"]["line"] == 10


def test_baseline_round_trip(run, write, tmp_path):
    write(".github/workflows/release.yml", RELEASE)
    written = run(".", "--write-baseline", "baseline.json")
    assert written.exit_code == 0
    baseline = json.loads((tmp_path / "baseline.json").read_text())
    assert baseline["findings"] and all("fingerprint" in e for e in baseline["findings"])

    accepted = run(".", "--baseline", "baseline.json")
    assert accepted.exit_code == 0
    assert "suppressed" in accepted.output

    # Lines moving does not break the baseline; a new problem still fails.
    write(".github/workflows/release.yml", "# moved\n\n" + RELEASE.replace(
        "    steps:", "    steps:\n      - run: |\n          until curl -sf $URL; do sleep 5; done"
    ).replace("    timeout-minutes: 10\n", ""))
    result = run(".", "--baseline", "baseline.json", "--format", "json")
    active = [f["rule_id"] for f in json.loads(result.output)["findings"] if not f["suppressed"]]
    assert result.exit_code == 1
    assert "gha.unguarded-create" not in active
    assert "gha.job-timeout" in active


def test_an_output_file_in_a_missing_folder_is_a_usage_error(run, write):
    write(".github/workflows/ci.yml", CLEAN)
    result = run(".", "-o", "no/such/folder/out.json")
    assert result.exit_code == 2
    assert "cannot write" in result.output
