"""Risk-rule conditions of a lens: a small recursive-descent parser, a printer, an evaluator.

A condition is a boolean expression over the question's choice ids with `!`, `&&`, `||` and
parentheses, where `!` binds tighter than `&&`, which binds tighter than `||`. The text is
parsed into a tree and the tree is evaluated against the selected choices: a lens file is
never run as code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

DEFAULT = "default"
_TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\||!|\(|\))|(?P<id>[A-Za-z0-9_]+)|(?P<bad>\S))")


class ConditionError(ValueError):
    """A condition that is not a valid expression; the message says where and why."""


@dataclass(frozen=True)
class Choice:
    id: str


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Node, ...]


Node = Choice | Not | And | Or


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    for match in _TOKEN.finditer(text):
        if match["bad"]:
            raise ConditionError(
                f"unexpected character {match['bad']!r} at {match.start('bad') + 1}"
            )
        kind = "op" if match["op"] else "id"
        yield kind, match[kind], match.start(kind) + 1


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = list(_tokens(text))
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        if self.at >= len(self.tokens):
            raise ConditionError("the condition ends too early")
        self.at += 1
        return self.tokens[self.at - 1]

    def parse(self) -> Node:
        if not self.tokens:
            raise ConditionError("the condition is empty")
        node = self.disjunction()
        if self.at < len(self.tokens):
            _, value, where = self.tokens[self.at]
            raise ConditionError(f"unexpected {value!r} at {where}")
        return node

    def disjunction(self) -> Node:
        operands = [self.conjunction()]
        while self.peek() == "||":
            self.take()
            operands.append(self.conjunction())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def conjunction(self) -> Node:
        operands = [self.negation()]
        while self.peek() == "&&":
            self.take()
            operands.append(self.negation())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def negation(self) -> Node:
        if self.peek() == "!":
            self.take()
            return Not(self.negation())
        return self.atom()

    def atom(self) -> Node:
        kind, value, where = self.take()
        if kind == "id":
            return Choice(value)
        if value != "(":
            raise ConditionError(f"expected a choice id or '(' at {where}, found {value!r}")
        node = self.disjunction()
        if self.peek() != ")":
            raise ConditionError(f"the '(' at {where} is not closed")
        self.take()
        return node


def parse(text: str) -> Node:
    """The condition's tree; `ConditionError` when it is not a valid expression."""
    return _Parser(text).parse()


def choice_ids(node: Node) -> set[str]:
    """Every choice id the condition names."""
    match node:
        case Choice(id=cid):
            return {cid}
        case Not(operand=operand):
            return choice_ids(operand)
        case And(operands=ops) | Or(operands=ops):
            return set().union(*(choice_ids(op) for op in ops))
    raise TypeError(node)


def holds(node: Node, selected: frozenset[str] | set[str]) -> bool:
    """Whether the condition is true when exactly `selected` choices are chosen."""
    match node:
        case Choice(id=cid):
            return cid in selected
        case Not(operand=operand):
            return not holds(operand, selected)
        case And(operands=ops):
            return all(holds(op, selected) for op in ops)
        case Or(operands=ops):
            return any(holds(op, selected) for op in ops)
    raise TypeError(node)


_RANK = {Or: 1, And: 2, Not: 3, Choice: 4}


def to_text(node: Node) -> str:
    """The condition as text, with only the parentheses its meaning needs."""
    match node:
        case Choice(id=cid):
            return cid
        case Not(operand=operand):
            return "!" + _wrapped(operand, 3)
        case And(operands=ops):
            return " && ".join(_wrapped(op, 3) for op in ops)
        case Or(operands=ops):
            return " || ".join(_wrapped(op, 2) for op in ops)
    raise TypeError(node)


def _wrapped(node: Node, min_rank: int) -> str:
    text = to_text(node)
    return text if _RANK[type(node)] >= min_rank else f"({text})"
