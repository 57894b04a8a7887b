"""Detector functions: one small function per check, found by name from the check's data.

A detector takes the parsed source, the review context (every source of the run, for checks
that look across files) and the check's parameters, and yields `Hit`s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from webapp.reviewer.models import Hit, Source

Detector = Callable[..., Iterable[Hit]]
DETECTORS: dict[str, Detector] = {}


def listed(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one: files in the wild put odd things anywhere."""
    return value if isinstance(value, list) else []


def detector(fn: Detector) -> Detector:
    """Register `fn` under its own name."""
    DETECTORS[fn.__name__] = fn
    return fn


class Context:
    """Everything reviewed in one run, for detectors that look across files."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources
        self._memo: dict[Any, Any] = {}

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()` once per run for `key`: what several detectors read (a pipeline's jobs
        with `extends` resolved) is worked out once."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def k8s_documents(self) -> Iterable[Any]:
        for source in self.sources:
            if source.kind == "k8s":
                yield from (doc for doc in source.docs if isinstance(doc, dict))


# Importing the modules registers their detectors.
from webapp.reviewer.detectors import (  # noqa: E402, F401
    compose,
    gha,
    gha_effects,
    gha_scripts,
    gitlab,
    k8s,
    validity,
)
