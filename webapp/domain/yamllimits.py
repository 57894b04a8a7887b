"""Limits on YAML read from users: the one place they are set and enforced.

A few hundred bytes of nested aliases (`&a [*b, *b, ...]`) expand to billions of values once
a loader builds plain data, and a deeply nested document exhausts the stack of a recursive
composer. `check_limits` walks the parser's event stream once, before anything is composed or
constructed: it counts aliases, the nesting depth and the number of values the document holds
once every alias is expanded (an anchor's size is known when its node ends), and stops at the
first event past a limit. Its cost is linear in the text, whatever the aliases expand to.

Every loader of user YAML (answers files, automation files, uploads) calls it first; the
error is a `yaml.MarkedYAMLError`, so callers that already report YAML syntax errors with a
line report a refused document the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YamlLimits:
    #: Largest document in bytes of UTF-8.
    max_bytes: int = 2_000_000
    #: Alias uses (`*name`); hand-written CI files with anchors use a few dozen.
    max_aliases: int = 1_000
    #: Nesting of mappings and sequences.
    max_depth: int = 64
    #: Values (scalars, mappings, sequences) once every alias is expanded.
    max_nodes: int = 250_000


LIMITS = YamlLimits()


class YamlLimitError(yaml.MarkedYAMLError):
    """The document is over one of the limits; the message names it."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None) -> None:
        super().__init__(problem=problem, problem_mark=mark)


def check_limits(text: str, limits: YamlLimits = LIMITS) -> None:
    """Raise `YamlLimitError` when `text` is over a limit, `yaml.YAMLError` when it is not YAML."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise YamlLimitError(
            f"the YAML is {size:,} bytes; the limit is {limits.max_bytes:,} bytes")
    _Walk(limits).run(text)


class _Walk:
    def __init__(self, limits: YamlLimits) -> None:
        self.limits = limits
        self.nodes = 0
        self.aliases = 0
        self.open: list[tuple[str | None, int]] = []  # (anchor, nodes before it started)
        self.anchor_sizes: dict[str, int] = {}

    def run(self, text: str) -> None:
        loader = _Loader(text)
        try:
            while loader.check_event():
                self.see(loader.get_event())
        finally:
            loader.dispose()

    def see(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.AliasEvent):
            self.alias(event)
        elif isinstance(event, yaml.ScalarEvent):
            self.count(1, event)
            if event.anchor:
                self.anchor_sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            self.start(event)
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, before = self.open.pop()
            if anchor:
                self.anchor_sizes[anchor] = self.nodes - before

    def start(self, event: yaml.CollectionStartEvent) -> None:
        if len(self.open) >= self.limits.max_depth:
            raise YamlLimitError(f"the YAML nests deeper than {self.limits.max_depth} levels "
                                 "(the limit on depth)", event.start_mark)
        self.open.append((event.anchor, self.nodes))
        self.count(1, event)

    def alias(self, event: yaml.AliasEvent) -> None:
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise YamlLimitError(f"the YAML uses more than {self.limits.max_aliases:,} aliases "
                                 "(the limit on aliases)", event.start_mark)
        self.count(self.anchor_sizes.get(event.anchor or "", 1), event)

    def count(self, added: int, event: yaml.Event) -> None:
        self.nodes += added
        if self.nodes > self.limits.max_nodes:
            raise YamlLimitError(
                f"the YAML holds more than {self.limits.max_nodes:,} values once its aliases "
                "are expanded (the limit on nodes)", event.start_mark)
