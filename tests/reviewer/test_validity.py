"""Files GitHub or Compose would refuse are high findings at the offending line; every real
corpus file passes its published schema."""

from __future__ import annotations

import pytest

from webapp.reviewer import review_texts, schemas
from webapp.reviewer.discovery import discover

WORKFLOW = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v5
        with:
          fetch-depth: [1]
      - id: meta
        run: echo "tag=x" >> "$GITHUB_OUTPUT"
      - id: meta
        run: echo again
  deploy:
    needs: biuld
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - if: ${{ github.ref == 'refs/heads/main }}
        run: ./deploy.sh
"""


def invalid(text, path=".github/workflows/ci.yml", rule="gha.invalid-workflow"):
    return [f for f in review_texts({path: text}).active if f.rule_id == rule]


def test_each_reason_github_would_refuse_the_workflow_is_a_high_finding_at_its_line():
    found = {f.line: f.message for f in invalid(WORKFLOW)}
    assert "[1] is not of type 'string'" in found[9]
    assert "step id `meta` is used twice" in found[12]
    assert "needs `biuld`, which is not a job" in found[15]
    assert "cannot be parsed: a string is never closed" in found[19]
    assert {f.severity for f in invalid(WORKFLOW)} == {"high"}


def test_a_valid_workflow_has_no_validity_finding():
    fixed = (WORKFLOW.replace("[1]", "1").replace("      - id: meta\n        run: echo again\n", "")
             .replace("biuld", "build").replace("main }}", "main' }}"))
    assert not invalid(fixed)


def test_a_misspelt_compose_key_points_at_the_key():
    text = "services:\n  web:\n    image: nginx:1.27\n    restrat: always\n"
    [finding] = invalid(text, "compose.yaml", "compose.invalid-file")
    assert (finding.line, finding.column) == (4, 5)
    assert "`restrat` not allowed here" in finding.message


@pytest.mark.parametrize("kind", ["gha", "compose"])
def test_every_corpus_file_passes_its_published_schema(corpus, kind):
    found = discover([corpus / kind], root=corpus)
    assert found.sources and not found.parse_errors
    for source in found.sources:
        assert source.kind == kind
        assert schemas.is_valid(kind, schemas._plain(source.docs[0])), source.display
        assert not list(schemas.schema_errors(kind, source.docs[0])), source.display


def test_the_schemas_are_strict_enough_to_refuse_a_broken_copy_of_a_corpus_file(corpus):
    text = (corpus / "gha" / "pallets__flask__publish.yaml").read_text(encoding="utf-8")
    broken = text.replace("runs-on:", "runs_on:", 1)
    assert invalid(broken), "a misspelt runs-on went unnoticed"
