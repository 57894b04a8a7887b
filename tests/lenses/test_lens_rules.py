"""Risk-rule conditions: `!` over `&&` over `||`, parentheses, and printing that parses back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.domain.lens_rules import (
    And,
    Choice,
    ConditionError,
    Not,
    Or,
    choice_ids,
    holds,
    parse,
    to_text,
)

a, b, c = Choice("a_1"), Choice("b_1"), Choice("c_1")


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("a_1 || b_1 && c_1", Or((a, And((b, c))))),
        ("a_1 && b_1 || c_1", Or((And((a, b)), c))),
        ("!a_1 && b_1", And((Not(a), b))),
        ("!(a_1 && b_1)", Not(And((a, b)))),
        ("!!a_1", Not(Not(a))),
        ("(a_1 || b_1) && c_1", And((Or((a, b)), c))),
        ("  a_1&&b_1 ", And((a, b))),
    ],
)
def test_not_binds_tighter_than_and_which_binds_tighter_than_or(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "selected", "expected"),
    [
        ("a_1 || b_1 && c_1", {"a_1"}, True),
        ("(a_1 || b_1) && c_1", {"a_1"}, False),
        ("!a_1 && b_1", {"b_1"}, True),
        ("!(a_1 && b_1)", {"a_1", "b_1"}, False),
        ("!a_1 || b_1", {"a_1"}, False),
    ],
)
def test_a_condition_holds_on_the_selected_choices(text, selected, expected):
    assert holds(parse(text), selected) is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the condition is empty"),
        ("a_1 &&", "the condition ends too early"),
        ("a_1 b_1", "unexpected 'b_1' at 5"),
        ("(a_1", "the '(' at 1 is not closed"),
        ("a_1 & b_1", "unexpected character '&' at 5"),
        ("a_1 || )", "expected a choice id or '(' at 8, found ')'"),
        ("os.system('x')", "unexpected character '.' at 3"),
    ],
)
def test_a_malformed_condition_is_refused_with_where(text, message):
    with pytest.raises(ConditionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_choice_ids_lists_every_named_choice():
    assert choice_ids(parse("!(a_1 && b_1) || c_1")) == {"a_1", "b_1", "c_1"}


ids = st.sampled_from(["a_1", "b_1", "c_1", "d_no"]).map(Choice)
trees = st.recursive(
    ids,
    lambda inner: st.one_of(
        inner.map(Not),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
        st.lists(inner, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
    ),
    max_leaves=12,
)


@given(trees)
def test_a_printed_condition_parses_back_to_the_same_tree(tree):
    assert parse(to_text(tree)) == tree


@given(trees, st.sets(st.sampled_from(["a_1", "b_1", "c_1", "d_no"])))
def test_printing_keeps_the_meaning(tree, selected):
    fully_bracketed = _bracketed(tree)
    assert holds(parse(to_text(tree)), selected) == holds(parse(fully_bracketed), selected)


def _bracketed(tree) -> str:
    match tree:
        case Choice(id=cid):
            return cid
        case Not(operand=op):
            return f"!({_bracketed(op)})"
        case And(operands=ops):
            return "(" + " && ".join(_bracketed(o) for o in ops) + ")"
        case Or(operands=ops):
            return "(" + " || ".join(_bracketed(o) for o in ops) + ")"
