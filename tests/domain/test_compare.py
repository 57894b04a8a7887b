"""compare_results on a hand-built pair: exact deltas, finding sets and changed answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from webapp.domain.compare import compare_answers, compare_data, compare_results, delta

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "payments-platform.yaml"


def _question(qid, text, status="answered", choices=(), na_reason=None, note=None):
    return {"id": qid, "text": text, "note": note,
            "answer": {"status": status, "na_reason": na_reason,
                       "choices": [{"id": c, "label": label} for c, label in choices]}}


def _finding(rule, workflow=None, bucket="now", severity="high"):
    return {"rule": rule, "workflow": workflow, "title": f"Title of {rule}",
            "severity": severity, "bucket": bucket}


BEFORE = {
    "overall": 50.0,
    "scores": {"system": 40.0, "workflows": 60.0},
    "coverage": {"percent": 80.0},
    "layers": [{"id": "observe", "title": "Observe", "score": 40.0},
               {"id": "contain", "title": "Contain", "score": 70.0},
               {"id": "evolve", "title": "Evolve", "score": None}],
    "workflows": [
        {"name": "Payouts", "score": 55.0,
         "patterns": [{"id": "idempotency", "title": "Idempotency", "score": 20.0},
                      {"id": "timeouts", "title": "Timeouts", "score": 90.0}]},
        {"name": "Old export", "score": 30.0,
         "patterns": [{"id": "idempotency", "title": "Idempotency", "score": 30.0}]},
    ],
    "findings": [_finding("observe.no-alerts"), _finding("pattern.no-idempotency", "Payouts"),
                 _finding("pattern.no-idempotency", "Old export", "next"),
                 _finding("contain.no-limits", bucket="later", severity="medium")],
    "answers": {
        "sections": [{"id": "observe", "questions": [
            _question("observe.alerts", "Do alerts fire?", choices=[("none", "No alerts")]),
            _question("observe.logs", "Structured logs?", choices=[("some", "Some services")],
                      note="Only the API"),
        ]}],
        "workflows": [{"name": "Payouts", "sections": [{"id": "wf", "questions": [
            _question("workflow.idempotency", "Is it idempotent?", "unanswered"),
        ]}]}],
    },
}

AFTER = {
    "overall": 62.5,
    "scores": {"system": 40.0, "workflows": 75.25},
    "coverage": {"percent": 92.0},
    "layers": [{"id": "observe", "title": "Observe", "score": 65.0},
               {"id": "contain", "title": "Contain", "score": 60.0},
               {"id": "evolve", "title": "Evolve", "score": 50.0}],
    "workflows": [
        {"name": "Payouts", "score": 80.0,
         "patterns": [{"id": "idempotency", "title": "Idempotency", "score": 100.0},
                      {"id": "timeouts", "title": "Timeouts", "score": 90.0}]},
        {"name": "Refunds", "score": 40.0,
         "patterns": [{"id": "idempotency", "title": "Idempotency", "score": None}]},
    ],
    "findings": [_finding("contain.no-limits", bucket="now", severity="medium"),
                 _finding("pattern.no-timeouts", "Refunds", "next", "medium")],
    "answers": {
        "sections": [{"id": "observe", "questions": [
            _question("observe.alerts", "Do alerts fire?",
                      choices=[("pages", "Alerts page someone")]),
            _question("observe.logs", "Structured logs?", choices=[("some", "Some services")],
                      note="API and workers"),
        ]}],
        "workflows": [{"name": "Payouts", "sections": [{"id": "wf", "questions": [
            _question("workflow.idempotency", "Is it idempotent?", "na",
                      na_reason="Reads only"),
        ]}]}],
    },
}


@pytest.fixture(scope="module")
def diff():
    return compare_data(BEFORE, AFTER)


def test_overall_coverage_and_system_deltas(diff):
    assert diff["overall"] == {"before": 50.0, "after": 62.5, "change": 12.5, "direction": "up"}
    assert diff["coverage"] == {"before": 80.0, "after": 92.0, "change": 12.0, "direction": "up"}
    assert diff["system"] == {"before": 40.0, "after": 40.0, "change": 0.0, "direction": "same"}


def test_layer_deltas_including_a_layer_scored_for_the_first_time(diff):
    rows = {r["id"]: (r["change"], r["direction"]) for r in diff["layers"]}
    assert rows == {"observe": (25.0, "up"), "contain": (-10.0, "down"), "evolve": (None, "new")}


def test_workflows_matched_by_name_with_pattern_deltas(diff):
    workflows = {w["name"]: w for w in diff["workflows"]}
    assert [w["name"] for w in diff["workflows"]] == ["Payouts", "Refunds", "Old export"]
    assert [w["presence"] for w in diff["workflows"]] == ["both", "added", "removed"]
    payouts = workflows["Payouts"]
    assert payouts["score"]["change"] == 25.0
    assert [(p["id"], p["change"], p["direction"]) for p in payouts["patterns"]] == [
        ("idempotency", 80.0, "up"), ("timeouts", 0.0, "same")]
    assert workflows["Old export"]["score"] == {"before": 30.0, "after": None, "change": None,
                                                "direction": "gone"}
    assert workflows["Refunds"]["patterns"][0]["direction"] == "none"


def test_findings_resolved_new_and_unchanged_by_rule_and_workflow(diff):
    keys = {kind: [(f["rule"], f["workflow"]) for f in rows]
            for kind, rows in diff["findings"].items()}
    assert keys == {
        "resolved": [("observe.no-alerts", None), ("pattern.no-idempotency", "Payouts"),
                     ("pattern.no-idempotency", "Old export")],
        "new": [("pattern.no-timeouts", "Refunds")],
        "unchanged": [("contain.no-limits", None)],
    }
    unchanged = diff["findings"]["unchanged"][0]
    assert (unchanged["bucket_before"], unchanged["bucket"]) == ("later", "now")


def test_answers_changed_with_labels_and_notes_listed_apart(diff):
    assert diff["answers"] == [
        {"workflow": None, "question": "observe.alerts", "text": "Do alerts fire?",
         "before": "No alerts", "after": "Alerts page someone"},
        {"workflow": "Payouts", "question": "workflow.idempotency", "text": "Is it idempotent?",
         "before": "Unanswered", "after": "Not applicable: Reads only"},
    ]
    assert diff["notes"] == [{"workflow": None, "question": "observe.logs",
                              "text": "Structured logs?"}]


def test_counts(diff):
    assert diff["counts"] == {"resolved": 3, "new": 1, "unchanged": 1, "answers": 2, "notes": 1,
                              "up": 3, "down": 1}


def test_answers_dicts_take_precedence_and_one_choice_equals_a_list_of_it():
    before = {"answers": {"observe.alerts": ["none"], "observe.logs": "some"}, "notes": {},
              "workflows": [{"name": "Payouts", "answers": {"workflow.idempotency": "keyed"}}]}
    after = {"answers": {"observe.alerts": "none", "observe.logs": {"na": "No logs here"}},
             "notes": {"observe.alerts": "new note"},
             "workflows": [{"name": "Payouts", "answers": {}}]}
    result = compare_answers(BEFORE, AFTER, before, after)
    assert [(r["workflow"], r["question"], r["before"], r["after"]) for r in result["changed"]] == [
        (None, "observe.logs", "Some services", "Not applicable: No logs here"),
        ("Payouts", "workflow.idempotency", "keyed", "Unanswered"),
    ]
    assert [n["question"] for n in result["notes"]] == ["observe.alerts"]


def test_a_result_compared_with_itself_has_no_change():
    data = json.loads(json.dumps(AFTER))
    same = compare_data(data, AFTER)
    assert same["counts"] == {"resolved": 0, "new": 0, "unchanged": 2, "answers": 0, "notes": 0,
                              "up": 0, "down": 0}


@pytest.mark.parametrize(("before", "after", "expected"), [
    (None, None, (None, "none")), (10, 10.04, (0.0, "same")), (True, 5, (None, "new")),
    (33.3, 33.2, (-0.1, "down")), (33.3, 33.26, (0.0, "same")),
])
def test_delta_edges(before, after, expected):
    result = delta(before, after)
    assert (result["change"], result["direction"]) == expected


def test_engine_results_compare_answer_by_answer(shipped):
    """Two real evaluations that differ in one answer: that answer, and only it, is listed."""
    from webapp import domain
    answers = domain.load_answers(EXAMPLE, shipped)
    first = domain.evaluate_result(shipped, answers)
    answers.answers["observe.structured-logs"] = domain.Answer.choice("none")
    second = domain.evaluate_result(shipped, answers)
    result = compare_results(first, second)
    assert [r["question"] for r in result["answers"]] == ["observe.structured-logs"]
    assert result["layers"][0]["direction"] == "down"
