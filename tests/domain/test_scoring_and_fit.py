"""Scores, coverage and the fit verdict."""

from __future__ import annotations

import pytest

from webapp.domain import Answer, evaluate

from .helpers import answers_of

ALL_BEST_WF = {
    "idempotency.rerun-safe": "yes",
    "idempotency.keys": "yes",
    "retries.automatic": "backoff",
    "retries.terminal": "yes",
    "timeouts.calls": "all",
    "timeouts.run": "yes",
}


def layer(result, layer_id):
    return next(g for g in result.layers if g.id == layer_id)


def pattern(result, wf, pattern_id):
    return next(g for g in result.workflows[wf].patterns if g.id == pattern_id)


def test_multi_question_sums_selected_scores(content) -> None:
    result = evaluate(content, answers_of({"observe.logs": ["app"]}))
    assert layer(result, "observe").score == 50.0
    result = evaluate(content, answers_of({"observe.logs": ["app", "audit"]}))
    assert layer(result, "observe").score == 100.0


def test_layer_score_is_the_weighted_mean_of_answered_questions(content) -> None:
    result = evaluate(
        content, answers_of({"observe.alerts": "causes", "observe.logs": ["app", "audit"]})
    )
    assert layer(result, "observe").score == 70.0
    assert (layer(result, "observe").answered, layer(result, "observe").total) == (2, 2)


def test_na_is_excluded_from_scores_but_counts_in_coverage(content) -> None:
    result = evaluate(
        content,
        answers_of(
            {"contain.bulkheads": Answer.not_applicable("one dependency"), "observe.alerts": "none"}
        ),
    )
    assert layer(result, "contain").score is None
    assert result.system_score == 0.0
    assert (result.coverage.answered, result.coverage.not_applicable) == (1, 1)


def test_unanswered_group_scores_null_not_100(content) -> None:
    result = evaluate(content, answers_of({}, {}))
    assert [g.score for g in result.layers] == [None, None]
    assert all(g.score is None for g in result.workflows[0].patterns)
    assert result.answered_overall is None
    assert result.overall == 0.0  # the headline: nothing answered proves nothing
    assert result.coverage.percent == 0.0


def test_unanswered_questions_do_not_lift_a_group(content) -> None:
    result = evaluate(content, answers_of({}, {"timeouts.calls": "none"}))
    assert pattern(result, 0, "timeouts").score == 0.0


def test_coverage_counts_every_workflow_question(content) -> None:
    result = evaluate(content, answers_of({"observe.alerts": "none"}, {"timeouts.run": "no"}, {}))
    system_total, workflow_total = 6, 8
    assert result.coverage.total == system_total + 2 * workflow_total
    assert result.coverage.answered == 2
    assert result.coverage.percent == round(100 * 2 / 22, 1)


def test_overall_is_the_mean_of_system_and_workflows(content) -> None:
    result = evaluate(
        content, answers_of({"observe.alerts": "symptoms"}, {"timeouts.calls": "none"})
    )
    assert (result.system_score, result.workflows_score, result.answered_overall) == (
        100.0,
        0.0,
        50.0,
    )


def test_the_headline_counts_unanswered_questions_as_unproven(content) -> None:
    result = evaluate(
        content, answers_of({"observe.alerts": "symptoms"}, {"timeouts.calls": "none"})
    )
    assert result.overall == 12.5 < result.answered_overall


def test_profile_raises_the_weight_of_raised_patterns(content) -> None:
    flows = {"idempotency.rerun-safe": "no", "timeouts.calls": "all"}
    plain = evaluate(content, answers_of({}, flows))
    raised = evaluate(content, answers_of({"fit.high-volume": "yes"}, flows))
    assert plain.workflows[0].score == 50.0
    assert raised.workflows[0].score == 40.0  # idempotency weighs 1.5 once volume is high


def test_critical_workflows_weigh_more_in_the_overall_score(content) -> None:
    critical_bad = dict(
        ALL_BEST_WF,
        **{"workflow.criticality": "critical", "timeouts.calls": "none", "timeouts.run": "no"},
    )
    low_good = dict(ALL_BEST_WF, **{"workflow.criticality": "low"})
    result = evaluate(content, answers_of({}, critical_bad, low_good))
    bad, good = result.workflows[0].score, result.workflows[1].score
    assert result.workflows_score == round((bad * 1.6 + good * 0.8) / 2.4, 1)


@pytest.mark.parametrize(
    ("fit", "verdict"),
    [
        ({"fit.high-volume": "yes", "fit.customer-facing": "yes", "fit.prototype": "no"}, "strong"),
        ({"fit.high-volume": "yes", "fit.customer-facing": "no", "fit.prototype": "no"}, "partial"),
        ({"fit.high-volume": "no", "fit.customer-facing": "no", "fit.prototype": "no"}, "poor"),
        ({"fit.high-volume": "yes", "fit.customer-facing": "no", "fit.prototype": "yes"}, "poor"),
        (
            {"fit.high-volume": "yes", "fit.customer-facing": "yes", "fit.prototype": "yes"},
            "partial",
        ),
    ],
)
def test_fit_verdict_follows_the_thresholds(content, fit, verdict) -> None:
    assert evaluate(content, answers_of(fit)).fit.verdict == verdict


def test_fit_reasons_and_profile(content) -> None:
    fit = evaluate(content, answers_of({"fit.high-volume": "yes", "fit.prototype": "yes"})).fit
    assert fit.reasons == (
        "It handles a high volume of transactions.",
        "It is a prototype.",
        "1 fit question unanswered; the verdict may change once it is answered.",
    )
    assert fit.flags == {"high-volume", "prototype"}
    assert fit.factor(patterns=["retries"]) == 1.5 and fit.factor(layers=["observe"]) == 1.0


def test_no_fit_answer_gives_no_verdict_rather_than_a_poor_one(content) -> None:
    fit = evaluate(content, answers_of({})).fit
    assert fit.verdict == "undecided"
    assert fit.title == "Fit not assessed yet"
    assert fit.flags == frozenset()
    assert not any("None of the criteria" in reason for reason in fit.reasons)


def test_the_unanswered_fit_questions_are_counted_in_the_plural(content) -> None:
    reasons = evaluate(content, answers_of({"fit.high-volume": "yes"})).fit.reasons
    assert reasons[-1] == ("2 fit questions unanswered; the verdict may change once they are "
                           "answered.")
