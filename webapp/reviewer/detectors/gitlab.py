"""GitLab CI detectors: time bounds, retries, serialised deploys and releases, hidden
failures, floating images and includes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from webapp.reviewer.detectors import Context, detector, images, listed, once_per_place
from webapp.reviewer.detectors import gitlab_pipeline as glp
from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import YList, YMap

_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_PINNED_REF = re.compile(r"^(v?\d+(\.\d+)*([-+.][\w.]+)?|[0-9a-f]{40})$")


def _doing(job: glp.Job) -> str:
    env = job.environment()
    if job.effect() == "deploys":
        return f"deploys to `{env}`" if env and not glp.per_branch(env) else "deploys"
    return "publishes"


@detector
def gitlab_job_timeout(source: Source, ctx: Context):
    for job in glp.jobs(source, ctx):
        if job.effect() and job.get("timeout") is None and not job.get("trigger"):
            yield Hit(job.pos, f"job `{job.name}` {_doing(job)} with no timeout: a hung run "
                      "holds its runner, and any deploy lock, until the project's limit (one "
                      "hour unless changed)", f"{job.name}.timeout")


@detector
def gitlab_unsafe_retry(source: Source, ctx: Context, creates: list[dict[str, str]],
                        safe_when: list[str]):
    def found() -> Iterator[tuple[Hit, str]]:
        for job in glp.jobs(source, ctx):
            if not _retries_script(job.get("retry"), safe_when):
                continue
            created = _creation(job, creates)
            if created:
                yield Hit(job.at("retry"), f"job `{job.name}` retries automatically but creates "
                          f"{created}, which a second attempt finds already there: the retry "
                          "fails or duplicates it", f"{job.name}.retry"), job.name
    yield from once_per_place(found())


def _retries_script(retry: Any, safe_when: list[str]) -> bool:
    if isinstance(retry, int) and not isinstance(retry, bool):
        return retry > 0
    if not isinstance(retry, dict) or not retry.get("max"):
        return False
    when = retry.get("when", "always")
    reasons = [when] if isinstance(when, str) else listed(when)
    return any(reason not in safe_when for reason in reasons)


def _creation(job: glp.Job, creates: list[dict[str, str]]) -> str | None:
    if job.get("release") is not None:
        return "a GitLab release (`release:`)"
    script = job.script()
    for command in creates:
        for line in script.splitlines():
            if re.search(command["pattern"], line) and not (
                command.get("unless") and re.search(command["unless"], line)
            ):
                return command["what"]
    return None


@detector
def gitlab_deploy_no_resource_group(source: Source, ctx: Context):
    for job in glp.jobs(source, ctx):
        if job.effect() != "deploys" or job.get("resource_group") or job.get("trigger"):
            continue
        yield Hit(job.pos, f"job `{job.name}` {_doing(job)} with no resource_group: two "
                  "pipelines can deploy at once, and the older one can finish last",
                  f"{job.name}.resource_group")


@detector
def gitlab_interruptible_deploy(source: Source, ctx: Context):
    def found() -> Iterator[tuple[Hit, str]]:
        for job in glp.jobs(source, ctx):
            if job.effect() and job.get("interruptible") is True:
                yield Hit(job.at("interruptible"), f"job `{job.name}` {_doing(job)} but is "
                          "interruptible: a newer pipeline can cancel it half-way",
                          f"{job.name}.interruptible"), job.name
    yield from once_per_place(found())


@detector
def gitlab_publish_any_pipeline(source: Source, ctx: Context, restricting: list[str]):
    """A publishing job that runs in every pipeline (any branch, merge requests) with nothing
    serialising it: two pipelines publish at once, and a branch can overwrite the release."""
    limits = re.compile("|".join(restricting))
    workflow = _workflow_rules(ctx)
    for job in glp.jobs(source, ctx):
        if job.effect() != "publishes" or job.get("resource_group") or job.manual:
            continue
        if job.environment() and glp.per_branch(job.environment()):
            continue  # publishes under its own branch's name: pipelines of two branches never meet
        conditions = [job.get("rules"), job.get("only"), job.get("except"), workflow]
        if any(_references(c) for c in conditions):
            continue  # `!reference` rules come from elsewhere: what they allow is not known
        if not any(limits.search(_text(c)) for c in conditions if c is not None):
            yield Hit(job.pos, f"job `{job.name}` publishes in every pipeline (any branch or "
                      "merge request, nothing serialising it): two pipelines can publish at "
                      "once", f"{job.name}.rules")


def _references(value: Any) -> bool:
    if isinstance(value, YList):
        return getattr(value, "tag", None) == "!reference" or any(_references(v) for v in value)
    return isinstance(value, dict) and any(_references(v) for v in value.values())


def _workflow_rules(ctx: Context) -> Any:
    for source in ctx.sources:
        doc = glp.document(source) if source.kind == "gitlab" else None
        workflow = doc.get("workflow") if doc is not None else None
        if isinstance(workflow, dict) and "rules" in workflow:
            return workflow["rules"]
    return None


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k} {_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value)


@detector
def gitlab_allow_failure(source: Source, ctx: Context):
    def found() -> Iterator[tuple[Hit, str]]:
        for job in glp.jobs(source, ctx):
            if job.get("allow_failure") is True and not job.manual and not _advisory(job):
                what = f"{_doing(job)}, and its" if job.effect() else "its"
                yield Hit(job.at("allow_failure"), f"job `{job.name}` {what} failure is "
                          "allowed: the pipeline stays green when it fails",
                          f"{job.name}.allow_failure"), job.name
    yield from once_per_place(found())


def _advisory(job: glp.Job) -> bool:
    """Lint, style and spelling jobs that change nothing: letting them fail is a choice."""
    words = f"{job.name} {job.get('stage', '')}"
    return not job.effect() and bool(re.search(
        r"lint|fmt|format|style|spell|markdown|vale|experimental|optional", words, re.IGNORECASE))


@detector
def gitlab_image_unpinned(source: Source, ctx: Context):
    doc = glp.document(source)
    if doc is None:
        return
    known = {}
    for other in ctx.sources:
        if other.kind == "gitlab":
            known.update(glp.variables(other))
    places = [("image", doc)]
    if isinstance(doc.get("default"), YMap):
        places.append(("default.image", doc["default"]))
    places += [(f"{name}.image", job) for name, job in doc.items()
               if name not in glp.RESERVED and isinstance(job, YMap)]
    for logical, holder in places:
        yield from _unpinned(logical, holder, known)


def _unpinned(logical: str, holder: YMap, known: dict[str, Any]) -> Iterator[Hit]:
    image = holder.get("image")
    where = holder.value_at("image")
    if isinstance(image, YMap):
        image, where = image.get("name"), image.value_at("name")
    if not isinstance(image, str):
        return
    resolved = _VAR.sub(lambda m: str(known.get(m.group(1) or m.group(2), m.group(0))), image)
    reason = images.unpinned_reason(resolved)
    if reason:
        shown = f"`{image}` (`{resolved}`)" if resolved != image else f"`{image}`"
        yield Hit(where, f"image {shown} {reason}: each pipeline may run different tools",
                  logical)


@detector
def gitlab_include_by_branch(source: Source, ctx: Context):
    doc = glp.document(source)
    include = doc.get("include") if doc is not None else None
    items = include if isinstance(include, YList) else [include]
    for index, item in enumerate(items):
        where = include.at(index) if isinstance(include, YList) else doc.value_at("include")
        problem = _moving(item)
        if problem:
            yield Hit(where, problem, f"include[{index}]")


def _moving(item: Any) -> str | None:
    if isinstance(item, str):
        item = {"remote": item} if item.startswith(("http://", "https://")) else {}
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("remote"), str):
        return _moving_url(item["remote"])
    if isinstance(item.get("project"), str):
        ref = item.get("ref")
        if ref is None:
            return (f"includes `{item['project']}` with no `ref`: it follows that project's "
                    "default branch, so its jobs can change under you")
        if not _PINNED_REF.match(str(ref)):
            return (f"includes `{item['project']}` at `{ref}`, a branch: its jobs can change "
                    "under you between two pipelines")
    if isinstance(item.get("component"), str) and "@" in item["component"]:
        version = item["component"].rsplit("@", 1)[1]
        if version == "~latest" or not _PINNED_REF.match(version):
            return (f"includes component `{item['component']}` at a moving version: pin a "
                    "released version or a commit")
    return None


def _moving_url(url: str) -> str | None:
    match = re.search(r"/(?:-/)?raw/([^/]+)/", url)
    ref = match.group(1) if match else None
    if ref is None:
        match = re.search(r"raw\.githubusercontent\.com/[^/]+/[^/]+/([^/]+)/", url)
        ref = match.group(1) if match else None
    if ref is not None and _PINNED_REF.match(ref):
        return None
    shown = f"branch `{ref}`" if ref else "an unpinned address"
    return (f"includes a remote template from {shown} (`{url}`): whoever controls it changes "
            "your pipeline, and it can change between two runs")
