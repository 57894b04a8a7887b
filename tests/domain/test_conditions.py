"""The condition tree: every node type, unanswered is false, referenced questions recorded."""

from __future__ import annotations

import pytest

from webapp.domain import Answer
from webapp.domain.conditions import Compiler

A = Answer.choice


def compile_(content, raw, workflow=True):
    compiler = Compiler(content.index(), workflow_scope=workflow)
    condition = compiler.compile(raw, ("when",))
    return condition, compiler.problems


CASES = [
    ({"q": "retries.automatic", "is": "immediate"}, {"retries.automatic": A("immediate")}, True),
    ({"q": "retries.automatic", "is": "immediate"}, {"retries.automatic": A("backoff")}, False),
    ({"q": "retries.automatic", "is": "immediate"}, {}, False),
    ({"q": "observe.logs", "is": "audit"}, {"observe.logs": Answer.of(["app", "audit"])}, True),
    ({"q": "observe.logs", "in": ["audit", "none"]}, {"observe.logs": Answer.of(["app"])}, False),
    ({"q": "timeouts.calls", "in": ["some", "none"]}, {"timeouts.calls": A("none")}, True),
    (
        {"q": "contain.bulkheads", "answered": True},
        {"contain.bulkheads": Answer.not_applicable("x")},
        False,
    ),
    ({"q": "contain.bulkheads", "answered": False}, {}, True),
    (
        {"q": "contain.bulkheads", "na": True},
        {"contain.bulkheads": Answer.not_applicable("x")},
        True,
    ),
    (
        {"q": "contain.bulkheads", "score": {"lt": 100}},
        {"contain.bulkheads": Answer.not_applicable("x")},
        False,
    ),
    ({"q": "contain.bulkheads", "score": {"lt": 100}}, {}, False),
    ({"q": "contain.bulkheads", "score": {"lt": 100}}, {"contain.bulkheads": A("partly")}, True),
    (
        {"q": "observe.logs", "score": {"gte": 100}},
        {"observe.logs": Answer.of(["app", "audit"])},
        True,
    ),
    ({"q": "observe.logs", "score": {"eq": 50}}, {"observe.logs": Answer.of(["audit"])}, True),
    ({"not": {"q": "retries.automatic", "is": "immediate"}}, {}, True),
    (
        {"all": [{"q": "timeouts.run", "is": "no"}, {"q": "timeouts.calls", "is": "all"}]},
        {"timeouts.run": A("no"), "timeouts.calls": A("all")},
        True,
    ),
    (
        {"all": [{"q": "timeouts.run", "is": "no"}, {"q": "timeouts.calls", "is": "all"}]},
        {"timeouts.run": A("no")},
        False,
    ),
    (
        {"any": [{"q": "timeouts.run", "is": "no"}, {"q": "timeouts.calls", "is": "all"}]},
        {"timeouts.calls": A("all")},
        True,
    ),
]


@pytest.mark.parametrize(
    ("raw", "answers", "expected"), CASES, ids=[str(i) for i in range(len(CASES))]
)
def test_condition_evaluates_against_answers(content, raw, answers, expected) -> None:
    condition, problems = compile_(content, raw)
    assert problems == []
    assert condition(answers, frozenset()) is expected


def test_fit_flag_tests_the_profile(content) -> None:
    condition, _ = compile_(content, {"fit": "high-volume"})
    assert condition({}, frozenset({"high-volume"})) and not condition({}, frozenset())
    assert condition.flags == ("high-volume",)


def test_referenced_questions_come_in_questionnaire_order(content) -> None:
    raw = {
        "any": [
            {"q": "timeouts.run", "is": "no"},
            {"not": {"q": "observe.alerts", "is": "none"}},
            {"q": "timeouts.run", "answered": False},
        ]
    }
    condition, _ = compile_(content, raw)
    assert condition.questions == ("observe.alerts", "timeouts.run")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"q": "nope", "is": "x"}, "unknown question id 'nope'"),
        ({"q": "timeouts.run", "is": "maybe"}, "'timeouts.run' has no choice 'maybe'"),
        ({"q": "timeouts.run"}, "a question test needs exactly one of is, in, answered, na, score"),
        (
            {"q": "timeouts.run", "is": "no", "in": ["yes"]},
            "exactly one of is, in, answered, na, score",
        ),
        ({"all": []}, "'all' needs a non-empty list of conditions"),
        (
            {"all": [{"q": "timeouts.run", "is": "no"}], "any": []},
            "exactly one of all, any, not, q, fit",
        ),
        ({"fit": "regulated"}, "unknown fit flag 'regulated'"),
        (
            {"q": "workflow.trigger", "score": {"lt": 5}},
            "'workflow.trigger' has no score to compare",
        ),
        (
            {"q": "timeouts.run", "score": {"below": 5}},
            "'score' needs exactly one of lt, lte, gt, gte, eq",
        ),
        ({"q": "timeouts.run", "na": True}, "'timeouts.run' does not allow not applicable"),
        ("timeouts.run == 'no'", "a condition must be a mapping"),
    ],
)
def test_invalid_conditions_are_refused_with_a_reason(content, raw, message) -> None:
    _, problems = compile_(content, raw)
    assert any(message in m for _, m in problems), problems


def test_system_scope_cannot_test_workflow_questions(content) -> None:
    _, problems = compile_(content, {"q": "timeouts.run", "is": "no"}, workflow=False)
    assert problems == [
        (
            ("when", "q"),
            "'timeouts.run' is asked per workflow; a system-scope "
            "condition can only test fit and layer questions",
        )
    ]


def test_because_names_only_the_answers_that_decided(content) -> None:
    raw = {
        "all": [
            {"q": "retries.automatic", "in": ["immediate", "backoff"]},
            {"any": [{"q": "timeouts.run", "is": "no"}, {"q": "timeouts.calls", "is": "none"}]},
            {"not": {"q": "idempotency.rerun-safe", "is": "yes"}},
            {"fit": "high-volume"},
        ]
    }
    condition, _ = compile_(content, raw)
    answers = {
        "retries.automatic": A("immediate"),
        "timeouts.calls": A("none"),
        "timeouts.run": A("yes"),
    }
    assert condition(answers, frozenset({"high-volume"}))
    assert condition.because(answers, frozenset({"high-volume"})) == (
        "fit.high-volume",
        "idempotency.rerun-safe",
        "retries.automatic",
        "timeouts.calls",
    )


def test_because_without_any_is_every_referenced_question(content) -> None:
    condition, _ = compile_(
        content, {"all": [{"q": "timeouts.run", "is": "no"}, {"q": "observe.alerts", "is": "none"}]}
    )
    assert condition.fixed == ("observe.alerts", "timeouts.run")
