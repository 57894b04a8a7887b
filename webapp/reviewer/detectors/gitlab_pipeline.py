"""Reading a GitLab CI pipeline: its jobs with `extends` and `default:` resolved, across the
`.gitlab-ci.yml` and the local files it includes (every GitLab file of the review run is one
pipeline), and what each job does outside the pipeline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from webapp.reviewer.detectors import Context, listed
from webapp.reviewer.discovery import pipeline_document
from webapp.reviewer.models import Source
from webapp.reviewer.yamlnodes import Pos, YMap

RESERVED = frozenset({
    "default", "include", "stages", "variables", "workflow", "image", "services", "cache",
    "before_script", "after_script", "spec", "types",
})  # fmt: skip
DEFAULTABLE = frozenset({
    "image", "timeout", "retry", "interruptible", "before_script", "after_script", "services",
    "tags", "artifacts", "cache", "hooks", "id_tokens",
})  # fmt: skip
PUBLISH = re.compile(
    r"\b(docker push|docker (buildx )?build\b.*--push|buildah push|podman push|kaniko\b|"
    r"/kaniko/executor|crane (push|copy)|skopeo copy|helm push|oras push|npm publish|"
    r"yarn (npm )?publish|pnpm publish|twine upload|uv publish|poetry publish|cargo publish|"
    r"gem push|mvn\b.*\bdeploy\b|gradlew? .*\bpublish|dotnet nuget push|goreleaser|"
    r"release-cli create|glab release create|gh release create|git push\b|"
    r"aws s3 (cp|sync)|gsutil (-m )?(cp|rsync)|gcloud storage cp|az storage blob upload|"
    r"curl\b.*(--upload-file|-T\s|-X\s*(POST|PUT)).*(/packages/|/releases|/api/v4/)|"
    # A build task named for what it does: `rake repository:upload:production`, `make release_s3`.
    r"(make|rake|just|task|mage|npm run|yarn run)\s+(-\S+\s+)*[\w:.-]*(upload|publish|"
    r"(release|push|deploy)[\w:.-]*(s3|packagecloud|docker|image|registry|pypi|npm|gcs|bucket|"
    r"pulp|marketplace|ami)))"
)
DEPLOY = re.compile(
    r"\b(kubectl (apply|create|replace|set image|rollout restart)|helm (upgrade|install)|"
    r"terraform apply|tofu apply|pulumi up|gcloud (run|app|functions) deploy|"
    r"aws (ecs update-service|cloudformation deploy|lambda update-function-code|deploy)|"
    r"az (webapp|functionapp) deploy|firebase deploy|netlify deploy|flyctl deploy|"
    r"serverless deploy|cdk deploy|ansible-playbook|rsync\b|scp\b|ssh\b.*\b(deploy|docker|"
    r"systemctl|compose)\b|dpl\b|cf push)"
)


@dataclass(frozen=True)
class Job:
    """A job as GitLab runs it: its own keys first, then those of what it extends, then
    `default:` (for the keys `default:` may set)."""

    name: str
    source: Source
    own: YMap
    chain: tuple[tuple[Source, YMap], ...]  #: own mapping, then extended ones, nearest first
    default: tuple[Source, YMap] | None  #: the pipeline's `default:` and its file

    def get(self, key: str, default: Any = None) -> Any:
        owner = self.owner(key)
        return owner[1][key] if owner else default

    def owner(self, key: str) -> tuple[Source, YMap] | None:
        for source, mapping in self.chain:
            if key in mapping:
                return source, mapping
        if self.default is not None and key in DEFAULTABLE and key in self.default[1]:
            return self.default
        return None

    def at(self, key: str) -> Pos:
        """Where `key` is set when this file sets it; else the job's own name."""
        owner = self.owner(key)
        if owner and owner[0] is self.source:
            return owner[1].at(key)
        return self.pos

    @property
    def pos(self) -> Pos:
        return self.doc_of(self.source).at(self.name)

    @staticmethod
    def doc_of(source: Source) -> YMap:
        return pipeline_document(source.docs)

    @cached_property
    def _script(self) -> str:
        parts = [self.get(k) for k in ("before_script", "script", "after_script")]
        return "\n".join(_flatten(p) for p in parts)

    def script(self) -> str:
        return self._script

    @property
    def manual(self) -> bool:
        if self.get("when") == "manual":
            return True
        return any(isinstance(r, dict) and r.get("when") == "manual"
                   for r in listed(self.get("rules")))

    def environment(self) -> str | None:
        env = self.get("environment")
        if isinstance(env, dict):
            if env.get("action") in ("stop", "prepare", "verify", "access"):
                return None
            env = env.get("name")
        return str(env) if env else None

    @cached_property
    def effects(self) -> str | None:
        return self._effect()

    def effect(self) -> str | None:
        return self.effects

    def _effect(self) -> str | None:
        """"deploys", "publishes" or None. An environment marks a deploy when it names a
        shared target (not a review environment per branch or merge request) and the job does
        more than verify it."""
        script = self.script()
        publishes = bool(PUBLISH.search(script)) or self.get("release") is not None
        deploys = bool(DEPLOY.search(script)) or self.name == "pages" or bool(self.get("pages"))
        env = self.environment()
        if env and not per_branch(env) and (deploys or publishes or not self.checks_only()):
            return "deploys"
        if publishes:
            return "publishes"
        return "deploys" if deploys and not (env and per_branch(env)) else None

    def checks_only(self) -> bool:
        """A job that verifies, tests or lints (by its name or stage) rather than changes."""
        words = f"{self.name} {self.get('stage', '')}"
        return bool(re.search(r"verif|check|test|smoke|validat|lint|scan|qa\b", words,
                              re.IGNORECASE))


def per_branch(environment: str) -> bool:
    """A review environment of one branch or merge request: pipelines of other branches never
    meet it, and cancelling it loses nothing."""
    return bool(re.search(r"CI_COMMIT_REF|CI_MERGE_REQUEST|CI_COMMIT_BRANCH|CI_ENVIRONMENT_SLUG",
                          environment))


def _flatten(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_flatten(item) for item in value)
    return value if isinstance(value, str) else ""


def document(source: Source) -> YMap | None:
    doc = pipeline_document(source.docs)
    return doc if isinstance(doc, YMap) else None


def definitions(ctx: Context) -> dict[str, tuple[Source, YMap]]:
    """Every job and template of every GitLab file of the run, by name (later files win, as
    later includes do)."""
    return ctx.memo("gitlab-definitions", lambda: _definitions(ctx))


def _definitions(ctx: Context) -> dict[str, tuple[Source, YMap]]:
    found: dict[str, tuple[Source, YMap]] = {}
    for source in ctx.sources:
        doc = document(source) if source.kind == "gitlab" else None
        for name, value in (doc.items() if doc is not None else ()):
            if name not in RESERVED and isinstance(value, YMap):
                found[name] = (source, value)
    return found


def default_of(ctx: Context) -> tuple[Source, YMap] | None:
    for source in ctx.sources:
        doc = document(source) if source.kind == "gitlab" else None
        if doc is not None and isinstance(doc.get("default"), YMap):
            return source, doc["default"]
    return None


def jobs(source: Source, ctx: Context) -> list[Job]:
    """The runnable jobs (not hidden templates) written in `source`."""
    return ctx.memo(("gitlab-jobs", id(source)), lambda: list(_jobs(source, ctx)))


def _jobs(source: Source, ctx: Context) -> Iterator[Job]:
    doc = document(source)
    if doc is None:
        return
    known, default = definitions(ctx), default_of(ctx)
    for name, value in doc.items():
        if name in RESERVED or name.startswith(".") or not isinstance(value, YMap):
            continue
        yield Job(name, source, value, tuple(_chain(source, value, known, set())), default)


def _chain(source: Source, mapping: YMap, known: dict[str, tuple[Source, YMap]],
           seen: set[str]) -> Iterator[tuple[Source, YMap]]:
    yield source, mapping
    extends = mapping.get("extends")
    parents = [extends] if isinstance(extends, str) else listed(extends)
    for parent in reversed(parents):  # the last one listed wins
        if isinstance(parent, str) and parent in known and parent not in seen:
            seen.add(parent)
            yield from _chain(*known[parent], known, seen)


def variables(source: Source) -> dict[str, str]:
    doc = document(source)
    found = doc.get("variables") if doc is not None else None
    if not isinstance(found, dict):
        return {}
    return {k: (v.get("value") if isinstance(v, dict) else v) for k, v in found.items()
            if isinstance(v, (str, dict))}
