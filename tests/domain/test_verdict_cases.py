"""The cases the expert audit reproduced, each pinned on the shipped content."""

from __future__ import annotations

import pytest

from webapp.domain import Answer, Answers, SystemInfo, WorkflowAnswers, evaluate, load_answers
from webapp.domain.plan import NOW_LIMIT

from .conftest import REPO

SAFE_FLOW = {
    "workflow.trigger": ["api-call"],
    "workflow.side-effects": ["external-state"],
    "workflow.external-systems": "one",
    "idempotency.rerun-safe": "yes",
    "retries.automatic": "yes-backoff",
    "error-handling.terminal": "fails-loudly",
}


def _conv(raw: dict) -> dict[str, Answer]:
    return {
        q: v if isinstance(v, Answer) else Answer.of(v) if isinstance(v, list) else Answer.choice(v)
        for q, v in raw.items()
    }


def review(
    shipped,
    system: dict | None = None,
    *flows: dict,
    full_review: bool = False,
    version: int | None = None,
):
    q = shipped.questionnaire(version=version)
    workflows = [WorkflowAnswers(f"wf-{i + 1}", _conv(f)) for i, f in enumerate(flows)]
    answers = Answers(
        q.id, q.version, SystemInfo("Test"), _conv(system or {}), {}, workflows, full_review
    )
    return evaluate(shipped, answers)


def scenario(result, scenario_id: str, position: int = 0):
    return next(s for s in result.workflows[position].scenarios if s.scenario.id == scenario_id)


def fired(result, rule_id: str) -> bool:
    return any(f.rule.id == rule_id for f in result.findings)


def test_resume_from_checkpoint_is_not_safe_when_the_step_in_flight_repeats(shipped) -> None:
    flow = {
        "state-management.resume": "checkpoint",
        "state-management.progress-store": "durable",
        "idempotency.rerun-safe": "no",
    }
    result = scenario(review(shipped, {}, flow, version=1), "worker-crash")
    assert (result.status, result.outcome.id) == ("unsafe", "duplicate-side-effects")
    # version 2 asks where the progress is kept within the resume question
    flow = {"state-management.resume": "checkpoint", "idempotency.rerun-safe": "no"}
    result = scenario(review(shipped, {}, flow), "worker-crash")
    assert (result.status, result.outcome.id) == ("unsafe", "duplicate-side-effects")


def test_a_workflow_that_does_not_retry_has_no_retry_storm(shipped) -> None:
    flow = {
        "retries.automatic": "no",
        "error-handling.terminal": "fails-loudly",
        "error-handling.classification": "retry-everything",
        "retries.bounded": "unbounded",
    }
    merged = {"retries.automatic": "no", "error-handling.terminal": "retried-forever"}
    for scenario_id in ("bad-input", "terminal-error", "partial-failure"):
        assert scenario(review(shipped, {}, flow, version=1), scenario_id).outcome.id \
            != "retry-storm"
        assert scenario(review(shipped, {}, merged), scenario_id).outcome.id != "retry-storm"


def test_a_read_only_workflow_does_not_corrupt_data_on_bad_input(shipped) -> None:
    flow = {
        "workflow.side-effects": ["read-only"],
        "fail-fast.gate": "none",
        "error-handling.terminal": "fails-loudly",
        "retries.automatic": "no",
    }
    result = scenario(review(shipped, {}, flow), "bad-input")
    assert (result.status, result.outcome.id) == ("safe", "rejected-with-reason")


def test_a_webhook_moving_money_without_a_dedup_key_is_never_duplicate_ignored(shipped) -> None:
    flow = {
        "workflow.trigger": ["event-webhook"],
        "workflow.side-effects": ["payments"],
        "idempotency.dedup-keys": "none",
        "idempotency.rerun-safe": "yes",
        "idempotency.create-existing": "upsert",
        "work-avoidance.skip-done": "per-item",
    }
    result = review(shipped, {}, flow, version=1)
    assert scenario(result, "duplicate-request").status == "unsafe"
    assert fired(result, "idempotency.payments-without-keys")
    # version 2: no dedup key is an answer of its own to the rerun question
    merged = {**{k: v for k, v in flow.items() if k.startswith("workflow.")},
              "idempotency.rerun-safe": "no", "work-avoidance.skip": "per-item"}
    result = review(shipped, {}, merged)
    assert scenario(result, "duplicate-request").status == "unsafe"
    assert fired(result, "idempotency.payments-without-keys")


def test_no_safe_outcome_says_it_lacks_a_clear_reason(shipped) -> None:
    safe = {o.id for o in shipped.outcomes.values() if o.status == "safe"}
    texts = [o.explain for s in shipped.scenarios for o in s.outcomes if o.outcome in safe]
    assert not [t for t in texts if "without a clear" in t]


def test_dependency_scenarios_do_not_apply_without_an_external_system(shipped) -> None:
    result = review(shipped, {}, {"workflow.external-systems": "none"})
    for scenario_id in ("service-unavailable", "slow-dependency", "rate-limited"):
        assert scenario(result, scenario_id).status == "not-applicable"
    assert scenario(review(shipped, {}, {}), "service-unavailable").status == "unknown"


def test_na_on_the_dedup_key_is_refused_for_a_workflow_that_moves_money(shipped) -> None:
    flow = {
        "workflow.side-effects": ["payments"],
        "idempotency.dedup-keys": Answer.not_applicable("we never see repeats"),
    }
    result = review(shipped, {}, flow, version=1)
    assert [(r.question, r.workflow) for r in result.refused_na] == [
        ("idempotency.dedup-keys", "wf-1")
    ]
    assert "moves money" in result.refused_na[0].reason
    assert fired(result, "idempotency.payments-without-keys") or any(
        o.rule.id == "idempotency.payments-without-keys" for o in result.open_risks
    )
    allowed = review(shipped, {}, {**flow, "workflow.side-effects": ["read-only"]}, version=1)
    assert allowed.refused_na == ()


def test_contain_at_zero_makes_a_request_path_unsafe_and_holds_the_headline(shipped) -> None:
    contain = {
        "contain.circuit-breakers": "none",
        "contain.isolation": "shared",
        "contain.load-shedding": "nothing",
        "contain.fallbacks": "none",
    }
    result = review(shipped, contain, SAFE_FLOW)
    assert scenario(result, "cascading-failure").status == "unsafe"
    # the other layers are unanswered, which counts as 0 for the cap too
    assert "contain" in result.weak_layers
    assert result.overall <= 50.0
    assert result.layer_risks["contain"]["critical"] >= 1


def test_a_bad_deploy_reads_evolve_and_respond(shipped) -> None:
    system = {"evolve.staged-rollouts": "direct", "evolve.rollback": "none"}
    assert scenario(review(shipped, system, SAFE_FLOW), "bad-deploy").status == "unsafe"
    system = {
        "evolve.staged-rollouts": "canary-automated",
        "evolve.rollback": "instant",
        "observe.symptom-alerts": "symptoms",
    }
    assert scenario(review(shipped, system, SAFE_FLOW), "bad-deploy").status == "safe"


def test_opposite_retry_findings_never_fire_together(shipped) -> None:
    flow = {
        "retries.automatic": "no",
        "idempotency.rerun-safe": "no",
        "workflow.volume": "continuous",
    }
    result = review(shipped, {}, flow)
    assert fired(result, "idempotency.rerun-unsafe")
    assert not fired(result, "retries.manual-only-at-volume")


@pytest.mark.parametrize(
    ("flow", "rule"),
    [
        (
            {"retries.automatic": "no", "retries.bounded": "unbounded"},
            "retries.contradictory-answers",
        ),
        (
            {"idempotency.rerun-safe": "yes", "idempotency.create-existing": "creates-blindly"},
            "idempotency.contradictory-answers",
        ),
        (
            {"state-management.resume": "checkpoint", "state-management.progress-store": "none"},
            "state-management.contradictory-answers",
        ),
    ],
)
def test_contradictory_answers_are_a_finding_of_their_own(shipped, flow, rule) -> None:
    # version 2 asks each of these in one question, so they cannot contradict each other there
    assert fired(review(shipped, {}, flow, version=1), rule)


def test_version_2_does_not_ask_about_bounds_when_nothing_retries(shipped) -> None:
    """The retries contradiction belongs to version 1: version 2 hides the bounds question."""
    assert "retries.bounded" not in shipped.index().questions
    result = review(shipped, {}, {"retries.automatic": "no"})
    assert result.questionnaire.version == 2
    assert not fired(result, "retries.contradictory-answers")
    assert not fired(result, "retries.unbounded")


def test_retrying_an_unsafe_step_scores_below_not_retrying(shipped) -> None:
    def retries(choice: str) -> float:
        result = review(shipped, {}, {"retries.automatic": choice, "idempotency.rerun-safe": "no"})
        return next(p.score for p in result.workflows[0].patterns if p.id == "retries")

    assert retries("yes-backoff") < retries("no")


def test_blanks_count_as_unproven_in_the_headline(shipped) -> None:
    answers = load_answers(REPO / "examples" / "internal-release-tooling.yaml", shipped)
    before = evaluate(shipped, answers)
    index = shipped.index(answers.questionnaire, answers.version)
    for holder in [answers.answers, *(w.answers for w in answers.workflows)]:
        for qid in [q for q, a in holder.items() if index.questions[q].scored]:
            if (index.questions[qid].score_of(holder[qid].selected) or 0) < 50:
                del holder[qid]
    after = evaluate(shipped, answers)
    assert after.overall < before.overall  # blanking the weak answers never lifts the headline
    assert after.answered_overall > before.answered_overall  # the answered-only score shows it
    assert after.open_risks  # and the blanks are named as open risks


def test_the_payments_plan_reads_in_the_order_an_expert_works(shipped) -> None:
    answers = load_answers(REPO / "examples" / "payments-platform.yaml", shipped)
    result = evaluate(shipped, answers)
    now = [p for p in result.plan if p.finding.bucket == "now"]
    assert 0 < len(now) <= NOW_LIMIT
    assert now[0].finding.rule.severity == "critical"
    severities = [p.finding.rule.severity for p in now]
    assert severities == sorted(severities, key=("critical", "high", "medium", "low").index)
    assert len(result.plan) < len(result.findings)  # shared root causes are one action
    grouped = next(p for p in result.plan if p.consequences)
    assert all(c.bucket == grouped.finding.bucket for c in grouped.consequences)


def test_large_effort_never_pushes_a_critical_risk_out_of_now(shipped) -> None:
    contain = {
        "contain.circuit-breakers": "none",
        "contain.isolation": "shared",
        "contain.fallbacks": "none",
    }
    result = review(shipped, contain)
    cascade = next(f for f in result.findings if f.rule.id == "contain.cascading-failure")
    assert (cascade.rule.effort, cascade.bucket) == ("L", "now")


FIT_POOR = {
    "fit.high-volume": "low",
    "fit.customer-facing": "no",
    "fit.multi-team": "no",
    "fit.regulated": "no",
    "fit.single-developer": "one",
    "fit.small-internal": "yes",
    "fit.prototype": "established",
    "fit.no-integrations": "few",
}


def test_fit_needs_six_answers_and_meeting_no_criterion_is_neutral(shipped) -> None:
    five = dict(list(FIT_POOR.items())[:5])
    assert review(shipped, five).fit.verdict == "undecided"
    neutral = {**FIT_POOR, "fit.single-developer": "small-team", "fit.small-internal": "no"}
    assert review(shipped, neutral).fit.verdict == "neutral"
    assert review(shipped, FIT_POOR).fit.verdict == "poor"


def test_a_poor_fit_gets_the_minimum_checklist_unless_it_chooses_the_full_review(shipped) -> None:
    poor = review(shipped, FIT_POOR, {})
    assert poor.checklist == "minimum"
    index = shipped.index()
    minimum = [q for q, i in index.questions.items() if i.question.minimum]
    assert 8 <= len(minimum) <= 12
    assert {"repeat.restore-tests", "verification.tested", "evolve.rollback"} <= set(minimum)
    scored_minimum = sum(1 for q in minimum if index.questions[q].scored)
    assert poor.coverage.total == scored_minimum + len(index.questions) - sum(
        1 for i in index.questions.values() if i.scored
    )
    full = review(shipped, FIT_POOR, {}, full_review=True)
    assert full.checklist == "full" and full.coverage.total > poor.coverage.total


def test_a_poor_fit_is_told_only_what_its_minimum_checklist_decides(shipped) -> None:
    weak = {"respond.postmortems": "none", "contain.automation-boundary": "none"}
    flow = {"verification.tested": "none"}
    poor = review(shipped, {**FIT_POOR, **weak}, flow)
    rules = {f.rule.id for f in poor.findings}
    assert "verification.silent-when-stopped" in rules
    assert not rules & {"respond.no-blameless-postmortems", "contain.no-automation-boundary"}
    full = review(shipped, {**FIT_POOR, **weak}, flow, full_review=True)
    assert "respond.no-blameless-postmortems" in {f.rule.id for f in full.findings}


def test_not_for_criteria_lower_exposure(shipped) -> None:
    system = {"respond.runbooks": "none"}
    plain = review(shipped, system)
    lowered = review(shipped, {**system, "fit.single-developer": "one"})
    before, after = (
        next(f for f in r.findings if f.rule.id == "respond.no-runbooks").exposure
        for r in (plain, lowered)
    )
    assert after < before


def test_on_the_minimum_checklist_an_answer_outside_it_neither_counts_nor_flatters(
    shipped,
) -> None:
    """Hypothesis found it (seed 4): on the minimum checklist, answers outside it still counted
    in the scores, so blanking a low one ("coordinated" backward compatibility) lifted the
    headline of a poor fit from 38.8 to 39.0. Only the checklist's questions count now."""
    system = {
        **FIT_POOR,
        "evolve.rollback": "rebuild",
        "evolve.staged-rollouts": "all-at-once",
        "evolve.backward-compatibility": "coordinated",
    }
    index = shipped.index()
    assert not index.questions["evolve.backward-compatibility"].question.minimum
    with_it = review(shipped, system, {"idempotency.rerun-safe": "yes"})
    without = review(
        shipped,
        {q: a for q, a in system.items() if q != "evolve.backward-compatibility"},
        {"idempotency.rerun-safe": "yes"},
    )
    assert with_it.checklist == without.checklist == "minimum"
    assert (with_it.overall, with_it.answered_overall, with_it.layers) == (
        without.overall,
        without.answered_overall,
        without.layers,
    )
    evolve = next(g for g in with_it.layers if g.id == "evolve")
    assert evolve.answered == 1  # the rollback, the one Evolve question on the checklist


def test_on_the_minimum_checklist_a_dont_know_keeps_the_risk_open(shipped) -> None:
    """Hypothesis found it (seed 7): on the minimum checklist a finding is reported when any of
    its questions is on the checklist, but its open risk only when every open question was, so
    "We don't know" on a question outside the checklist silenced a high finding."""
    flow = {
        "error-handling.terminal": "unsure",
        "error-handling.ignored-errors": "many",
        "error-handling.partial-batch": "per-item",
    }
    rule = "error-handling.failure-reported-as-success"
    known = review(shipped, FIT_POOR, flow, version=1)
    assert known.checklist == "minimum" and fired(known, rule)
    unsure = review(shipped, FIT_POOR, {**flow, "error-handling.ignored-errors": "unsure"},
                    version=1)
    assert not fired(unsure, rule)
    assert any(o.rule.id == rule for o in unsure.open_risks)


def test_a_conditional_score_reads_an_open_question_at_its_worst(shipped) -> None:
    """Hypothesis found it (seed 11): backoff scores 20 when retries are unbounded or "We don't
    know", but a blank bound read as bounded, so blanking "We don't know" lifted the score."""
    flow = {"idempotency.rerun-safe": "yes", "retries.automatic": "yes-backoff"}
    scores = {
        bound: review(shipped, {}, {**flow, "retries.bounded": bound} if bound else flow,
                      version=1)
        .workflows[0]
        .headline
        for bound in ("bounded-escalates", "unsure", None)
    }
    assert scores[None] == scores["unsure"] < scores["bounded-escalates"]
