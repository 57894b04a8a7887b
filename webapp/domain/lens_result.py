"""What a lens assessment's answers mean: per-question risk, per-pillar counts, the plan.

Semantics follow the AWS tool: answers are sets of choice ids; a question marked not
applicable or left unanswered has no risk rule applied; otherwise the first rule whose
condition holds sets the risk, and the `default` rule applies when none does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from . import lens_rules
from .lens import Choice, Lens, Pillar, Question, Resource


class NaReason(StrEnum):
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
    BUSINESS_PRIORITIES = "BUSINESS_PRIORITIES"
    ARCHITECTURE_CONSTRAINTS = "ARCHITECTURE_CONSTRAINTS"
    OTHER = "OTHER"

    @property
    def label(self) -> str:
        return NA_LABELS[self]


NA_LABELS = {
    NaReason.OUT_OF_SCOPE: "Out of scope",
    NaReason.BUSINESS_PRIORITIES: "Business priorities",
    NaReason.ARCHITECTURE_CONSTRAINTS: "Architecture constraints",
    NaReason.OTHER: "Other",
}


class Risk(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    NONE = "none"
    NOT_APPLICABLE = "not_applicable"
    UNANSWERED = "unanswered"

    @property
    def label(self) -> str:
        return RISK_LABELS[self]


RISK_LABELS = {
    Risk.HIGH: "High risk",
    Risk.MEDIUM: "Medium risk",
    Risk.NONE: "No risk",
    Risk.NOT_APPLICABLE: "Not applicable",
    Risk.UNANSWERED: "Unanswered",
}
_FROM_RULE = {"HIGH_RISK": Risk.HIGH, "MEDIUM_RISK": Risk.MEDIUM, "NO_RISK": Risk.NONE}


class AnswerInvalid(ValueError):
    """An answer the question cannot take; the message is for the person answering."""


@dataclass(frozen=True)
class LensAnswer:
    choices: frozenset[str] = frozenset()
    na_reason: NaReason | None = None
    #: Free text kept with the answer (the AWS tool's notes), e.g. why it does not apply.
    note: str = ""

    @property
    def is_answered(self) -> bool:
        return bool(self.choices) or self.na_reason is not None


def check_answer(question: Question, answer: LensAnswer) -> None:
    """Refuse unknown choices, "None of these" with others, and not applicable with choices."""
    unknown = sorted(answer.choices - {c.id for c in question.choices})
    if unknown:
        raise AnswerInvalid(f"“{unknown[0]}” is not a choice of this question.")
    nones = [c for c in question.choices if c.none_of_these and c.id in answer.choices]
    if nones and len(answer.choices) > 1:
        raise AnswerInvalid(f"“{nones[0].title}” cannot be combined with other choices.")
    if answer.na_reason is not None and answer.choices:
        raise AnswerInvalid("A question marked not applicable has no choices selected.")


def question_risk(question: Question, answer: LensAnswer | None) -> Risk:
    if answer is None or not answer.is_answered:
        return Risk.UNANSWERED
    if answer.na_reason is not None:
        return Risk.NOT_APPLICABLE
    return _FROM_RULE[_matching_rule(question, answer.choices)]


def _matching_rule(question: Question, selected: frozenset[str]) -> str:
    default = "HIGH_RISK"
    for rule in question.riskRules:
        if rule.condition.strip() == lens_rules.DEFAULT:
            default = rule.risk
        elif lens_rules.holds(lens_rules.parse(rule.condition), selected):
            return rule.risk
    return default


@dataclass(frozen=True)
class Improvement:
    choice: Choice
    text: str
    url: str | None
    more: list[Resource]


@dataclass(frozen=True)
class QuestionResult:
    pillar: Pillar
    question: Question
    answer: LensAnswer
    risk: Risk

    @property
    def improvements(self) -> list[Improvement]:
        """What the lens suggests for each best practice not selected (risky questions only)."""
        if self.risk not in (Risk.HIGH, Risk.MEDIUM):
            return []
        return [
            Improvement(
                c,
                c.improvementPlan.displayText or "",
                c.improvementPlan.url,
                c.extra("IMPROVEMENT_PLAN"),
            )
            for c in self.question.choices
            if c.id not in self.answer.choices and not c.none_of_these and c.improvementPlan
        ]


@dataclass
class PillarResult:
    pillar: Pillar
    questions: list[QuestionResult] = field(default_factory=list)

    def count(self, risk: Risk) -> int:
        return sum(q.risk == risk for q in self.questions)

    @property
    def counts(self) -> dict[Risk, int]:
        return {risk: self.count(risk) for risk in Risk}


@dataclass
class LensResult:
    lens: Lens
    pillars: list[PillarResult]

    def count(self, risk: Risk) -> int:
        return sum(p.count(risk) for p in self.pillars)

    @property
    def answered(self) -> int:
        return sum(q.answer.is_answered for p in self.pillars for q in p.questions)

    @property
    def total(self) -> int:
        return sum(len(p.questions) for p in self.pillars)

    @property
    def plan(self) -> list[QuestionResult]:
        """Risky questions: high before medium, then in pillar and question order."""
        risky = [q for p in self.pillars for q in p.questions if q.risk in (Risk.HIGH, Risk.MEDIUM)]
        return sorted(risky, key=lambda q: q.risk != Risk.HIGH)


def evaluate_lens(lens: Lens, answers: Mapping[str, LensAnswer]) -> LensResult:
    """The result of `answers` (question id -> answer) on `lens`."""
    pillars = []
    for pillar in lens.pillars:
        rows = [
            QuestionResult(
                pillar, q, answers.get(q.id, LensAnswer()), question_risk(q, answers.get(q.id))
            )
            for q in pillar.questions
        ]
        pillars.append(PillarResult(pillar, rows))
    return LensResult(lens, pillars)
