"""Which answers decided a condition: the shape of a compiled condition, kept for `because`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Answers_ = Mapping[str, Any]
Test = Callable[[Answers_, frozenset[str]], bool]


@dataclass(frozen=True)
class Tree:
    """The shape of a compiled condition, kept to explain which answers decided it."""

    kind: str  # all | any | not | q | fit | never
    test: Test
    children: tuple[Tree, ...] = ()
    question: str | None = None  # the question a q or fit leaf looks at


def in_order(qids: list[str], order: Mapping[str, int]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(qids), key=lambda q: (order.get(q, len(order)), q)))


def has_any(tree: Tree) -> bool:
    return tree.kind == "any" or any(has_any(child) for child in tree.children)


def deciding(tree: Tree, answers: Answers_, flags: frozenset[str]) -> list[str]:
    if tree.kind in ("q", "fit"):
        return [tree.question] if tree.question else []
    if tree.kind == "all":
        return [q for child in tree.children for q in deciding(child, answers, flags)]
    if tree.kind == "any":
        held = next((c for c in tree.children if c.test(answers, flags)), None)
        return deciding(held, answers, flags) if held else []
    if tree.kind == "not":
        return every_question(tree.children[0])
    return []


def every_question(tree: Tree) -> list[str]:
    own = [tree.question] if tree.question else []
    return own + [q for child in tree.children for q in every_question(child)]
