"""Odd but valid YAML never crashes a detector: wrong types where mappings, lists or strings
are expected are simply not findings."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.reviewer import load_checks
from webapp.reviewer.detectors import Context
from webapp.reviewer.discovery import source_from_text

KEYS = [
    "on", "jobs", "steps", "run", "uses", "with", "if", "id", "strategy", "matrix", "include",
    "exclude", "max-parallel", "concurrency", "group", "cancel-in-progress", "timeout-minutes",
    "continue-on-error", "schedule", "push", "tags", "name", "services", "image", "depends_on",
    "condition", "healthcheck", "restart", "deploy", "volumes", "apiVersion", "kind", "spec",
    "template", "containers", "replicas", "metadata", "labels", "selector", "matchLabels",
    "resources", "ports", "volumeMounts", "emptyDir", "jobTemplate", "workflow_run",
    "script", "extends", "rules", "only", "environment", "retry", "interruptible",
    "resource_group", "allow_failure", "include", "default", "when", "release", "timeout",
    "trigger", "needs", "affinity", "podAntiAffinity", "labelSelector", "profiles", "build",
]  # fmt: skip
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 5), st.sampled_from(
    ["", "x", "npm publish", "gh pr create", "until x; do sleep 1; done", "${{ github.head_ref }}",
     "postgres", "redis:latest", "Deployment", "CronJob", "true", "[", "a: b"]))
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(KEYS), children, max_size=5)),
    max_leaves=30,
)
CHECKS = load_checks()
BODIES = st.dictionaries(st.sampled_from(KEYS), TREES, max_size=6)


def wrap(kind: str, body: dict, workload: str) -> dict:
    """`body` where each kind's detectors look: a job, a service, a workload's spec."""
    if kind == "gha":
        return {"on": body.pop("on", "push"), "jobs": {"a": body, "b": body.get("jobs")}}
    if kind == "gitlab":
        return {"default": body.get("default"), "include": body.get("include"),
                ".t": body, "job": {"script": "make", "stage": "x", "extends": ".t", **body}}
    if kind == "compose":
        return {"services": {"a": body, "b": body.get("services")}}
    return {"apiVersion": "v1", "kind": workload, "metadata": {"name": "a"}, "spec": body}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["gha", "gitlab", "compose", "k8s"]), body=BODIES,
       workload=st.sampled_from(["Deployment", "StatefulSet", "CronJob", "Job",
                                 "PodDisruptionBudget"]))
def test_detectors_survive_any_structure(kind, body, workload):
    text = yaml.safe_dump(wrap(kind, body, workload))
    source = source_from_text(text, ".gitlab-ci.yml" if kind == "gitlab" else "fuzz.yaml")
    context = Context([source])
    for check in CHECKS:
        if check.target == source.kind:
            check.run(source, context)


ODD_FILES = [
    "services:\n  db:\n    image: postgres\n    volumes: 5\n    depends_on: web\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: [a]}\nspec:\n  replicas: 3\n"
    "  template:\n    spec:\n      volumes: [{name: [x], emptyDir: {}}]\n      containers:\n"
    "        - {name: db, image: redis, volumeMounts: [{name: [x]}]}\n---\n"
    "apiVersion: policy/v1\nkind: PodDisruptionBudget\nspec: {selector: {matchLabels: [a]}}\n",
    "on: {push: {tags: 5}}\njobs:\n  a:\n    strategy: {matrix: 3}\n    steps: [5, {run: 3}, "
    "{uses: 7}]\n    concurrency: {group: [1]}\n",
]


def test_known_odd_shapes_crash_no_detector():
    for text in ODD_FILES:
        source = source_from_text(text, "odd.yaml")
        for check in CHECKS:
            if check.target == source.kind:
                check.run(source, Context([source]))
