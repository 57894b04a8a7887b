"""`faultline report --fail-on SEVERITY --min-score N`: the CI gate's exit codes and reasons."""

from __future__ import annotations

import pytest

from tests.factories import EXAMPLE_V1
from webapp import cli
from webapp.domain.gate import gate_reasons

CLEAN = "answers:\n  observe.structured-logs: everywhere\n"


def _report(runner, tmp_path, *options, source=EXAMPLE_V1):
    out = tmp_path / "review.json"
    return runner.invoke(cli.main, ["report", str(source), "-o", str(out), *options])


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ((), 0),
        (("--fail-on", "critical"), 1),
        (("--fail-on", "low"), 1),
        (("--min-score", "60"), 0),
        (("--min-score", "70"), 1),
    ],
)
def test_the_gate_exits_1_only_when_it_fails(runner, tmp_path, options, code):
    assert _report(runner, tmp_path, *options).exit_code == code


def test_each_reason_is_one_line(runner, tmp_path):
    result = _report(runner, tmp_path, "--fail-on", "critical", "--min-score", "70")
    lines = result.stderr.splitlines()
    assert lines[-1] == "faultline gate: overall score 62.5 is below --min-score 70"
    assert lines[0].startswith(
        "faultline gate: critical finding idempotency.retries-without-dedup "
        "(Nightly merchant payouts)")
    assert len(lines) == 4
    assert (tmp_path / "review.json").exists()  # the report is still written


def test_a_file_without_findings_at_the_severity_passes(runner, tmp_path):
    source = tmp_path / "clean.yaml"
    source.write_text(CLEAN, encoding="utf-8")
    result = _report(runner, tmp_path, "--fail-on", "critical", source=source)
    assert result.exit_code == 0, result.stderr


def test_a_score_out_of_range_is_a_usage_error(runner, tmp_path):
    assert _report(runner, tmp_path, "--min-score", "120").exit_code == 2


def test_high_fails_on_critical_and_high_but_not_medium():
    result = {"overall": 90, "findings": [
        {"severity": "medium", "rule": "m", "title": "M"},
        {"severity": "high", "rule": "h", "title": "H", "workflow": "Deploy"},
    ]}
    assert gate_reasons(result, "high") == ["high finding h (Deploy): H"]
    assert gate_reasons(result, "critical") == []


def test_an_unscored_review_fails_a_minimum_score():
    assert gate_reasons({"overall": None, "findings": []}, None, 10) == [
        "overall score: not assessed (no scored answers); --min-score 10 needs one"
    ]
