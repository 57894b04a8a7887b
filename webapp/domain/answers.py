"""Answers to a questionnaire: the model the engine evaluates, and the answers-file reader.

The web app builds the same `Answers` from its database; only `parse_answers`/`load_answers`
know about the file syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import Problem
from .yamlio import line_of, place

if TYPE_CHECKING:
    from .evidence import AutomationFinding, Detected

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """One question's answer: chosen choice ids, or not applicable with a reason."""

    choices: tuple[str, ...] = ()
    na: str | None = None
    selected: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "selected", frozenset(self.choices))

    @classmethod
    def choice(cls, choice_id: str) -> Answer:
        return cls((choice_id,))

    @classmethod
    def of(cls, choice_ids: list[str] | tuple[str, ...]) -> Answer:
        return cls(tuple(choice_ids))

    @classmethod
    def not_applicable(cls, reason: str) -> Answer:
        return cls((), reason)

    @property
    def is_na(self) -> bool:
        return self.na is not None

    def to_yaml(self) -> Any:
        """The answers-file syntax for this answer."""
        if self.is_na:
            return {"na": self.na}
        return self.choices[0] if len(self.choices) == 1 else list(self.choices)


@dataclass
class SystemInfo:
    name: str = ""
    description: str = ""


@dataclass
class WorkflowAnswers:
    name: str
    answers: dict[str, Answer] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    #: automation files of this workflow (answers file: relative to the file's folder)
    files: list[str] = field(default_factory=list)
    #: answers the reviewer suggests from `files` (see `evidence.resolve_evidence`)
    detected: list[Detected] = field(default_factory=list)
    #: the reviewer's findings on `files`, shown with the evidence
    findings: list[AutomationFinding] = field(default_factory=list)


@dataclass
class Answers:
    questionnaire: str | None = None
    version: int | None = None
    system: SystemInfo = field(default_factory=SystemInfo)
    answers: dict[str, Answer] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    workflows: list[WorkflowAnswers] = field(default_factory=list)
    #: a poor fit is asked the minimum checklist unless the team chose the full review
    full_review: bool = False
    #: the questionnaire version these answers were carried from by an upgrade (None: none)
    upgraded_from: int | None = None


def answers_to_dict(answers: Answers) -> dict[str, Any]:
    """The answers-file data for `answers` (dump it with yaml.safe_dump for a file)."""

    def block(values: dict[str, Answer]) -> dict[str, Any]:
        return {qid: answer.to_yaml() for qid, answer in values.items()}

    data: dict[str, Any] = {"questionnaire": answers.questionnaire, "version": answers.version}
    data["system"] = {"name": answers.system.name, "description": answers.system.description}
    data |= {"answers": block(answers.answers), "notes": dict(answers.notes)}
    if answers.full_review:
        data["full_review"] = True
    if answers.upgraded_from is not None:
        data["upgraded_from"] = answers.upgraded_from
    data["workflows"] = [
        {"name": w.name, "answers": block(w.answers), "notes": dict(w.notes)}
        | ({"evidence": dict(w.evidence)} if w.evidence else {})
        | ({"file": list(w.files)} if w.files else {})
        for w in answers.workflows
    ]
    return data


class AnswersReader:
    """Turns answers-file data into `Answers`, collecting every problem on the way."""

    def __init__(self, source: str, lines: Mapping[Path_, int] | None) -> None:
        self.source = source
        self.lines = lines or {}
        self.problems: list[Problem] = []

    def problem(self, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.source, place(path), message, line_of(self.lines, path)))

    def mapping(self, value: Any, path: Path_) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problem(path, "must be a mapping")
            return {}
        return value

    def text(self, value: Any, path: Path_) -> str:
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(path, "must be text")
            return ""
        return str(value)

    def answer(self, value: Any, path: Path_) -> Answer | None:
        if value is None:
            return None
        if isinstance(value, Mapping):
            return self._na(value, path)
        if isinstance(value, list):
            if all(_is_id(v) for v in value) and value:
                return Answer.of([str(v) for v in value])
            self.problem(path, "must list one or more choice ids")
            return None
        if _is_id(value):
            return Answer.choice(str(value))
        self.problem(path, "must be a choice id, a list of choice ids or {na: <reason>}")
        return None

    def _na(self, value: Mapping[str, Any], path: Path_) -> Answer | None:
        reason = value.get("na")
        if set(value) != {"na"} or not isinstance(reason, str) or not reason.strip():
            self.problem(path, "not applicable is written {na: <reason>} with a non-empty reason")
            return None
        return Answer.not_applicable(reason.strip())

    def answers(self, value: Any, path: Path_) -> dict[str, Answer]:
        out = {}
        for qid, raw in self.mapping(value, path).items():
            answer = self.answer(raw, path + (str(qid),))
            if answer is not None:
                out[str(qid)] = answer
        return out

    def notes(self, value: Any, path: Path_) -> dict[str, str]:
        notes = {
            str(k): self.text(v, path + (str(k),)) for k, v in self.mapping(value, path).items()
        }
        return {k: v for k, v in notes.items() if v.strip()}

    def workflow(self, value: Any, path: Path_) -> WorkflowAnswers | None:
        data = self.mapping(value, path)
        name = self.text(data.get("name"), path + ("name",)).strip()
        if not name:
            self.problem(path + ("name",), "every workflow needs a name")
        self._unknown_keys(data, {"name", "answers", "notes", "evidence", "file"}, path)
        return WorkflowAnswers(
            name,
            self.answers(data.get("answers"), path + ("answers",)),
            self.notes(data.get("notes"), path + ("notes",)),
            self.notes(data.get("evidence"), path + ("evidence",)),
            self.files(data.get("file"), path + ("file",)),
        )

    def files(self, value: Any, path: Path_) -> list[str]:
        """`file: <path>` or a list of paths, each non-empty text."""
        items = [] if value is None else value if isinstance(value, list) else [value]
        if all(isinstance(v, str) and v.strip() for v in items):
            return [v.strip() for v in items]
        self.problem(path, "must be a file path or a list of file paths")
        return []

    def _unknown_keys(self, data: Mapping[str, Any], allowed: set[str], path: Path_) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    path + (str(key),), f"unknown key (allowed: {', '.join(sorted(allowed))})"
                )

    def document(self, data: Any) -> Answers:
        data = self.mapping(data, ())
        self._unknown_keys(
            data,
            {"questionnaire", "version", "system", "answers", "notes", "workflows", "full_review",
             "upgraded_from"},
            (),
        )
        full_review = data.get("full_review", False)
        if not isinstance(full_review, bool):
            self.problem(("full_review",), "must be true or false")
            full_review = False
        system = self.mapping(data.get("system"), ("system",))
        version = data.get("version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            self.problem(("version",), "must be a whole number")
            version = None
        upgraded_from = data.get("upgraded_from")
        if upgraded_from is not None and (
            isinstance(upgraded_from, bool) or not isinstance(upgraded_from, int)
        ):
            self.problem(("upgraded_from",), "must be a whole number (the version upgraded from)")
            upgraded_from = None
        workflows = data.get("workflows") or []
        if not isinstance(workflows, list):
            self.problem(("workflows",), "must be a list of workflows")
            workflows = []
        names = [self.workflow(w, ("workflows", i)) for i, w in enumerate(workflows)]
        return Answers(
            questionnaire=self.text(data.get("questionnaire"), ("questionnaire",)) or None,
            version=version,
            system=SystemInfo(
                self.text(system.get("name"), ("system", "name")),
                self.text(system.get("description"), ("system", "description")),
            ),
            answers=self.answers(data.get("answers"), ("answers",)),
            notes=self.notes(data.get("notes"), ("notes",)),
            workflows=[w for w in names if w is not None],
            full_review=full_review,
            upgraded_from=upgraded_from,
        )


def _is_id(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value) != ""


def read_answers(
    data: Any, source: str = "answers", lines: Mapping[Path_, int] | None = None
) -> tuple[Answers, list[Problem]]:
    """The answers in `data` (answers-file syntax) and every problem with its shape."""
    reader = AnswersReader(source, lines)
    answers = reader.document(data)
    return answers, reader.problems
