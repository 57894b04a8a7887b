"""The content that ships with Faultline: every rule's examples, and properties of the whole.

If these fail, the content (questionnaires/, rules/) needs fixing; the message names the rule.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.domain import (
    Answers,
    SystemInfo,
    WorkflowAnswers,
    evaluate,
    evaluate_result,
    load_answers,
    load_content,
    result_to_json,
)
from webapp.domain.checks import rule_fires
from webapp.domain.extremes import best_choice, worst_choice
from webapp.domain.lint import states
from webapp.domain.scenarios import responded

from .conftest import REPO

# Invalid shipped content stops collection here with the loader's message, which names the
# file, the place and the problem.
SHIPPED = load_content(REPO)


def _examples() -> list:
    """Every example of every condition a rule has had (a revised rule's original condition is
    run on version 1, where it still decides)."""
    return [
        pytest.param(rule.id, j, kind, k, kind == "fires",
                     id=f"{rule.id}-v{sets.home[1]}-{kind}-{k}")
        for rule in SHIPPED.rules
        for j, sets in enumerate(SHIPPED.example_sets[rule.id])
        for kind in ("fires", "quiet")
        for k in range(len(sets.fires if kind == "fires" else sets.quiet))
    ]


@pytest.mark.parametrize(("rule_id", "j", "kind", "k", "fires"), _examples())
def test_rule_example(shipped, rule_id, j, kind, k, fires) -> None:
    sets = shipped.example_sets[rule_id][j]
    examples = sets.fires if kind == "fires" else sets.quiet
    assert rule_fires(shipped, rule_id, examples[k], sets.home) is fires, (
        f"{shipped.files[rule_id]}: rule '{rule_id}' should "
        f"{'fire' if fires else 'stay quiet'} on version {sets.home[1]}'s examples.{kind}[{k}]"
    )


def test_shipped_content_is_large_enough(shipped) -> None:
    assert len(shipped.rules) >= 60
    assert len(shipped.scenarios) >= 8


PROPS = settings(max_examples=40, deadline=None)


def _unscored(index, workflow: bool) -> list[str]:
    return [
        q for q, i in index.questions.items() if not i.question.scored and i.workflow == workflow
    ]


@st.composite
def answer_sets(draw, index, qids):
    return {
        q: a for q in qids if (a := draw(st.sampled_from(states(index.questions[q])))) is not None
    }


@st.composite
def assessments(draw, content, pick=None):
    """Random answers; with `pick`, every scored question takes pick(info) and only fit and
    description questions vary."""
    index = content.index()

    def part(workflow: bool) -> dict:
        free = draw(
            answer_sets(
                index,
                _unscored(index, workflow)
                if pick
                else index.workflow_ids
                if workflow
                else index.system_ids,
            )
        )
        fixed = {
            q: pick(i)
            for q, i in index.questions.items()
            if pick and i.question.scored and i.workflow == workflow
        }
        return free | fixed

    flows = [
        WorkflowAnswers(f"wf-{n}", part(True))
        for n in range(draw(st.integers(0 if not pick else 1, 3)))
    ]
    q = index.questionnaire
    return Answers(q.id, q.version, SystemInfo("Property"), part(False), {}, flows)


@PROPS
@given(answers=assessments(SHIPPED) if SHIPPED else st.nothing())
def test_scores_stay_within_0_and_100(answers) -> None:
    shipped = SHIPPED
    result = evaluate(shipped, answers)
    scores = [
        result.overall,
        result.system_score,
        result.workflows_score,
        *(g.score for g in result.layers),
    ]
    scores += [s for w in result.workflows for s in (w.score, *(g.score for g in w.patterns))]
    assert all(s is None or 0 <= s <= 100 for s in scores)
    assert 0 <= result.coverage.percent <= 100


@PROPS
@given(answers=assessments(SHIPPED, best_choice) if SHIPPED else st.nothing())
def test_best_choice_everywhere_scores_90_and_nothing_high(answers) -> None:
    shipped = SHIPPED
    result = evaluate(shipped, answers)
    assert result.overall >= 90
    serious = [
        (f.rule.id, f.workflow) for f in result.findings if f.rule.severity in ("critical", "high")
    ]
    assert serious == []


@PROPS
@given(answers=assessments(SHIPPED, worst_choice) if SHIPPED else st.nothing())
def test_worst_choice_everywhere_hits_every_layer_and_pattern(answers) -> None:
    shipped = SHIPPED
    # the full review: a poor fit is otherwise told only what its minimum checklist decides
    answers.full_review = True
    result = evaluate(shipped, answers)
    hit = {f.rule.area for f in result.findings}
    q = shipped.questionnaire()
    assert {x.id for x in q.layers} - hit == set()
    # every pattern some workflow is asked about: relevance may hide a whole pattern (rate
    # limiting for a workflow that calls nothing outside), a poor fit asks the minimum checklist
    asked = {p.id for w in result.workflows for p in w.patterns if p.total}
    assert asked - hit == set()


@PROPS
@given(answers=assessments(SHIPPED) if SHIPPED else st.nothing())
def test_unanswered_never_reads_as_safe(answers) -> None:
    shipped = SHIPPED
    result = evaluate(shipped, answers)
    for flow in result.workflows:
        merged = {**answers.answers, **flow.answers}
        for s in (s for s in flow.scenarios if s.status == "safe"):
            assert all(responded(merged.get(q)) for q in s.because), (flow.name, s.scenario.id)


@PROPS
@given(answers=assessments(SHIPPED) if SHIPPED else st.nothing())
def test_output_is_deterministic_whatever_the_order_of_answers(answers) -> None:
    shipped = SHIPPED
    shuffled = Answers(
        answers.questionnaire,
        answers.version,
        answers.system,
        _shuffle(answers.answers),
        {},
        [WorkflowAnswers(w.name, _shuffle(w.answers)) for w in answers.workflows],
    )
    assert result_to_json(evaluate_result(shipped, answers)) == result_to_json(
        evaluate_result(shipped, shuffled))


def test_a_blank_assessment_has_no_safe_scenario(shipped) -> None:
    q = shipped.questionnaire()
    result = evaluate(shipped, Answers(q.id, q.version, workflows=[WorkflowAnswers("blank")]))
    assert {s.status for s in result.workflows[0].scenarios} == {"unknown"}


def _shuffle(mapping: dict) -> dict:
    items = list(mapping.items())
    random.Random(len(items)).shuffle(items)
    return dict(items)


EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_shipped_example_answers_are_valid_and_complete(path) -> None:
    answers = load_answers(path, SHIPPED)
    result = evaluate(SHIPPED, answers)
    assert answers.system.name and len(answers.workflows) >= 2
    assert result.coverage.percent >= 90
    assert result.findings and result.plan


def test_two_realistic_examples_ship() -> None:
    assert len(EXAMPLES) >= 2


def test_faultline_check_passes_on_the_shipped_content() -> None:
    from webapp.domain.checks import run_check

    _, problems = run_check(REPO)
    assert [str(p) for p in problems] == []
