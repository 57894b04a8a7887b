"""Selectors are checked against the pods of every reviewed manifest: a renamed label in a
real, good set of manifests is caught where it breaks."""

from __future__ import annotations

from webapp.reviewer import review_texts

MANIFESTS = "k8s/gcp__microservices-demo__release__kubernetes-manifests.yaml"


def selector_findings(text):
    return [f for f in review_texts({"manifests.yaml": text}).active
            if f.rule_id == "k8s.selector-matches-nothing"]


def test_the_real_manifests_select_their_pods(corpus):
    assert not selector_findings((corpus / MANIFESTS).read_text(encoding="utf-8"))


def test_a_service_whose_pods_were_relabelled_is_reported_at_its_selector(corpus):
    text = (corpus / MANIFESTS).read_text(encoding="utf-8")
    start = text.index("kind: Deployment\nmetadata:\n  name: frontend\n")
    labelled = text.index("        app: frontend", start)
    broken = text[:labelled] + "        app: web-frontend" + text[labelled + len(
        "        app: frontend"):]
    findings = selector_findings(broken)
    lines = broken.splitlines()
    messages = [f.message for f in findings]
    assert any("Service/frontend selects no pod" in m for m in messages)
    assert any("Service/frontend-external selects no pod" in m for m in messages)
    assert any("Deployment/frontend: its selector does not match" in m for m in messages)
    assert {lines[f.line - 1].strip() for f in findings} == {"selector:"}


def test_selectors_are_not_judged_without_any_workload_in_the_review():
    service = ("apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n"
               "  selector: {app: db}\n  ports: [{port: 5432}]\n")
    assert not selector_findings(service)
