"""Retry and polling loops in `run:` scripts: are they bounded, do they back off?

Shell is read line by line, not parsed: a loop is a `while`/`until`/`for` header up to its
matching `done`. Only loops that `sleep` are considered (a loop that sleeps is waiting for
something: a retry or a poll); `while read` and plain iteration stay out of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from webapp.reviewer.detectors import Context, detector
from webapp.reviewer.detectors import workflow as wfm
from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import Pos

_HEADER = re.compile(r"^\s*(while|until|for)\b(.*)")
_DO = re.compile(r"(^|[;\s])do\b")
_DONE = re.compile(r"(^|[;\s])done\b")
_SLEEP = re.compile(r"\bsleep\s+(\S+)")
_COUNTER = re.compile(r"\(\(\s*\w+\s*(\+\+|\+=)|\$\(\(\s*\$?\w+\s*\+|\blet\s+\w+\+\+|\+\+\s*\w+")
_COMPARE = re.compile(r"-(ge|gt|le|lt|eq)\b|>=|<=|\(\(.*[<>].*\)\)")
_GROWTH = re.compile(r"\$?\(\(.*(\*|<<).*\)\)|\bexpr\b.*\\\*")
_TIMEOUT = re.compile(r"\btimeout\s+\d")


@dataclass(frozen=True)
class Loop:
    pos: Pos
    kind: str  #: while | until | for
    header: str
    body: str

    @property
    def sleeps(self) -> bool:
        return bool(_SLEEP.search(self.body))

    @property
    def infinite(self) -> bool:
        return bool(re.match(r"\s*(true|:|\[\s*1\s*\]|\(\(\s*1\s*\)\))\s*[;\s]", self.header + " "))

    @property
    def counted(self) -> bool:
        """Bounded by an attempt counter (or a `for` list), or wrapped in `timeout`."""
        if self.kind == "for":
            return True
        text = self.header + "\n" + self.body
        return bool(_COUNTER.search(text) and _COMPARE.search(text)) or bool(_TIMEOUT.search(text))

    @property
    def retries(self) -> bool:
        """A `for` loop only retries when it breaks out on success."""
        return self.kind != "for" or bool(re.search(r"\bbreak\b", self.body))

    @property
    def backs_off(self) -> bool:
        delays = _SLEEP.findall(self.body)
        return bool(_GROWTH.search(self.body)) or any("$((" in delay for delay in delays)


def loops(source: Source, step: wfm.Step) -> Iterator[Loop]:
    """Top-level sleeping loops of a step's script."""
    lines = list(wfm.script_lines(source, step))
    index = 0
    while index < len(lines):
        pos, line = lines[index]
        match = _HEADER.match(line)
        if not match:
            index += 1
            continue
        end = _loop_end(lines, index)
        body = "\n".join(text for _, text in lines[index : end + 1])
        loop = Loop(pos, match.group(1), match.group(2), body)
        if loop.sleeps:
            yield loop
        index = end + 1


def _loop_end(lines: list[tuple[Pos, str]], start: int) -> int:
    depth = 0
    for index in range(start, len(lines)):
        text = lines[index][1]
        depth += len(_DO.findall(text)) - len(_DONE.findall(text))
        if depth <= 0 and index > start or depth <= 0 and _DONE.search(text):
            return index
    return len(lines) - 1


def _time_bounded(step: wfm.Step) -> bool:
    return "timeout-minutes" in step.step or "timeout-minutes" in step.job


@detector
def gha_retry_unbounded(source: Source, ctx: Context):
    wf = wfm.workflow(source)
    if wf is None:
        return
    for step in wfm.steps(wf):
        if _time_bounded(step):
            continue
        for loop in loops(source, step):
            if not loop.counted:
                yield Hit(loop.pos, f"`{loop.kind}` loop that sleeps and retries with no attempt "
                          "limit, in a step with no timeout: it can spin for hours",
                          f"{step.logical}.run:{loop.kind}")


@detector
def gha_retry_no_backoff(source: Source, ctx: Context, local_waits: list[str]):
    """Fixed-delay retries against remote services; waiting for something local is fine."""
    wf = wfm.workflow(source)
    if wf is None:
        return
    local = re.compile("|".join(local_waits))
    for step in wfm.steps(wf):
        for loop in loops(source, step):
            if local.search(loop.header + "\n" + loop.body):
                continue
            fixed_delay = loop.counted and not loop.backs_off and not _TIMEOUT.search(loop.body)
            if loop.retries and fixed_delay:
                yield Hit(loop.pos, "retry loop waits the same fixed delay between attempts: "
                          "every client retries in lockstep against a struggling service",
                          f"{step.logical}.run:{loop.kind}")
