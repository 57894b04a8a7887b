"""A stateless Deployment that runs one pod is reported whether it says `replicas: 1` or says
nothing (Kubernetes then runs one), unless a HorizontalPodAutoscaler manages its count; the
message says which case it is and points at the line to change."""

from __future__ import annotations

from webapp.reviewer import review_texts

MANIFESTS = "k8s/gcp__microservices-demo__release__kubernetes-manifests.yaml"
WEB = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          image: example/web:1.2.0
"""
HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: %s}
  minReplicas: 2
  maxReplicas: 5
"""


def single_replica(files: dict[str, str]):
    return [f for f in review_texts(files).active if f.rule_id == "k8s.single-replica"]


def test_a_deployment_without_replicas_is_reported_at_its_spec():
    (finding,) = single_replica({"web.yaml": WEB})
    assert finding.line == 4  # `spec:`, where `replicas` belongs
    assert finding.message.startswith(
        "Deployment/web: `replicas` is not set, so Kubernetes runs one replica: ")
    assert "replicas: 1" not in finding.message


def test_an_explicit_single_replica_says_so_at_its_line():
    text = WEB.replace("spec:\n  template", "spec:\n  replicas: 1\n  template")
    (finding,) = single_replica({"web.yaml": text})
    assert finding.line == 5
    assert finding.message.startswith("Deployment/web runs one replica (`replicas: 1`): ")
    assert "not set" not in finding.message


def test_an_autoscaler_in_another_file_of_the_review_silences_it():
    assert not single_replica({"web.yaml": WEB, "hpa.yaml": HPA % "web"})
    assert not single_replica({"web.yaml": WEB + "---\n" + HPA % "web"})


def test_an_autoscaler_of_another_deployment_or_kind_does_not():
    assert single_replica({"web.yaml": WEB, "hpa.yaml": HPA % "api"})
    other_kind = (HPA % "web").replace("kind: Deployment", "kind: StatefulSet")
    assert single_replica({"web.yaml": WEB, "hpa.yaml": other_kind})


def test_the_microservices_demo_deployments_each_run_one_replica(corpus):
    """11 of its 12 Deployments set no `replicas`; redis-cart is a database (another check),
    so the 10 stateless ones are reported, and the load generator's explicit `replicas: 1`."""
    text = (corpus / MANIFESTS).read_text(encoding="utf-8")
    findings = single_replica({"manifests.yaml": text})
    unset = sorted(f.message.split(":")[0] for f in findings if "is not set" in f.message)
    assert len(unset) == 10 and "Deployment/redis-cart" not in unset
    assert "Deployment/frontend" in unset and "Deployment/loadgenerator" not in unset
    (explicit,) = [f for f in findings if "`replicas: 1`" in f.message]
    assert explicit.line == 451 and explicit.message.startswith("Deployment/loadgenerator")
    lines = text.splitlines()
    assert {lines[f.line - 1].strip() for f in findings if "is not set" in f.message} == {
        "spec:"}
