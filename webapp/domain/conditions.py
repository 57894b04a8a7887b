"""The declarative condition tree: compiled once at load time into plain closures.

A condition is all / any / not over question tests (`q` with is, in, answered, na or score) and
fit profile flags. Nothing is ever evaluated as a string. A test on an unanswered question is
false.
"""

from __future__ import annotations

import difflib
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .answers import Answer
from .index import QuestionnaireIndex
from .trees import Tree, deciding, every_question, has_any, in_order

Answers_ = Mapping[str, Answer]
Test = Callable[[Answers_, frozenset[str]], bool]
Path_ = tuple[str | int, ...]

COMPARISONS = {
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
    "eq": operator.eq,
}
Q_TESTS = ("is", "in", "answered", "na", "score")
NODE_KEYS = ("all", "any", "not", "q", "fit")


@dataclass(frozen=True)
class Condition:
    """A compiled condition: call it with answers and profile flags."""

    test: Test
    questions: tuple[str, ...]
    flags: tuple[str, ...]
    tree: Tree | None = None
    order: Mapping[str, int] | None = None
    fixed: tuple[str, ...] | None = None  # `because` when no `any` makes it depend on answers

    def __call__(self, answers: Answers_, flags: frozenset[str] = frozenset()) -> bool:
        return self.test(answers, flags)

    def because(self, answers: Answers_, flags: frozenset[str]) -> tuple[str, ...]:
        """The questions whose answers made this (true) condition hold, in questionnaire order.

        all: every child; any: the first child that holds; not: every question under it;
        a fit flag: the fit question that sets it.
        """
        if self.fixed is not None:
            return self.fixed
        if self.tree is None:
            return self.questions
        return in_order(deciding(self.tree, answers, flags), self.order or {})


def suggest(word: str, known: list[str] | set[str]) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Compiler:
    """Compiles raw condition mappings, collecting (path, message) problems."""

    def __init__(
        self,
        index: QuestionnaireIndex,
        workflow_scope: bool,
        aliases: Mapping[str, tuple[str, Mapping[str, list[str]]]] | None = None,
    ) -> None:
        self.index = index
        self.workflow_scope = workflow_scope
        #: compiling for an older version: newer id -> (its id here, newer choice -> choices here)
        self.aliases = aliases or {}
        self.problems: list[tuple[Path_, str]] = []
        self._questions: set[str] = set()
        self._flags: set[str] = set()
        self._stack: list[list[Tree]] = [[]]
        self._order = {qid: info.order for qid, info in index.questions.items()}

    def compile(self, raw: Any, path: Path_) -> Condition:
        self._questions, self._flags, self._stack = set(), set(), [[]]
        test = self.node(raw, path)
        questions = tuple(self.index.sort(self._questions))
        tree = self._stack[0][0]
        fixed = None if has_any(tree) else in_order(every_question(tree), self._order)
        return Condition(test, questions, tuple(sorted(self._flags)), tree, self._order, fixed)

    def fail(self, path: Path_, message: str) -> Test:
        self.problems.append((path, message))
        return _never

    def node(self, raw: Any, path: Path_) -> Test:
        self._stack.append([])
        kind, test = self._dispatch(raw, path)
        children = tuple(self._stack.pop())
        self._stack[-1].append(Tree(kind, test, children, self._leaf(kind, raw)))
        return test

    def _leaf(self, kind: str, raw: Any) -> str | None:
        if kind == "q" and isinstance(raw["q"], str):
            return self.aliases[raw["q"]][0] if raw["q"] in self.aliases else raw["q"]
        if kind == "fit" and isinstance(raw["fit"], str) and raw["fit"] in self.index.criteria:
            return self.index.criteria[raw["fit"]][0].id
        return None

    def _dispatch(self, raw: Any, path: Path_) -> tuple[str, Test]:
        if not isinstance(raw, Mapping):
            return "never", self.fail(
                path, "a condition must be a mapping (all, any, not, q or fit)"
            )
        kinds = [k for k in NODE_KEYS if k in raw]
        if len(kinds) != 1:
            found = ", ".join(map(str, raw)) or "nothing"
            message = f"a condition needs exactly one of {', '.join(NODE_KEYS)}; found {found}"
            return "never", self.fail(path, message)
        return kinds[0], getattr(self, f"node_{kinds[0]}")(raw, path)

    def _only(self, raw: Mapping[str, Any], allowed: set[str], path: Path_) -> bool:
        extra = sorted(str(k) for k in raw if k not in allowed)
        if extra:
            self.fail(path, f"unexpected key {', '.join(extra)}")
        return not extra

    def _children(self, raw: Mapping[str, Any], key: str, path: Path_) -> list[Test] | None:
        items = raw[key]
        if not self._only(raw, {key}, path):
            return None
        if not isinstance(items, list) or not items:
            self.fail(path + (key,), f"'{key}' needs a non-empty list of conditions")
            return None
        return [self.node(item, path + (key, i)) for i, item in enumerate(items)]

    def node_all(self, raw: Mapping[str, Any], path: Path_) -> Test:
        tests = self._children(raw, "all", path)
        return _all(tests) if tests else _never

    def node_any(self, raw: Mapping[str, Any], path: Path_) -> Test:
        tests = self._children(raw, "any", path)
        return _any(tests) if tests else _never

    def node_not(self, raw: Mapping[str, Any], path: Path_) -> Test:
        if not self._only(raw, {"not"}, path):
            return _never
        inner = self.node(raw["not"], path + ("not",))
        return lambda a, f: not inner(a, f)

    def node_fit(self, raw: Mapping[str, Any], path: Path_) -> Test:
        flag = raw["fit"]
        if not self._only(raw, {"fit"}, path):
            return _never
        if flag not in self.index.criteria:
            return self.fail(
                path + ("fit",),
                f"unknown fit flag '{flag}'{suggest(str(flag), set(self.index.criteria))}",
            )
        self._flags.add(flag)
        return lambda a, f: flag in f

    def node_q(self, raw: Mapping[str, Any], path: Path_) -> Test:
        qid = raw["q"]
        if isinstance(qid, str) and qid in self.aliases:
            raw = _older(raw, *self.aliases[qid])
            if raw is None:
                return _never
            qid = raw["q"]
        info = self.index.questions.get(qid) if isinstance(qid, str) else None
        if info is None:
            return self.fail(
                path + ("q",),
                f"unknown question id '{qid}'{suggest(str(qid), set(self.index.questions))}",
            )
        if info.workflow and not self.workflow_scope:
            return self.fail(
                path + ("q",),
                f"'{qid}' is asked per workflow; a system-scope "
                "condition can only test fit and layer questions",
            )
        tests = [k for k in Q_TESTS if k in raw]
        if len(tests) != 1 or not self._only(raw, {"q", *tests}, path):
            return self.fail(path, f"a question test needs exactly one of {', '.join(Q_TESTS)}")
        self._questions.add(qid)
        return getattr(self, f"q_{tests[0]}")(info, raw[tests[0]], path + (tests[0],))

    def _choice(self, info: Any, choice: Any, path: Path_) -> str | None:
        if not isinstance(choice, str | int) or isinstance(choice, bool):
            self.fail(path, "must be a choice id")
            return None
        if str(choice) not in info.labels:
            self.fail(
                path,
                f"'{info.id}' has no choice '{choice}' (choices: "
                f"{', '.join(info.labels)}){suggest(str(choice), set(info.labels))}",
            )
            return None
        return str(choice)

    def q_is(self, info: Any, choice: Any, path: Path_) -> Test:
        cid = self._choice(info, choice, path)
        qid = info.id
        if cid is None:
            return _never
        return lambda a, f: (x := a.get(qid)) is not None and cid in x.selected

    def q_in(self, info: Any, choices: Any, path: Path_) -> Test:
        if not isinstance(choices, list) or not choices:
            return self.fail(path, "'in' needs a non-empty list of choice ids")
        ids = [self._choice(info, c, path + (i,)) for i, c in enumerate(choices)]
        wanted, qid = frozenset(c for c in ids if c), info.id
        return lambda a, f: (x := a.get(qid)) is not None and not wanted.isdisjoint(x.selected)

    def q_answered(self, info: Any, value: Any, path: Path_) -> Test:
        if not isinstance(value, bool):
            return self.fail(path, "'answered' must be true or false")
        qid = info.id
        if value:
            return lambda a, f: (x := a.get(qid)) is not None and bool(x.selected)
        return lambda a, f: (x := a.get(qid)) is None or not x.selected

    def q_na(self, info: Any, value: Any, path: Path_) -> Test:
        if not isinstance(value, bool):
            return self.fail(path, "'na' must be true or false")
        if not info.question.na_allowed:
            self.fail(path, f"'{info.id}' does not allow not applicable")
        qid = info.id
        if value:
            return lambda a, f: (x := a.get(qid)) is not None and x.na is not None
        return lambda a, f: (x := a.get(qid)) is None or x.na is None

    def q_score(self, info: Any, value: Any, path: Path_) -> Test:
        if not info.question.scored:
            return self.fail(path, f"'{info.id}' has no score to compare")
        if (
            not isinstance(value, Mapping)
            or len(value) != 1
            or next(iter(value)) not in COMPARISONS
        ):
            return self.fail(path, "'score' needs exactly one of lt, lte, gt, gte, eq")
        op_name, bound = next(iter(value.items()))
        if isinstance(bound, bool) or not isinstance(bound, int | float):
            return self.fail(path + (op_name,), "must be a number")
        op, qid, score_of = COMPARISONS[op_name], info.id, info.score_of
        return lambda a, f: (
            (x := a.get(qid)) is not None and bool(x.selected) and op(score_of(x.selected), bound)
        )


def _older(raw: Mapping[str, Any], old: str, back: Mapping[str, list[str]]
           ) -> Mapping[str, Any] | None:
    """A test on a newer version's question, rewritten onto the older question carried to it
    (`is`/`in` choices mapped back); None when no older choice maps to the tested ones."""
    out = dict(raw, q=old)
    for key in ("is", "in"):
        if key in raw:
            wanted = raw[key] if isinstance(raw[key], list) else [raw[key]]
            older = [c for w in wanted for c in back.get(str(w), [])]
            if not older:
                return None
            del out[key]
            out["in"] = older
    return out


def _never(answers: Answers_, flags: frozenset[str]) -> bool:
    return False


#: a condition that never holds (an outcome of another questionnaire version)
NEVER = Condition(_never, (), (), None, None, ())


def _all(tests: list[Test]) -> Test:
    def test(a: Answers_, f: frozenset[str]) -> bool:
        for t in tests:  # noqa: SIM110 - a plain loop is measurably faster than all(genexpr)
            if not t(a, f):
                return False
        return True

    return test


def _any(tests: list[Test]) -> Test:
    def test(a: Answers_, f: frozenset[str]) -> bool:
        for t in tests:  # noqa: SIM110 - a plain loop is measurably faster than any(genexpr)
            if t(a, f):
                return True
        return False

    return test
