"""Scenario outcomes, findings, priorities and the plan."""

from __future__ import annotations

from webapp.domain import evaluate

from .helpers import answers_of


def scenario(result, wf, scenario_id):
    return next(s for s in result.workflows[wf].scenarios if s.scenario.id == scenario_id)


def test_first_matching_outcome_wins_and_records_because(content) -> None:
    result = evaluate(
        content, answers_of({}, {"timeouts.calls": "none", "retries.automatic": "immediate"})
    )
    slow = scenario(result, 0, "slow-dependency")
    assert (slow.outcome.id, slow.status, slow.because) == ("stuck", "unsafe", ("timeouts.calls",))


def test_safe_outcome_needs_every_question_it_tests_answered(content) -> None:
    half = evaluate(content, answers_of({}, {"idempotency.keys": "yes"}))
    full = evaluate(
        content, answers_of({}, {"idempotency.keys": "yes", "idempotency.rerun-safe": "yes"})
    )
    assert scenario(half, 0, "duplicate-request").status == "unknown"
    assert scenario(full, 0, "duplicate-request").outcome.id == "ignored"
    # `any`: only the branch that held decided it
    assert scenario(full, 0, "duplicate-request").because == ("idempotency.rerun-safe",)


def test_no_matching_outcome_is_unknown_naming_the_missing_answers(content) -> None:
    result = evaluate(content, answers_of({}, {"retries.automatic": "backoff"}))
    slow = scenario(result, 0, "slow-dependency")
    assert (slow.outcome.id, slow.status) == ("unknown", "unknown")
    assert slow.because == ("timeouts.calls",)


def test_system_rules_fire_once_and_workflow_rules_per_workflow(content) -> None:
    flow = {"retries.automatic": "immediate"}
    result = evaluate(content, answers_of({"observe.alerts": "none"}, flow, flow, {}))
    keys = [(f.rule.id, f.workflow) for f in result.findings]
    assert keys.count(("observe.no-symptom-alerts", None)) == 1
    assert [w for r, w in keys if r == "retries.immediate"] == ["wf-1", "wf-2"]


def test_priority_is_severity_times_exposure_and_effort_does_not_divide_it(content) -> None:
    result = evaluate(
        content,
        answers_of(
            {"fit.high-volume": "yes"},
            {"retries.automatic": "immediate", "workflow.criticality": "critical"},
        ),
    )
    finding = next(f for f in result.findings if f.rule.id == "retries.immediate")
    assert finding.exposure == 2.4
    assert finding.priority == round(2 * 1.5 * 1.6, 2)
    assert finding.bucket == "next" and finding.quick_win


def test_large_effort_does_not_push_a_high_risk_later_and_is_not_a_quick_win(content) -> None:
    result = evaluate(content, answers_of({"contain.bulkheads": "no"}))
    finding = result.findings[0]
    assert (finding.rule.id, finding.priority, finding.bucket, finding.quick_win) == (
        "contain.no-bulkheads",
        4.0,
        "next",
        False,
    )


def test_prerequisites_come_first_in_the_plan(content) -> None:
    result = evaluate(
        content, answers_of({}, {"retries.automatic": "immediate", "idempotency.rerun-safe": "no"})
    )
    order = [p.finding.rule.id for p in result.plan]
    assert order.index("idempotency.not-rerun-safe") < order.index("retries.without-idempotency")
    step = next(p for p in result.plan if p.finding.rule.id == "retries.without-idempotency")
    assert step.after == (("idempotency.not-rerun-safe", 0),)
    assert [p.step for p in result.plan] == list(range(1, len(result.plan) + 1))


def test_prerequisite_is_promoted_to_its_dependants_bucket(content) -> None:
    high = {
        "retries.automatic": "immediate",
        "idempotency.rerun-safe": "no",
        "workflow.criticality": "high",
    }
    result = evaluate(content, answers_of({}, high))
    found = {f.rule.id: f for f in result.findings}
    assert found["idempotency.not-rerun-safe"].priority == 5.2  # alone it would be "next"
    assert found["retries.without-idempotency"].bucket == "now"
    assert found["idempotency.not-rerun-safe"].bucket == "now"


def test_ties_are_broken_by_rule_id_then_workflow_order(content) -> None:
    flow = {"retries.automatic": "immediate", "timeouts.run": "no"}
    result = evaluate(content, answers_of({}, flow, flow))
    keys = [(f.rule.id, f.workflow) for f in result.findings]
    assert keys == [
        ("timeouts.missing", "wf-1"),
        ("timeouts.missing", "wf-2"),
        ("retries.immediate", "wf-1"),
        ("retries.immediate", "wf-2"),
    ]
