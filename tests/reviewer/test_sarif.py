"""SARIF output: valid against the official 2.1.0 schema and usable by GitHub code scanning."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from webapp.reviewer import review
from webapp.reviewer.sarif import render_sarif

# The OASIS SARIF 2.1.0 schema, errata 01 (oasis-tcs/sarif-spec,
# Schemata/sarif-schema-2.1.0.json), shipped so that the test needs no network.
SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text())

RELEASE = """\
name: Release
on:
  push:
    tags: ['v*']
concurrency:
  group: release-${{ github.head_ref }}
  cancel-in-progress: true
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: some-org/setup@v1
      # faultline: ignore[gha.unguarded-create] the registry refuses duplicates; rerun is safe
      - run: npm publish
"""


@pytest.fixture
def sarif(write, tmp_path):
    write(".github/workflows/release.yml", RELEASE)
    write("deploy/app.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n"
          "spec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n"
          "        - name: a\n          image: example/a\n")
    write("broken.yaml", "services:\n  a: [\n")
    report = review([tmp_path], root=tmp_path, baseline=set())
    return json.loads(render_sarif(report))


def test_sarif_is_valid_against_the_2_1_0_schema(sarif):
    assert SCHEMA["id"].endswith("/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    jsonschema.validate(sarif, SCHEMA, cls=jsonschema.Draft4Validator,
                        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def test_every_result_names_a_described_rule(sarif):
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and "**How to fix.**" in rule["help"]["markdown"]


def test_locations_are_repository_relative_with_line_and_column(sarif):
    results = sarif["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {".github/workflows/release.yml", "deploy/app.yaml", "broken.yaml"}
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["region"]["startLine"] >= 1 and location["region"]["startColumn"] >= 1


def test_fingerprints_are_unique_and_the_suppressed_result_is_kept(sarif):
    results = sarif["runs"][0]["results"]
    prints = [r["partialFingerprints"]["faultlineFingerprint/v1"] for r in results]
    assert len(prints) == len(set(prints))
    [suppressed] = [r for r in results if "suppressions" in r]
    assert suppressed["ruleId"] == "gha.unguarded-create"
    assert suppressed["suppressions"][0]["kind"] == "inSource"
    assert "rerun is safe" in suppressed["suppressions"][0]["justification"]


def test_levels_follow_severity(sarif):
    levels = {r["ruleId"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels["gha.release-cancel-in-progress"] == "error"
    assert levels["gha.action-unpinned"] == "note"
    assert levels["faultline.parse-error"] == "error"


def test_fingerprints_do_not_change_when_lines_move(write, tmp_path):
    path = write(".github/workflows/release.yml", RELEASE)
    before = _prints(review([tmp_path], root=tmp_path))
    path.write_text("# a comment pushes everything down\n\n" + RELEASE)
    assert _prints(review([tmp_path], root=tmp_path)) == before


def _prints(report):
    return {(f.rule_id, f.fingerprint) for f in report.findings}
