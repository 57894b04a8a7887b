"""Upgrades that carry answers from version 1 to version 2 (the fixture's mapping)."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp.domain import Answer, ContentError, evaluate_result, load_content
from webapp.domain.upgrade import upgrade_answers

from .conftest import make_v2_content
from .helpers import answers_of

V2 = "questionnaires/mini-v2.yaml"


def _upgrade(content_v2, answers):
    return upgrade_answers(content_v2.questionnaire(),
                           content_v2.questionnaire("mini-review", 1), answers)


def test_every_carried_answer_is_kept(content_v2) -> None:
    old = answers_of(
        {"fit.high-volume": "yes", "observe.logs": ["app", "audit"],
         "contain.bulkheads": "partly"},
        {"retries.automatic": "backoff", "retries.terminal": "yes",
         "idempotency.keys": Answer.not_applicable("reads only")},
    )
    old.notes = {"contain.bulkheads": "one pool per partner"}
    old.workflows[0].notes = {"retries.terminal": "we check the status code"}
    new, report = _upgrade(content_v2, old)
    assert new.version == 2 and new.upgraded_from == 1
    assert new.answers == {"fit.high-volume": Answer.choice("yes"),
                           "observe.logs": Answer.of(["app", "audit"]),
                           "contain.isolation": Answer.choice("some")}
    assert new.notes == {"contain.isolation": "one pool per partner"}
    assert new.workflows[0].answers == {"retries.automatic": Answer.choice("backoff"),
                                        "idempotency.keys": Answer.not_applicable("reads only")}
    assert [(c.old, c.why) for c in report.retired] == [
        ("retries.terminal",
         "Version 2 asks whether retries stop after bounded attempts instead.")]
    assert report.retired[0].note == "we check the status code"
    assert len(report.carried) == 5 and not report.dropped
    assert "observe.probes" in report.new_questions
    assert "retries.give-up" in report.new_questions
    assert "observe.alerts" not in report.new_questions


def test_the_upgraded_result_marks_new_questions_and_names_the_retired(content_v2) -> None:
    new, _ = _upgrade(content_v2, answers_of({"observe.alerts": "none"}, {}))
    result = evaluate_result(content_v2, new)
    assert result.questionnaire.version == 2
    assert result.upgrade is not None and result.upgrade.from_version == 1
    assert [q.id for q in result.upgrade.new_questions][:1] == ["observe.probes"]
    assert [x.id for x in result.upgrade.retired] == ["retries.terminal"]
    rows = {r.id: r for s in result.answers.sections for r in s.questions}
    assert rows["observe.probes"].new and not rows["observe.alerts"].new
    # an assessment started on version 2 has nothing "new"
    fresh = answers_of({"observe.alerts": "none"}, {})
    fresh.version = 2
    started = evaluate_result(content_v2, fresh)
    assert started.upgrade is None
    assert not any(r.new for s in started.answers.sections for r in s.questions)


def test_the_mapping_must_carry_or_retire_every_question(tmp_path: Path) -> None:
    root = make_v2_content(tmp_path / "c")
    path = root / V2
    path.write_text(path.read_text().replace("    timeouts.run: same\n", ""))
    with pytest.raises(ContentError, match=r"1 question of version 1 neither carried nor "
                                           r"retired: timeouts.run"):
        load_content(root)


@pytest.mark.parametrize("old, new, message", [
    ("{to: contain.isolation, choices: {partly: some}}",
     "{to: contain.isolations, choices: {partly: some}}",
     "version 2 has no question 'contain.isolations' (did you mean 'contain.isolation'?)"),
    ("{to: contain.isolation, choices: {partly: some}}", "{to: contain.isolation}",
     "choice 'partly' of 'contain.bulkheads' does not exist on 'contain.isolation': map it "
     "under choices"),
    ("{to: contain.isolation, choices: {partly: some}}",
     "{to: contain.isolation, choices: {partly: sme}}",
     "'contain.isolation' has no choice 'sme' (did you mean 'some'?)"),
    ("    timeouts.run: same\n", "    timeouts.run: same\n    timeouts.gone: same\n",
     "version 1 has no question 'timeouts.gone'"),
    ("  from: 1", "  from: 3", "there is no version 3 of 'mini-review' to upgrade from"),
    ("    observe.logs: same", "    observe.logs: {to: observe.alerts}",
     "'observe.alerts' is carried to 'observe.alerts' too"),
])
def test_check_validates_the_mapping(tmp_path: Path, old, new, message) -> None:
    root = make_v2_content(tmp_path / "c")
    path = root / V2
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(ContentError) as info:
        load_content(root)
    assert message in str(info.value)


def test_faultline_upgrade_writes_a_version_2_file_and_keeps_the_retired(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from webapp.cli import main
    from webapp.domain import load_answers

    root = make_v2_content(tmp_path / "c")
    source = tmp_path / "answers.yaml"
    source.write_text(
        "questionnaire: mini-review\nversion: 1\nsystem: {name: Test}\n"
        "answers: {contain.bulkheads: partly, observe.alerts: none}\n"
        "workflows:\n  - name: nightly\n    answers: {retries.automatic: backoff, "
        "retries.terminal: 'yes'}\n    notes: {retries.terminal: status codes}\n")
    original = source.read_text()
    run = CliRunner().invoke(main, ["upgrade", str(source), "--content-dir", str(root)])
    assert run.exit_code == 0, run.output
    assert "2 answers carried" not in run.output and "3 answers carried" in run.output
    assert "workflow 'nightly': retries.terminal: Version 2 asks" in run.output
    written = tmp_path / "answers-v2.yaml"
    assert source.read_text() == original
    assert "#   workflow 'nightly': retries.terminal: yes - retired:" in written.read_text()
    assert "#     note: status codes" in written.read_text()
    content = load_content(root)
    upgraded = load_answers(written, content)
    assert upgraded.version == 2 and upgraded.upgraded_from == 1
    assert upgraded.answers["contain.isolation"] == Answer.choice("some")
    assert upgraded.workflows[0].answers == {"retries.automatic": Answer.choice("backoff")}
    again = CliRunner().invoke(main, ["upgrade", str(written), "--content-dir", str(root)])
    assert again.exit_code == 2
    assert "already on version 2, the newest of 'mini-review'" in again.output
    clash = CliRunner().invoke(main, ["upgrade", str(source), "--content-dir", str(root)])
    assert clash.exit_code == 2 and "exists; pass --force" in clash.output


DERIVE = """    retries.terminal: {merged: retries.give-up}
    timeouts.calls: same
    timeouts.run: {merged: retries.give-up}
  derive:
    retries.give-up:
      - when: {all: [{q: retries.terminal, is: "yes"}, {q: timeouts.run, is: "yes"}]}
        choice: "yes"
      - when: {any: [{q: retries.terminal, is: "no"}, {q: timeouts.run, is: "no"}]}
        choice: "no"
"""


def _derived_content(root: Path, derive: str = DERIVE) -> Path:
    """The fixture's version 2 with `retries.give-up` derived from two version 1 questions."""
    make_v2_content(root)
    path = root / V2
    text = path.read_text()
    start = text.index("    retries.terminal: {retired:")
    path.write_text(text[:start] + derive)
    return root


def test_a_merged_answer_is_derived_from_several_and_notes_travel(tmp_path: Path) -> None:
    content = load_content(_derived_content(tmp_path / "c"))
    old = answers_of({}, {"retries.automatic": "backoff", "retries.terminal": "yes",
                          "timeouts.run": "yes"},
                     {"retries.automatic": "backoff", "retries.terminal": "yes"},
                     {"retries.automatic": "backoff", "timeouts.run": "no"})
    old.workflows[0].notes = {"retries.terminal": "status codes", "timeouts.run": "one hour"}
    new, report = _upgrade(content, old)
    first, second, third = new.workflows
    assert first.answers["retries.give-up"] == Answer.choice("yes")
    assert first.notes == {"retries.give-up": "status codes\n\none hour"}
    # one "yes" alone does not decide it: unanswered, never a flattering default
    assert "retries.give-up" not in second.answers
    assert third.answers["retries.give-up"] == Answer.choice("no")
    assert [(c.workflow, c.old, c.new) for c in report.carried if c.new == "retries.give-up"] \
        == [("wf-1", "retries.terminal", "retries.give-up"),
            ("wf-1", "timeouts.run", "retries.give-up"),
            ("wf-3", "timeouts.run", "retries.give-up")]
    assert [(c.workflow, c.old) for c in report.dropped] == [("wf-2", "retries.terminal")]
    assert "answer it again" in report.dropped[0].why
    assert "retries.give-up" not in report.new_questions
    assert not report.retired


def test_faultline_upgrade_writes_the_derived_answer(tmp_path: Path) -> None:
    from webapp.domain.upgrade_file import upgrade_text

    content = load_content(_derived_content(tmp_path / "c"))
    done = upgrade_text(content, (
        "questionnaire: mini-review\nversion: 1\nsystem: {name: Test}\n"
        "workflows:\n  - name: nightly\n    answers: {retries.terminal: 'no', "
        "timeouts.run: 'yes'}\n"))
    assert "retries.give-up: 'no'" in done.text and "timeouts.run" not in done.text


@pytest.mark.parametrize("derive, message", [
    (DERIVE.replace('choice: "no"', "choice: nope"),
     "'retries.give-up' has no choice 'nope'"),
    (DERIVE.replace("{q: timeouts.run, is:", "{q: retries.terminal, is:"),
     "'timeouts.run' is merged into 'retries.give-up' but no step reads it"),
    (DERIVE.replace("{merged: retries.give-up}\n    timeouts.calls",
                    "{merged: retries.give-ups}\n    timeouts.calls"),
     "'retries.terminal' is merged into 'retries.give-ups', which has no steps"),
    (DERIVE.replace('{all: [{q: retries.terminal, is: "yes"}, {q: timeouts.run, is: "yes"}]}',
                    '{not: {q: retries.terminal, is: "no"}}'),
     "with every question it reads blank, 'retries.give-up' is still answered"),
    (DERIVE.replace('{all: [{q: retries.terminal, is: "yes"}, {q: timeouts.run, is: "yes"}]}',
                    '{all: [{q: retries.terminal, is: "yes"}, {not: {q: timeouts.run, '
                    'is: "no"}}]}'),
     "'timeouts.run' left blank derives a better answer to 'retries.give-up' than one of its "
     "real answers would"),
    (DERIVE.replace('choice: "no"', "na: it never retries"),
     "'retries.give-up' does not allow not applicable"),
    (DERIVE.replace("    timeouts.calls: same\n", "    timeouts.calls: {to: retries.give-up}\n"),
     "is carried to 'retries.give-up' already; a question is either carried or derived"),
])
def test_check_validates_the_derived_answers(tmp_path: Path, derive: str, message: str) -> None:
    assert derive != DERIVE
    with pytest.raises(ContentError) as info:
        load_content(_derived_content(tmp_path / "c", derive))
    assert message in str(info.value)


def test_the_upgrade_summary_reads_naturally_for_one_and_for_many() -> None:
    from webapp.domain.upgrade import Carried, UpgradeReport
    from webapp.domain.upgrade_file import UpgradedFile

    def carried(qid: str) -> Carried:
        return Carried(None, -1, qid, qid, Answer(("yes",)), None, why="asked differently")

    def summary(n: int) -> str:
        ids = [f"q.{i}" for i in range(n)]
        report = UpgradeReport("mini-review", 1, 2, carried=[carried(q) for q in ids],
                               retired=[carried(q) for q in ids],
                               dropped=[carried(q) for q in ids], new_questions=ids)
        return "\n".join(UpgradedFile("", report).summary("a.yaml", "b.yaml"))

    one = summary(1)
    assert "  1 answer carried." in one
    assert "  1 answer or note to retired questions kept as comments" in one
    assert "  1 answer could not be carried; answer again:" in one
    assert "  1 question is new in version 2 and unanswered." in one
    many = summary(2)
    assert "  2 answers carried." in many
    assert "  2 answers or notes to retired questions kept as comments" in many
    assert "  2 answers could not be carried; answer again:" in many
    assert "  2 questions are new in version 2 and unanswered." in many
    none = summary(0)
    assert "  No answers carried." in none and "  No questions are new in version 2." in none
    assert "(s)" not in one + many + none
