"""GitLab CI: real pipelines from public projects (tests/reviewer/fixtures/gitlab, sources and
licences in SOURCES.md), local includes read as one pipeline, the same outputs, suppressions
and evidence as the other kinds."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from webapp.reviewer import review, review_texts, suggest_texts
from webapp.reviewer.output import render_json, render_text
from webapp.reviewer.sarif import render_sarif

FIXTURES = Path(__file__).parent / "fixtures" / "gitlab"

# Hand-labelled: (file, line, rule) a reliability engineer agrees with, per project.
EXPECTED = {
    "gitlab-runner-2019": {
        ("bleeding edge S3", 577), ("bleeding edge packagecloud", 584),
        ("bleeding edge docker images", 591), ("stable S3", 620),
        ("stable packagecloud", 627), ("stable docker images", 634),
    },
    "gitlab-runner": {
        ("bleeding edge S3", 53), ("stable S3", 61), ("unstable pulp", 69), ("stable pulp", 87),
        ("bleeding edge docker images", 138), ("stable docker images", 164),
    },
}  # fmt: skip


def reviewed(project):
    root = FIXTURES / project
    return review([root], root=root)


@pytest.mark.parametrize("project", sorted(EXPECTED))
def test_release_jobs_without_a_resource_group_are_found_in_real_pipelines(project):
    found = {(f.message.split("`")[1], f.line) for f in reviewed(project).active
             if f.rule_id == "gitlab.deploy-no-resource-group"}
    assert EXPECTED[project] <= found


def test_every_fixture_file_is_read_as_gitlab_ci_and_passes_the_gitlab_schema():
    report = review([FIXTURES], root=FIXTURES)
    yaml_files = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.rglob("*.yml")}
    assert set(report.files) == yaml_files and not report.skipped
    assert not [f for f in report.findings if f.rule_id in (
        "gitlab.invalid-pipeline", "faultline.parse-error")]


def test_jobs_of_a_local_include_inherit_from_templates_of_another_file():
    """release.gitlab-ci.yml's jobs extend templates of _common.gitlab-ci.yml; timeout and
    interruptible are looked up through the chain (and `default:`)."""
    findings = reviewed("gitlab-runner").active
    release = [f for f in findings if f.path == ".gitlab/ci/release.gitlab-ci.yml"]
    assert {f.rule_id for f in release} == {"gitlab.deploy-no-resource-group", "gitlab.job-timeout"}


def test_the_omnibus_release_job_hides_its_failure():
    findings = reviewed("omnibus-gitlab").active
    [hidden] = [f for f in findings if f.rule_id == "gitlab.allow-failure"]
    assert "`create-gitlab-release` publishes, and its failure is allowed" in hidden.message
    assert hidden.snippet == "allow_failure: true"


def test_a_retried_package_upload_is_reported_once_at_the_template_every_release_job_extends():
    retries = [f for f in reviewed("omnibus-gitlab").active if f.rule_id == "gitlab.unsafe-retry"]
    [production] = [f for f in retries if "Ubuntu-22.04-release" in f.message]
    assert production.snippet == "retry: 2" and production.line == 204
    assert "inherited by" in production.message and "`Ubuntu-24.04-release`" in production.message


PIPELINE = """\
include:
  - project: platform/ci-templates
    ref: main
    file: /docker.yml
default:
  interruptible: true
deploy:
  stage: deploy
  image: bitnami/kubectl
  script: kubectl apply -f k8s/
  environment: production
  # faultline: ignore[gitlab.job-timeout] bounded by the runner's own 15 minute limit
  retry: 2
"""


def test_a_pipeline_gets_json_and_sarif_and_honours_a_suppression_with_a_reason():
    report = review_texts({".gitlab-ci.yml": PIPELINE})
    rules = Counter(f.rule_id for f in report.active)
    assert rules == {"gitlab.include-by-branch": 1, "gitlab.interruptible-deploy": 1,
                     "gitlab.deploy-no-resource-group": 1, "gitlab.image-unpinned": 1,
                     "gitlab.job-timeout": 1}
    data = json.loads(render_json(report))
    assert {f["rule_id"] for f in data["findings"]} >= {"gitlab.include-by-branch"}
    sarif = json.loads(render_sarif(report))
    assert "gitlab.include-by-branch" in render_text(report)
    assert any(r["ruleId"] == "gitlab.interruptible-deploy" for r in sarif["runs"][0]["results"])
    suppressed = review_texts({".gitlab-ci.yml": PIPELINE.replace(
        "  # faultline: ignore[gitlab.job-timeout] bounded by the runner's own 15 minute limit\n"
        "  retry: 2\n", "  retry: 2\n").replace(
        "deploy:\n", "# faultline: ignore[gitlab.job-timeout] the runner stops it at 15 min\n"
        "deploy:\n")})
    assert [f.rule_id for f in suppressed.suppressed] == ["gitlab.job-timeout"]


def test_gitlab_findings_become_suggested_answers_for_an_assessment():
    _, suggestions = suggest_texts({".gitlab-ci.yml": PIPELINE})
    assert ("concurrency.overlap", "unprotected") in {
        (s.question_id, s.choice_id) for s in suggestions}


def test_an_unpinned_job_image_named_by_a_pipeline_variable_is_resolved():
    text = ("variables:\n  TOOLS: alpine\nlint:\n  stage: test\n  image: $TOOLS\n"
            "  script: make lint\n")
    [finding] = review_texts({".gitlab-ci.yml": text}).active
    assert finding.message.startswith("image `$TOOLS` (`alpine`) has no tag")
    assert finding.line == 5
