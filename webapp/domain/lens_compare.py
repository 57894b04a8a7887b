"""Two results of the same lens side by side: what a team improved, and what got worse."""

from __future__ import annotations

from typing import Any

from .lens_result import LensResult, Risk

#: Worse risks rank higher; not applicable and unanswered sit apart from the scale.
RANK = {Risk.NONE: 0, Risk.MEDIUM: 1, Risk.HIGH: 2}


def compare(before: LensResult, after: LensResult) -> dict[str, Any]:
    """Per-pillar high and medium counts on both sides, and every question whose risk moved."""
    old = {q.question.id: q for p in before.pillars for q in p.questions}
    pillars, moved = [], []
    for pillar in after.pillars:
        earlier = next((p for p in before.pillars if p.pillar.id == pillar.pillar.id), None)
        pillars.append(
            {
                "name": pillar.pillar.name,
                "before": _counts(earlier) if earlier else None,
                "after": _counts(pillar),
            }
        )
        for q in pillar.questions:
            was = old[q.question.id].risk if q.question.id in old else Risk.UNANSWERED
            if was != q.risk:
                moved.append(
                    {
                        "pillar": pillar.pillar.name,
                        "title": q.question.title,
                        "id": q.question.id,
                        "before": was,
                        "after": q.risk,
                        "direction": _direction(was, q.risk),
                    }
                )
    return {"pillars": pillars, "moved": moved}


def _counts(pillar) -> dict[str, int]:
    return {
        "high": pillar.count(Risk.HIGH),
        "medium": pillar.count(Risk.MEDIUM),
        "unanswered": pillar.count(Risk.UNANSWERED),
    }


def _direction(before: Risk, after: Risk) -> str:
    if before in RANK and after in RANK:
        return "better" if RANK[after] < RANK[before] else "worse"
    return "changed"
