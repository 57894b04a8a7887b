"""A review on a lens as an answers file (domain): written in the lens's order, read back
with every problem named by its place and line."""

from __future__ import annotations

import pytest
import yaml

from tests.lenses.conftest import ORR, as_bytes
from webapp.domain.errors import AnswersError
from webapp.domain.lens import read_lens
from webapp.domain.lens_answers import (
    is_lens_file,
    lens_answers_to_dict,
    parse_lens_answers_text,
    reason_of,
)
from webapp.domain.lens_result import LensAnswer, NaReason


@pytest.fixture
def lens(small_lens):
    return read_lens(as_bytes(small_lens))


def _text(lens, answers) -> str:
    data = lens_answers_to_dict(lens, "lens:backup-readiness", 1, ("Billing DB", "Ledger"),
                                answers)
    return yaml.safe_dump(data, sort_keys=False)


def test_answers_are_written_in_the_lens_order_and_read_back_equal(lens):
    answers = {
        "bk_offsite": LensAnswer(frozenset(), NaReason.OUT_OF_SCOPE, "Single region by law."),
        "bk_restore": LensAnswer(frozenset({"bk_documented", "bk_tested"}), None, "Drills: Q3"),
    }
    text = _text(lens, answers)
    data = yaml.safe_load(text)
    assert list(data["answers"]) == ["bk_restore", "bk_offsite"]
    assert data["answers"]["bk_restore"] == ["bk_tested", "bk_documented"]
    assert data["answers"]["bk_offsite"] == {"na": "OUT_OF_SCOPE"}
    back = parse_lens_answers_text(text, lens)
    assert back.answers == answers
    assert (back.questionnaire, back.version, back.name) == ("lens:backup-readiness", 1,
                                                             "Billing DB")
    assert is_lens_file(text)


def test_a_note_on_an_unanswered_question_travels_too(lens):
    text = _text(lens, {"bk_offsite": LensAnswer(note="Ask the storage team.")})
    assert "bk_offsite" not in yaml.safe_load(text)["answers"]
    assert parse_lens_answers_text(text, lens).answers == {
        "bk_offsite": LensAnswer(note="Ask the storage team.")}


@pytest.mark.parametrize(("answers", "place", "message"), [
    ("  ghost: [bk_tested]", "answers.ghost", "no such question in this lens"),
    ("  bk_restore: [bk_tested, nope]", "answers.bk_restore", "“nope” is not a choice"),
    ("  bk_restore: [bk_tested, bk_no]", "answers.bk_restore", "cannot be combined"),
    ("  bk_restore: {na: LAZINESS}", "answers.bk_restore", "REASON one of OUT_OF_SCOPE"),
    ("  bk_restore: 12", "answers.bk_restore", "must be a list of choice ids"),
])
def test_every_problem_is_named_with_its_place_and_line(lens, answers, place, message):
    text = f"questionnaire: lens:backup-readiness\nversion: 1\nanswers:\n{answers}\n"
    with pytest.raises(AnswersError) as caught:
        parse_lens_answers_text(text, lens, "checkout.yaml")
    problem = caught.value.problems[0]
    assert (problem.file, problem.place, problem.line) == ("checkout.yaml", place, 4)
    assert message in problem.message


def test_malformed_yaml_and_workflows_are_refused(lens):
    with pytest.raises(AnswersError, match="checkout.yaml"):
        parse_lens_answers_text("answers: [unclosed", lens, "checkout.yaml")
    with pytest.raises(AnswersError, match="has no workflows"):
        parse_lens_answers_text("workflows: [{name: Nightly}]\n", lens)


def test_reasons_are_read_by_code_or_label():
    assert reason_of("Business priorities") is NaReason.BUSINESS_PRIORITIES
    assert reason_of("architecture_constraints") is NaReason.ARCHITECTURE_CONSTRAINTS
    assert reason_of("because") is None


def test_an_orr_review_round_trips(corpus_lenses):
    orr = read_lens((corpus_lenses / ORR).read_bytes())
    answers = {q.id: LensAnswer(frozenset({q.choices[0].id})) for _p, q in orr.questions()}
    text = yaml.safe_dump(lens_answers_to_dict(orr, "lens:orr", 1, ("Checkout", ""), answers))
    assert parse_lens_answers_text(text, orr).answers == answers


def test_the_result_json_counts_risks_and_lists_the_plan_with_its_improvements(lens):
    from webapp.domain.lens_result import evaluate_lens
    from webapp.domain.lens_result_json import lens_result_json

    answers = {"bk_restore": LensAnswer(frozenset({"bk_documented"}))}
    data = lens_result_json(evaluate_lens(lens, answers), "lens:backup-readiness", 2)
    assert data["lens"] == {"id": "lens:backup-readiness", "name": "Backup readiness",
                            "version": 2}
    assert data["totals"] == {"high": 0, "medium": 1, "none": 0, "not_applicable": 0,
                              "unanswered": 1}
    assert [q["id"] for q in data["plan"]] == ["bk_restore"]
    assert data["plan"][0]["improvements"] == [{"choice": "bk_tested",
                                                "text": "Schedule a monthly restore drill.",
                                                "url": "https://example.com/plan"}]
