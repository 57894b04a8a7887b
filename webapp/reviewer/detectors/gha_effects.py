"""GitHub Actions detectors about side effects: creating things, swallowing failures, writing
on a schedule."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from webapp.reviewer.detectors import Context, detector, repo_scripts
from webapp.reviewer.detectors import workflow as wfm
from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import Pos, YMap

_SWALLOW = re.compile(r"\|\|\s*(true|:|exit\s+0)\s*(;|$|\)|&&|\|)")


_TARGET = re.compile(r"\$\{\{\s*([\w.\-\[\]'*]+)\s*\}\}|\$\{?(\w+)")
_OUTPUT_GUARD = re.compile(
    r"(steps|needs)\.[\w-]+\.outputs\.[\w-]*(exist|found|released|published|missing|present)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Lookup:
    """A look before creating: which kinds of thing it checks for, and for which target."""

    whats: frozenset[str]
    targets: frozenset[str]

    def guards(self, what: str, line: str) -> bool:
        if what not in self.whats:
            return False
        targets = targets_of(line)
        return not (self.targets and targets) or bool(self.targets & targets)


def targets_of(line: str) -> frozenset[str]:
    """The variables a command line names (`$TAG`, `${VERSION}`, `${{ inputs.tag }}`): two
    commands about the same release or tag usually share one."""
    return frozenset(a or b for a, b in _TARGET.findall(line))


class Guards:
    """The lookups seen so far in a job, in step order."""

    def __init__(self, patterns: list[dict[str, Any]]) -> None:
        self.patterns = [(re.compile(p["pattern"]), frozenset(p["guards"])) for p in patterns]
        self.seen: list[Lookup] = []

    def read(self, line: str) -> None:
        for pattern, whats in self.patterns:
            if pattern.search(line):
                self.seen.append(Lookup(whats, targets_of(line)))

    def guarded(self, what: str, line: str) -> bool:
        return any(lookup.guards(what, line) for lookup in self.seen)


@detector
def gha_unguarded_create(source: Source, ctx: Context, commands: list[dict[str, str]],
                         actions: list[dict[str, Any]], guards: list[dict[str, Any]]):
    wf = wfm.workflow(source)
    if wf is None:
        return
    for job_id, job in wfm.jobs(wf):
        if _OUTPUT_GUARD.search(str(job.get("if", ""))):
            continue
        job_script = "\n".join(step.run for step in wfm.job_steps(job_id, job))
        seen = Guards(guards)
        for step in wfm.job_steps(job_id, job):
            if _OUTPUT_GUARD.search(str(step.step.get("if", ""))):
                continue
            yield from _created_by_script(source, step, commands, job_script, seen)
            yield from _created_by_action(step, actions)


def _created_by_script(source: Source, step: wfm.Step, commands: list[dict[str, str]],
                       job_script: str, seen: Guards) -> Iterator[Hit]:
    reported: set[str] = set()
    for pos, line in wfm.script_lines(source, step):
        for what in _creations(line, commands, job_script, reported, seen):
            yield Hit(pos, f"creates {what} with no check that it already exists: a rerun "
                      "fails or duplicates it", f"{step.logical}.run:{what}")
        seen.read(line)
        for name, text in repo_scripts.referenced_scripts(source.path, line):
            yield from _created_by_repo_script(pos, step, name, text, commands, job_script, seen)


def _created_by_repo_script(pos: Pos, step: wfm.Step, name: str, text: str,
                            commands: list[dict[str, str]], job_script: str,
                            seen: Guards) -> Iterator[Hit]:
    reported: set[str] = set()
    for number, line in repo_scripts.logical_lines(text):
        for what in _creations(line, commands, job_script + "\n" + text, reported, seen):
            yield Hit(pos, f"runs `{name}`, which creates {what} (its line {number}) with no "
                      "check that it already exists: a rerun fails or duplicates it",
                      f"{step.logical}.run:{name}:{what}")
        seen.read(line)


def _creations(line: str, commands: list[dict[str, str]], context: str,
               reported: set[str], seen: Guards) -> Iterator[str]:
    """What `line` creates without a fallback or an earlier lookup, once per kind of thing."""
    for command in commands:
        what = command["what"]
        if what in reported or "||" in line or not re.search(command["pattern"], line):
            continue
        if command.get("unless") and re.search(command["unless"], line):
            continue
        if command.get("needs") and not re.search(command["needs"], context):
            continue
        if seen.guarded(what, line):
            continue
        reported.add(what)
        yield what


def _created_by_action(step: wfm.Step, actions: list[dict[str, Any]]) -> Iterator[Hit]:
    for action in actions:
        if step.action() != action["uses"] or not _configured_to_create(step, action):
            continue
        yield Hit(step.step.value_at("uses"), f"`{action['uses']}` {action.get('how', 'creates')} "
                  f"{action['what']} with no check that it already exists: a rerun fails or "
                  "duplicates it", f"{step.logical}.uses")


def _configured_to_create(step: wfm.Step, action: dict[str, Any]) -> bool:
    """Upserting actions create only in some configurations (`when_with`: input → regex);
    others stop creating in some (`unless_with`: input → value)."""
    unless = action.get("unless_with") or {}
    if any(str(step.with_.get(k, "")).lower() == str(v).lower() for k, v in unless.items()):
        return False
    when = action.get("when_with") or {}
    return all(re.search(v, str(step.with_.get(k, ""))) for k, v in when.items())


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
        if _detects_change(job_id, job, checks, change_actions, wf):
            continue
        if re.search(r"failure\(\)|\.result\s*==\s*'failure'", str(job.get("if", ""))):
            continue  # reports a failure: it writes only when something went wrong
        hit = _first_write(source, job_id, job, writes)
        if hit:
            yield hit


def _detects_change(job_id: str, job: YMap, checks: re.Pattern[str], actions: list[str],
                    wf: YMap | None = None, depth: int = 0) -> bool:
    """A change check in the job itself, or in a job it `needs` whose outputs gate it."""
    for step in wfm.job_steps(job_id, job):
        text = step.run + str(step.step.get("if", ""))
        if checks.search(text) or step.action() in actions:
            return True
    condition = str(job.get("if", "")) + "".join(
        str(step.step.get("if", "")) for step in wfm.job_steps(job_id, job))
    if checks.search(str(job.get("if", ""))):
        return True
    return wf is not None and depth < 5 and any(
        _detects_change(name, other, checks, actions, wf, depth + 1)
        for name, other in wfm.jobs(wf) if f"needs.{name}.outputs." in condition
    )


def _first_write(source: Source, job_id: str, job: YMap, writes: re.Pattern[str]) -> Hit | None:
    for step in wfm.job_steps(job_id, job):
        for pos, line in wfm.script_lines(source, step):
            if writes.search(line):
                return Hit(pos, f"scheduled job `{job_id}` writes (`{line[:60]}`) on every run, "
                           "whether or not anything changed", f"jobs.{job_id}.write")
    return None
