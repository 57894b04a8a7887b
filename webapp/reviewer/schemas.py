"""Validate automation files against the published schemas of the systems that read them.

The schemas come from check-jsonschema, which vendors and keeps current SchemaStore's GitHub
workflow schema (SchemaStore licence), the Compose specification's schema (Apache 2.0) and
GitLab's CI schema (MIT Expat); their licences ship in the same package. Each error comes back
with the place in the file it concerns, so a finding can point at the offending key.

Speed: a valid file (nearly all of them) is decided by fastjsonschema's compiled validator, about
ten times faster than walking the schema; only an invalid file is walked again by jsonschema to
list every error with its place.
"""

from __future__ import annotations

import copy
import datetime
import importlib.util
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
from jsonschema.exceptions import ValidationError

from webapp.reviewer.yamlnodes import Pos, YList, YMap

SCHEMA_FILES = {
    "gha": "github-workflows.json",
    "compose": "compose-spec.json",
    "gitlab": "gitlab-ci.json",
}



@cache
def _vendored() -> Path:
    """check-jsonschema's folder of vendored schemas, found without importing the package
    (importing it loads its command line and HTTP client: about a second)."""
    spec = importlib.util.find_spec("check_jsonschema")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("check-jsonschema is not installed: it ships the schemas")
    return Path(spec.submodule_search_locations[0]) / "builtin_schemas" / "vendor"


@dataclass(frozen=True)
class SchemaError:
    pos: Pos
    path: str  #: dotted place in the document, e.g. `jobs.build.steps[2].with`
    message: str


@cache
def schema(kind: str) -> dict[str, Any]:
    return json.loads((_vendored() / SCHEMA_FILES[kind]).read_text("utf-8"))


@cache
def validator(kind: str) -> Any:
    """The validator that lists errors for `kind` (built once per process)."""
    return jsonschema.validators.validator_for(schema(kind))(schema(kind))


@cache
def _fast(kind: str) -> Any:
    return fastjsonschema.compile(_draft7(schema(kind)), use_default=False)


def _draft7(original: dict[str, Any]) -> dict[str, Any]:
    """The same rules in draft-7 words for fastjsonschema. The Compose schema's only newer
    keyword is `unevaluatedProperties: false` on an `allOf` of `$ref`s; it becomes
    `additionalProperties: false` beside the union of the referenced properties."""
    converted = copy.deepcopy(original)
    defs = converted.get("$defs", {})
    for definition in defs.values():
        if isinstance(definition, dict) and definition.pop("unevaluatedProperties", True) is False:
            parts = [defs[ref["$ref"].rsplit("/", 1)[1]] for ref in definition.get("allOf", [])]
            parts.append(definition)
            definition["properties"] = {name: definition.get("properties", {}).get(name, {})
                                        for part in parts for name in part.get("properties", {})}
            definition["patternProperties"] = {pattern: {} for part in parts
                                               for pattern in part.get("patternProperties", {})}
            definition["additionalProperties"] = False
    converted["$schema"] = "http://json-schema.org/draft-07/schema#"
    return converted


def is_valid(kind: str, doc: Any) -> bool:
    try:
        _fast(kind)(doc)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def schema_errors(kind: str, doc: Any, limit: int = 10) -> Iterator[SchemaError]:
    """The schema's complaints about `doc`, most specific first, one per place."""
    plain = _plain(doc)
    if is_valid(kind, plain) or kind == "gitlab" and is_valid(kind, _plain(doc, deferred=False)):
        return
    leaves = [leaf for error in validator(kind).iter_errors(plain) for leaf in _leaves(error)
              if not _resolved_later(doc, list(leaf.absolute_path))
              and not (kind == "gitlab" and _completed_by_gitlab(doc, leaf))
              and not (kind == "gha" and _single_filter(leaf))]
    failing = {tuple(e.absolute_path) for e in leaves}
    seen: set[str] = set()
    for error in leaves:
        path = list(error.absolute_path)
        message = _message(error, failing)
        key = _dotted(path)
        if message is None or key in seen:
            continue
        seen.add(key)
        yield SchemaError(_position(doc, path, error, failing), key or "(top level)", message)
        if len(seen) >= limit:
            return


def _single_filter(error: ValidationError) -> bool:
    """GitHub reads a single string where the schema wants a list of branch, tag, path or
    type filters (`branches: main`)."""
    path = list(error.absolute_path)
    return (error.validator == "type" and isinstance(error.instance, str)
            and "array" in str(error.validator_value) and len(path) >= 3 and path[0] == "on")


def _completed_by_gitlab(doc: Any, error: ValidationError) -> bool:
    """GitLab reads an empty value as absent, and merges what a job `extends` into it before
    validating: a key missing from a job that extends another may well come from there."""
    if error.instance is None:
        return True
    path = list(error.absolute_path)
    job = doc.get(path[0]) if path and isinstance(doc, dict) else None
    return error.validator == "required" and isinstance(job, dict) and "extends" in job


def _reference(value: Any) -> bool:
    return isinstance(value, YList) and getattr(value, "tag", None) == "!reference"


def _resolved_later(doc: Any, path: list[Any]) -> bool:
    """Whether the value lies inside a `!reference [...]`, which GitLab replaces before
    validating. (GitLab also reads an empty value as absent: the caller drops those.)"""
    node = doc
    for part in [None, *path]:
        if part is not None:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return False
        if isinstance(node, YList) and getattr(node, "tag", None) == "!reference":
            return True
    return False


def _leaves(error: ValidationError) -> list[ValidationError]:
    """Of a `oneOf`/`anyOf` failure, every error of the alternative that came closest: the one
    whose error lies deepest in the document (it matched the most before failing), then the
    one with the fewest errors."""
    if not error.context:
        return [error]
    groups: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        groups.setdefault(sub.relative_schema_path[0], []).append(sub)
    best = max(groups.values(), key=lambda group: (
        max(len(e.absolute_path) for e in group), -len(group), min(_weight(e) for e in group)))
    return [leaf for sub in best for leaf in _leaves(sub)]


def _weight(error: ValidationError) -> int:
    """Prefer a wrong type or value over 'not allowed here' noise from other alternatives."""
    return 0 if error.validator in ("additionalProperties", "unevaluatedProperties") else 1


def _message(error: ValidationError, failing: set[tuple[Any, ...]]) -> str | None:
    """The error in words, or None when it only repeats another (a key reported as unexpected
    because its own value is wrong)."""
    if error.validator in ("additionalProperties", "unevaluatedProperties"):
        base = tuple(error.absolute_path)
        names = [n for n in re.findall(r"'([^']+)'", error.message) if base + (n,) not in failing]
        if not names:
            return None
        return f"{', '.join(f'`{n}`' for n in names)} not allowed here"
    text = error.message
    return text if len(text) <= 160 else text[:157] + "..."


def _position(doc: Any, path: list[Any], error: ValidationError,
              failing: set[tuple[Any, ...]]) -> Pos:
    node, pos = doc, getattr(doc, "pos", Pos(1, 1))
    for part in path:
        in_map = isinstance(node, YMap) and part in node
        if not (in_map or isinstance(node, YList) and isinstance(part, int) and part < len(node)):
            break
        pos, node = node.at(part), node[part]
    if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(
            node, YMap):
        base = tuple(error.absolute_path)
        named = [k for k in re.findall(r"'([^']+)'", error.message) if k in node]
        named = [k for k in named if base + (k,) not in failing] or named
        if named:
            return node.at(named[0])
    return pos


def _dotted(path: list[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _plain(value: Any, deferred: bool = True) -> Any:
    """JSON-shaped data: YAML timestamps become strings, as GitHub and Compose read them.
    Without `deferred`, what GitLab fills in before validating is left out: `!reference`
    values (checked where they are defined) and empty values (read as absent)."""
    if isinstance(value, dict):
        return {str(k): _plain(v, deferred) for k, v in value.items()
                if deferred or not (v is None or _reference(v))}
    if isinstance(value, list):
        return [_plain(v, deferred) for v in value if deferred or not _reference(v)]
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value
