"""Answers files out of and into the web app: export, import preview, apply, conflicts."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from tests.factories import EXAMPLE, EXAMPLE_V1, fill_from_example, store_their_answer
from webapp import cli
from webapp.assessments.evaluation import evaluate_assessment
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.domain.upgrade_file import upgrade_text
from webapp.interchange import answers_file as service
from webapp.results.adapter import result_json

EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def team(make_team, owner):
    return make_team(owner=owner)


@pytest.fixture
def filled(app, db_session, make_assessment, team, owner):
    assessment = make_assessment(team, owner, name="Ledgerline Payments")
    with app.test_request_context():
        fill_from_example(db_session, assessment, owner)
    return assessment


def _export(app, db_session, assessment) -> str:
    with app.test_request_context():
        return service.export_yaml(db_session, assessment, content=get_content())


def _body(text: str) -> str:
    """The file without its comment header (which names the assessment)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


def test_export_then_import_into_a_new_assessment_then_export_gives_the_same_file(
    app, db_session, filled, team, owner
):
    first = _export(app, db_session, filled)
    with app.test_request_context():
        copy, plan = service.import_new(db_session, team, owner, first, content=get_content())
    assert copy.id != filled.id and plan.changes
    assert _export(app, db_session, copy) == first


def test_the_export_reports_the_same_result_as_the_web_app(app, db_session, filled, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(_export(app, db_session, filled), encoding="utf-8")
    with app.test_request_context():
        web = result_json(evaluate_assessment(db_session, filled, result_cache()))
    out = CliRunner().invoke(cli.main, ["report", str(path), "--format", "json"])
    assert out.exit_code == 0, out.output
    printed = json.loads(out.output)
    assert _renamed(web, _workflow_names(web, printed)) == printed


def _workflow_names(web: dict, printed: dict) -> dict[str, str]:
    """The web app names a workflow by its database id, the CLI by its place in the file."""
    return {w["id"]: p["id"] for w, p in zip(web["workflows"], printed["workflows"], strict=True)}


def _renamed(data, names: dict[str, str]):
    if isinstance(data, dict):
        return {k: names.get(v, v) if k in ("id", "workflow_id") and isinstance(v, str)
                else _renamed(v, names) for k, v in data.items()}
    if isinstance(data, list):
        return [_renamed(v, names) for v in data]
    return data


def test_the_exported_file_carries_answers_na_reasons_notes_and_workflows(
    app, db_session, filled
):
    data = yaml.safe_load(_export(app, db_session, filled))
    example = yaml.safe_load(EXAMPLE_TEXT)
    assert data["system"]["name"] == "Ledgerline Payments"
    assert _sets(data["answers"]) == _sets(example["answers"])
    assert data["notes"] == example.get("notes", {})
    assert [w["name"] for w in data["workflows"]] == [w["name"] for w in example["workflows"]]
    assert [_sets(w["answers"]) for w in data["workflows"]] == [
        _sets(w["answers"]) for w in example["workflows"]
    ]


def _sets(answers: dict) -> dict:
    """Choices compared as sets: the export lists them in questionnaire order, and writes one
    choice without a list."""
    return {k: v if isinstance(v, dict) else frozenset(v if isinstance(v, list) else [v])
            for k, v in answers.items()}


def test_the_preview_lists_what_changes_and_writes_nothing(app, db_session, filled):
    text = EXAMPLE_TEXT.replace("metrics: traces-partial", "metrics: correlated")
    revision = filled.revision
    with app.test_request_context():
        plan = service.plan_import(db_session, filled, text, content=get_content())
    assert [(c.question_id, c.before.choices, c.after.choices) for c in plan.changes] == [
        ("observe.correlated-metrics", ("traces-partial",), ("correlated",))
    ]
    assert filled.revision == revision


def test_applying_the_preview_saves_the_changes(app, db_session, filled, owner):
    text = EXAMPLE_TEXT.replace("metrics: traces-partial", "metrics: correlated")
    with app.test_request_context():
        plan = service.plan_import(db_session, filled, text, content=get_content())
        service.apply_import(db_session, filled, owner, text, plan.versions, content=get_content())
        data = yaml.safe_load(service.export_yaml(db_session, filled, content=get_content()))
    assert data["answers"]["observe.correlated-metrics"] == "correlated"


def test_an_answer_saved_after_the_preview_is_a_conflict_and_nothing_is_imported(
    app, db_session, make_assessment, team, owner, make_user
):
    assessment = make_assessment(team, owner)
    text = "answers:\n  contain.circuit-breakers: none\n  observe.structured-logs: none\n"
    with app.test_request_context():
        plan = service.plan_import(db_session, assessment, text, content=get_content())
        store_their_answer(db_session, assessment, make_user(), version=1)
        with pytest.raises(service.ImportConflict) as caught:
            service.apply_import(db_session, assessment, owner, text, plan.versions,
                                 content=get_content())
    ((where, conflict),) = caught.value.conflicts
    assert where == "System" and conflict.question_id == "contain.circuit-breakers"
    assert conflict.theirs.value.choices == ("all-critical",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("answers:\n  observe.nope: none\n", "unknown question id 'observe.nope'"),
        ("answers:\n  contain.circuit-breakers: maybe\n",
         "'contain.circuit-breakers' has no choice 'maybe'"),
        ("answers: [unclosed\n", "answers.yaml:"),
        ("questionnaire: other-review\n", "other-review"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(
    app, db_session, filled, owner, text, message
):
    revision = filled.revision
    with app.test_request_context(), pytest.raises(service.ImportProblems) as caught:
        service.apply_import(db_session, filled, owner, text, content=get_content())
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
    assert filled.revision == revision


def test_a_version_1_file_imported_into_a_version_2_assessment_is_carried(
        app, db_session, make_assessment, team, owner) -> None:
    assessment = make_assessment(team, owner, name="Ledgerline Payments")
    assert assessment.questionnaire_version == 2
    v1_text = EXAMPLE_V1.read_text(encoding="utf-8")
    with app.test_request_context():
        plan = service.plan_import(db_session, assessment, v1_text, content=get_content())
        # only the per-workflow audit trail is retired (the system's own question asks it)
        assert plan.upgraded_from == 1
        assert {q for _, q, _ in plan.not_carried} <= {"state-management.audit-trail"}
        service.apply_import(db_session, assessment, owner, v1_text, plan.versions,
                             content=get_content())
        exported = yaml.safe_load(service.export_yaml(db_session, assessment,
                                                      content=get_content()))
        carried = yaml.safe_load(upgrade_text(get_content(), v1_text).text)

    def same(values: dict) -> dict:  # multi-choice answers in any order
        return {q: sorted(a if isinstance(a, list) else [a]) if not isinstance(a, dict) else a
                for q, a in values.items() if a is not None}

    assert assessment.questionnaire_version == 2 and exported["version"] == 2
    assert same(exported["answers"]) == same(carried["answers"])
    # each workflow's answers are what `faultline upgrade` makes of the file (merged questions
    # derived from several version 1 answers)
    for mine, theirs in zip(exported["workflows"], carried["workflows"], strict=True):
        assert same(mine["answers"]) == same(theirs["answers"])
