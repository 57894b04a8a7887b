"""Compose services are checked for what they do: long-running, one-shot, init, profile-gated;
images built here or named by a variable are not 'untagged'; anchors are reported once."""

from __future__ import annotations

from webapp.reviewer import review_texts

STACK = """\
x-app: &app
  image: example/app
  restart: unless-stopped
  depends_on:
    - cache

services:
  migrate:
    image: example/app:2.1.0
    command: ["./manage.py", "migrate"]
  downloader:
    image: example/fetch:1.0.0
    restart: "no"
  web:
    <<: *app
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
    depends_on:
      migrate:
        condition: service_completed_successfully
  worker:
    <<: *app
    healthcheck:
      test: ["CMD", "celery", "inspect", "ping"]
  scheduler:
    <<: *app
    profiles: [production]
  api:
    build: ./api
    image: example/api
    restart: unless-stopped
    healthcheck:
      test: ["CMD", "true"]
  proxy:
    image: ${PROXY_IMAGE:-traefik}
    restart: unless-stopped
    healthcheck:
      test: ["CMD", "traefik", "healthcheck"]
  mirror:
    image: ${REGISTRY}/example/mirror
    restart: unless-stopped
    healthcheck:
      test: ["CMD", "true"]
  cache:
    image: redis:7.4
    restart: unless-stopped
    volumes: [cache:/data]
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
volumes:
  cache:
"""


def findings(text=STACK, rule=None):
    report = review_texts({"compose.yaml": text})
    return [f for f in report.active if rule is None or f.rule_id == rule]


def test_init_and_one_shot_jobs_are_not_told_to_add_a_healthcheck_or_a_restart_policy():
    flagged = {f.message.split("`")[1] for f in findings()
               if f.rule_id in ("compose.no-healthcheck", "compose.no-restart-policy")}
    assert "migrate" not in flagged and "downloader" not in flagged


def test_a_profile_gated_service_is_checked_for_a_healthcheck_and_named_with_its_profile():
    [finding] = findings(rule="compose.no-healthcheck")
    assert "`scheduler` (profile `production`)" in finding.message
    assert finding.line == STACK.splitlines().index("  scheduler:") + 1


def test_an_untagged_image_inherited_through_an_anchor_is_reported_once_at_the_anchor():
    unpinned = findings(rule="compose.image-unpinned")
    [finding] = [f for f in unpinned if "example/app" in f.message]
    assert finding.line == 2
    assert all(f"`{name}`" in finding.message for name in ("web", "worker", "scheduler"))


def test_start_order_dependencies_from_an_anchor_are_reported_once():
    unconditioned = findings(rule="compose.depends-on-no-condition")
    assert [(f.line, "worker" in f.message and "scheduler" in f.message)
            for f in unconditioned] == [(4, True)]


def test_built_and_variable_named_images_are_not_untagged_but_a_default_is_resolved():
    text = STACK.replace("image: example/app\n", "image: example/app:3.0.0\n")
    [finding] = findings(text, rule="compose.image-unpinned")
    assert finding.message.startswith("image `${PROXY_IMAGE:-traefik}` (by default `traefik`) "
                                      "has no tag")


def test_an_init_job_that_restarts_always_is_high():
    text = STACK.replace('    command: ["./manage.py", "migrate"]\n',
                         '    command: ["./manage.py", "migrate"]\n    restart: always\n')
    [finding] = findings(text, rule="compose.init-job-restarts")
    assert finding.severity == "high" and "`migrate` is an init job" in finding.message
