"""Reading a GitHub Actions workflow: triggers, jobs, steps, scripts and what they publish."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from webapp.reviewer.models import Source
from webapp.reviewer.yamlnodes import Pos, YList, YMap

RELEASE_NAME = re.compile(r"release|publish|deploy|deliver|ship", re.IGNORECASE)
PUBLISH_ACTIONS = (
    "pypa/gh-action-pypi-publish", "softprops/action-gh-release", "ncipollo/release-action",
    "actions/create-release", "docker/build-push-action", "JS-DevTools/npm-publish",
    "svenstaro/upload-release-action", "goreleaser/goreleaser-action",
)  # fmt: skip
PUBLISH_COMMANDS = re.compile(
    r"\b(gh release (create|upload)|npm publish|yarn (npm )?publish|pnpm publish|twine upload|"
    r"uv publish|poetry publish|cargo publish|gem push|docker push|helm push)\b"
)


@dataclass(frozen=True)
class Step:
    job_id: str
    job: YMap
    index: int
    step: YMap
    pos: Pos

    @property
    def logical(self) -> str:
        return f"jobs.{self.job_id}.steps[{self.index}]"

    @property
    def uses(self) -> str:
        value = self.step.get("uses")
        return value if isinstance(value, str) else ""

    @property
    def run(self) -> str:
        value = self.step.get("run")
        return value if isinstance(value, str) else ""

    @property
    def with_(self) -> dict[str, Any]:
        value = self.step.get("with")
        return value if isinstance(value, dict) else {}

    def action(self) -> str:
        """`owner/repo` of a `uses:` reference, without path or version."""
        ref = self.uses.split("@", 1)[0]
        return "/".join(ref.split("/")[:2])


def workflow(source: Source) -> YMap | None:
    doc = source.docs[0] if source.docs else None
    return doc if isinstance(doc, YMap) else None


def triggers(wf: YMap) -> dict[str, Any]:
    """Event name → its configuration (None when written without one)."""
    on = wf.get("on", wf.get("true"))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(event): None for event in on}
    return dict(on) if isinstance(on, dict) else {}


def jobs(wf: YMap) -> Iterator[tuple[str, YMap]]:
    found = wf.get("jobs")
    if isinstance(found, YMap):
        yield from ((job_id, job) for job_id, job in found.items() if isinstance(job, YMap))


def steps(wf: YMap) -> Iterator[Step]:
    for job_id, job in jobs(wf):
        yield from job_steps(job_id, job)


def job_steps(job_id: str, job: YMap) -> Iterator[Step]:
    found = job.get("steps")
    if not isinstance(found, YList):
        return
    for index, step in enumerate(found):
        if isinstance(step, YMap):
            yield Step(job_id, job, index, step, found.at(index))


def script_lines(source: Source, step: Step) -> Iterator[tuple[Pos, str]]:
    """The run script's logical lines (continuations joined, comments dropped) with positions."""
    start = step.step.value_at("run").line
    pending, first_pos = "", None
    for raw in step.run.splitlines():
        text = raw.strip()
        if not pending and (not text or text.startswith("#")):
            continue
        pos = source.find_line(text, start) if text else None
        if pos:
            start = pos.line
        first_pos = first_pos or pos or step.step.value_at("run")
        pending = f"{pending} {text.rstrip(chr(92)).strip()}".strip()
        if not text.endswith("\\"):
            yield first_pos, pending
            pending, first_pos = "", None
    if pending:
        yield first_pos or step.step.value_at("run"), pending


def publishes(wf: YMap) -> bool:
    """Whether any step publishes something outside the repository's CI."""
    return any(job_publishes(job_id, job) for job_id, job in jobs(wf))


def job_publishes(job_id: str, job: YMap) -> bool:
    return any(
        step.action() in PUBLISH_ACTIONS or PUBLISH_COMMANDS.search(step.run)
        for step in job_steps(job_id, job)
    )


def tag_or_release_trigger(wf: YMap) -> bool:
    events = triggers(wf)
    push = events.get("push")
    create = events.get("create")
    tagged = isinstance(push, dict) and "tags" in push
    return tagged or "release" in events or isinstance(create, dict) and "tags" in create


def is_release(source: Source, wf: YMap) -> bool:
    """Release-like: named so, triggered by tags or releases, or publishing."""
    name = f"{wf.get('name', '')} {source.path.name}"
    named = bool(re.search(r"release|publish", name, re.IGNORECASE))
    return named or tag_or_release_trigger(wf) or publishes(wf)


def is_release_or_deploy(source: Source, wf: YMap) -> bool:
    name = f"{wf.get('name', '')} {source.path.name}"
    return bool(RELEASE_NAME.search(name)) or is_release(source, wf)


def has_concurrency(wf: YMap, job: YMap | None = None) -> bool:
    return "concurrency" in wf or (job is not None and "concurrency" in job)


def mentions(value: Any, pattern: re.Pattern[str]) -> bool:
    return isinstance(value, str) and bool(pattern.search(value))
