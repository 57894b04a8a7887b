"""Reading a GitHub Actions workflow: triggers, jobs, steps, scripts and what they publish."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from webapp.reviewer.models import Source
from webapp.reviewer.yamlnodes import Pos, YList, YMap

# What a workflow does decides whether it is a release or a deployment, never its name.
PUBLISH_ACTIONS = (
    "pypa/gh-action-pypi-publish", "softprops/action-gh-release", "ncipollo/release-action",
    "actions/create-release", "JS-DevTools/npm-publish", "svenstaro/upload-release-action",
    "goreleaser/goreleaser-action", "actions/upload-release-asset",
    "peter-evans/create-pull-request",
    "marvinpinto/action-automatic-releases", "bacongobbler/azure-blob-storage-upload",
    "googleapis/release-please-action", "changesets/action", "rubygems/release-gem",
)  # fmt: skip
DEPLOY_ACTIONS = (
    "azure/webapps-deploy", "azure/k8s-deploy", "azure/functions-action",
    "google-github-actions/deploy-cloudrun", "google-github-actions/deploy-appengine",
    "aws-actions/amazon-ecs-deploy-task-definition", "peaceiris/actions-gh-pages",
    "JamesIves/github-pages-deploy-action", "actions/deploy-pages", "cloudflare/wrangler-action",
    "amondnet/vercel-action", "nwtgck/actions-netlify", "superfly/flyctl-actions",
)  # fmt: skip
PUBLISH_COMMANDS = re.compile(
    r"\b(gh release (create|upload|edit)|gh pr create|npm publish|yarn (npm )?publish|"
    r"pnpm publish|twine upload|uv publish|poetry publish|cargo publish|gem push|docker push|"
    r"docker (buildx )?build\b.*--push|helm push|oras push|crane (push|copy)|skopeo copy|"
    r"mvn\b.*\bdeploy\b|gradlew? .*\bpublish|dotnet nuget push|goreleaser( release)?\b|"
    r"git push\b[^|;&]*(--tags|--follow-tags|refs/tags/|\$\{?\{?\s*\w*(tag|TAG|version|VERSION))|"
    r"git tag\s+[^-\s|;&)>]|aws s3 (cp|sync)|gsutil (-m )?(cp|rsync)|gcloud storage cp|"
    r"az storage blob upload)"
)
DEPLOY_COMMANDS = re.compile(
    r"\b(kubectl (apply|create|replace|set image|rollout restart)|helm (upgrade|install)|"
    r"terraform apply|tofu apply|pulumi up|gcloud (run|app|functions) deploy|"
    r"aws (ecs update-service|cloudformation deploy|lambda update-function-code|deploy)|"
    r"az (webapp|functionapp) deploy|firebase deploy|netlify deploy|flyctl deploy|fly deploy|"
    r"serverless deploy|sls deploy|cdk deploy|ansible-playbook|skaffold (run|deploy)|"
    r"vercel\b.*--prod)"
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


def step_effect(step: Step) -> str | None:
    """"publishes", "deploys" or None: what the step does outside the CI run."""
    action = step.action()
    if action in PUBLISH_ACTIONS or PUBLISH_COMMANDS.search(step.run):
        return "publishes"
    if action == "docker/build-push-action" and str(step.with_.get("push", "")).lower() == "true":
        return "publishes"
    if action in DEPLOY_ACTIONS or DEPLOY_COMMANDS.search(step.run):
        return "deploys"
    return None


def job_effects(job_id: str, job: YMap) -> set[str]:
    effects = {step_effect(step) for step in job_steps(job_id, job)} - {None}
    if job.get("environment"):
        effects.add("deploys")
    return effects  # type: ignore[return-value]


def acting_jobs(wf: YMap) -> Iterator[tuple[str, YMap]]:
    """Jobs that run when this workflow is triggered by its own events. A job gated on
    `inputs.` in a workflow that only other workflows call with inputs runs when called: its
    effects (and their concurrency, their alerting) belong to the caller."""
    events = triggers(wf)
    called_only = "workflow_call" in events and "workflow_dispatch" not in events
    for job_id, job in jobs(wf):
        if not (called_only and "inputs." in str(job.get("if", ""))):
            yield job_id, job


def publishes(wf: YMap) -> bool:
    """Whether any step publishes something (a release, a tag, a package, an image, a PR)."""
    return any("publishes" in job_effects(job_id, job) for job_id, job in acting_jobs(wf))


def job_publishes(job_id: str, job: YMap) -> bool:
    return "publishes" in job_effects(job_id, job)


def tag_or_release_trigger(wf: YMap) -> bool:
    events = triggers(wf)
    push = events.get("push")
    create = events.get("create")
    tagged = isinstance(push, dict) and "tags" in push
    return tagged or "release" in events or isinstance(create, dict) and "tags" in create


def is_release(source: Source, wf: YMap) -> bool:
    """Release-like by its effects: some job publishes."""
    return publishes(wf)


def is_release_or_deploy(source: Source, wf: YMap) -> bool:
    return any(job_effects(job_id, job) for job_id, job in acting_jobs(wf))


_OVERLAP = {
    "push": "two pushes close together", "schedule": "a slow run still going at the next "
    "schedule", "workflow_dispatch": "two manual runs", "release": "two releases published "
    "close together", "workflow_run": "two upstream runs finishing close together",
    "pull_request": "two pushes to a pull request", "create": "two tags created together",
}


def overlap_causes(wf: YMap) -> str:
    """How two runs of this workflow come to overlap, in the words of its own triggers."""
    events = triggers(wf)
    causes = ["a re-pushed tag"] if tag_or_release_trigger(wf) else []
    causes += [_OVERLAP[e] for e in events if e in _OVERLAP and not (e == "push" and causes)]
    return ", ".join(dict.fromkeys(causes + ["a rerun while the first run is going"]))


def has_concurrency(wf: YMap, job: YMap | None = None) -> bool:
    return "concurrency" in wf or (job is not None and "concurrency" in job)


def mentions(value: Any, pattern: re.Pattern[str]) -> bool:
    return isinstance(value, str) and bool(pattern.search(value))
