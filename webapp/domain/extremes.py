"""Generated answer sets: every question at its best or worst choice, or left unanswered.

Used by the linter, the property tests and the benchmark.
"""

from __future__ import annotations

from .answers import Answer, Answers, SystemInfo, WorkflowAnswers
from .index import QuestionInfo, QuestionnaireIndex


def best_choice(info: QuestionInfo) -> Answer:
    q = info.question
    if q.type == "multi":
        together = [c.id for c in q.choices if not c.exclusive and (c.score or 0) > 0]
        if min(100, sum(info.scores.get(c, 0) for c in together)) >= max(
            info.scores.values(), default=0
        ):
            return Answer.of(together)
    return Answer.choice(max(q.choices, key=lambda c: c.score or 0).id)


def worst_choice(info: QuestionInfo) -> Answer:
    return Answer.choice(min(info.question.choices, key=lambda c: c.score or 0).id)


def _scored(index: QuestionnaireIndex, workflow: bool) -> list[QuestionInfo]:
    return [i for i in index.questions.values() if i.question.scored and i.workflow == workflow]


def extreme_answers(index: QuestionnaireIndex, best: bool, workflows: int = 1) -> Answers:
    """Every scored question at its best (or worst) choice; fit and description left blank."""
    pick = best_choice if best else worst_choice
    system = {i.id: pick(i) for i in _scored(index, False)}
    flows = [
        WorkflowAnswers(f"workflow-{n + 1}", {i.id: pick(i) for i in _scored(index, True)})
        for n in range(workflows)
    ]
    q = index.questionnaire
    return Answers(q.id, q.version, SystemInfo("Generated"), system, {}, flows)


def empty_answers(index: QuestionnaireIndex, workflows: int = 1) -> Answers:
    q = index.questionnaire
    return Answers(
        q.id,
        q.version,
        SystemInfo("Generated"),
        {},
        {},
        [WorkflowAnswers(f"workflow-{n + 1}") for n in range(workflows)],
    )
