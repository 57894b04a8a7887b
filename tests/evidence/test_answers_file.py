"""Automation files named in an answers file (`file:`) become evidence in `faultline report`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from webapp.cli import main
from webapp.domain import load_content
from webapp.domain.answers import Answers, WorkflowAnswers, answers_to_dict
from webapp.domain.evidence import Detected, resolve_evidence

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "internal-release-tooling.yaml"
WORKFLOW = (REPO / "examples" / "automation" / "release.yml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shipped():
    return load_content(REPO)


def report(path: Path, *extra: str):
    return CliRunner().invoke(main, ["report", str(path), "--content-dir", str(REPO), *extra])


def answers_file(tmp_path: Path, answers: dict, file: object = "ci/release.yml") -> Path:
    (tmp_path / "ci").mkdir(exist_ok=True)
    (tmp_path / "ci" / "release.yml").write_text(WORKFLOW, encoding="utf-8")
    flow = {"name": "Release", "file": file, "answers": answers}
    path = tmp_path / "answers.yaml"
    path.write_text(
        yaml.safe_dump({"questionnaire": "reliability-review", "version": 1, "workflows": [flow]}),
        encoding="utf-8",
    )
    return path


def evidence_of(result, question: str) -> list[dict]:
    return [e for e in result["workflows"][0]["evidence"] if e["question"] == question]


def answer_row(result, question: str) -> dict:
    sections = result["answers"]["workflows"][0]["sections"]
    return next(q for s in sections for q in s["questions"] if q["id"] == question)


def test_example_release_workflow_is_answered_from_its_file() -> None:
    out = report(EXAMPLE)
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    [timeout] = evidence_of(result, "timeouts.run-deadline")
    assert timeout["status"] == "applied" and timeout["choice"] == "platform-default"
    assert timeout["text"] == "detected in automation/release.yml:20"
    assert timeout["rule"] == "gha.job-timeout" and timeout["rule_title"]
    row = answer_row(result, "timeouts.run-deadline")
    assert row["source"] == "evidence" and row["answer"]["choices"][0]["id"] == "platform-default"
    assert result["workflows"][0]["automation"]["files"] == ["automation/release.yml"]
    assert {f["rule"] for f in result["workflows"][0]["automation"]["findings"]} >= {
        "gha.job-timeout",
        "gha.release-cancel-in-progress",
    }


def test_explicit_answer_wins_and_the_evidence_is_marked_overridden(tmp_path: Path) -> None:
    path = answers_file(
        tmp_path, {"timeouts.run-deadline": "sized", "error-handling.terminal": "fails-quietly"}
    )
    result = json.loads(report(path).output)
    assert [e["status"] for e in evidence_of(result, "timeouts.run-deadline")] == ["overridden"]
    assert [e["status"] for e in evidence_of(result, "error-handling.terminal")] == ["agrees"]
    row = answer_row(result, "timeouts.run-deadline")
    assert row["answer"]["choices"][0]["id"] == "sized" and row["source"] is None


def test_evidence_changes_the_score_like_a_typed_answer(tmp_path: Path) -> None:
    from_file = json.loads(report(answers_file(tmp_path, {})).output)
    typed = {
        e["question"]: e["choice"]
        for e in from_file["workflows"][0]["evidence"]
        if e["status"] == "applied"
    }
    by_hand = tmp_path / "typed"
    by_hand.mkdir()
    path = answers_file(by_hand, typed, file=[])
    assert json.loads(report(path).output)["overall"] == from_file["overall"]


def test_evidence_order_is_deterministic(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {})
    assert report(path).output == report(path).output
    keys = [
        (e["file"], e["line"], e["question"])
        for e in json.loads(report(path).output)["workflows"][0]["evidence"]
    ]
    assert keys == sorted(keys)


def test_missing_file_exits_2_naming_workflow_and_path(tmp_path: Path) -> None:
    out = report(answers_file(tmp_path, {}, file="ci/deploy.yml"))
    assert out.exit_code == 2
    assert "Release" in out.output and "ci/deploy.yml" in out.output
    assert "no such file" in out.output


def test_malformed_file_exits_2_with_its_line(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {})
    (tmp_path / "ci" / "release.yml").write_text("on: [push\njobs: {}\n", encoding="utf-8")
    out = report(path)
    assert out.exit_code == 2
    assert "ci/release.yml:" in out.output and "not valid YAML" in out.output


def test_file_must_be_a_path_or_a_list_of_paths(tmp_path: Path) -> None:
    out = report(answers_file(tmp_path, {}, file={"path": "x"}))
    assert out.exit_code == 2 and "file" in out.output


def test_several_files_are_read(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {}, file=["ci/release.yml", "ci/release.yml"])
    assert report(path).exit_code == 0


def test_without_apply_suggestions_stay_pending(shipped) -> None:
    flow = WorkflowAnswers(
        "Release",
        detected=[
            Detected(
                "timeouts.run-deadline", "platform-default", "r.yml", 3, "gha.job-timeout", "t"
            ),
            Detected("timeouts.run-deadline", "no-such-choice", "r.yml", 3, "gha.job-timeout", "t"),
        ],
    )
    answers = Answers("reliability-review", 1, workflows=[flow])
    resolved = resolve_evidence(answers, shipped.index("reliability-review", 1), apply=False)
    assert [d.status for d in resolved.workflows[0].detected] == ["pending"]
    assert resolved.workflows[0].answers == {}


def test_answers_file_keeps_the_file_key() -> None:
    flow = WorkflowAnswers("Release", files=["ci/release.yml"])
    assert answers_to_dict(Answers(workflows=[flow]))["workflows"][0]["file"] == ["ci/release.yml"]


def test_a_file_that_passes_a_check_suggests_the_good_answer(tmp_path: Path) -> None:
    path = answers_file(tmp_path, {})
    clean = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    timeout-minutes: 10\n"
    (tmp_path / "ci" / "release.yml").write_text(clean + "    steps:\n      - run: make\n")
    result = json.loads(report(path).output)
    [timeout] = evidence_of(result, "timeouts.run-deadline")
    assert timeout["choice"] == "sized" and timeout["status"] == "applied"
    assert timeout["text"].startswith("checked in ci/release.yml: no")
