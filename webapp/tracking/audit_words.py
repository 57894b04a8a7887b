"""Audit events in a reader's words: where a change was (the system, a workflow, a lens's
pillar), the question's text, and choice and reason titles instead of their ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from webapp.assessments.answers import index_of
from webapp.assessments.evaluation import QuestionnaireMissing
from webapp.assessments.kinds import kind_of
from webapp.core.db import get_session
from webapp.domain import Content
from webapp.tracking.audit_text import describe_event

#: The target scope of an answer to a lens question ("lens/<question id>").
LENS_SCOPE = "lens"


@dataclass(frozen=True)
class QuestionWords:
    text: str
    #: Choice ids (and, on a lens, not-applicable reason codes) -> their titles.
    labels: dict[str, str] = field(default_factory=dict)
    #: Where the question sits when the target does not say: a lens question's pillar.
    place: str = ""


class AuditWords:
    def __init__(self, workflow_names: dict[str, str], questions: dict[str, QuestionWords],
                 rule_titles: dict[str, str] | None = None) -> None:
        self.names, self.questions = workflow_names, questions
        self.rules = rule_titles or {}

    @classmethod
    def of(cls, assessment: Any, *, content: Content) -> AuditWords:
        names = {w.scope: w.name for w in assessment.workflows}
        kind = kind_of(assessment)
        rules = {rule.id: str(rule.title) for rule in content.rules}
        return cls(names, _lens_words(assessment, kind) if kind is not None
                   else _questionnaire_words(assessment, content), rules)

    def where(self, event: Any) -> tuple[str, str]:
        place, item = target_text(event.target, self.names)
        if item in self.questions:
            words = self.questions[item]
            return words.place or place, words.text
        if event.target.startswith(("share:", "milestone:")):
            detail = event.detail or {}
            link = detail.get("after") or detail.get("before") or detail
            return "", str(link.get("label") or link.get("name") or "")
        rule = item.partition(" (")[0]  # a finding: "rule (workflow)", the place says which
        if event.action.startswith("finding.") and rule in self.rules:
            return place, self.rules[rule]
        return place, item

    def describe(self, event: Any) -> str:
        _place, _, qid = event.target.partition("/")
        words = self.questions.get(qid)
        detail = event.detail or {}
        if words is not None and event.action == "answer.changed":
            detail = {side: _labelled(detail.get(side), words.labels)
                      for side in ("before", "after")}
        return describe_event(event.action, detail)


def _questionnaire_words(assessment: Any, content: Content) -> dict[str, QuestionWords]:
    try:
        index = index_of(assessment, content=content)
    except (QuestionnaireMissing, KeyError):
        return {}
    return {qid: QuestionWords(info.question.text, dict(info.labels))
            for qid, info in index.questions.items()}


def _lens_words(assessment: Any, kind: Any) -> dict[str, QuestionWords]:
    """A lens review's questions, choices and reasons (on the lens version it is on now)."""
    from webapp.domain.lens_result import NaReason

    try:
        lens = kind.result(get_session(), assessment).lens
    except QuestionnaireMissing:
        return {}
    reasons = {reason.value: reason.label for reason in NaReason}
    return {q.id: QuestionWords(q.title, {c.id: c.title for c in q.choices} | reasons, p.name)
            for p, q in lens.questions()}


def _labelled(value: Any, labels: dict[str, str]) -> Any:
    if not isinstance(value, dict):
        return value
    reason = value.get("na_reason")
    return {**value, "choices": [labels.get(c, c) for c in value.get("choices") or []],
            "na_reason": labels.get(reason, reason) if reason else reason}


def target_text(target: str, workflow_names: dict[str, str]) -> tuple[str, str]:
    """(where, what): "System" or the workflow's name, and the question, rule or object."""
    scope, _, rest = target.partition("/")
    if scope == "system":
        return "System", rest
    if scope in workflow_names:
        return workflow_names[scope], rest
    if scope.startswith("workflow:"):
        return "A removed workflow", rest
    if scope == LENS_SCOPE:
        return "", rest
    return "", target
