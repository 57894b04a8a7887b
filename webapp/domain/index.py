"""Fast look-ups over one questionnaire, built once at load time."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Criterion, Question, Questionnaire, Section


@dataclass(frozen=True)
class QuestionInfo:
    """A question with where it sits: its section, and the layer or pattern it measures."""

    question: Question
    section: Section
    order: int
    scores: dict[str, int]
    labels: dict[str, str]
    id: str = ""
    scored: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", self.question.id)
        object.__setattr__(self, "scored", self.question.scored)

    @property
    def workflow(self) -> bool:
        return self.section.kind == "workflow"

    @property
    def layer(self) -> str | None:
        return self.section.layer if self.section.kind == "layer" else None

    @property
    def pattern(self) -> str | None:
        return self.question.pattern

    def score_of(self, choices: frozenset[str]) -> int | None:
        """Single: the choice's score; multi: the sum of the selected, capped at 100."""
        if not self.scored:
            return None
        if len(choices) == 1:
            for choice in choices:
                return self.scores.get(choice, 0)
        return min(sum(self.scores.get(c, 0) for c in choices), 100)


@dataclass
class QuestionnaireIndex:
    questionnaire: Questionnaire
    questions: dict[str, QuestionInfo] = field(default_factory=dict)
    criteria: dict[str, tuple[Question, Criterion]] = field(default_factory=dict)
    criticality: str | None = None
    by_layer: dict[str, list[QuestionInfo]] = field(default_factory=dict)
    by_pattern: dict[str, list[QuestionInfo]] = field(default_factory=dict)

    @classmethod
    def build(cls, questionnaire: Questionnaire) -> QuestionnaireIndex:
        index = cls(questionnaire)
        for section in questionnaire.sections:
            for question in section.questions:
                index._add(section, question)
        index.system_ids = [q for q, info in index.questions.items() if not info.workflow]
        index.workflow_ids = [q for q, info in index.questions.items() if info.workflow]
        index.system_set = frozenset(index.system_ids)
        index.workflow_set = frozenset(index.workflow_ids)
        index.minimum_set = frozenset(
            q for q, info in index.questions.items() if info.question.minimum or not info.scored
        )
        return index

    def _add(self, section: Section, question: Question) -> None:
        if question.id in self.questions:
            return
        scores = {c.id: c.score for c in question.choices if c.score is not None}
        labels = {c.id: c.label for c in question.choices}
        self.questions[question.id] = QuestionInfo(
            question, section, len(self.questions), scores, labels
        )
        info = self.questions[question.id]
        if info.layer and question.scored:
            self.by_layer.setdefault(info.layer, []).append(info)
        if info.pattern:
            self.by_pattern.setdefault(info.pattern, []).append(info)
        if question.criterion and question.criterion.flag not in self.criteria:
            self.criteria[question.criterion.flag] = (question, question.criterion)
        if question.describes == "criticality" and section.kind == "workflow":
            self.criticality = question.id

    system_ids: list[str] = field(default_factory=list)
    workflow_ids: list[str] = field(default_factory=list)
    system_set: frozenset[str] = frozenset()
    workflow_set: frozenset[str] = frozenset()
    #: the minimum checklist a poor fit is asked: `minimum` questions, fit and description
    minimum_set: frozenset[str] = frozenset()

    @property
    def has_minimum(self) -> bool:
        return any(i.question.minimum for i in self.questions.values())

    def order(self, qid: str) -> int:
        info = self.questions.get(qid)
        return info.order if info else len(self.questions)

    def sort(self, qids: set[str] | list[str]) -> list[str]:
        return sorted(set(qids), key=lambda q: (self.order(q), q))
