"""YAML documents as plain data that remember where each value came from.

Detectors read automation files as ordinary dicts and lists, yet every finding needs a line and
column. `YMap` and `YList` are dict and list subclasses that carry the position of themselves,
of each key and of each value, built from PyYAML's composed nodes (libyaml when available).

Mapping keys are always kept as the text written in the file: YAML 1.1 turns GitHub's `on:` key
into the boolean True, which would hide a workflow's triggers.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import yaml

from webapp.domain.yamllimits import check_limits

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_MERGE_TAG = "tag:yaml.org,2002:merge"


class Pos(NamedTuple):
    """A 1-based line and column (a tuple: files have tens of thousands of them)."""

    line: int
    col: int


class YMap(dict):
    """A mapping with the position of itself, of each key and of each value.

    `duplicates` lists keys written twice in the same mapping (the later value wins, as in
    PyYAML), with the place of the repeat: GitHub and Compose refuse such files."""

    __slots__ = ("pos", "key_pos", "value_pos", "duplicates")

    def at(self, key: str) -> Pos:
        """Where `key` is written, or where the mapping starts when the key is absent."""
        return self.key_pos.get(key, self.pos)

    def value_at(self, key: str) -> Pos:
        return self.value_pos.get(key, self.at(key))


class YList(list):
    """A sequence with the position of itself and of each item."""

    __slots__ = ("pos", "item_pos", "tag")

    def at(self, index: int) -> Pos:
        return self.item_pos[index] if 0 <= index < len(self.item_pos) else self.pos


class YamlParseError(ValueError):
    """A file that is not valid YAML, with the place the parser gave up."""

    def __init__(self, problem: str, pos: Pos) -> None:
        super().__init__(problem)
        self.problem = problem
        self.pos = pos


def load_documents(text: str) -> list[Any]:
    """Every document of a (possibly multi-document) YAML stream, with positions."""
    try:
        check_limits(text)
        nodes = list(yaml.compose_all(text, Loader=Loader))
    except yaml.YAMLError as exc:
        raise _parse_error(exc) from None
    return [_convert(node, {}) for node in nodes if node is not None]


def position_of(node: Any, default: Pos | None = None) -> Pos:
    return getattr(node, "pos", None) or default or Pos(1, 1)


def _parse_error(exc: yaml.YAMLError) -> YamlParseError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    pos = Pos(mark.line + 1, mark.column + 1) if mark else Pos(1, 1)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return YamlParseError(problem, pos)


def _pos(node: yaml.Node) -> Pos:
    mark = node.start_mark
    return Pos(mark.line + 1, mark.column + 1)


def _convert(node: yaml.Node, seen: dict[int, Any]) -> Any:
    """An alias (`*name`) yields the very object its anchor produced: detectors can tell an
    inherited value from one written twice, and report it once, at the anchor."""
    if id(node) in seen:
        return seen[id(node)]
    if isinstance(node, yaml.MappingNode):
        result = seen[id(node)] = YMap()
        _fill_mapping(result, node, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        result = seen[id(node)] = YList()
        _fill_sequence(result, node, seen)
        return result
    return _scalar(node)


def _fill_mapping(result: YMap, node: yaml.MappingNode, seen: dict[int, Any]) -> None:
    result.pos, result.key_pos, result.value_pos, result.duplicates = _pos(node), {}, {}, []
    written: set[str] = set()
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE_TAG:
            _merge_into(result, _convert(value_node, seen))
            continue
        key = (key_node.value if isinstance(key_node, yaml.ScalarNode)
               else str(_convert(key_node, seen)))
        key_pos = _pos(key_node)
        if key in written:
            result.duplicates.append((key, key_pos))
        written.add(key)
        result[key] = _convert(value_node, seen)
        result.key_pos[key], result.value_pos[key] = key_pos, _pos(value_node)


def _merge_into(target: YMap, merged: Any) -> None:
    """`<<: *anchor` merge keys: explicit keys of the mapping win over merged ones."""
    for source in merged if isinstance(merged, list) else [merged]:
        if not isinstance(source, YMap):
            continue
        for key, value in source.items():
            if key not in target:
                target[key] = value
                target.key_pos[key], target.value_pos[key] = source.at(key), source.value_at(key)


def _fill_sequence(result: YList, node: yaml.SequenceNode, seen: dict[int, Any]) -> None:
    result.pos, result.item_pos = _pos(node), [_pos(item) for item in node.value]
    result.tag = node.tag  #: `!reference` marks GitLab's reference to another job's keys
    result.extend(_convert(item, seen) for item in node.value)


def _scalar(node: yaml.ScalarNode) -> Any:
    construct = _CONSTRUCTOR.yaml_constructors.get(node.tag)
    if construct is None or node.tag == "tag:yaml.org,2002:str":
        return node.value
    try:
        return construct(_CONSTRUCTOR, node)
    except (yaml.YAMLError, ValueError, TypeError):
        return node.value
