"""Kubernetes manifest detectors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from webapp.reviewer.detectors import Context, detector, images, listed
from webapp.reviewer.models import Hit, Source
from webapp.reviewer.yamlnodes import YMap

LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
WORKLOADS = LONG_RUNNING + ("Job", "CronJob")


@dataclass(frozen=True)
class Workload:
    doc: YMap
    kind: str
    name: str
    spec: YMap
    pod: YMap  #: the pod template's spec

    @property
    def logical(self) -> str:
        return f"{self.kind}/{self.name}"

    def containers(self, init: bool = False) -> Iterator[YMap]:
        keys = ("containers", "initContainers") if init else ("containers",)
        for key in keys:
            yield from (c for c in listed(self.pod.get(key)) if isinstance(c, YMap))

    def labels(self) -> dict[str, Any]:
        template = _get(self.spec, "template", "metadata", "labels")
        return template if isinstance(template, dict) else {}


def _get(node: Any, *keys: str) -> Any:
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def workloads(source: Source, kinds: tuple[str, ...] = WORKLOADS) -> Iterator[Workload]:
    for doc in source.docs:
        if not isinstance(doc, YMap) or doc.get("kind") not in kinds:
            continue
        spec = doc.get("spec")
        template_owner = _get(spec, "jobTemplate", "spec") if doc["kind"] == "CronJob" else spec
        pod = _get(template_owner, "template", "spec")
        if isinstance(spec, YMap) and isinstance(pod, YMap):
            name = str(_get(doc, "metadata", "name") or "?")
            yield Workload(doc, doc["kind"], name, spec, pod)


def _container_hit(work: Workload, container: YMap, message: str, suffix: str) -> Hit:
    name = container.get("name", "?")
    return Hit(container.at("name"), f"{work.logical}, container `{name}`: {message}",
               f"{work.logical}.containers.{name}.{suffix}")


def _stateful(work: Workload, data_images: list[str]) -> bool:
    volumes = listed(work.pod.get("volumes"))
    claims = any(isinstance(v, dict) and "persistentVolumeClaim" in v for v in volumes)
    data = any(images.is_data_image(str(c.get("image", "")), data_images)
               for c in work.containers())
    return claims or data or work.kind == "StatefulSet"


_ONE_REPLICA_EFFECT = "a node drain, a rollout or a crash takes it offline"


@detector
def k8s_single_replica(source: Source, ctx: Context, data_images: list[str]):
    """A stateless Deployment that runs one pod: `replicas: 1`, or no `replicas` at all (the
    default is one) unless a HorizontalPodAutoscaler of the run manages its count."""
    scaled = _autoscaled(ctx)
    for work in workloads(source, ("Deployment",)):
        if _stateful(work, data_images) or _scaled_by(work, scaled):
            continue
        if "replicas" not in work.spec:
            yield Hit(work.doc.at("spec"), f"{work.logical}: `replicas` is not set, so "
                      f"Kubernetes runs one replica: {_ONE_REPLICA_EFFECT}",
                      f"{work.logical}.replicas")
        elif work.spec.get("replicas") == 1:
            yield Hit(work.spec.at("replicas"), f"{work.logical} runs one replica "
                      f"(`replicas: 1`): {_ONE_REPLICA_EFFECT}", f"{work.logical}.replicas")


def _autoscaled(ctx: Context) -> list[tuple[str | None, str, str]]:
    """(namespace, kind, name) of every workload a HorizontalPodAutoscaler of the run targets."""
    targets = []
    for doc in ctx.k8s_documents():
        ref = _get(doc, "spec", "scaleTargetRef")
        if doc.get("kind") == "HorizontalPodAutoscaler" and isinstance(ref, dict):
            targets.append((_namespace(doc), str(ref.get("kind")), str(ref.get("name"))))
    return targets


def _scaled_by(work: Workload, targets: list[tuple[str | None, str, str]]) -> bool:
    namespace = _namespace(work.doc)
    return any(kind == work.kind and name == work.name
               and (ns is None or namespace is None or ns == namespace)
               for ns, kind, name in targets)


@detector
def k8s_no_readiness_probe(source: Source, ctx: Context):
    for work in workloads(source, LONG_RUNNING):
        for container in work.containers():
            if container.get("ports") and "readinessProbe" not in container:
                yield _container_hit(work, container, "serves ports with no readinessProbe: "
                                     "traffic arrives before it is ready", "readinessProbe")


@detector
def k8s_no_liveness_probe(source: Source, ctx: Context):
    for work in workloads(source, LONG_RUNNING):
        for container in work.containers():
            if "livenessProbe" not in container:
                yield _container_hit(work, container, "no livenessProbe: a deadlocked process "
                                     "is never restarted", "livenessProbe")


@detector
def k8s_no_pdb(source: Source, ctx: Context, min_replicas: int = 2):
    budgets = [_get(doc, "spec", "selector", "matchLabels")
               for doc in ctx.k8s_documents() if doc.get("kind") == "PodDisruptionBudget"]
    budgets = [b for b in budgets if isinstance(b, dict) and b]
    for work in workloads(source, ("Deployment", "StatefulSet")):
        replicas = work.spec.get("replicas")
        if not isinstance(replicas, int) or replicas < min_replicas:
            continue
        labels = work.labels()
        if not any(all(labels.get(k) == v for k, v in b.items()) for b in budgets):
            yield Hit(work.spec.at("replicas"), f"{work.logical} runs {replicas} replicas with "
                      "no PodDisruptionBudget: a drain may evict them all at once",
                      f"{work.logical}.pdb")


@detector
def k8s_no_resources(source: Source, ctx: Context, field: str):
    for work in workloads(source):
        for container in work.containers():
            if not _get(container, "resources", field):
                yield _container_hit(work, container, f"no resource {field}: "
                                     + _RESOURCE_WHY[field], f"resources.{field}")


_RESOURCE_WHY = {
    "requests": "the scheduler packs it blindly and it is first to be starved or evicted",
    "limits": "one runaway container can starve everything else on its node",
}


@detector
def k8s_image_unpinned(source: Source, ctx: Context):
    for work in workloads(source):
        for container in work.containers(init=True):
            image = container.get("image")
            reason = images.unpinned_reason(image) if isinstance(image, str) else None
            if reason:
                yield Hit(container.value_at("image"), f"{work.logical}: image `{image}` "
                          f"{reason}: nodes may run different code", f"{work.logical}.image."
                          f"{container.get('name', '?')}")


@detector
def k8s_cronjob_missing(source: Source, ctx: Context, field: str | list[str], why: str):
    fields = [field] if isinstance(field, str) else field
    for work in workloads(source, ("CronJob",)):
        missing = [name for name in fields if name not in work.spec]
        if missing:
            shown = " or ".join(missing)
            yield Hit(work.doc.at("spec"), f"{work.logical} has no {shown}: {why}",
                      f"{work.logical}.{missing[0]}")


@detector
def k8s_job_no_deadline(source: Source, ctx: Context):
    for work in workloads(source, ("Job", "CronJob")):
        job_spec = _get(work.spec, "jobTemplate", "spec") if work.kind == "CronJob" else work.spec
        if isinstance(job_spec, dict) and "activeDeadlineSeconds" not in job_spec:
            yield Hit(work.doc.at("spec"), f"{work.logical} has no activeDeadlineSeconds: a hung "
                      "run is never stopped", f"{work.logical}.activeDeadlineSeconds")


_EPHEMERAL = ("emptyDir", "configMap", "secret", "downwardAPI", "projected")


@detector
def k8s_emptydir_database(source: Source, ctx: Context, data_images: list[str]):
    for work in workloads(source):
        volumes = {str(v.get("name")): v for v in listed(work.pod.get("volumes"))
                   if isinstance(v, YMap)}
        claims = {str(_get(t, "metadata", "name")) for t in listed(
            work.spec.get("volumeClaimTemplates"))}
        for container in work.containers():
            image = str(container.get("image", ""))
            if images.is_data_image(image, data_images):
                yield from _unsafe_data(work, container, image, volumes, claims)


def _unsafe_data(work: Workload, container: YMap, image: str, volumes: dict[str, YMap],
                 claims: set[str]) -> Iterator[Hit]:
    mounted = [str(m.get("name")) for m in listed(container.get("volumeMounts"))
               if isinstance(m, dict)]
    durable = [n for n in mounted if n in claims or (
        n in volumes and not any(kind in volumes[n] for kind in _EPHEMERAL))]
    if durable:
        return
    scratch = [volumes[n] for n in mounted if n in volumes and "emptyDir" in volumes[n]]
    for volume in scratch:
        yield Hit(volume.at("emptyDir"), f"{work.logical}: `{image}` keeps its data in emptyDir "
                  f"`{volume.get('name')}`: it is lost whenever the pod is deleted, evicted or "
                  "rescheduled",
                  f"{work.logical}.volumes.{volume.get('name')}")
    if not scratch:
        yield _container_hit(work, container, f"`{image}` keeps its data in the container's own "
                             "filesystem: every restart starts it empty", "data")


def _namespace(doc: Any) -> str | None:
    value = _get(doc, "metadata", "namespace")
    return str(value) if value else None


def _pod_templates(ctx: Context) -> list[tuple[str | None, dict[str, Any]]]:
    """(namespace, labels) of every pod template (and bare Pod) of the run."""
    found = []
    for doc in ctx.k8s_documents():
        kind = doc.get("kind")
        if kind == "Pod":
            labels = _get(doc, "metadata", "labels")
        elif kind == "CronJob":
            labels = _get(doc, "spec", "jobTemplate", "spec", "template", "metadata", "labels")
        elif kind in WORKLOADS:
            labels = _get(doc, "spec", "template", "metadata", "labels")
        else:
            continue
        found.append((_namespace(doc), labels if isinstance(labels, dict) else {}))
    return found


def selects(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """Whether a label selector (plain map, or `matchLabels` / `matchExpressions`) selects a pod
    with `labels`."""
    plain = selector.get("matchLabels", {}) if _structured(selector) else selector
    if not isinstance(plain, dict) or any(str(labels.get(k)) != str(v) for k, v in plain.items()):
        return False
    return all(_expression(e, labels) for e in listed(selector.get("matchExpressions"))
               if _structured(selector) and isinstance(e, dict))


def _structured(selector: dict[str, Any]) -> bool:
    return "matchLabels" in selector or "matchExpressions" in selector


def _expression(expression: dict[str, Any], labels: dict[str, Any]) -> bool:
    key, operator = expression.get("key"), expression.get("operator")
    values = [str(v) for v in listed(expression.get("values"))]
    present = key in labels
    return {
        "In": present and str(labels.get(key)) in values,
        "NotIn": not present or str(labels.get(key)) not in values,
        "Exists": present,
        "DoesNotExist": not present,
    }.get(operator, True)


def _unmatched(selector: Any, namespace: str | None,
               pods: list[tuple[str | None, dict[str, Any]]]) -> bool:
    if not isinstance(selector, dict) or not selector:
        return False
    return not any(selects(selector, labels) for ns, labels in pods
                   if namespace is None or ns is None or ns == namespace)


@detector
def k8s_selector_matches_nothing(source: Source, ctx: Context):
    """Service, PodDisruptionBudget and workload selectors, and pod (anti-)affinity terms, that
    select no pod of the reviewed manifests."""
    pods = _pod_templates(ctx)
    if not pods:
        return  # no workloads reviewed: nothing to match against
    for doc in source.docs:
        if not isinstance(doc, YMap):
            continue
        yield from _selector_hits(doc, pods)
    for work in workloads(source):
        yield from _affinity_hits(work, pods)


def _selector_hits(doc: YMap, pods: list[tuple[str | None, dict[str, Any]]]) -> Iterator[Hit]:
    kind, spec = doc.get("kind"), doc.get("spec")
    name = f"{kind}/{_get(doc, 'metadata', 'name') or '?'}"
    if not isinstance(spec, YMap) or "selector" not in spec:
        return
    selector = spec.get("selector")
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        labels = _get(spec, "template", "metadata", "labels")
        if isinstance(selector, dict) and not selects(selector, labels if isinstance(
                labels, dict) else {}):
            yield Hit(spec.at("selector"), f"{name}: its selector does not match its own pod "
                      "template's labels: the API server refuses it", f"{name}.selector")
        return
    if kind in ("Service", "PodDisruptionBudget") and _unmatched(selector, _namespace(doc),
                                                                 pods):
        effect = ("receives no endpoints: every request to it fails" if kind == "Service"
                  else "protects nothing: a drain may evict every replica")
        yield Hit(spec.at("selector"), f"{name} selects no pod of the reviewed manifests "
                  f"({_shown(selector)}): it {effect}", f"{name}.selector")


def _shown(selector: Any) -> str:
    plain = selector.get("matchLabels", selector) if isinstance(selector, dict) else {}
    return ", ".join(f"{k}={v}" for k, v in plain.items()) if isinstance(plain, dict) else "?"


def _affinity_hits(work: Workload, pods: list[tuple[str | None, dict[str, Any]]]
                   ) -> Iterator[Hit]:
    namespace = _namespace(work.doc)
    for kind in ("podAffinity", "podAntiAffinity"):
        affinity = _get(work.pod, "affinity", kind)
        if not isinstance(affinity, dict):
            continue
        for mode, terms in affinity.items():
            for term in listed(terms):
                term = term.get("podAffinityTerm", term) if isinstance(term, dict) else None
                selector = term.get("labelSelector") if isinstance(term, YMap) else None
                if isinstance(selector, YMap) and _unmatched(selector, namespace, pods):
                    yield Hit(term.at("labelSelector"), _affinity_message(
                        work, kind, mode, selector), f"{work.logical}.{kind}")


def _affinity_message(work: Workload, kind: str, mode: str, selector: Any) -> str:
    required = mode.startswith("required")
    if kind == "podAffinity":
        effect = ("its pods can never be scheduled" if required
                  else "the preference never applies")
    else:
        effect = "it spreads nothing: replicas may all land on one node"
    return (f"{work.logical}: {kind} selects no pod of the reviewed manifests "
            f"({_shown(selector)}): {effect}")
