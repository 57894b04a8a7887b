"""Questions that adapt (`ask_if`) and version 2 beside version 1, on the fixture content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.domain import (
    Answer,
    ContentError,
    evaluate,
    evaluate_result,
    hidden_questions,
    load_content,
    screen_inputs,
)
from webapp.domain.checks import run_check
from webapp.domain.relevance import hidden

from .conftest import make_v2_content
from .helpers import answers_of

V2 = "questionnaires/mini-v2.yaml"


def v2(system: dict | None = None, *workflows: dict):
    answers = answers_of(system, *workflows)
    answers.version = 2
    return answers


def test_new_assessments_start_on_the_newest_version_and_v1_stays(content_v2) -> None:
    assert content_v2.questionnaire().version == 2
    assert content_v2.questionnaire("mini-review", 1).version == 1
    # a rule `since: 2` is never part of version 1: v1 results do not change
    assert "observe.no-probes" not in content_v2.engine("mini-review", 1).rules
    assert "missed-run" not in content_v2.engine("mini-review", 1).outcomes


def test_version_1_keeps_its_results_when_version_2_arrives(content, content_v2) -> None:
    answers = answers_of({"contain.bulkheads": "no", "observe.alerts": "none"},
                         {"retries.automatic": "immediate", "idempotency.rerun-safe": "no",
                          "timeouts.calls": "some"})
    before, after = evaluate_result(content, answers), evaluate_result(content_v2, answers)
    assert after.questionnaire.version == 1
    assert [f.key for f in after.findings] == [f.key for f in before.findings]
    assert after.overall == before.overall and after.coverage == before.coverage
    # the rule now names version 2's id; on version 1 it still reads the old question
    assert ("contain.no-bulkheads", -1) in {f.key for f in after.findings}


def test_a_question_hidden_by_an_answer_is_not_asked_and_reads_not_applicable(content_v2) -> None:
    answers = v2({}, {"retries.automatic": "never", "workflow.trigger": "event",
                      "workflow.external": "none"})
    review = evaluate(content_v2, answers)
    gone = review.hidden[0]
    assert gone["retries.give-up"] == "Does not apply because it never retries a failed call."
    assert gone["timeouts.missed-run"] == (
        "Does not apply because it is not started by a schedule.")
    # no reason written: the deciding answer is named
    assert gone["timeouts.external-deadline"] == (
        "Does not apply because the answer to \u201cDoes it call systems outside your team?"
        "\u201d is \u201cNo\u201d.")
    workflow = review.workflows[0]
    asked = len(content_v2.index().workflow_ids) - 3
    assert workflow.coverage.total == asked
    result = evaluate_result(content_v2, answers)
    rows = {r.id: r for s in result.answers.workflows[0].sections for r in s.questions}
    assert rows["retries.give-up"].answer.status == "na"
    assert rows["retries.give-up"].answer.na_reason.startswith("Does not apply because")
    assert rows["retries.give-up"].asked is False
    assert rows["retries.automatic"].asked is True


def test_unknown_never_hides_a_question(content_v2) -> None:
    compiled = content_v2.engine()
    for deciding in ({}, {"retries.automatic": Answer.of([])}):
        assert "retries.give-up" not in hidden(compiled, deciding)
    # "We don't know" about external systems asks the external question
    assert "timeouts.external-deadline" not in hidden(
        compiled, {"workflow.external": Answer.choice("unsure")})
    assert "timeouts.external-deadline" in hidden(
        compiled, {"workflow.external": Answer.choice("none")})


def test_an_answer_given_before_the_question_became_irrelevant_is_kept_but_unused(
        content_v2) -> None:
    answers = v2({}, {"retries.automatic": "never", "retries.give-up": "no"})
    review = evaluate(content_v2, answers)
    assert answers.workflows[0].answers["retries.give-up"] == Answer.choice("no")
    assert not [f for f in review.findings if f.rule.id == "retries.unbounded"]
    assert review.workflows[0].answers["retries.give-up"].na is not None


def test_hidden_whole_section_scenario_reads_not_applicable(content_v2) -> None:
    event = evaluate_result(content_v2, v2({}, {"workflow.trigger": "event"}))
    schedule = evaluate_result(content_v2, v2({}, {"workflow.trigger": "schedule",
                                                   "timeouts.missed-run": "no"}))
    missed = {s.id: s for s in event.workflows[0].scenarios}["missed-run"]
    assert missed.status == "not-applicable"
    assert {s.id: s for s in schedule.workflows[0].scenarios}["missed-run"].status == "unsafe"


@pytest.mark.parametrize("change, message", [
    ("ask_if: {q: retries.automatic, in: [backoff, immediate]}",
     "ask_if: {q: timeouts.run, is: yes}"),
])
def test_a_condition_may_read_only_earlier_questions(tmp_path: Path, change, message) -> None:
    root = make_v2_content(tmp_path / "c")
    path = root / V2
    path.write_text(path.read_text().replace(change, message))
    with pytest.raises(ContentError, match="ask_if may read only earlier questions; "
                                           "'timeouts.run' is not asked before"):
        load_content(root)


def test_check_refuses_a_condition_that_cannot_be_false(tmp_path: Path) -> None:
    root = make_v2_content(tmp_path / "c")
    path = root / V2
    path.write_text(path.read_text().replace(
        "ask_if: {q: retries.automatic, in: [backoff, immediate]}",
        "ask_if: {not: {q: retries.automatic, is: never, answered: true}}").replace(
        "ask_if: {not: {q: retries.automatic, is: never, answered: true}}",
        "ask_if: {any: [{q: retries.automatic, answered: true}, "
        "{q: retries.automatic, answered: false}]}"))
    _, problems = run_check(root)
    assert any("'retries.give-up': ask_if always holds: it hides nothing" in p.message
               for p in problems), problems


def test_check_refuses_a_rule_that_reads_a_hidden_question(tmp_path: Path) -> None:
    root = make_v2_content(tmp_path / "c")
    path = root / "rules" / "rules-v2.yaml"
    path.write_text(path.read_text().replace(
        "        - {q: retries.automatic, in: [backoff, immediate]}\n"
        "        - {q: retries.give-up, is: no}",
        "        - not: {q: retries.give-up, is: yes}\n"
        "        - {q: timeouts.run, answered: true}"))
    _, problems = run_check(root)
    assert (
        "fires because 'retries.give-up' reads as not applicable where its ask_if hides it: "
        "add the ask_if's condition to this rule's when"
    ) in [p.message for p in problems if "rules-v2" in p.file]


def test_the_fixture_v2_content_is_clean(tmp_path: Path) -> None:
    _, problems = run_check(make_v2_content(tmp_path / "c"))
    assert problems == []


WORKFLOW_CHOICES = {
    "workflow.trigger": ["schedule", "event", None],
    "workflow.external": ["apis", "none", "unsure", None],
    "retries.automatic": ["backoff", "immediate", "never", None],
    "idempotency.rerun-safe": ["yes", "no", "unsure", None],
}


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({q: st.sampled_from(c) for q, c in WORKFLOW_CHOICES.items()}))
def test_relevance_never_makes_unknown_safe(content_v2, picked) -> None:
    """Whatever the answers, a question whose deciding answers are not all known is asked,
    a hidden question is never read by a rule that fires, and blanking a deciding answer never
    removes a finding or turns a scenario safe."""
    given_answers = {q: c for q, c in picked.items() if c is not None}
    review = evaluate(content_v2, v2({}, given_answers))
    gone = review.hidden[0]
    for qid in gone:
        for condition, _ in content_v2.engine().ask_ifs[qid]:
            assert all(q in given_answers and given_answers[q] != "unsure"
                       for q in condition.questions if q in WORKFLOW_CHOICES)
    for finding in review.findings:
        assert not set(finding.because) & set(gone)
    for qid in given_answers:
        blanked = {q: c for q, c in given_answers.items() if q != qid}
        other = evaluate(content_v2, v2({}, blanked))
        assert {f.key for f in review.findings} - {f.key for f in other.findings} <= {
            f.key for f in review.findings if qid in f.because}
        for before, after in zip(review.workflows[0].scenarios, other.workflows[0].scenarios,
                                 strict=True):
            if before.status != "safe":
                assert after.status != "safe", (qid, before.scenario.id)


def test_content_without_ask_if_behaves_as_before(content, tmp_path: Path) -> None:
    root = tmp_path / "plain"
    shutil.copytree(Path(__file__).parent / "fixtures" / "content", root)
    assert evaluate(load_content(root), answers_of({})).hidden == {-1: {}}


def _shipped_deciding(shipped):
    compiled = shipped.engine()
    from webapp.domain.relevance import reads

    return sorted({q for conds in compiled.ask_ifs.values() for c, _ in conds
                   for q in reads(compiled.index, c)})


@st.composite
def shipped_workflow(draw, shipped, system: bool = False):
    """Random answers to the shipped version 2's workflow (or `system`) questions (blank
    included)."""
    from webapp.domain.lint import states

    index = shipped.index()
    own = {}
    for qid in index.system_ids if system else index.workflow_ids:
        state = draw(st.sampled_from(states(index.questions[qid])))
        if state is not None:
            own[qid] = state
    return own


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_on_the_shipped_version_2_relevance_never_makes_unknown_safe(shipped, data) -> None:
    """Blanking a question that decides relevance never turns a scenario safe and never
    removes a finding that does not rest on it; no finding rests on a hidden question."""
    own = data.draw(shipped_workflow(shipped))
    answers = answers_of({}, own)
    answers.questionnaire, answers.version = "reliability-review", 2
    review = evaluate(shipped, answers)
    gone = review.hidden[0]
    for finding in review.findings:
        assert not set(finding.because) & set(gone), finding.rule.id
    deciding = [q for q in _shipped_deciding(shipped) if q in own]
    if not deciding:
        return
    qid = data.draw(st.sampled_from(deciding))
    blanked = answers_of({}, {q: a for q, a in own.items() if q != qid})
    blanked.questionnaire, blanked.version = "reliability-review", 2
    other = evaluate(shipped, blanked)
    assert set(other.hidden[0]) <= set(gone)  # unknown hides nothing more
    for before, after in zip(review.workflows[0].scenarios, other.workflows[0].scenarios,
                             strict=True):
        if before.status != "safe":
            assert after.status != "safe", (qid, before.scenario.id)
    lost = {f.key for f in review.findings} - {f.key for f in other.findings}
    assert lost <= {f.key for f in review.findings if qid in f.because}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_cheap_not_asked_list_is_the_reviews(shipped, data) -> None:
    """What a save reports as not asked (`hidden_questions` on the answers to
    `screen_inputs` alone, no scoring) is exactly what the full review reports, for the system
    and each workflow, reasons included."""
    system = data.draw(shipped_workflow(shipped, system=True))
    answers = answers_of(system, data.draw(shipped_workflow(shipped)),
                         data.draw(shipped_workflow(shipped)))
    answers.questionnaire, answers.version = "reliability-review", 2
    inputs = screen_inputs(shipped.engine("reliability-review", 2))
    few = answers_of({q: a for q, a in answers.answers.items() if q in inputs},
                     *({q: a for q, a in w.answers.items() if q in inputs}
                       for w in answers.workflows))
    few.questionnaire, few.version = "reliability-review", 2
    assert hidden_questions(shipped, few) == evaluate(shipped, answers).hidden


def test_a_revised_rule_and_outcome_read_version_2_and_version_1_keeps_the_original(
        tmp_path: Path) -> None:
    root = make_v2_content(tmp_path / "c")
    rules = root / "rules" / "workflow.yaml"
    text = rules.read_text()
    old = "      quiet: [{retries.automatic: backoff}]\n"
    assert text.count(old) == 1
    rules.write_text(text.replace(old, old + (
        "    revised:\n"
        "      - since: 2\n"
        "        when: {q: retries.give-up, is: 'no'}\n"
        "        examples:\n"
        "          fires: [{retries.automatic: backoff, retries.give-up: 'no'}]\n"
        "          quiet: [{retries.automatic: backoff, retries.give-up: 'yes'}]\n")))
    scenarios = root / "rules" / "scenarios.yaml"
    text = scenarios.read_text()
    old = "      - outcome: retry-storm\n        when: {q: retries.automatic, is: immediate}\n"
    assert text.count(old) == 1
    scenarios.write_text(text.replace(old, old.replace(
        "retry-storm\n", "retry-storm\n        until: 1\n")))
    content = load_content(root)
    flow = {"retries.automatic": "immediate", "idempotency.rerun-safe": "yes",
            "timeouts.calls": "all"}

    def seen(answers):
        review = evaluate(content, answers)
        storm = {s.scenario.id: s.outcome.id for w in review.workflows for s in w.scenarios}
        return {f.rule.id for f in review.findings}, storm["slow-dependency"]

    on_v1 = seen(answers_of({}, flow))
    on_v2 = seen(v2({}, flow))
    assert "retries.immediate" in on_v1[0] and on_v1[1] == "retry-storm"
    # version 2 reads the revision: an immediate retry that gives up is not this finding
    assert "retries.immediate" not in on_v2[0] and on_v2[1] != "retry-storm"
    assert "retries.immediate" in seen(v2({}, {**flow, "retries.give-up": "no"}))[0]


def _revised_retries_rule(tmp_path: Path, v1_quiet: str, v2_quiet: str) -> Path:
    """The fixture's `retries.immediate`, revised from version 2 on, with the given quiet
    examples for its version 1 condition and for its revision."""
    root = make_v2_content(tmp_path / "c")
    rules = root / "rules" / "workflow.yaml"
    text = rules.read_text()
    old = "      quiet: [{retries.automatic: backoff}]\n"
    assert text.count(old) == 1
    rules.write_text(text.replace(old, f"      quiet: [{v1_quiet}]\n" + (
        "    revised:\n"
        "      - since: 2\n"
        "        when: {q: retries.give-up, is: 'no'}\n"
        "        examples:\n"
        "          fires: [{retries.automatic: backoff, retries.give-up: 'no'}]\n"
        f"          quiet: [{v2_quiet}]\n")))
    return root


def test_a_revised_rules_version_1_examples_are_checked_against_version_1(tmp_path) -> None:
    """Version 1 assessments still read the original condition, so its examples keep being
    run, against version 1: a wrong one fails the check and names the version."""
    good = _revised_retries_rule(tmp_path / "good", "{retries.automatic: backoff}",
                                 "{retries.automatic: backoff, retries.give-up: 'yes'}")
    content, problems = run_check(good)
    assert not problems, problems
    assert [s.home[1] for s in content.example_sets["retries.immediate"]] == [2, 1]

    # 'immediate' fires the version 1 condition: an example that says it stays quiet is wrong
    wrong = _revised_retries_rule(tmp_path / "wrong", "{retries.automatic: immediate}",
                                  "{retries.automatic: backoff, retries.give-up: 'yes'}")
    _, problems = run_check(wrong)
    assert [(p.file, p.place, p.message) for p in problems] == [
        ("rules/workflow.yaml", "rules[2].examples.quiet[0]",
         "rule 'retries.immediate' (version 1) fires on this example")]

    # a wrong example of the revision is located in the revision
    wrong_v2 = _revised_retries_rule(tmp_path / "wrong2", "{retries.automatic: backoff}",
                                     "{retries.automatic: backoff, retries.give-up: 'no'}")
    _, problems = run_check(wrong_v2)
    assert [(p.place, p.message) for p in problems] == [
        ("rules[2].revised[0].examples.quiet[0]",
         "rule 'retries.immediate' (version 2) fires on this example")]


def test_a_version_1_example_naming_an_unknown_choice_stops_loading(tmp_path) -> None:
    """The original condition's examples are read against version 1 and their problems are
    reported like the newest version's, not dropped with the older version's leftovers."""
    root = _revised_retries_rule(tmp_path, "{retries.automatic: backof}",
                                 "{retries.automatic: backoff, retries.give-up: 'yes'}")
    _, problems = run_check(root)
    assert len(problems) == 1
    assert problems[0].place == "rules[2].examples.quiet[0].retries.automatic"
    assert problems[0].message.startswith("'retries.automatic' has no choice 'backof'")
