"""What answers on a lens mean: the risk per question as the AWS tool gives it, per-pillar
counts, and the improvement plan."""

from __future__ import annotations

import pytest

from tests.lenses.conftest import ECS, ORR, as_bytes
from webapp.domain.lens import read_lens
from webapp.domain.lens_result import (
    AnswerInvalid,
    LensAnswer,
    NaReason,
    Risk,
    check_answer,
    evaluate_lens,
    question_risk,
)


@pytest.fixture
def lens(small_lens):
    return read_lens(as_bytes(small_lens))


def _answer(*choices: str) -> LensAnswer:
    return LensAnswer(frozenset(choices))


@pytest.mark.parametrize(
    ("choices", "risk"),
    [
        (("bk_tested", "bk_documented"), Risk.NONE),  # first rule holds
        (("bk_tested",), Risk.MEDIUM),  # second rule
        (("bk_documented",), Risk.MEDIUM),
        (("bk_no",), Risk.HIGH),  # default
    ],
)
def test_the_first_rule_that_holds_sets_the_risk_else_default(lens, choices, risk):
    assert question_risk(lens.pillars[0].questions[0], _answer(*choices)) == risk


def test_rule_order_decides_when_two_rules_hold(small_lens):
    rules = small_lens["pillars"][0]["questions"][0]["riskRules"]
    rules[0], rules[1] = rules[1], rules[0]
    question = read_lens(as_bytes(small_lens)).pillars[0].questions[0]
    assert question_risk(question, _answer("bk_tested", "bk_documented")) == Risk.MEDIUM


def test_a_default_rule_listed_first_still_applies_only_when_no_other_holds(small_lens):
    rules = small_lens["pillars"][0]["questions"][0]["riskRules"]
    rules.insert(0, rules.pop())
    question = read_lens(as_bytes(small_lens)).pillars[0].questions[0]
    assert question_risk(question, _answer("bk_tested", "bk_documented")) == Risk.NONE
    assert question_risk(question, _answer("bk_no")) == Risk.HIGH


def test_unanswered_and_not_applicable_apply_no_rule(lens):
    question = lens.pillars[0].questions[0]
    assert question_risk(question, None) == Risk.UNANSWERED
    assert question_risk(question, LensAnswer()) == Risk.UNANSWERED
    na = LensAnswer(na_reason=NaReason.BUSINESS_PRIORITIES)
    assert question_risk(question, na) == Risk.NOT_APPLICABLE


def test_none_of_these_cannot_be_combined_with_other_choices(lens):
    with pytest.raises(AnswerInvalid, match="“None of these” cannot be combined"):
        check_answer(lens.pillars[0].questions[0], _answer("bk_no", "bk_tested"))


def test_an_unknown_choice_is_refused(lens):
    with pytest.raises(AnswerInvalid, match="“off_yes” is not a choice of this question"):
        check_answer(lens.pillars[0].questions[0], _answer("off_yes"))


def test_not_applicable_with_choices_is_refused(lens):
    answer = LensAnswer(frozenset({"bk_tested"}), NaReason.OTHER)
    with pytest.raises(AnswerInvalid, match="not applicable"):
        check_answer(lens.pillars[0].questions[0], answer)


def test_pillar_counts_and_plan_with_the_improvements_not_yet_done(lens):
    result = evaluate_lens(lens, {"bk_restore": _answer("bk_documented")})
    pillar = result.pillars[0]
    assert (pillar.count(Risk.MEDIUM), pillar.count(Risk.UNANSWERED)) == (1, 1)
    [item] = result.plan
    assert item.question.id == "bk_restore"
    assert [(i.text, i.url) for i in item.improvements] == [
        ("Schedule a monthly restore drill.", "https://example.com/plan")
    ]


def test_the_plan_lists_high_risks_before_medium_then_in_pillar_order(corpus_lenses):
    lens = read_lens((corpus_lenses / ECS).read_bytes())
    first, second = lens.pillars[0].questions[0], lens.pillars[1].questions[0]
    answers = {
        first.id: _answer(first.choices[0].id),
        second.id: _answer(next(c.id for c in second.choices if c.none_of_these)),
    }
    result = evaluate_lens(lens, answers)
    assert [(q.question.id, q.risk) for q in result.plan] == [
        (second.id, Risk.HIGH),
        (first.id, Risk.MEDIUM),
    ]


@pytest.mark.parametrize(
    ("choices", "risk"),
    [
        (("data_flow_diagram", "architecture_diagram"), Risk.NONE),
        (("architecture_diagram",), Risk.MEDIUM),
        (("data_flow_diagram",), Risk.MEDIUM),
    ],
)
def test_the_orr_architecture_question_gives_the_risks_its_rules_say(corpus_lenses, choices, risk):
    lens = read_lens((corpus_lenses / ORR).read_bytes())
    question = next(
        q for _, q in lens.questions() if "architecture_diagram" in {c.id for c in q.choices}
    )
    assert question_risk(question, _answer(*choices)) == risk


def test_a_question_without_default_reads_high_when_no_rule_holds(corpus_lenses):
    lens = read_lens((corpus_lenses / ECS).read_bytes())
    net3 = next(q for _, q in lens.questions() if q.id == "NET3")
    assert question_risk(net3, _answer("NET3_4_no")) == Risk.HIGH
    assert question_risk(net3, _answer("NET3_3")) == Risk.NONE
