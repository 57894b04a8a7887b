"""A lens result as plain JSON: what the API answers and `faultline report --format json`
prints for a review on a lens. Same result, same document."""

from __future__ import annotations

from typing import Any

from .lens_result import LensResult, QuestionResult, Risk


def counts(result: LensResult) -> dict[str, int]:
    """Questions per risk: high, medium, none, not_applicable, unanswered."""
    return {risk.value: result.count(risk) for risk in Risk}


def question_json(q: QuestionResult) -> dict[str, Any]:
    return {
        "id": q.question.id,
        "title": q.question.title,
        "pillar_id": q.pillar.id,
        "risk": q.risk.value,
        "choices": [c.id for c in q.question.choices if c.id in q.answer.choices],
        "na_reason": q.answer.na_reason.value if q.answer.na_reason else None,
        "note": q.answer.note,
        "improvements": [{"choice": i.choice.id, "text": i.text, "url": i.url}
                         for i in q.improvements],
    }


def lens_result_json(result: LensResult, questionnaire: str, version: int) -> dict[str, Any]:
    """The whole result: the lens, totals, each pillar with its questions, and the plan."""
    return {
        "kind": "lens",
        "lens": {"id": questionnaire, "name": result.lens.name, "version": version},
        "answered": result.answered,
        "total": result.total,
        "totals": counts(result),
        "pillars": [
            {"id": p.pillar.id, "name": p.pillar.name,
             "counts": {risk.value: p.count(risk) for risk in Risk},
             "questions": [question_json(q) for q in p.questions]}
            for p in result.pillars
        ],
        "plan": [question_json(q) for q in result.plan],
    }
