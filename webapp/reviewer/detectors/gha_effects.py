"""GitHub Actions detectors about side effects: creating things, swallowing failures, writing
on a schedule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from webapp.reviewer.detectors import Context, detector, repo_scripts
from webapp.reviewer.detectors import workflow as wfm
from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import Pos, YMap

_SWALLOW = re.compile(r"\|\|\s*(true|:|exit\s+0)\s*(;|$|\)|&&|\|)")


@detector
def gha_unguarded_create(source: Source, ctx: Context, commands: list[dict[str, str]],
                         actions: list[dict[str, Any]], guards: list[str]):
    wf = wfm.workflow(source)
    if wf is None:
        return
    guard = re.compile("|".join(guards))
    for job_id, job in wfm.jobs(wf):
        job_script = "\n".join(step.run for step in wfm.job_steps(job_id, job))
        seen = ""
        for step in wfm.job_steps(job_id, job):
            seen += "\n" + step.run + "\n" + str(step.step.get("if", ""))
            if guard.search(seen):
                continue
            yield from _created_by_script(source, step, commands, job_script, guard)
            yield from _created_by_action(step, actions)


def _created_by_script(source: Source, step: wfm.Step, commands: list[dict[str, str]],
                       job_script: str, guard: re.Pattern[str]) -> Iterator[Hit]:
    reported: set[str] = set()
    for pos, line in wfm.script_lines(source, step):
        for what in _creations(line, commands, job_script, reported):
            yield Hit(pos, f"creates {what} with no check that it already exists: a rerun "
                      "fails or duplicates it", f"{step.logical}.run:{what}")
        for name, text in repo_scripts.referenced_scripts(source.path, line):
            if not guard.search(text):
                yield from _created_by_repo_script(pos, step, name, text, commands, job_script)


def _created_by_repo_script(pos: Pos, step: wfm.Step, name: str, text: str,
                            commands: list[dict[str, str]], job_script: str) -> Iterator[Hit]:
    reported: set[str] = set()
    for number, line in repo_scripts.logical_lines(text):
        for what in _creations(line, commands, job_script + "\n" + text, reported):
            yield Hit(pos, f"runs `{name}`, which creates {what} (its line {number}) with no "
                      "check that it already exists: a rerun fails or duplicates it",
                      f"{step.logical}.run:{name}:{what}")


def _creations(line: str, commands: list[dict[str, str]], context: str,
               reported: set[str]) -> Iterator[str]:
    """What `line` creates without a fallback, once per kind of thing."""
    for command in commands:
        what = command["what"]
        if what in reported or "||" in line or not re.search(command["pattern"], line):
            continue
        if command.get("unless") and re.search(command["unless"], line):
            continue
        if command.get("needs") and not re.search(command["needs"], context):
            continue
        reported.add(what)
        yield what


def _created_by_action(step: wfm.Step, actions: list[dict[str, Any]]) -> Iterator[Hit]:
    for action in actions:
        if step.action() != action["uses"]:
            continue
        unless = action.get("unless_with") or {}
        if any(str(step.with_.get(k, "")).lower() == str(v).lower() for k, v in unless.items()):
            continue
        yield Hit(step.step.value_at("uses"), f"`{action['uses']}` creates {action['what']} with "
                  "no check that it already exists: a rerun fails or duplicates it",
                  f"{step.logical}.uses")


@detector
def gha_swallowed_failure(source: Source, ctx: Context, benign: list[str]):
    wf = wfm.workflow(source)
    if wf is None:
        return
    harmless = re.compile(r"^\s*(" + "|".join(benign) + r")\b")
    text = source.text
    for job_id, job in wfm.jobs(wf):
        if job.get("continue-on-error") is True and f"needs.{job_id}.result" not in text:
            yield Hit(job.at("continue-on-error"), f"job `{job_id}` has continue-on-error: its "
                      "failure never fails the run", f"jobs.{job_id}.continue-on-error")
        for step in wfm.job_steps(job_id, job):
            yield from _swallowing_step(source, step, harmless)


def _swallowing_step(source: Source, step: wfm.Step, harmless: re.Pattern[str]) -> Iterator[Hit]:
    checked = _outcome_checked(source, step)
    if step.step.get("continue-on-error") is True and not checked:
        yield Hit(step.step.at("continue-on-error"), "continue-on-error: true and nothing reads "
                  "the step's outcome: a failure here passes silently",
                  f"{step.logical}.continue-on-error")
    for pos, line in wfm.script_lines(source, step):
        match = _SWALLOW.search(line)
        if match and not checked and not harmless.match(_failing_command(line[: match.start()])):
            yield Hit(pos, f"`{line[: match.end()].strip()[:80]}` discards the command's "
                      "failure", f"{step.logical}.run:swallow")
            return


def _failing_command(before: str) -> str:
    """The command whose failure `|| true` hides: the last one of a `&&`/`;` chain."""
    return re.split(r"&&|;|\|(?!\|)", before)[-1].strip()


def _outcome_checked(source: Source, step: wfm.Step) -> bool:
    step_id = step.step.get("id")
    return isinstance(step_id, str) and bool(
        re.search(rf"steps\.{re.escape(step_id)}\.(outcome|conclusion)", source.text)
    )


@detector
def gha_schedule_no_change_detection(source: Source, ctx: Context, writers: list[str],
                                     change_checks: list[str], change_actions: list[str]):
    wf = wfm.workflow(source)
    if wf is None or "schedule" not in wfm.triggers(wf):
        return
    writes, checks = re.compile("|".join(writers)), re.compile("|".join(change_checks))
    for job_id, job in wfm.jobs(wf):
        if _detects_change(job_id, job, checks, change_actions):
            continue
        hit = _first_write(source, job_id, job, writes)
        if hit:
            yield hit


def _detects_change(job_id: str, job: YMap, checks: re.Pattern[str], actions: list[str]) -> bool:
    for step in wfm.job_steps(job_id, job):
        text = step.run + str(step.step.get("if", ""))
        if checks.search(text) or step.action() in actions:
            return True
    return bool(checks.search(str(job.get("if", ""))))


def _first_write(source: Source, job_id: str, job: YMap, writes: re.Pattern[str]) -> Hit | None:
    for step in wfm.job_steps(job_id, job):
        for pos, line in wfm.script_lines(source, step):
            if writes.search(line):
                return Hit(pos, f"scheduled job `{job_id}` writes (`{line[:60]}`) on every run, "
                           "whether or not anything changed", f"jobs.{job_id}.write")
    return None
