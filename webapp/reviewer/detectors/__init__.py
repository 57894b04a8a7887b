"""Detector functions: one small function per check, found by name from the check's data.

A detector takes the parsed source, the review context (every source of the run, for checks
that look across files) and the check's parameters, and yields `Hit`s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import Pos

Detector = Callable[..., Iterable[Hit]]
DETECTORS: dict[str, Detector] = {}


def listed(value: Any) -> list[Any]:
    """`value` when it is a list, else an empty one: files in the wild put odd things anywhere."""
    return value if isinstance(value, list) else []


def detector(fn: Detector) -> Detector:
    """Register `fn` under its own name."""
    DETECTORS[fn.__name__] = fn
    return fn


def once_per_place(hits: Iterable[tuple[Hit, str]]) -> Iterator[Hit]:
    """One hit per place: hits (with the name of what they concern) at the same position come
    from something shared (a YAML anchor, a job template) and are reported once there, naming
    everything that inherits it."""
    grouped: dict[Pos, list[tuple[Hit, str]]] = {}
    for hit, name in hits:
        grouped.setdefault(hit.pos, []).append((hit, name))
    for pos, group in grouped.items():
        hit, _ = group[0]
        if len(group) == 1:
            yield hit
            continue
        shown = [f"`{name}`" for _, name in group[:6]]
        more = f" and {len(group) - 6} more" if len(group) > 6 else ""
        names = ", ".join(shown) + more
        yield Hit(pos, f"{hit.message} (set once here and inherited by {names})",
                  f"{hit.logical}+anchor")


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
