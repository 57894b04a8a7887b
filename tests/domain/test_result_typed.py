"""The typed result: workflow ids and positions, cell statuses, and its JSON both ways."""

from __future__ import annotations

import copy
import json

import pytest

from webapp.domain import (
    Answer,
    WorkflowAnswers,
    build_result,
    evaluate,
    evaluate_result,
    load_answers,
    result_from_dict,
    result_to_dict,
)
from webapp.domain.result import FORMAT_VERSION

from .conftest import FIXTURES, REPO


@pytest.fixture
def twins(fixture_answers):
    """The fixture answers with two workflows alike: same name, same answers, same findings."""
    answers = copy.deepcopy(fixture_answers)
    answers.workflows[1] = copy.deepcopy(answers.workflows[0])
    return answers


def test_workflows_carry_their_id_and_position(content, fixture_answers):
    result = evaluate_result(content, fixture_answers, workflow_ids=["17", "4"])
    assert [(w.id, w.position) for w in result.workflows] == [("17", 0), ("4", 1)]
    assert [(w.id, w.position) for w in result.answers.workflows] == [("17", 0), ("4", 1)]


def test_findings_and_plan_steps_name_their_own_workflow_when_names_repeat(content, twins):
    result = evaluate_result(content, twins)
    by_position = {w.position: w.id for w in result.workflows}
    workflow_findings = [f for f in result.findings if f.position >= 0]
    assert {f.position for f in workflow_findings} == {0, 1}
    for finding in workflow_findings:
        assert finding.workflow_id == by_position[finding.position]
    for step in result.plan:
        assert step.workflow_id == (by_position[step.position] if step.position >= 0 else None)


def test_a_cell_tells_not_applicable_from_not_assessed(content, fixture_answers):
    answers = copy.deepcopy(fixture_answers)
    na = Answer.not_applicable("Nothing is written twice.")
    answers.workflows = [WorkflowAnswers("reports", {"idempotency.rerun-safe": na,
                                                     "idempotency.keys": na})]
    cells = {c.id: c for c in build_result(evaluate(content, answers)).workflows[0].patterns}
    assert (cells["idempotency"].score, cells["idempotency"].status) == (None, "not_applicable")
    assert (cells["timeouts"].score, cells["timeouts"].status) == (None, "not_assessed")


def test_json_reads_back_into_the_same_result(content, fixture_answers):
    result = evaluate_result(content, fixture_answers)
    data = json.loads(json.dumps(result_to_dict(result)))
    assert data["format"] == FORMAT_VERSION
    assert result_from_dict(data) == result


def test_a_format_1_snapshot_loads_with_ids_positions_and_open_cells():
    """Milestones frozen before the typed result stored format 1; they still load."""
    old = json.loads((FIXTURES / "format1-result.json").read_text())
    assert old["format"] == 1
    result = result_from_dict(old)
    assert [(w.id, w.position, w.name) for w in result.workflows] == [
        (f"w{n + 1}", n, w["name"]) for n, w in enumerate(old["workflows"])]
    names = {w.name: w.id for w in result.workflows}
    for finding in result.findings:
        assert finding.workflow_id == (names[finding.workflow] if finding.workflow else None)
    unscored = [c for w in result.workflows for c in w.patterns if c.score is None]
    assert all(c.status == "not_assessed" for c in unscored)


def test_a_result_from_a_newer_faultline_is_refused(content, fixture_answers):
    data = result_to_dict(evaluate_result(content, fixture_answers))
    with pytest.raises(ValueError, match="format 99"):
        result_from_dict({**data, "format": 99})


def test_a_format_2_snapshot_loads_with_an_empty_honesty_block(content, fixture_answers):
    """Milestones frozen before issue 13 carry no honesty block and no plan consequences."""
    data = result_to_dict(evaluate_result(content, fixture_answers))
    old = {**data, "format": 2}
    del old["honesty"]
    old["plan"] = [{k: v for k, v in step.items() if k != "consequences"} for step in data["plan"]]
    result = result_from_dict(old)
    assert result.honesty.checklist == "full" and result.honesty.open_risks == ()
    assert all(step.consequences == () for step in result.plan)
    assert result.overall == data["overall"]


def test_honesty_and_consequences_read_back_from_json(shipped):
    answers = load_answers(REPO / "examples" / "payments-platform.yaml", shipped)
    result = evaluate_result(shipped, answers)
    assert result.honesty.risks == {"critical": 3, "high": 27, "medium": 34}
    assert any(step.consequences for step in result.plan)
    assert sum(result.honesty.actions.values()) == len(result.plan)
    assert result_from_dict(result_to_dict(result)) == result


def test_the_severity_words_are_one_list():
    from typing import get_args

    from webapp.domain.vocabulary import SEVERITIES, Severity
    assert get_args(Severity) == SEVERITIES
