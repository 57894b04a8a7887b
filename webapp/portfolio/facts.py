"""What the portfolio shows of one assessment's result, computed once per revision.

The engine's result is large; the portfolio needs a dozen numbers of it. They are kept in a
process-wide LRU keyed like the evaluation cache (assessment id, revision, update time), so a
page of 200 assessments evaluates only those that changed since it was last shown. Milestone
scores are kept by milestone id: a milestone never changes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import current_app

from webapp.results.adapter import result_json

CACHE_KEY = "faultline.portfolio_facts"
CACHE_SIZE = 4096


@dataclass(frozen=True)
class Facts:
    overall: float | None
    coverage: float | None
    fit: str | None  #: "strong" | "partial" | "poor" | None while unanswered
    fit_title: str
    layers: tuple[tuple[str, str, float | None], ...]  #: (id, title, score)
    critical: int
    high: int
    #: The "Now" findings as (rule id, workflow name or None).
    now: tuple[tuple[str, str | None], ...]


def facts_of(result: Any) -> Facts:
    """The portfolio's figures from an engine result (through the result's JSON form)."""
    data = result_json(result)
    findings = data.get("findings", [])
    fit = data.get("fit") or {}
    return Facts(
        overall=data.get("overall"),
        coverage=(data.get("coverage") or {}).get("percent"),
        fit=fit.get("verdict"),
        fit_title=fit.get("title") or "Not assessed",
        layers=tuple((layer["id"], layer["title"], layer.get("score"))
                     for layer in data.get("layers", [])),
        critical=sum(1 for f in findings if f.get("severity") == "critical"),
        high=sum(1 for f in findings if f.get("severity") == "high"),
        now=tuple((f["rule"], f.get("workflow")) for f in findings if f.get("bucket") == "now"),
    )


def lens_facts(result: Any) -> Facts:
    """A review on a lens (`LensResult`): no score, layers or fit; its high risks count as
    high, its coverage is the share of questions answered."""
    from webapp.domain.lens_result import Risk

    coverage = round(100 * result.answered / result.total, 1) if result.total else None
    return Facts(overall=None, coverage=coverage, fit=None, fit_title="Lens review",
                 layers=(), critical=0, high=result.count(Risk.HIGH), now=())


class LRU:
    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def cache() -> LRU:
    return current_app.extensions.setdefault(CACHE_KEY, LRU(CACHE_SIZE))


def milestone_scores() -> LRU:
    return current_app.extensions.setdefault(CACHE_KEY + ".milestones", LRU(CACHE_SIZE * 4))
