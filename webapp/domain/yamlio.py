"""Reading YAML with line numbers, without YAML 1.1 surprises.

PyYAML's safe loader turns unquoted `yes`, `no`, `on` and `off` into booleans; in content and
answers files those are choice ids, so only `true` and `false` are booleans here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .yamllimits import YamlLimitError, check_limits

Path_ = tuple[str | int, ...]


# libyaml's parser when PyYAML was built with it: the pure-Python one is ten times slower.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentLoader(_Base):  # type: ignore[misc,valid-type]
    """Safe loader whose booleans are only true/false."""


ContentLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def parse_yaml(text: str) -> tuple[Any, dict[Path_, int]]:
    """The document's data and a map from each node's path to its 1-based line.

    The text is checked against the YAML limits (aliases, depth, values, size) first."""
    try:
        check_limits(text)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text) from None
    loader = ContentLoader(text)
    try:
        node = loader.get_single_node()  # parsed once; data is constructed from the same nodes
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, text) from None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _refuse_repeated_keys(node)
        _collect_lines(node, (), lines)
    return data, lines


def _refuse_repeated_keys(node: yaml.Node) -> None:
    """A key written twice in one mapping: YAML forbids it and PyYAML keeps the last value,
    so the first one would vanish without a word (a pasted answer, a workflow's name)."""
    pending, visited = [node], set()
    while pending:
        current = pending.pop()
        if id(current) in visited:  # an alias names a node already checked
            continue
        visited.add(id(current))
        if isinstance(current, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        raise YamlSyntaxError(
                            f"invalid YAML: the key \u201c{key.value}\u201d is written twice "
                            f"(first on line {seen[key.value]}); keep one", line)
                    seen[key.value] = line
                pending.append(value)
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(current.value)


def _syntax_error(exc: yaml.YAMLError, text: str = "") -> YamlSyntaxError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else None
    problem = getattr(exc, "problem", None) or str(exc)
    kind = "YAML refused" if isinstance(exc, YamlLimitError) else "invalid YAML"
    if mark and not isinstance(exc, YamlLimitError):
        at = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
        if "\t" in at[: len(at) - len(at.lstrip())]:  # the parser's words do not say "tab"
            problem = "a tab indents this line; YAML indents with spaces only"
    return YamlSyntaxError(f"{kind}: {problem}", line)


def decode_utf8(raw: bytes) -> str:
    """`raw` as UTF-8 text; `YamlSyntaxError` naming the line of the first byte that is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError("the file is not UTF-8 text: save it as UTF-8", line) from None


def read_yaml(path: Path) -> tuple[Any, dict[Path_, int]]:
    return parse_yaml(decode_utf8(path.read_bytes()))


def _collect_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            _collect_lines(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, path + (index,), lines)


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of the deepest existing node on `path`."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def place(path: Path_) -> str:
    """`rules[3].when.all[1].q` from ('rules', 3, 'when', 'all', 1, 'q')."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
