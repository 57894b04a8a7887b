"""A review on a lens as an answers file, and back.

The same YAML shape as an answers file of Faultline's own questionnaire, so one file type
travels between the repository and the web app:

    questionnaire: lens:amazon-ecs-lens     # the lens, as Faultline names it
    version: 2                              # the imported version it was answered on
    system: {name: Checkout, description: ...}
    answers:
      ecs_q1: [ecs_q1_a, ecs_q1_c]          # the selected choice ids (multi-select)
      ecs_q2: {na: ARCHITECTURE_CONSTRAINTS}   # not applicable, with its reason
    notes:
      ecs_q2: We run on EC2 only.

Reading collects every problem (unknown question or choice, a reason that is not one of the
four, "None of these" beside other choices) with its place and line, like the questionnaire's
answers files; nothing is applied while one remains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .answers import AnswersReader
from .errors import AnswersError, Problem
from .lens import Lens
from .lens_result import NA_LABELS, AnswerInvalid, LensAnswer, NaReason, check_answer
from .yamlio import Path_, YamlSyntaxError, parse_yaml

LENS_PREFIX = "lens:"
TOP_KEYS = {"questionnaire", "version", "system", "answers", "notes", "workflows"}


@dataclass
class LensAnswersFile:
    questionnaire: str
    version: int | None
    name: str = ""
    description: str = ""
    answers: dict[str, LensAnswer] = field(default_factory=dict)


def lens_answers_to_dict(
    lens: Lens,
    questionnaire: str,
    version: int,
    system: tuple[str, str],
    answers: Mapping[str, LensAnswer],
) -> dict[str, Any]:
    """The answers-file data, in the lens's question and choice order (same input, same
    bytes); unanswered questions without a note are left out."""
    block: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for _pillar, question in lens.questions():
        answer = answers.get(question.id)
        if answer is None:
            continue
        if answer.na_reason is not None:
            block[question.id] = {"na": answer.na_reason.value}
        elif answer.choices:
            block[question.id] = [c.id for c in question.choices if c.id in answer.choices]
        if answer.note.strip():
            notes[question.id] = answer.note
    return {
        "questionnaire": questionnaire,
        "version": version,
        "system": {"name": system[0], "description": system[1]},
        "answers": block,
        "notes": notes,
    }


def questionnaire_named(text: str) -> str | None:
    """The `questionnaire:` an answers file names (None when it names none or is not YAML);
    says which reader to use before the file is read for real."""
    try:
        data, _lines = parse_yaml(text)
    except YamlSyntaxError:
        return None
    value = data.get("questionnaire") if isinstance(data, Mapping) else None
    return value if isinstance(value, str) else None


def is_lens_file(text: str) -> bool:
    return (questionnaire_named(text) or "").startswith(LENS_PREFIX)


def parse_lens_answers_text(text: str, lens: Lens, source: str = "answers.yaml"
                            ) -> LensAnswersFile:
    """The answers in `text`, checked against `lens`; `AnswersError` names every problem."""
    try:
        data, lines = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise AnswersError([Problem(source, "", str(exc), exc.line)]) from None
    reader = _Reader(source, lines, lens)
    result = reader.read(data)
    if reader.problems:
        raise AnswersError(reader.problems)
    return result


class _Reader(AnswersReader):
    """The answers-file reader's problems, mappings and texts, with the lens's questions."""

    def __init__(self, source: str, lines: dict[Path_, int], lens: Lens) -> None:
        super().__init__(source, lines)
        self.questions = {q.id: q for _p, q in lens.questions()}

    def read(self, data: Any) -> LensAnswersFile:
        if not isinstance(data, Mapping):
            self.problem((), "the file must be a mapping with questionnaire, system and answers")
            return LensAnswersFile("", None)
        for key in data:
            if key not in TOP_KEYS:
                self.problem((key,), "unknown key (expected questionnaire, version, system, "
                                     "answers, notes)")
        if data.get("workflows"):
            self.problem(("workflows",), "a review on a lens has no workflows")
        system = self.mapping(data.get("system"), ("system",))
        out = LensAnswersFile(
            str(data.get("questionnaire") or ""),
            self.version(data.get("version")),
            self.text(system.get("name"), ("system", "name")),
            self.text(system.get("description"), ("system", "description")),
        )
        notes = self.lens_notes(self.mapping(data.get("notes"), ("notes",)))
        for qid, value in self.mapping(data.get("answers"), ("answers",)).items():
            answer = self.lens_answer(str(qid), value, notes.pop(str(qid), ""))
            if answer is not None:
                out.answers[str(qid)] = answer
        for qid, note in notes.items():  # a note on a question left unanswered
            out.answers[qid] = LensAnswer(note=note)
        return out

    def version(self, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problem(("version",), "must be a whole number from 1")
            return None
        return value

    def lens_notes(self, values: Mapping[str, Any]) -> dict[str, str]:
        out = {}
        for qid, value in values.items():
            if str(qid) not in self.questions:
                self.problem(("notes", qid), "no such question in this lens")
                continue
            text = self.text(value, ("notes", qid))
            if text.strip():
                out[str(qid)] = text
        return out

    def lens_answer(self, qid: str, value: Any, note: str) -> LensAnswer | None:
        path: Path_ = ("answers", qid)
        question = self.questions.get(qid)
        if question is None:
            self.problem(path, "no such question in this lens")
            return None
        if value is None:
            return LensAnswer(note=note)
        if isinstance(value, Mapping):
            return self.not_applicable(value, path, note)
        choices = [value] if isinstance(value, str) else value
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            self.problem(path, "must be a list of choice ids, or {na: REASON}")
            return None
        answer = LensAnswer(frozenset(choices), None, note)
        try:
            check_answer(question, answer)
        except AnswerInvalid as error:
            self.problem(path, str(error))
            return None
        return answer

    def not_applicable(self, value: Mapping[str, Any], path: Path_, note: str
                       ) -> LensAnswer | None:
        raw = value.get("na")
        reason = reason_of(raw) if isinstance(raw, str) else None
        if set(value) != {"na"} or reason is None:
            codes = ", ".join(r.value for r in NaReason)
            self.problem(path, f"not applicable is written {{na: REASON}}, REASON one of {codes}")
            return None
        return LensAnswer(frozenset(), reason, note)


def reason_of(text: str) -> NaReason | None:
    """A reason by its code (`OUT_OF_SCOPE`) or its label (`Out of scope`), any case."""
    wanted = text.strip().upper().replace(" ", "_")
    return next((r for r in NaReason if r.value == wanted or
                 NA_LABELS[r].upper().replace(" ", "_") == wanted), None)
