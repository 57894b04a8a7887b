"""GitHub Actions `${{ }}` expressions: a small parser that says whether one can be read.

GitHub refuses a workflow whose expression does not parse (an unclosed string or bracket, two
operands with no operator, `${{ }}` left empty). The grammar is the documented one: literals,
context references with `.name`, `[index]` and `.*`, function calls, `!`, comparisons, `&&` and
`||`, and parentheses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<number>-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!.\[\](),*])
""", re.VERBOSE)
_EMBEDDED = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)


class ExpressionError(ValueError):
    """Why an expression cannot be read."""


def embedded(text: str) -> Iterator[str]:
    """The expressions written inside `${{ }}` in `text`; raises on an unclosed `${{`."""
    yield from _EMBEDDED.findall(text)
    if "${{" in _EMBEDDED.sub("", text):
        raise ExpressionError("`${{` is never closed with `}}`")


def check(expression: str) -> None:
    """Raise ExpressionError when `expression` cannot be parsed."""
    tokens = _tokens(expression)
    if not tokens:
        raise ExpressionError("the expression is empty")
    parser = _Parser(tokens)
    parser.expression()
    if parser.index < len(tokens):
        raise ExpressionError(f"unexpected `{tokens[parser.index][1]}`")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, index = [], 0
    while index < len(text):
        match = _TOKEN.match(text, index)
        if not match:
            bad = text[index]
            raise ExpressionError("a string is never closed" if bad == "'"
                                  else f"`{bad}` is not allowed in an expression")
        if match.lastgroup != "space":
            tokens.append((match.lastgroup, match.group()))
        index = match.end()
    return tokens


class _Parser:
    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="))

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.index = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.index >= len(self.tokens):
            raise ExpressionError(f"the expression ends where `{expected or 'a value'}` is "
                                  "expected")
        token = self.tokens[self.index]
        if expected and token[1] != expected:
            raise ExpressionError(f"`{expected}` expected, found `{token[1]}`")
        self.index += 1
        return token

    def expression(self, level: int = 0) -> None:
        if level == len(self._LEVELS):
            return self.unary()
        self.expression(level + 1)
        while self.peek() in self._LEVELS[level]:
            self.take()
            self.expression(level + 1)

    def unary(self) -> None:
        if self.peek() == "!":
            self.take()
            return self.unary()
        self.primary()

    def primary(self) -> None:
        kind, text = self.take()
        if text == "(":
            self.expression()
            self.take(")")
        elif kind == "name":
            if self.peek() == "(":
                self.arguments()
            self.postfix()
        elif kind not in ("string", "number"):
            raise ExpressionError(f"a value expected, found `{text}`")

    def arguments(self) -> None:
        self.take("(")
        if self.peek() != ")":
            self.expression()
            while self.peek() == ",":
                self.take()
                self.expression()
        self.take(")")

    def postfix(self) -> None:
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                kind, text = self.take()
                if kind != "name" and text != "*":
                    raise ExpressionError(f"a property name expected after `.`, found `{text}`")
            else:
                if self.peek() == "*":
                    self.take()
                else:
                    self.expression()
                self.take("]")
