"""Guards are tied to what they guard; release is decided by effects; findings point at the
command's own line."""

from __future__ import annotations

import pytest

from webapp.reviewer import review_texts

WORKFLOW = ".github/workflows/release.yml"

GUARDED = {
    "release view": (
        """\
on:
  push:
    tags: ['v*']
jobs:
  release:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    steps:
      - uses: actions/checkout@v5
      - name: Create the release once
        run: |
          echo "releasing $TAG"
          if gh release view "$TAG" >/dev/null 2>&1; then exit 0; fi
          gh release create "$TAG" dist/*
""",
        '          if gh release view "$TAG" >/dev/null 2>&1; then exit 0; fi\n',
    ),
    "ls-remote before tag": (
        """\
on: workflow_dispatch
jobs:
  tag:
    runs-on: ubuntu-latest
    steps:
      - name: Look for the tag
        run: git ls-remote --exit-code --tags origin "refs/tags/$VERSION" && exit 0 || true
      - name: Tag
        run: |
          git tag "$VERSION"
          git push origin "$VERSION"
""",
        "      - name: Look for the tag\n        run: git ls-remote --exit-code --tags origin "
        '"refs/tags/$VERSION" && exit 0 || true\n',
    ),
    "pr list": (
        """\
on: workflow_dispatch
jobs:
  pr:
    runs-on: ubuntu-latest
    steps:
      - run: |
          if [ -n "$(gh pr list --head "release/$VERSION" -q '.[].number')" ]; then
            exit 0
          fi
          gh pr create --head "release/$VERSION" --base main --fill
""",
        '          if [ -n "$(gh pr list --head "release/$VERSION" -q \'.[].number\')" ]; then\n'
        "            exit 0\n          fi\n",
    ),
}


def creates(text):
    return [f for f in review_texts({WORKFLOW: text}).active if f.rule_id == "gha.unguarded-create"]


@pytest.mark.parametrize("case", sorted(GUARDED))
def test_a_guarded_create_is_quiet_and_fires_again_once_its_guard_is_removed(case):
    text, guard = GUARDED[case]
    assert guard in text
    assert not creates(text)
    unguarded = creates(text.replace(guard, ""))
    assert unguarded, f"{case}: removing the guard left the create quiet"


def test_a_lookup_of_another_target_does_not_guard_the_create():
    text = GUARDED["release view"][0].replace(
        'gh release view "$TAG"', 'gh release view "$PREVIOUS"'
    )
    assert creates(text)


def test_the_finding_points_at_the_line_of_the_command_not_at_the_run_key():
    text, guard = GUARDED["release view"]
    unguarded = text.replace(guard, "")
    [finding] = creates(unguarded)
    line = unguarded.splitlines()[finding.line - 1]
    assert line.strip().startswith("gh release create")
    assert finding.column == line.index("gh") + 1


def test_a_pull_request_opened_with_curl_in_a_repository_script_is_seen(tmp_path):
    from webapp.reviewer import review

    workflow = tmp_path / ".github" / "workflows" / "bump.yml"
    script = tmp_path / "scripts" / "open-pr.sh"
    workflow.parent.mkdir(parents=True)
    script.parent.mkdir()
    workflow.write_text(
        "on: workflow_dispatch\njobs:\n  bump:\n    runs-on: ubuntu-latest\n"
        "    timeout-minutes: 5\n    steps:\n      - run: bash ./scripts/open-pr.sh\n"
    )
    script.write_text(
        '#!/bin/sh\nset -e\ncurl -fsS -X POST -H "Authorization: token $TOKEN" \\\n'
        '  "https://api.github.com/repos/$REPO/pulls" -d @payload.json\n'
    )
    [finding] = [
        f for f in review([tmp_path], root=tmp_path).active if f.rule_id == "gha.unguarded-create"
    ]
    assert "`scripts/open-pr.sh`, which creates a pull request (its line 3)" in finding.message
    assert finding.line == 7


NAMED_RELEASE = """\
name: Release
on:
  push:
    tags: ['v*']
jobs:
  check:
    runs-on: ubuntu-latest
    timeout-minutes: 10
    steps:
      - run: make test
"""


def test_a_workflow_named_release_that_publishes_nothing_is_not_told_about_concurrency():
    rules = {f.rule_id for f in review_texts({WORKFLOW: NAMED_RELEASE}).active}
    assert "gha.release-no-concurrency" not in rules


def test_a_scheduled_deploy_is_not_told_about_re_pushed_tags():
    text = (
        "on:\n  schedule:\n    - cron: '0 2 * * *'\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
        "    timeout-minutes: 15\n    steps:\n      - run: kubectl apply -f k8s/\n"
    )
    [finding] = [
        f
        for f in review_texts({WORKFLOW: text}).active
        if f.rule_id == "gha.release-no-concurrency"
    ]
    assert "re-pushed tag" not in finding.message
    assert "a slow run still going at the next schedule" in finding.message
    assert "deploys" in finding.message


def test_a_matrix_of_plain_tests_gets_no_max_parallel_advice():
    text = (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    timeout-minutes: 30\n"
        "    strategy:\n      matrix:\n        os: [ubuntu-latest, macos-latest]\n"
        "        python: ['3.11', '3.12', '3.13']\n    steps:\n      - uses: actions/checkout@v5\n"
        "      - run: pytest\n"
    )
    rules = {f.rule_id for f in review_texts({WORKFLOW: text}).active}
    assert "gha.matrix-no-max-parallel" not in rules
    shared = text.replace(
        "      - run: pytest\n", "      - uses: aws-actions/configure-aws-credentials@v4\n"
    )
    [finding] = [
        f
        for f in review_texts({WORKFLOW: shared}).active
        if f.rule_id == "gha.matrix-no-max-parallel"
    ]
    assert (
        "6 matrix legs of `test` all call `aws-actions/configure-aws-credentials`"
        in finding.message
    )
