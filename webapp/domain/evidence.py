"""Evidence from automation files: answers the reviewer suggests, weighed against the user's.

The reviewer (`webapp.reviewer`) reads a workflow's files; an adapter outside the domain turns
its suggestions into `Detected` items on `WorkflowAnswers.detected`. This module only decides,
for each item, what became of it:

- `agrees`: the user's answer already includes the suggested choice;
- `overridden`: the user answered the question differently (an explicit answer always wins),
  or another suggestion for the same single-choice question was applied first;
- `applied`: the question was unanswered and the suggestion became its answer (answers files);
- `pending`: the question is unanswered and nothing is applied (the web app, where the user
  accepts a suggestion with a button).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .answers import Answer, Answers, WorkflowAnswers
from .index import QuestionnaireIndex

STATUSES = ("applied", "agrees", "overridden", "pending")


@dataclass(frozen=True)
class Detected:
    """One suggested answer and where in an automation file it was seen."""

    question: str
    choice: str
    file: str  #: path as the user gave it (answers file) or the uploaded file's name
    line: int
    rule: str  #: the reviewer's check id, e.g. gha.job-timeout
    text: str  #: e.g. "detected in release.yml:12"
    rule_title: str = ""
    status: str = "pending"


@dataclass(frozen=True)
class AutomationFinding:
    """One of the reviewer's findings on a workflow's file, as plain data for the report."""

    rule: str
    title: str
    severity: str
    file: str
    line: int
    message: str


def resolve_evidence(answers: Answers, index: QuestionnaireIndex, apply: bool) -> Answers:
    """`answers` with every workflow's evidence given a status; with `apply`, unanswered
    questions take the suggested answer. Suggestions for unknown questions or choices (a
    newer reviewer than the questionnaire) are dropped.

    A workflow's file may also be evidence about the system (a single replica is a single
    point of failure): a suggestion for a system question is weighed against the system's
    answer, and applied to it, in workflow order."""
    known = [[d for d in wf.detected if _fits(d, index)] for wf in answers.workflows]
    system = [d for items in known for d in items if not index.questions[d.question].workflow]
    chosen = _applied(answers.answers, system, index) if apply else {}
    merged_system = {**answers.answers, **chosen}
    workflows = [_resolve_workflow(wf, items, index, apply, answers.answers, merged_system)
                 for wf, items in zip(answers.workflows, known, strict=True)]
    return replace(answers, answers=merged_system, workflows=workflows)


def _resolve_workflow(wf: WorkflowAnswers, known: list[Detected], index: QuestionnaireIndex,
                      apply: bool, system: dict[str, Answer], merged_system: dict[str, Answer]):
    own = [d for d in known if index.questions[d.question].workflow]
    chosen = _applied(wf.answers, own, index) if apply else {}
    merged = {**wf.answers, **chosen}

    def status(d: Detected) -> str:
        if index.questions[d.question].workflow:
            return _status(d, wf.answers, merged)
        return _status(d, system, merged_system)

    return replace(wf, answers=merged, detected=[replace(d, status=status(d)) for d in known])


def _fits(d: Detected, index: QuestionnaireIndex) -> bool:
    info = index.questions.get(d.question)
    return info is not None and d.choice in info.labels


def _applied(explicit: dict[str, Answer], detected: list[Detected], index: QuestionnaireIndex):
    """Answers for the unanswered questions: the first suggestion of a single-choice
    question, every suggested choice of a multi-choice one (in question order)."""
    picked: dict[str, list[str]] = {}
    for d in detected:
        if d.question in explicit:
            continue
        choices = picked.setdefault(d.question, [])
        single = index.questions[d.question].question.type == "single"
        if d.choice not in choices and not (single and choices):
            choices.append(d.choice)
    return {qid: Answer.of(_in_order(index, qid, c)) for qid, c in picked.items()}


def _in_order(index: QuestionnaireIndex, qid: str, choices: list[str]) -> list[str]:
    return [c for c in index.questions[qid].labels if c in choices]


def _status(d: Detected, explicit: dict[str, Answer], merged: dict[str, Answer]) -> str:
    if d.question in explicit:
        return "agrees" if d.choice in explicit[d.question].selected else "overridden"
    if d.question not in merged:
        return "pending"
    return "applied" if d.choice in merged[d.question].selected else "overridden"


def evidence_source(wf: WorkflowAnswers) -> set[str]:
    """Question ids whose answer came from the evidence (status `applied`)."""
    return {d.question for d in wf.detected if d.status == "applied"}


def system_evidence_source(answers: Answers, index: QuestionnaireIndex) -> set[str]:
    """System question ids whose answer came from a workflow file's evidence."""
    return {q for wf in answers.workflows for q in evidence_source(wf)
            if q in index.questions and not index.questions[q].workflow}
