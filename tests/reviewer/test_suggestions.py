"""Findings become suggested answers to the review questionnaire, with their evidence."""

from __future__ import annotations

import pytest
import yaml

from webapp.reviewer import review, suggest_answers

from .conftest import REPO

QUESTIONNAIRES = (REPO / "questionnaires" / "reliability-review.yaml",
                  REPO / "questionnaires" / "reliability-review-v2.yaml")

RELEASE = """\
name: Release
on:
  push:
    tags: ['v*']
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - run: gh release create "$GITHUB_REF_NAME" dist/*
"""
BOUNDED = """\
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: make test
"""


@pytest.fixture(scope="module")
def choices() -> dict[str, set[str]]:
    """Question id → its choice ids, from the shipped questionnaire."""
    out: dict[str, set[str]] = {}
    for path in QUESTIONNAIRES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for section in data["sections"]:
            for q in section["questions"]:
                out.setdefault(q["id"], set()).update(str(c["id"]) for c in q.get("choices", []))
    return out


def test_every_suggested_answer_exists_in_the_questionnaire(checks, choices):
    suggested = [(check.id, s) for check in checks for s in check.suggests]
    assert suggested, "no check suggests any answer"
    for check_id, answer in suggested:
        assert answer.question in choices, f"{check_id}: unknown question {answer.question}"
        assert answer.choice in choices[answer.question], (
            f"{check_id}: {answer.question} has no choice {answer.choice!r}")


def test_suggested_answers_are_not_the_best_choice_of_a_question_for_findings(checks):
    scores = {}
    for path in QUESTIONNAIRES:  # a suggestion names a question of either version
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        scores |= {(q["id"], str(c["id"])): c.get("score") for s in data["sections"]
                   for q in s["questions"] for c in q.get("choices", [])}
    for check in checks:
        for answer in check.suggests:
            score = scores[(answer.question, answer.choice)]
            if answer.when == "finding":
                assert score is None or score < 100, f"{check.id} suggests a perfect answer"


def test_one_finding_never_suggests_two_answers_to_a_single_choice_question(checks):
    """A single-choice question takes one answer: a check whose finding suggested two (one
    per questionnaire version, both asked by version 2) showed two contradicting Accept
    buttons beside it, and "Accept all" kept whichever it met first."""
    for path in QUESTIONNAIRES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        single = {q["id"] for s in data["sections"] for q in s["questions"]
                  if q.get("type", "single") == "single"}
        for check in checks:
            for when in ("finding", "clean"):
                seen: dict[str, str] = {}
                for answer in check.suggests:
                    if answer.when != when or answer.question not in single:
                        continue
                    first = seen.setdefault(answer.question, answer.choice)
                    assert first == answer.choice, (
                        f"{check.id} ({when}, {path.name}) suggests both {first!r} and "
                        f"{answer.choice!r} for {answer.question}")


def test_findings_suggest_answers_with_their_place(write, tmp_path):
    write(".github/workflows/release.yml", RELEASE)
    suggestions = suggest_answers([tmp_path / ".github"], root=tmp_path)
    by_question = {s.question_id: s for s in suggestions}
    create = by_question["idempotency.create-existing"]
    assert create.choice_id == "fails-on-conflict"
    assert (create.file, create.line, create.rule_id) == (
        ".github/workflows/release.yml", 9, "gha.unguarded-create")
    assert create.text == "detected in .github/workflows/release.yml:9"
    assert by_question["timeouts.run-deadline"].choice_id == "platform-default"


def test_a_report_or_its_findings_give_the_same_suggestions(write, tmp_path):
    write(".github/workflows/release.yml", RELEASE)
    report = review([tmp_path], root=tmp_path)
    from_report = suggest_answers(report)
    assert from_report == suggest_answers(report.findings)
    assert not any(s.positive for s in from_report)


def test_a_file_that_passes_a_check_suggests_the_good_answer(write, tmp_path):
    write(".github/workflows/ci.yml", BOUNDED)
    [suggestion] = [s for s in suggest_answers([tmp_path], root=tmp_path)
                    if s.question_id == "timeouts.run-deadline"]
    assert (suggestion.choice_id, suggestion.positive) == ("sized", True)
    assert suggestion.file == ".github/workflows/ci.yml"


def test_step_timeouts_alone_do_not_count_as_a_run_deadline(write, tmp_path):
    write(".github/workflows/ci.yml", BOUNDED.replace("    timeout-minutes: 10\n", "").replace(
        "      - run: make test", "      - run: make test\n        timeout-minutes: 5"))
    suggestions = suggest_answers([tmp_path], root=tmp_path)
    assert not [s for s in suggestions if s.question_id == "timeouts.run-deadline"]


def test_suppressed_findings_suggest_nothing(write, tmp_path):
    comment = "      # faultline: ignore[gha.unguarded-create] drafts are wiped first\n"
    text = RELEASE.replace("      - run: gh", comment + "      - run: gh")
    write(".github/workflows/release.yml", text)
    questions = {s.question_id for s in suggest_answers([tmp_path], root=tmp_path)}
    assert "idempotency.create-existing" not in questions


def test_uploaded_content_is_reviewed_in_memory_and_suggests_answers():
    from webapp.reviewer import review_texts

    report = review_texts({".github/workflows/release.yml": RELEASE, "notes.txt": "hello",
                           "broken.yaml": "services: [\n"})
    assert report.files == [".github/workflows/release.yml", "broken.yaml"]
    assert ("notes.txt", "not a YAML file") in report.skipped
    assert "faultline.parse-error" in {f.rule_id for f in report.findings}
    suggestion = {s.question_id: s for s in suggest_answers(report)}["idempotency.create-existing"]
    assert suggestion.text == "detected in .github/workflows/release.yml:9"
