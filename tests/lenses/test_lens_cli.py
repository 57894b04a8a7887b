"""`faultline lens import|list|export` against a real, freshly migrated database."""

from __future__ import annotations

import json

import pytest

from tests.lenses.conftest import COGNITO, ECS, ORR, as_bytes
from webapp.cli import main
from webapp.domain.lens import read_lens


@pytest.fixture
def lens_cli(runner, fresh_database_url):
    def invoke(*args: str):
        return runner.invoke(main, ["lens", *args], env={"DATABASE_URL": fresh_database_url})

    return invoke


def test_the_three_sample_lenses_import_and_are_listed(lens_cli, corpus_lenses):
    for name in (ORR, ECS, COGNITO):
        result = lens_cli("import", str(corpus_lenses / name))
        assert result.exit_code == 0, result.output
        assert "version 1" in result.output
    listed = lens_cli("list").output
    assert "lens:amazon-ecs-lens\tversion 1\tAmazon ECS Lens" in listed
    assert "lens:aws-operational-readiness-review-whitepaper-sample\tversion 1" in listed
    assert "lens:amazon-cognito-best-practice-lens-v1-0\tversion 1" in listed


def test_a_changed_file_becomes_a_new_version_and_an_unchanged_one_does_not(
    lens_cli, small_lens, tmp_path
):
    path = tmp_path / "backup.json"
    path.write_bytes(as_bytes(small_lens))
    assert "lens:backup-readiness version 1" in lens_cli("import", str(path)).output
    assert "unchanged, already stored as" in lens_cli("import", str(path)).output
    small_lens["pillars"][0]["questions"][1]["title"] = "Is a copy kept in a second region?"
    path.write_bytes(as_bytes(small_lens))
    assert "lens:backup-readiness version 2" in lens_cli("import", str(path)).output
    old = json.loads(lens_cli("export", "--lens", "backup-readiness@1").output)
    new = json.loads(lens_cli("export", "--lens", "lens:backup-readiness").output)
    assert old["pillars"][0]["questions"][1]["title"] == "Is a copy kept in another region?"
    assert new["pillars"][0]["questions"][1]["title"] == "Is a copy kept in a second region?"


def test_an_invalid_file_is_refused_with_every_problem_and_nothing_stored(
    lens_cli, small_lens, tmp_path
):
    small_lens["pillars"][0]["questions"][0]["riskRules"][0]["condition"] = "bk_tested && nope"
    del small_lens["description"]
    path = tmp_path / "bad.json"
    path.write_bytes(as_bytes(small_lens))
    result = lens_cli("import", str(path))
    assert result.exit_code == 1
    assert f"{path}: description: is required" in result.output
    assert lens_cli("list").output.strip() == ""


def test_an_imported_sample_exports_back_to_an_equivalent_file(lens_cli, corpus_lenses, tmp_path):
    lens_cli("import", str(corpus_lenses / ORR))
    out = tmp_path / "orr.json"
    result = lens_cli(
        "export", "--lens", "aws-operational-readiness-review-whitepaper-sample", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    assert read_lens(out.read_bytes()) == read_lens((corpus_lenses / ORR).read_bytes())


def test_faultlines_own_questionnaire_exports_and_imports_as_a_lens(lens_cli, tmp_path):
    out = tmp_path / "faultline.json"
    assert lens_cli("export", "-o", str(out)).exit_code == 0
    lens = read_lens(out.read_bytes())
    result = lens_cli("import", str(out))
    counts = f"({len(lens.pillars)} pillars, {len(lens.questions())} questions)"
    assert f"lens:reliability-review version 1 {counts}" in result.output


def test_exporting_a_lens_that_was_never_imported_says_so(lens_cli):
    result = lens_cli("export", "--lens", "nothing-here")
    assert result.exit_code == 1
    assert "no imported lens 'nothing-here'" in result.output
