"""Writing lenses: Faultline's questionnaire as a lens, and imported lenses back to files."""

from __future__ import annotations

import json

import pytest

from tests.lenses.conftest import COGNITO, ECS, ORR, REPO
from webapp.domain import load_content
from webapp.domain.lens import MAX_FILE_BYTES, read_lens
from webapp.domain.lens_export import lens_json, questionnaire_lens
from webapp.domain.lens_result import LensAnswer, Risk, question_risk


@pytest.fixture(scope="module")
def exported():
    content = load_content(REPO)
    text = json.dumps(questionnaire_lens(content.questionnaire(), content.rules), indent=2)
    return content, text


def test_faultlines_questionnaire_exports_as_a_valid_lens_within_the_limits(exported):
    content, text = exported
    lens = read_lens(text)
    assert len(text.encode()) < MAX_FILE_BYTES
    sections = [s.title for s in content.questionnaire().sections if s.kind == "layer"]
    assert [p.name for p in lens.pillars][: len(sections)] == sections  # then the workflow's
    scored = [
        q
        for s in content.questionnaire().sections
        if s.kind != "fit"
        for q in s.questions
        if q.scored
    ]
    assert len(lens.questions()) == len(scored)


def test_the_exported_risk_follows_the_scores_and_an_unknown_is_never_safe(exported):
    lens = read_lens(exported[1])
    question = next(q for _, q in lens.questions() if q.id == "observe_structured_logs")
    assert question_risk(question, LensAnswer(frozenset({"everywhere"}))) == Risk.NONE
    assert question_risk(question, LensAnswer(frozenset({"no_correlation"}))) == Risk.MEDIUM
    assert question_risk(question, LensAnswer(frozenset({"unsure"}))) == Risk.HIGH
    assert question_risk(question, LensAnswer(frozenset({"everywhere", "unsure"}))) == Risk.HIGH


def test_the_best_choice_carries_the_remediation_of_the_rules_it_avoids(exported):
    content, text = exported
    lens = read_lens(text)
    question = next(q for _, q in lens.questions() if q.id == "observe_symptom_alerts")
    rule = next(r for r in content.rules if r.id == "observe.no-symptom-alerts")
    best = question.choices[0]
    assert rule.remediation[0] in best.improvementPlan.displayText


@pytest.mark.parametrize("name", [ORR, ECS, COGNITO])
def test_an_imported_lens_exports_to_an_equivalent_file(corpus_lenses, name):
    lens = read_lens((corpus_lenses / name).read_bytes())
    again = read_lens(json.dumps(lens_json(lens)))
    assert again == lens
    assert lens_json(again) == lens_json(lens)


def test_the_markdown_plan_counts_the_questions_at_risk_for_one_and_for_many() -> None:
    from webapp.domain.lens_plan_export import to_markdown

    meta = {"assessment": "Checkout", "lens": "Backup readiness", "version": "1"}
    row = {"risk": "High risk", "question": "Are backups taken?", "pillar": "Backups",
           "selected": "", "improvements": "Take nightly backups."}
    assert "Backup readiness, version 1. 1 question at risk." in to_markdown([row], meta)
    assert "Backup readiness, version 1. 2 questions at risk." in to_markdown([row, row], meta)
    assert "Backup readiness, version 1. No questions at risk." in to_markdown([], meta)
