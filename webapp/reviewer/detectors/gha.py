"""GitHub Actions detectors about time bounds, concurrency, notification and supply."""

from __future__ import annotations

import re
from collections.abc import Iterator
from math import prod
from typing import Any

from webapp.reviewer.detectors import Context, detector
from webapp.reviewer.detectors import workflow as wfm
from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import YMap

_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_REFERENCE = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w*-]+|\[[^\]]*\])*")
_LITERAL = re.compile(r"^\s*('[^']*'|-?\d+(\.\d+)?|true|false|null)\s*$")
_FULL_SHA = re.compile(r"^[0-9a-f]{40}$")


@detector
def gha_job_timeout(source: Source, ctx: Context, quiet_when_steps_bounded: bool = True):
    wf = wfm.workflow(source)
    if wf is None:
        return
    for job_id, job in wfm.jobs(wf):
        if "uses" in job or "timeout-minutes" in job:
            continue
        if quiet_when_steps_bounded and _some_step_bounded(job_id, job):
            continue
        yield Hit(wf["jobs"].at(job_id), f"job `{job_id}` has no timeout-minutes: a hung step "
                  "holds the runner for up to 6 hours", f"jobs.{job_id}")


def _some_step_bounded(job_id: str, job: YMap) -> bool:
    return any("timeout-minutes" in step.step for step in wfm.job_steps(job_id, job))


@detector
def gha_release_no_concurrency(source: Source, ctx: Context):
    wf = wfm.workflow(source)
    if wf is None or not wfm.is_release_or_deploy(source, wf) or "concurrency" in wf:
        return
    all_jobs = list(wfm.jobs(wf))
    writing = [job for job_id, job in all_jobs if wfm.job_effects(job_id, job)] or [
        job for _, job in all_jobs
    ]
    if writing and all("concurrency" in job for job in writing):
        return
    what = "publishes" if wfm.publishes(wf) else "deploys"
    yield Hit(wf.at("on"), f"this workflow {what} with no concurrency group: two runs "
              f"({wfm.overlap_causes(wf)}) can do it at the same time", "on")


@detector
def gha_release_cancel_in_progress(source: Source, ctx: Context):
    wf = wfm.workflow(source)
    if wf is None or not wfm.is_release(source, wf):
        return
    for logical, block in _concurrency_blocks(wf):
        if isinstance(block, YMap) and block.get("cancel-in-progress") is True:
            yield Hit(block.at("cancel-in-progress"), "cancel-in-progress: true on a release: "
                      "a second run cancels the first half-way through publishing", logical)


def _concurrency_blocks(wf: YMap) -> Iterator[tuple[str, Any]]:
    if "concurrency" in wf:
        yield "concurrency", wf["concurrency"]
    for job_id, job in wfm.jobs(wf):
        if "concurrency" in job:
            yield f"jobs.{job_id}.concurrency", job["concurrency"]


@detector
def gha_concurrency_constant_group(
    source: Source, ctx: Context, event_scoped: dict[str, list[str]], constant: list[str]
):
    wf = wfm.workflow(source)
    events = sorted(wfm.triggers(wf)) if wf is not None else []
    if not events or "workflow_call" in events:
        return  # a called workflow runs with its caller's event: nothing is known here
    for logical, block in _concurrency_blocks(wf):
        group = block.get("group") if isinstance(block, YMap) else block
        if not isinstance(group, str):
            continue
        where = block.value_at("group") if isinstance(block, YMap) else wf.value_at("concurrency")
        for event in events:
            collapsed = _collapse(group, event, event_scoped, constant)
            if collapsed is not None:
                yield Hit(where, f"on `{event}` events the group is always `{collapsed}`: "
                          "every run shares one queue", f"{logical}.group")
                break


def _collapse(group: str, event: str, scoped: dict[str, list[str]], constant: list[str]):
    """The group's constant value on `event`, or None when it varies between runs."""
    saw_empty = False
    for expression in _EXPRESSION.findall(group):
        kinds = {_alternative_kind(alt, event, scoped, constant) for alt in expression.split("||")}
        if "varies" in kinds:
            return None
        saw_empty = saw_empty or kinds == {"empty"}
    if not saw_empty:
        return None
    return _EXPRESSION.sub(lambda m: _shown(m.group(1), event, scoped, constant), group)


def _alternative_kind(text: str, event: str, scoped: dict[str, list[str]], constant: list[str]):
    if _LITERAL.match(text):
        return "constant"
    refs = [ref for ref in _REFERENCE.findall(text) if "." in ref]
    if not refs:
        return "varies"
    kinds = {_reference_kind(ref, event, scoped, constant) for ref in refs}
    return "varies" if "varies" in kinds else ("empty" if "empty" in kinds else "constant")


def _reference_kind(ref: str, event: str, scoped: dict[str, list[str]], constant: list[str]):
    for prefix, events in scoped.items():
        if ref == prefix or ref.startswith(prefix + ".") or ref.startswith(prefix + "["):
            return "varies" if event in events else "empty"
    return "constant" if ref in constant else "varies"


def _shown(expression: str, event: str, scoped: dict[str, list[str]], constant: list[str]):
    kind = _alternative_kind(expression, event, scoped, constant)
    return "" if kind == "empty" else "${{" + expression + "}}"


@detector
def gha_silent_failure(source: Source, ctx: Context, notify: list[str], quiet_triggers: list[str]):
    wf = wfm.workflow(source)
    if wf is None:
        return
    events = set(wfm.triggers(wf))
    if not events or events <= set(quiet_triggers):
        return
    scheduled = "schedule" in events
    if not (scheduled or wfm.is_release(source, wf)) or _reports_failure(wf, notify):
        return
    what = "scheduled" if scheduled else "release"
    yield Hit(wf.at("on"), f"{what} workflow with no failure notification: when it fails, "
              "nobody hears about it unless they open the Actions tab", "on")


def _reports_failure(wf: YMap, notify: list[str]) -> bool:
    pattern = re.compile("|".join(notify), re.IGNORECASE)
    for _, job in wfm.jobs(wf):
        if _failure_condition(job.get("if")):
            return True
    for step in wfm.steps(wf):
        if _failure_condition(step.step.get("if")) or pattern.search(step.uses):
            return True
        if wfm.mentions(step.step.get("if"), re.compile(r"always\(\)")) and "job.status" in (
            step.run + str(step.with_)
        ):
            return True
    return False


def _failure_condition(condition: Any) -> bool:
    return isinstance(condition, str) and bool(re.search(r"failure\(\)|\.result\s*==\s*'failure'",
                                                         condition))


@detector
def gha_action_unpinned(source: Source, ctx: Context, first_party: list[str]):
    wf = wfm.workflow(source)
    if wf is None:
        return
    for job_id, job in wfm.jobs(wf):
        if isinstance(job.get("uses"), str):
            yield from _unpinned(job, job["uses"], f"jobs.{job_id}.uses", first_party)
        for step in wfm.job_steps(job_id, job):
            if step.uses:
                yield from _unpinned(step.step, step.uses, f"{step.logical}.uses", first_party)


def _unpinned(holder: YMap, ref: str, logical: str, first_party: list[str]) -> Iterator[Hit]:
    if ref.startswith("./") or ref.startswith("docker://") and "@sha256:" in ref:
        return
    owner = ref.split("/", 1)[0]
    version = ref.rsplit("@", 1)[1] if "@" in ref else ""
    if owner in first_party or _FULL_SHA.match(version):
        return
    shown = f"`{ref}`" if version else f"`{ref}` (no version at all)"
    yield Hit(holder.value_at("uses"), f"{shown} follows a moving reference: its code can change "
              "under you between two runs", logical)


@detector
def gha_workflow_run_unchecked(source: Source, ctx: Context):
    wf = wfm.workflow(source)
    if wf is None or "workflow_run" not in wfm.triggers(wf):
        return
    for job_id, job in wfm.jobs(wf):
        conditions = [str(job.get("if", ""))] + [
            str(step.step.get("if", "")) + step.run for step in wfm.job_steps(job_id, job)
        ]
        if not any("conclusion" in text for text in conditions):
            yield Hit(wf["jobs"].at(job_id), f"job `{job_id}` runs after the upstream workflow "
                      "whatever its conclusion, including failure", f"jobs.{job_id}")


@detector
def gha_matrix_publish(source: Source, ctx: Context, min_combinations: int = 2):
    wf = wfm.workflow(source)
    if wf is None:
        return
    for job_id, job in wfm.jobs(wf):
        strategy = job.get("strategy")
        size = matrix_size(strategy)
        if size >= min_combinations and wfm.job_publishes(job_id, job):
            yield Hit(strategy.at("matrix"), f"each of the {size} matrix legs of `{job_id}` "
                      "publishes on its own: one failing leg leaves a partial release",
                      f"jobs.{job_id}.strategy.matrix")


@detector
def gha_matrix_no_max_parallel(source: Source, ctx: Context, min_combinations: int,
                               external: list[str], external_actions: list[str]):
    wf = wfm.workflow(source)
    if wf is None:
        return
    commands, actions = re.compile("|".join(external)), re.compile("|".join(external_actions))
    for job_id, job in wfm.jobs(wf):
        strategy = job.get("strategy")
        size = matrix_size(strategy)
        if size < min_combinations or "max-parallel" in strategy:
            continue
        shared = _shared_call(job_id, job, strategy.get("matrix"), commands, actions)
        if shared:
            yield Hit(strategy.at("matrix"), f"{size} matrix legs of `{job_id}` all call "
                      f"{shared} at once, with no max-parallel", f"jobs.{job_id}.strategy")


def _shared_call(job_id: str, job: YMap, matrix: Any, commands: re.Pattern[str],
                 actions: re.Pattern[str]) -> str | None:
    """What the legs call in common: a command of a `run:` script or of a matrix value, or an
    action known to call a remote service."""
    for step in wfm.job_steps(job_id, job):
        if step.uses and actions.search(step.action()):
            return f"`{step.action()}`"
        match = commands.search(step.run)
        if match:
            return f"`{match.group(0).strip()}`"
    for value in _strings(matrix):
        match = commands.search(value)
        if match:
            return f"`{match.group(0).strip()}` (from a matrix value)"
    return None


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def matrix_size(strategy: Any) -> int:
    """How many legs a strategy's matrix fans out to (0 when it is not a literal matrix)."""
    matrix = strategy.get("matrix") if isinstance(strategy, dict) else None
    if not isinstance(matrix, dict):
        return 0
    axes = [v for k, v in matrix.items() if k not in ("include", "exclude")]
    lists = [len(v) for v in axes if isinstance(v, list)]
    if len(lists) != len(axes):
        return 0
    base = prod(lists) if lists else 0
    excluded = len(matrix.get("exclude") or []) if isinstance(matrix.get("exclude"), list) else 0
    included = len(matrix.get("include") or []) if isinstance(matrix.get("include"), list) else 0
    return max(base - excluded, 0) + (included if not lists else 0)
