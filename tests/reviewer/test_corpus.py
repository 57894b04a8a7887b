"""The reviewer on real files nobody here wrote: no crash, the known problems found, the good
example left nearly clean."""

from __future__ import annotations

from collections import Counter

import pytest

from webapp.reviewer import review

# Properties listed in the corpus README, as the rule ids that must detect them.
EXPECTED = {
    "gha/gcp__microservices-demo__make-release.yaml": {
        "gha.unguarded-create", "gha.release-no-concurrency", "gha.job-timeout",
    },
    "gha/helm__helm__release.yml": {"gha.release-no-concurrency", "gha.job-timeout"},
    "gha/pallets__flask__publish.yaml": {
        "gha.concurrency-constant-group", "gha.release-cancel-in-progress",
        "gha.unguarded-create",
    },
    "gha/zizmorcore__zizmor__release.yml": {"gha.unguarded-create"},
    "gha/zizmorcore__zizmor__release-pypi.yml": {"gha.unguarded-create"},
    "k8s/dockersamples__example-voting-app__k8s-specifications__deployments.yaml": {
        "k8s.single-replica", "k8s.no-readiness-probe", "k8s.no-liveness-probe",
        "k8s.no-resource-requests", "k8s.no-resource-limits", "k8s.image-unpinned",
        "k8s.emptydir-database",
    },
    "k8s/kubernetes__examples__guestbook-all-in-one.yaml": {
        "k8s.no-readiness-probe", "k8s.no-liveness-probe", "k8s.no-resource-limits",
        "k8s.no-pdb", "k8s.emptydir-database",
    },
    "compose/docker__awesome-compose__nginx-flask-mongo__compose.yaml": {
        "compose.no-healthcheck", "compose.depends-on-no-condition",
        "compose.no-restart-policy", "compose.image-unpinned", "compose.data-without-volume",
    },
    "compose/docker__awesome-compose__wordpress-mysql__compose.yaml": {
        "compose.no-healthcheck", "compose.image-unpinned",
    },
    "compose/dockersamples__example-voting-app__docker-compose.yml": {
        "compose.no-healthcheck", "compose.no-restart-policy",
    },
    "compose/dockersamples__example-voting-app__docker-stack.yml": {
        "compose.no-healthcheck", "compose.image-unpinned",
    },
}  # fmt: skip
GOOD_WORKFLOW = "gha/gcp__microservices-demo__deploy-pr.yaml"
GOOD_MANIFESTS = "k8s/gcp__microservices-demo__release__kubernetes-manifests.yaml"


@pytest.fixture(scope="module")
def report(corpus):
    files = sorted(p for kind in ("gha", "compose", "k8s") for p in (corpus / kind).iterdir())
    return review(files, root=corpus)


def rules_in(report, path):
    return {f.rule_id for f in report.active if f.path == path}


def test_every_yaml_file_of_the_corpus_is_reviewed_and_the_script_skipped(report, corpus):
    yaml_files = {p.relative_to(corpus).as_posix() for kind in ("gha", "compose", "k8s")
                  for p in (corpus / kind).iterdir() if p.suffix in (".yml", ".yaml")}
    assert set(report.files) == yaml_files
    assert [path for path, _ in report.skipped] == ["gha/gcp__microservices-demo__make-release.sh"]
    assert not [f for f in report.findings if f.rule_id == "faultline.parse-error"]


@pytest.mark.parametrize(("path", "rule_ids"), sorted(EXPECTED.items()))
def test_known_problems_of_each_file_are_detected(report, path, rule_ids):
    missing = rule_ids - rules_in(report, path)
    assert not missing, f"{path}: not detected: {sorted(missing)}"


def test_the_good_pull_request_deployment_stays_nearly_clean(report):
    findings = [f for f in report.active if f.path == GOOD_WORKFLOW]
    # Besides pinning advice, it runs two Node 20 actions (download-artifact@v4, cache@v4).
    assert sorted(f.line for f in findings if f.rule_id == "gha.old-node-runtime") == [48, 94]
    assert len(findings) <= 6
    assert {f.severity for f in findings} <= {"low"}


def test_the_microservices_demo_manifests_are_mostly_good(report):
    findings = [f for f in report.active if f.path == GOOD_MANIFESTS]
    # Apart from the replica count: its 11 stateless Deployments each run one pod (10 with no
    # `replicas`, the load generator with `replicas: 1`), tested in test_k8s_replicas.py.
    replicas = [f for f in findings if f.rule_id == "k8s.single-replica"]
    assert len(replicas) == 11
    assert len(findings) - len(replicas) <= 5
    assert Counter(f.rule_id for f in findings)["k8s.no-readiness-probe"] == 0


def test_findings_point_at_real_lines_and_carry_the_guidance(report, corpus):
    for finding in report.active:
        lines = (corpus / finding.path).read_text(encoding="utf-8").splitlines()
        assert 1 <= finding.line <= len(lines)
        assert finding.column >= 1
        assert finding.rationale and finding.remediation and finding.pattern


def test_the_flask_release_points_at_the_collapsing_group(report):
    [finding] = [f for f in report.active if f.rule_id == "gha.concurrency-constant-group"]
    assert (finding.path, finding.line) == ("gha/pallets__flask__publish.yaml", 7)
    assert "`publish-`" in finding.message


def test_release_scripts_run_by_a_workflow_are_read_in_a_repository_layout(corpus, tmp_path):
    """Laid out as in its repository, make-release.yaml is seen creating the branch and the tag
    its script creates, besides the pull request it opens itself."""
    workflow = tmp_path / ".github" / "workflows" / "make-release.yaml"
    script = tmp_path / "docs" / "releasing" / "make-release.sh"
    for path, name in ((workflow, "make-release.yaml"), (script, "make-release.sh")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((corpus / "gha" / f"gcp__microservices-demo__{name}").read_bytes())
    created = [f.message for f in review([tmp_path], root=tmp_path).active
               if f.rule_id == "gha.unguarded-create"]
    assert any("`docs/releasing/make-release.sh`, which creates a branch" in m for m in created)
    assert any("`docs/releasing/make-release.sh`, which creates a git tag" in m for m in created)
    assert any(m.startswith("creates a pull request") for m in created)


def test_the_emptydir_database_says_when_its_data_goes(report):
    """emptyDir lives as long as the pod: any deletion or eviction loses it, on any node."""
    [finding] = [f for f in report.active if f.rule_id == "k8s.emptydir-database"
                 and "emptyDir" in f.message and f.line == 33]
    assert "it is lost whenever the pod is deleted, evicted or rescheduled" in finding.message
    assert "another node" not in finding.message


def test_the_stack_redis_names_the_data_path_of_its_own_image(report):
    """`redis:alpine` is the official image: its data is in /data, not in bitnami's path."""
    [finding] = [f for f in report.active if f.rule_id == "compose.data-without-volume"
                 and f.path == "compose/dockersamples__example-voting-app__docker-stack.yml"
                 and "`redis`" in f.message]
    assert "(redis:alpine) keeps its data inside the container (/data):" in finding.message
