"""Checking answers against a questionnaire: every unknown question or choice id is named."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answers import Answer, Answers, read_answers
from .conditions import suggest
from .errors import AnswersError, Problem
from .index import QuestionInfo, QuestionnaireIndex
from .yamlio import YamlSyntaxError, decode_utf8, line_of, parse_yaml, place

Path_ = tuple[str | int, ...]
Found = list[tuple[Path_, str]]


@dataclass(frozen=True)
class AnswerProblem:
    """Why choices cannot answer a question: `kind` is unknown-choice (`choice` names it),
    not-applicable (N/A where the question does not allow it), one-choice (several choices
    for a single-choice question) or exclusive (`choice` excludes the others)."""

    kind: str
    choice: str | None = None


def answer_problems(info: QuestionInfo, choices: Sequence[str], na: bool) -> list[AnswerProblem]:
    """Every rule an answer must keep, in one place: the answers-file loader and the web
    form both ask here and word the problems for their readers."""
    question = info.question
    found = [AnswerProblem("unknown-choice", c) for c in choices if c not in info.labels]
    if na and not question.na_allowed:
        found.append(AnswerProblem("not-applicable"))
    if question.type == "single" and len(choices) > 1:
        found.append(AnswerProblem("one-choice"))
    exclusive = [c.id for c in question.choices if c.exclusive and c.id in choices]
    if exclusive and len(set(choices)) > 1:
        found.append(AnswerProblem("exclusive", exclusive[0]))
    return found


def check_answer(index: QuestionnaireIndex, qid: str, answer: Answer, path: Path_) -> Found:
    info = index.questions[qid]
    return [(path, _file_message(info, qid, answer, p))
            for p in answer_problems(info, answer.choices, answer.is_na)]


def _file_message(info: QuestionInfo, qid: str, answer: Answer, problem: AnswerProblem) -> str:
    if problem.kind == "unknown-choice":
        return (f"'{qid}' has no choice '{problem.choice}' (choices: {', '.join(info.labels)})"
                f"{suggest(problem.choice or '', set(info.labels))}")
    if problem.kind == "not-applicable":
        return f"'{qid}' cannot be answered not applicable"
    if problem.kind == "one-choice":
        return f"'{qid}' takes one choice, got {len(answer.choices)}"
    return f"'{problem.choice}' excludes the other choices of '{qid}'"


def check_answer_map(
    index: QuestionnaireIndex, answers: Mapping[str, Any], path: Path_, workflow: bool | None
) -> Found:
    """Problems in a {question id: Answer} map; `workflow` restricts which questions belong."""
    found: Found = []
    for qid, answer in answers.items():
        found += _check_one(index, qid, answer, path + (qid,), workflow)
    return found


def _check_one(
    index: QuestionnaireIndex, qid: str, answer: Any, path: Path_, workflow: bool | None
) -> Found:
    info = index.questions.get(qid)
    if info is None:
        return [(path, f"unknown question id '{qid}'{suggest(qid, set(index.questions))}")]
    if workflow is False and info.workflow:
        return [(path, f"'{qid}' is asked per workflow: answer it under workflows[].answers")]
    if workflow is True and not info.workflow:
        return [(path, f"'{qid}' is a system question: answer it under the top-level answers")]
    return check_answer(index, qid, answer, path) if isinstance(answer, Answer) else []


def check_answers(index: QuestionnaireIndex, answers: Answers) -> Found:
    """Every problem with `answers` against this questionnaire, as (path, message)."""
    q = index.questionnaire
    found: Found = []
    if answers.questionnaire not in (None, q.id):
        found.append(
            (("questionnaire",), f"answers are for '{answers.questionnaire}', not '{q.id}'")
        )
    found += check_answer_map(index, answers.answers, ("answers",), workflow=False)
    found += check_answer_map(index, answers.notes, ("notes",), workflow=False)
    seen: set[str] = set()
    for i, wf in enumerate(answers.workflows):
        path: Path_ = ("workflows", i)
        if wf.name in seen:
            found.append((path + ("name",), f"two workflows are named '{wf.name}'"))
        seen.add(wf.name)
        found += check_answer_map(index, wf.answers, path + ("answers",), workflow=True)
        found += check_answer_map(index, wf.notes, path + ("notes",), workflow=True)
        found += check_answer_map(index, wf.evidence, path + ("evidence",), workflow=True)
    return found


def validate_answers(
    index: QuestionnaireIndex,
    answers: Answers,
    source: str = "answers",
    lines: Mapping[Path_, int] | None = None,
) -> list[Problem]:
    return [
        Problem(source, place(p), m, line_of(lines or {}, p))
        for p, m in check_answers(index, answers)
    ]


def parse_answers(
    data: Any, content: Any, source: str = "answers", lines: Mapping[Path_, int] | None = None
) -> Answers:
    """Answers from answers-file data, checked against the questionnaire they name.

    Raises AnswersError naming every problem (unknown question or choice ids, bad shapes).
    """
    answers, problems = read_answers(data, source, lines)
    index = _index_for(content, answers, source, problems)
    if index is not None:
        problems += validate_answers(index, answers, source, lines)
    if problems:
        raise AnswersError(problems)
    return answers


def _index_for(content: Any, answers: Answers, source: str, problems: list[Problem]) -> Any:
    try:
        return content.index(answers.questionnaire, answers.version)
    except KeyError as exc:
        problems.append(Problem(source, "questionnaire", str(exc.args[0])))
        return None


def parse_answers_text(text: str, content: Any, source: str = "answers.yaml") -> Answers:
    """Answers from the text of an answers file (an upload, say); raises AnswersError."""
    try:
        data, lines = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise AnswersError([Problem(source, "", str(exc), exc.line)]) from None
    return parse_answers(data, content, source, lines)


def load_answers(path: Path, content: Any) -> Answers:
    """Read and check an answers file (YAML); raises AnswersError."""
    try:
        text = decode_utf8(path.read_bytes())
    except OSError as exc:
        raise AnswersError([Problem(str(path.name), "", f"cannot read: {exc}")]) from None
    except YamlSyntaxError as exc:
        raise AnswersError([Problem(str(path.name), "", str(exc), exc.line)]) from None
    return parse_answers_text(text, content, path.name)
