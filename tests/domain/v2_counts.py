"""How many questions version 2 asks for an answers file, from its `ask_if` conditions.

A small reading of the condition language (all, any, not, q with is/in/answered, fit) over raw
answers, kept independent of the engine on purpose: the tests compare the engine's relevance
with it and hold the question-count targets of issue 14 over the shipped examples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
V1 = ROOT / "questionnaires" / "reliability-review.yaml"
V2 = ROOT / "questionnaires" / "reliability-review-v2.yaml"


def load(path: Path = V2) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def _selected(answer: Any) -> set[str]:
    if answer is None or isinstance(answer, dict):  # unanswered, or {na: reason}
        return set()
    if isinstance(answer, list):
        return {str(a) for a in answer}
    return {str(answer)}


def flags(q: dict[str, Any], answers: dict[str, Any]) -> set[str]:
    found = set()
    for section in q["sections"]:
        for question in section["questions"]:
            criterion = question.get("criterion")
            if criterion and _selected(answers.get(question["id"])) & {
                str(c) for c in criterion["applies_when"]
            }:
                found.add(criterion["flag"])
    return found


def holds(cond: dict[str, Any], answers: dict[str, Any], fit: set[str]) -> bool:
    if "all" in cond:
        return all(holds(c, answers, fit) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, answers, fit) for c in cond["any"])
    if "not" in cond:
        return not holds(cond["not"], answers, fit)
    if "fit" in cond:
        return cond["fit"] in fit
    chosen = _selected(answers.get(cond["q"]))
    if "is" in cond:
        return str(cond["is"]) in chosen
    if "in" in cond:
        return bool(chosen & {str(c) for c in cond["in"]})
    if "answered" in cond:
        return bool(chosen) == cond["answered"]
    raise ValueError(f"condition not read here: {cond}")


def asked(
    q: dict[str, Any], system: dict[str, Any], workflow: dict[str, Any] | None = None
) -> list[str]:
    """Question ids asked: the system part (workflow None) or one workflow's part."""
    answers = dict(system) | dict(workflow or {})
    fit = flags(q, system)
    out = []
    for section in q["sections"]:
        if (section["kind"] == "workflow") != (workflow is not None):
            continue
        if "ask_if" in section and not holds(section["ask_if"], answers, fit):
            continue
        for question in section["questions"]:
            if "ask_if" not in question or holds(question["ask_if"], answers, fit):
                out.append(question["id"])
    return out


def counts(example: Path) -> dict[str, Any]:
    q = load()
    data = yaml.safe_load(example.read_text())
    system = data.get("answers", {})
    workflows = [(w["name"], w.get("answers", {})) for w in data.get("workflows", [])]
    per = {name: len(asked(q, system, answers)) for name, answers in workflows}
    sys_n = len(asked(q, system))
    return {"system": sys_n, "workflows": per, "total": sys_n + sum(per.values())}


def _size(q: dict[str, Any], workflow: bool) -> int:
    return sum(len(s["questions"]) for s in q["sections"] if (s["kind"] == "workflow") == workflow)


if __name__ == "__main__":
    for path in sorted((ROOT / "examples").glob("*.yaml")):
        print(path.name, counts(path))
    for name, q in (("v1", load(V1)), ("v2", load())):
        print(name, "system", _size(q, False), "per workflow", _size(q, True))
