"""Write lenses: an imported lens back to its file, and Faultline's questionnaire as a lens.

The questionnaire's layers become pillars and its workflow questions pillars of at most 20
questions each. A question's risk rules come from its choices' scores and from the findings
rules that name a choice: the worst selected choice sets the risk (an unknown never reads as
safe), and the best choice carries the remediation of those rules as its improvement plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from . import lens_rules
from .lens import SCHEMA_VERSION, Lens
from .models import Choice, Question, Questionnaire, Rule

MAX_QUESTIONS = 20
_RANK = {"NO_RISK": 0, "MEDIUM_RISK": 1, "HIGH_RISK": 2}
_SEVERITY_RISK = {
    "critical": "HIGH_RISK",
    "high": "HIGH_RISK",
    "medium": "MEDIUM_RISK",
    "low": "MEDIUM_RISK",
}


def lens_json(lens: Lens) -> dict[str, Any]:
    """The lens as a lens file's JSON object (keys the format does not define dropped)."""
    return lens.model_dump(mode="json", exclude_none=True, exclude_defaults=True) | {
        "schemaVersion": lens.schemaVersion,
    }


def questionnaire_lens(questionnaire: Questionnaire, rules: list[Rule]) -> dict[str, Any]:
    """Faultline's questionnaire as a lens file's JSON object."""
    implicated = _rule_choices(rules)
    pillars = [
        _pillar(pid, name, questions, implicated)
        for pid, name, questions in _pillar_groups(questionnaire)
    ]
    description = questionnaire.description or f"{questionnaire.title}, exported from Faultline."
    return {
        "schemaVersion": SCHEMA_VERSION,
        "name": questionnaire.title[:128],
        "description": description[:2048],
        "pillars": pillars,
    }


def _pillar_groups(questionnaire: Questionnaire) -> Iterator[tuple[str, str, list[Question]]]:
    for section in questionnaire.sections:
        scored = [q for q in section.questions if q.scored]
        if section.kind == "fit" or not scored:
            continue
        size = -(-len(scored) // -(-len(scored) // MAX_QUESTIONS))
        chunks = [scored[i : i + size] for i in range(0, len(scored), size)]
        for n, chunk in enumerate(chunks, start=1):
            suffix = f" ({n} of {len(chunks)})" if len(chunks) > 1 else ""
            pid = _lens_id(section.id) + (f"_{n}" if len(chunks) > 1 else "")
            yield pid, section.title[:100] + suffix, chunk


def _lens_id(text: str) -> str:
    ident = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")
    return ident if len(ident) >= 3 else f"{ident}_id"


def _choice_id(choice: Choice) -> str:
    ident = _lens_id(choice.id)
    return f"{ident}_answer" if ident.endswith("_no") or ident == "no_id" else ident


def _pillar(pid: str, name: str, questions: list[Question], implicated) -> dict[str, Any]:
    return {"id": pid, "name": name, "questions": [_question(q, implicated) for q in questions]}


def _question(question: Question, implicated: dict[str, dict[str, list[Rule]]]) -> dict[str, Any]:
    by_choice = implicated.get(question.id, {})
    risks = {c.id: _choice_risk(c, by_choice.get(c.id, [])) for c in question.choices}
    best = max(question.choices, key=lambda c: (-_RANK[risks[c.id]], c.score or 0))
    fixes = [
        step for rules in by_choice.values() for rule in rules for step in rule.remediation[:1]
    ]
    out: dict[str, Any] = {
        "id": _lens_id(question.id),
        "title": _short(question.text, 128),
        "choices": [_choice(c, c is best, question, best, fixes) for c in question.choices],
        "riskRules": _risk_rules(question, risks),
    }
    if question.help:
        out["description"] = _short(question.help, 2048)
    return out


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _choice_risk(choice: Choice, rules: list[Rule]) -> str:
    score = choice.score if choice.score is not None else 0
    risk = "NO_RISK" if score >= 75 else "MEDIUM_RISK" if score >= 40 else "HIGH_RISK"
    for rule in rules:
        if _RANK[_SEVERITY_RISK[rule.severity]] > _RANK[risk]:
            risk = _SEVERITY_RISK[rule.severity]
    return risk


def _choice(choice: Choice, is_best: bool, question: Question, best: Choice, fixes: list[str]):
    if is_best:
        unique = list(dict.fromkeys(fixes))
        text = " ".join(unique) or question.help or f"Aim for: {best.label}"
    else:
        text = f"Move towards: {best.label}"
    return {
        "id": _choice_id(choice),
        "title": _short(choice.label, 128),
        "improvementPlan": {"displayText": _short(text, 2048)},
    }


def _risk_rules(question: Question, risks: dict[str, str]) -> list[dict[str, str]]:
    """Worst first: any high-risk choice selected, else any medium-risk one, else no risk."""
    rules = []
    for risk in ("HIGH_RISK", "MEDIUM_RISK"):
        ids = [_choice_id(c) for c in question.choices if risks[c.id] == risk]
        if ids:
            leaves = tuple(lens_rules.Choice(i) for i in ids)
            node = lens_rules.Or(leaves) if len(leaves) > 1 else leaves[0]
            rules.append({"condition": lens_rules.to_text(node), "risk": risk})
    if len(rules) == 2 and all(r != "NO_RISK" for r in risks.values()):
        rules[-1] = {"condition": lens_rules.DEFAULT, "risk": "MEDIUM_RISK"}
        return rules
    return rules + [{"condition": lens_rules.DEFAULT, "risk": "NO_RISK"}]


def _rule_choices(rules: list[Rule]) -> dict[str, dict[str, list[Rule]]]:
    """Question id -> choice id -> the rules that fire when that choice is picked."""
    out: dict[str, dict[str, list[Rule]]] = {}
    for rule in rules:
        for qid, choices in _positive_leaves(rule.when):
            for cid in choices:
                out.setdefault(qid, {}).setdefault(cid, []).append(rule)
    return out


def _positive_leaves(tree: Any) -> Iterator[tuple[str, list[str]]]:
    if not isinstance(tree, dict):
        return
    for key in ("all", "any"):
        for child in tree.get(key, []):
            yield from _positive_leaves(child)
    if "q" in tree and ("in" in tree or "is" in tree):
        chosen = tree.get("in", tree.get("is"))
        yield str(tree["q"]), [str(c) for c in (chosen if isinstance(chosen, list) else [chosen])]
