"""The answers model and the answers-file reader: every unknown id is named."""

from __future__ import annotations

import pytest

from webapp.domain import Answer, AnswersError, parse_answers
from webapp.domain.yamlio import parse_yaml

GOOD = """\
questionnaire: mini-review
system: {name: Shop}
answers:
  fit.high-volume: yes
  observe.logs: [app, audit]
  contain.bulkheads: {na: only one dependency}
  observe.alerts:
notes:
  observe.logs: "Shipped to **Loki**."
workflows:
  - name: billing
    answers: {timeouts.run: no}
    evidence: {timeouts.run: "https://example.org/runbook"}
"""


def parse(content, text: str):
    data, lines = parse_yaml(text)
    return parse_answers(data, content, "answers.yaml", lines)


def test_answers_file_reads_choices_lists_na_and_blanks(content) -> None:
    answers = parse(content, GOOD)
    assert answers.answers == {
        "fit.high-volume": Answer.choice("yes"),
        "observe.logs": Answer.of(["app", "audit"]),
        "contain.bulkheads": Answer.not_applicable("only one dependency"),
    }
    assert answers.notes == {"observe.logs": "Shipped to **Loki**."}
    assert answers.workflows[0].answers == {"timeouts.run": Answer.choice("no")}
    assert answers.workflows[0].evidence == {"timeouts.run": "https://example.org/runbook"}


def test_unquoted_yes_and_no_stay_choice_ids(content) -> None:
    answers = parse(content, "answers: {fit.high-volume: no, fit.prototype: yes}\n")
    assert answers.answers["fit.high-volume"].choices == ("no",)


def test_every_unknown_question_and_choice_id_is_named(content) -> None:
    text = GOOD.replace("fit.high-volume: yes", "fit.high-volum: yes\n  fit.prototype: perhaps")
    text = text.replace("timeouts.run: no", "timeouts.runs: no, timeouts.calls: many")
    with pytest.raises(AnswersError) as caught:
        parse(content, text)
    lines = str(caught.value).splitlines()
    assert lines[0] == "Answers do not fit the questionnaire: 4 problems in 1 file"
    assert (
        "answers.yaml:4: answers.fit.high-volum: unknown question id 'fit.high-volum' "
        "(did you mean 'fit.high-volume'?)" in lines[1]
    )
    assert "answers.fit.prototype: 'fit.prototype' has no choice 'perhaps'" in lines[2]
    assert "workflows[0].answers.timeouts.runs: unknown question id 'timeouts.runs'" in str(
        caught.value
    )
    assert "workflows[0].answers.timeouts.calls: 'timeouts.calls' has no choice 'many'" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("answers: {timeouts.run: no}\n", "'timeouts.run' is asked per workflow"),
        (
            "workflows: [{name: a, answers: {observe.alerts: none}}]\n",
            "'observe.alerts' is a system question",
        ),
        (
            "answers: {observe.alerts: {na: nothing to alert on}}\n",
            "'observe.alerts' cannot be answered not applicable",
        ),
        ("answers: {contain.bulkheads: {na: ''}}\n", "non-empty reason"),
        ("answers: {observe.alerts: [none, causes]}\n", "'observe.alerts' takes one choice, got 2"),
        (
            "answers: {observe.logs: [none, app]}\n",
            "'none' excludes the other choices of 'observe.logs'",
        ),
        ("workflows: [{name: a}, {name: a}]\n", "two workflows are named 'a'"),
        ("workflows: [{answers: {}}]\n", "every workflow needs a name"),
        ("questionnaire: other\n", "no questionnaire 'other'"),
        ("version: 7\n", "has no version 7"),
        ("colour: blue\n", "colour: unknown key"),
        ("notes: {nope: hi}\n", "unknown question id 'nope'"),
    ],
)
def test_bad_answers_are_refused_with_a_reason(content, text, message) -> None:
    with pytest.raises(AnswersError) as caught:
        parse(content, text)
    assert message in str(caught.value)


def test_answer_round_trips_to_file_syntax() -> None:
    assert Answer.choice("a").to_yaml() == "a"
    assert Answer.of(["a", "b"]).to_yaml() == ["a", "b"]
    assert Answer.not_applicable("why").to_yaml() == {"na": "why"}


def test_answers_round_trip_through_the_file_format(content) -> None:
    import yaml

    from webapp.domain import answers_to_dict, parse_answers_text

    answers = parse(content, GOOD)
    text = yaml.safe_dump(answers_to_dict(answers), sort_keys=False, allow_unicode=True)
    assert parse_answers_text(text, content) == answers


def test_malformed_yaml_upload_is_refused_with_its_line(content) -> None:
    from webapp.domain import parse_answers_text

    with pytest.raises(AnswersError) as caught:
        parse_answers_text("answers:\n  fit.high-volume: [yes\n", content, "upload.yaml")
    assert str(caught.value).splitlines()[1].startswith("  upload.yaml:")
    assert "invalid YAML" in str(caught.value)


@pytest.mark.parametrize("text", [
    "answers:\n  fit.high-volume: low\n  fit.customer-facing: yes\n  fit.high-volume: high\n",
    "workflows:\n  - name: A\n    answers: {}\n    name: B\n",
], ids=["answer", "workflow-name"])
def test_a_key_written_twice_is_refused_with_both_lines(content, text) -> None:
    """YAML keeps the last of two equal keys: the first answer vanished without a word."""
    from webapp.domain import parse_answers_text

    with pytest.raises(AnswersError) as caught:
        parse_answers_text(text, content, "upload.yaml")
    message = str(caught.value)
    assert "upload.yaml:4:" in message and "(first on line 2)" in message
    assert "is written twice" in message


def test_a_tab_indent_is_refused_saying_yaml_indents_with_spaces(content) -> None:
    from webapp.domain import parse_answers_text

    with pytest.raises(AnswersError) as caught:
        parse_answers_text("system:\n\tname: Ledger\n", content, "upload.yaml")
    assert "upload.yaml:2: invalid YAML: a tab indents this line; YAML indents with spaces" in (
        str(caught.value))


def test_a_file_that_is_not_utf_8_is_refused_naming_its_line(content, tmp_path) -> None:
    from webapp.domain import load_answers

    path = tmp_path / "latin1.yaml"
    path.write_bytes("system:\n  name: Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(AnswersError) as caught:
        load_answers(path, content)
    assert "latin1.yaml:2: the file is not UTF-8 text: save it as UTF-8" in str(caught.value)
    assert "codec" not in str(caught.value)


def test_answers_built_in_code_are_validated_and_evaluated_without_files(content) -> None:
    from webapp.domain import Answers, SystemInfo, WorkflowAnswers, evaluate, validate_answers

    answers = Answers(
        "mini-review",
        1,
        SystemInfo("Shop"),
        {"observe.alerts": Answer.choice("sometimes"), "legacy.question": Answer.choice("x")},
        workflows=[WorkflowAnswers("sync", {"timeouts.run": Answer.choice("no")})],
    )
    problems = [str(p) for p in validate_answers(content.index(), answers, "database")]
    assert problems == [
        "database: answers.observe.alerts: 'observe.alerts' has no choice 'sometimes' "
        "(choices: symptoms, causes, none, unsure)",
        "database: answers.legacy.question: unknown question id 'legacy.question'",
    ]
    result = evaluate(content, answers)  # stale ids never crash an evaluation
    assert result.layers[0].score == 0.0
    assert [f.rule.id for f in result.findings] == ["timeouts.missing"]
