"""The JSON result and the content commands of the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from webapp.cli import main
from webapp.domain import (
    evaluate_result,
    load_answers,
    result_to_dict,
    result_to_json,
)

from .conftest import FIXTURE_CONTENT, FIXTURES, REPO

CONTENT = ["--content-dir", str(FIXTURE_CONTENT)]


def run(*args: str):
    return CliRunner().invoke(main, [*args, *CONTENT])


def test_result_holds_what_the_issue_lists(content, fixture_answers) -> None:
    data = result_to_dict(evaluate_result(content, fixture_answers))
    # one question is unanswered: the headline counts it as 0, the answered-only score not
    assert data["overall"] == 42.5 and data["coverage"]["percent"] == 90.9
    assert data["honesty"]["answered_score"] == 44.5 and data["honesty"]["provisional"]
    assert set(data["fit"]) >= {"verdict", "reasons", "profile"}
    assert [x["id"] for x in data["layers"]] == ["observe", "contain"]
    flow = data["workflows"][0]
    assert flow["name"] == "nightly-settlement"
    assert [p["id"] for p in flow["patterns"]] == ["idempotency", "retries", "timeouts"]
    assert set(flow["scenarios"][0]) >= {"id", "outcome", "status", "because"}
    assert set(data["findings"][0]) >= {
        "rule",
        "title",
        "severity",
        "priority",
        "bucket",
        "workflow",
        "effort",
        "quick_win",
        "rationale",
        "remediation",
        "verification",
        "references",
        "because",
    }
    assert [step["step"] for step in data["plan"]] == list(range(1, len(data["plan"]) + 1))


def test_findings_carry_the_answers_that_decided_them(content, fixture_answers) -> None:
    data = result_to_dict(evaluate_result(content, fixture_answers))
    finding = next(f for f in data["findings"] if f["rule"] == "retries.without-idempotency")
    assert [b["question"] for b in finding["because"]] == [
        "idempotency.rerun-safe",
        "retries.automatic",
    ]
    assert finding["because"][0]["answer"]["choices"] == [{"id": "no", "label": "No"}]


def test_answers_appendix_keeps_notes_raw_and_na_reasons(content, fixture_answers) -> None:
    appendix = result_to_dict(evaluate_result(content, fixture_answers))["answers"]
    observe = next(s for s in appendix["sections"] if s["id"] == "observe")
    assert observe["questions"][0]["note"].startswith(
        "CPU and memory alerts page the on-call; **no**"
    )
    contain = next(s for s in appendix["sections"] if s["id"] == "contain")
    assert contain["questions"][0]["answer"] == {
        "status": "na",
        "choices": [],
        "na_reason": "The platform calls a single payment provider.",
    }
    assert contain["questions"][0]["score"] is None
    assert appendix["workflows"][0]["sections"][0]["questions"][2]["note"].startswith(
        "A rerun after a crash"
    )


def test_fixture_result_is_reproduced_exactly(content, fixture_answers) -> None:
    expected = (FIXTURES / "fixture-result.json").read_text()
    assert result_to_json(evaluate_result(content, fixture_answers)) == expected


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return None


def test_sample_result_has_the_current_shape(shipped) -> None:
    """sample-result.json (from examples/payments-platform.yaml) is what the report team builds
    on; regenerate it with `faultline report examples/payments-platform.yaml --format json
    -o tests/domain/fixtures/sample-result.json` when the shape changes."""
    sample = json.loads((FIXTURES / "sample-result.json").read_text())
    answers = load_answers(REPO / "examples" / "payments-platform.yaml", shipped)
    assert _shape(sample) == _shape(result_to_dict(evaluate_result(shipped, answers)))


def test_report_json_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    answers = str(FIXTURES / "answers.yaml")
    assert run("report", answers, "--format", "json", "-o", str(first)).exit_code == 0
    assert run("report", answers, "--format", "json", "-o", str(second)).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text())["system"]["name"] == "Payments platform"


def test_report_exits_2_naming_each_unknown_id(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers: {observe.alert: none, observe.logs: [app, audits]}\n")
    result = run("report", str(bad))
    assert result.exit_code == 2
    assert "bad.yaml:1: answers.observe.alert: unknown question id 'observe.alert'" in result.output
    assert "'observe.logs' has no choice 'audits'" in result.output


def test_report_exits_1_on_invalid_content(tmp_path: Path, broken_content) -> None:
    root = broken_content("rules/system.yaml", "severity: high", "severity: urgent")
    result = CliRunner().invoke(
        main, ["report", str(FIXTURES / "answers.yaml"), "--content-dir", str(root)]
    )
    assert result.exit_code == 1
    assert result.output.startswith("Faultline content is invalid: 1 problem in 1 file")


def test_questionnaire_json_has_the_documented_shape() -> None:
    result = run("questionnaire", "--format", "json")
    data = json.loads(result.output)
    assert list(data) == ["id", "version", "title", "sections"]
    assert [(s["id"], s["kind"]) for s in data["sections"]] == [
        ("fit", "fit"),
        ("observe", "layer"),
        ("contain", "layer"),
        ("workflow", "workflow"),
    ]
    alerts = data["sections"][1]["questions"][0]
    assert alerts == {
        "id": "observe.alerts",
        "text": "Do alerts fire on symptoms users feel?",
        "help": "Error rate and latency, not CPU.",
        "type": "single",
        "choices": [
            {"id": "symptoms", "label": "On symptoms", "score": 100},
            {"id": "causes", "label": "On causes only", "score": 40},
            {"id": "none", "label": "No alerts", "score": 0},
            {"id": "unsure", "label": "We don't know", "score": 0},
        ],
        "na_allowed": False,
        "layer": "observe",
    }
    assert data["sections"][3]["questions"][2]["pattern"] == "idempotency"


def test_template_lists_every_question_and_is_valid_once_filled(tmp_path: Path, content) -> None:
    text = run("template").output
    for qid in content.index().questions:
        assert f"{qid}:" in text
    assert "#     immediate: Immediately (score 20)" in text
    filled = text.replace("  fit.high-volume:\n", "  fit.high-volume: yes\n")
    filled = filled.replace("      timeouts.run:\n", "      timeouts.run: no\n")
    path = tmp_path / "filled.yaml"
    path.write_text(filled)
    result = run("report", str(path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["fit"]["profile"]["flags"] == ["high-volume"]
    assert data["workflows"][0]["name"] == "first-workflow"
    assert yaml.safe_load(text)["questionnaire"] == "mini-review"


def test_check_passes_and_reports_counts() -> None:
    result = run("check")
    assert result.exit_code == 0
    assert result.output.startswith("Content OK: 1 questionnaire, 7 rules")


def test_html_report_without_renderer_exits_2(monkeypatch) -> None:
    import webapp.report as report

    monkeypatch.delattr(report, "render_html", raising=False)
    result = run("report", str(FIXTURES / "answers.yaml"), "--format", "html")
    assert result.exit_code == 2
    assert "needs the report renderer" in result.output


def test_report_json_is_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    def report(seed: str) -> bytes:
        env = dict(os.environ, PYTHONHASHSEED=seed)
        code = "from webapp.cli import main; main()"
        args = ["report", str(FIXTURES / "answers.yaml"), *CONTENT]
        done = subprocess.run(
            [sys.executable, "-c", code, *args], env=env, capture_output=True, check=True
        )
        return done.stdout

    assert report("1") == report("2") == (FIXTURES / "fixture-result.json").read_bytes()
