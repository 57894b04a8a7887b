"""Files the reading system would refuse: schema violations, and the structural rules a schema
cannot express (actionlint's: a step id or job id used twice, `needs` naming a missing job, an
expression that cannot parse). One high finding per problem, at its line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from webapp.reviewer import schemas
from webapp.reviewer.detectors import Context, detector, expressions
from webapp.reviewer.detectors import gitlab_pipeline as glp
from webapp.reviewer.detectors import workflow as wfm
from webapp.reviewer.discovery import pipeline_document
from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import YList, YMap


def schema_hits(source: Source, what: str) -> Iterator[Hit]:
    doc = pipeline_document(source.docs)
    if doc is not None:
        for error in schemas.schema_errors(source.kind, doc):
            yield Hit(error.pos, f"{what} refuses this file: at `{error.path}`, {error.message}",
                      f"schema:{error.path}")


def duplicate_keys(node: Any, path: str = "") -> Iterator[Hit]:
    """Keys written twice in one mapping: the first value is silently lost."""
    if isinstance(node, YMap):
        for key, pos in getattr(node, "duplicates", ()):
            yield Hit(pos, f"`{key}` is written twice in `{path or '(top level)'}`: the earlier "
                      "one is silently replaced", f"duplicate:{path}.{key}")
        for key, value in node.items():
            yield from duplicate_keys(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, YList):
        for index, item in enumerate(node):
            yield from duplicate_keys(item, f"{path}[{index}]")


@detector
def gha_invalid_workflow(source: Source, ctx: Context):
    wf = wfm.workflow(source)
    if wf is None:
        return
    yield from schema_hits(source, "GitHub")
    yield from duplicate_keys(wf)
    yield from _duplicate_step_ids(wf)
    yield from _missing_needs(wf)
    yield from _bad_expressions(wf, "")


def _duplicate_step_ids(wf: YMap) -> Iterator[Hit]:
    for job_id, job in wfm.jobs(wf):
        seen: set[str] = set()
        for step in wfm.job_steps(job_id, job):
            step_id = step.step.get("id")
            if isinstance(step_id, str) and step_id in seen:
                yield Hit(step.step.value_at("id"), f"step id `{step_id}` is used twice in job "
                          f"`{job_id}`: GitHub refuses the workflow", f"{step.logical}.id")
            seen.add(str(step_id))


def _missing_needs(wf: YMap) -> Iterator[Hit]:
    names = {job_id for job_id, _ in wfm.jobs(wf)}
    for job_id, job in wfm.jobs(wf):
        needs = job.get("needs")
        items = needs if isinstance(needs, YList) else [needs] if isinstance(needs, str) else []
        for index, need in enumerate(items):
            if isinstance(need, str) and need not in names and "${{" not in need:
                where = needs.at(index) if isinstance(needs, YList) else job.value_at("needs")
                yield Hit(where, f"job `{job_id}` needs `{need}`, which is not a job of this "
                          "workflow: GitHub refuses it", f"jobs.{job_id}.needs.{need}")


def _bad_expressions(node: Any, path: str) -> Iterator[Hit]:
    if isinstance(node, YMap):
        for key, value in node.items():
            place = f"{path}.{key}" if path else str(key)
            if isinstance(value, str):
                bare = key == "if" and "${{" not in value
                problem = _problem(value, bare)
                if problem:
                    yield Hit(node.value_at(key), f"expression at `{place}` cannot be parsed: "
                              f"{problem}", f"expression:{place}")
            else:
                yield from _bad_expressions(value, place)
    elif isinstance(node, YList):
        for index, item in enumerate(node):
            if isinstance(item, str):
                problem = _problem(item, False)
                if problem:
                    yield Hit(node.at(index), f"expression at `{path}[{index}]` cannot be parsed:"
                              f" {problem}", f"expression:{path}[{index}]")
            else:
                yield from _bad_expressions(item, f"{path}[{index}]")


def _problem(text: str, bare: bool) -> str | None:
    try:
        if bare:
            expressions.check(text)
        elif "${{" in text:
            for expression in expressions.embedded(text):
                expressions.check(expression)
    except expressions.ExpressionError as error:
        return str(error)
    return None


@detector
def gitlab_invalid_pipeline(source: Source, ctx: Context):
    doc = glp.document(source)
    if doc is None:
        return
    yield from schema_hits(source, "GitLab")
    yield from duplicate_keys(doc)
    if _all_includes_local(ctx):
        yield from _missing_references(source, ctx)


def _all_includes_local(ctx: Context) -> bool:
    """Whether every job of the pipeline is in the reviewed files: no remote, project or
    template include brings others, and every local include is among the files reviewed."""
    reviewed = {s.display.lstrip("/") for s in ctx.sources if s.kind == "gitlab"}
    for source in ctx.sources:
        doc = glp.document(source) if source.kind == "gitlab" else None
        include = doc.get("include") if doc is not None else None
        for item in include if isinstance(include, list) else [include]:
            if isinstance(item, dict) and set(item) <= {"local", "rules", "inputs"}:
                item = item.get("local")
            if item is None:
                continue
            if not isinstance(item, str) or item.startswith(("http://", "https://")):
                return False
            if not any(path.endswith(item.lstrip("/")) for path in reviewed):
                return False
    return True


def _missing_references(source: Source, ctx: Context) -> Iterator[Hit]:
    known = glp.definitions(ctx)
    doc = glp.document(source)
    for name, job in doc.items():
        if name in glp.RESERVED or not isinstance(job, YMap):
            continue
        for key in ("extends", "needs", "dependencies"):
            value = job.get(key)
            items = value if isinstance(value, YList) else [value] if isinstance(value, str) else []
            for index, item in enumerate(items):
                target = item.get("job") if isinstance(item, dict) else item
                if isinstance(target, str) and target not in known and "$" not in target:
                    where = value.at(index) if isinstance(value, YList) else job.value_at(key)
                    yield Hit(where, f"job `{name}` {key} `{target}`, which no file of the "
                              "pipeline defines: GitLab refuses the pipeline", f"{name}.{key}")


@detector
def compose_invalid_file(source: Source, ctx: Context):
    doc = source.docs[0] if source.docs else None
    if not isinstance(doc, YMap):
        return
    yield from schema_hits(source, "Compose")
    yield from duplicate_keys(doc)


_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?")
_COMMENT_VERSION = re.compile(r"#.*?\bv?(\d+(?:\.\d+)*)\b")


@detector
def gha_retired_action(source: Source, ctx: Context, actions: list[dict[str, Any]]):
    """Actions at a version GitHub has retired or no longer runs as written (data: the list of
    actions with the first good version, the date and the replacement)."""
    wf = wfm.workflow(source)
    if wf is None:
        return
    for step in wfm.steps(wf):
        if not step.uses or "@" not in step.uses:
            continue
        written = _version_in_use(source, step)
        version = _parse(written) if written else None
        entry = next((a for a in actions if a["uses"] == step.action() and version is not None
                      and version < _parse(str(a["below"]))), None)
        if entry:
            shown = written.lstrip("v")
            yield Hit(step.step.value_at("uses"), f"`{step.action()}` v{shown} {entry['what']} "
                      f"(since {entry['since']}): use `{entry['replacement']}`",
                      f"{step.logical}.uses")


def _version_in_use(source: Source, step: wfm.Step) -> str | None:
    """The version a `uses:` reference runs: its tag, or for a commit SHA the version written
    in the comment beside it (`@3d3c42e... # v4.1.0`)."""
    ref = step.uses.rsplit("@", 1)[1]
    if not re.fullmatch(r"[0-9a-f]{40}", ref) and _VERSION.match(ref):
        return ref
    comment = _COMMENT_VERSION.search(source.line_text(step.step.value_at("uses").line))
    return comment.group(1) if comment else None


def _parse(text: str) -> tuple[int, ...]:
    match = _VERSION.match(text)
    if not match:
        return (10**6,)
    return (int(match.group(1)), int(match.group(2) or 0))
