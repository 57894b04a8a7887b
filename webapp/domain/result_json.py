"""The typed `Result` as JSON data and back: the one place that knows its serialized shape.

`result_to_dict`/`result_to_json` give `faultline report --format json` (same input, same bytes)
and milestone snapshots; `result_from_dict` reads either back, including snapshots stored in
format 1 (before workflows had ids), so a milestone frozen by an older Faultline still renders.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter

from .result import FORMAT_VERSION, Result


@lru_cache(maxsize=1)
def _adapter() -> TypeAdapter[Result]:
    return TypeAdapter(Result)


def result_to_dict(result: Result) -> dict[str, Any]:
    """Plain JSON data, keys in field order."""
    return _adapter().dump_python(result, mode="json")


def result_to_json(result: Result) -> str:
    """The JSON text of `result_to_dict`, byte-for-byte the same for the same input."""
    return json.dumps(result_to_dict(result), indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def result_from_dict(data: dict[str, Any]) -> Result:
    """A stored result (any format up to FORMAT_VERSION) as the typed result.

    Raises ValueError when `data` is not a result or comes from a newer Faultline."""
    version = data.get("format", 1) if isinstance(data, dict) else None
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"not a result this Faultline can read (format {version!r})")
    if version == 1:
        data = _upgrade_from_1(data)
    return _adapter().validate_python(data)


def _upgrade_from_1(old: dict[str, Any]) -> dict[str, Any]:
    """Format 1 named workflows only: give them ids and positions, and findings and plan
    steps the id of the first workflow of their name (format 1 could not tell two apart)."""
    data = dict(old, format=FORMAT_VERSION)
    workflows = [dict(w, id=f"w{n + 1}", position=n, patterns=[_cell(p) for p in
                                                            w.get("patterns") or []])
                 for n, w in enumerate(old.get("workflows") or [])]
    data["workflows"] = workflows
    positions: dict[str | None, int] = {}
    for w in workflows:
        positions.setdefault(w["name"], w["position"])

    def owner(name: str | None) -> dict[str, Any]:
        position = positions.get(name, -1) if name is not None else -1
        return {"workflow_id": f"w{position + 1}" if position >= 0 else None,
                "position": position}

    data["findings"] = [dict(f, **owner(f.get("workflow"))) for f in old.get("findings") or []]
    data["plan"] = [dict(s, **owner(s.get("workflow")),
                         after=[dict(a, workflow_id=owner(a.get("workflow"))["workflow_id"])
                                for a in s.get("after") or []])
                    for s in old.get("plan") or []]
    answers = old.get("answers") or {}
    data["answers"] = dict(answers, workflows=[
        dict(w, id=f"w{n + 1}", position=n) for n, w in enumerate(answers.get("workflows") or [])
    ])
    return data


def _cell(pattern: dict[str, Any]) -> dict[str, Any]:
    # Format 1 did not record why a cell had no score; "not assessed" never claims N/A.
    return dict(pattern, status="scored" if pattern.get("score") is not None
                else "not_assessed")
