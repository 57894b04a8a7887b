"""`evaluate`: one pure function from content and answers to the whole review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .answers import Answer, Answers
from .content import Compiled, Content
from .findings import Finding, WorkflowContext, find
from .fit import Fit, assess_fit
from .index import QuestionnaireIndex
from .models import Questionnaire
from .plan import PlanStep, make_plan, promote
from .scenarios import Prepared, ScenarioResult, prepare, resolve
from .scoring import Coverage, GroupScore, coverage, group_score, question_weights, weighted_mean


@dataclass(slots=True)
class WorkflowResult:
    position: int
    name: str
    answers: Mapping[str, Answer]  # the workflow's own answers
    exposure: float
    score: float | None
    coverage: Coverage
    patterns: tuple[GroupScore, ...]
    scenarios: tuple[ScenarioResult, ...]


@dataclass(frozen=True)
class ReviewResult:
    questionnaire: Questionnaire
    compiled: Compiled
    answers: Answers
    fit: Fit
    overall: float | None
    system_score: float | None
    workflows_score: float | None
    coverage: Coverage
    system_coverage: Coverage
    layers: tuple[GroupScore, ...]
    workflows: tuple[WorkflowResult, ...]
    findings: tuple[Finding, ...]
    plan: tuple[PlanStep, ...]


def _exposure(compiled: Compiled, answers: Mapping[str, Answer]) -> float:
    qid = compiled.index.criticality
    answer = answers.get(qid) if qid else None
    if answer is None or not answer.choices:
        return 1.0
    choice = next(
        (c for c in compiled.index.questions[qid].question.choices if c.id == answer.choices[0]),
        None,
    )
    return choice.exposure or 1.0 if choice else 1.0


def _prepared(content: Content, compiled: Compiled) -> list[Prepared]:
    if ("scenarios",) not in compiled.profiles:
        compiled.profiles[("scenarios",)] = [
            prepare(s, compiled.outcomes[s.id], content.outcomes, compiled.index)
            for s in content.scenarios
        ]
    return compiled.profiles[("scenarios",)]


def _workflow(
    content: Content,
    compiled: Compiled,
    fit: Fit,
    ctx: WorkflowContext,
    own: Mapping[str, Answer],
    weights: Mapping[str, float],
    areas: Mapping[str, float],
) -> WorkflowResult:
    index = compiled.index
    patterns = tuple(
        group_score(p.id, index.by_pattern.get(p.id, []), own, weights)
        for p in index.questionnaire.patterns
    )
    score = weighted_mean((g.score, areas[g.id]) for g in patterns)
    scenarios = tuple(resolve(p, ctx.answers, fit.flags) for p in _prepared(content, compiled))
    return WorkflowResult(
        ctx.position,
        ctx.name,
        own,
        ctx.exposure,
        score,
        coverage(index.workflow_set, own),
        patterns,
        scenarios,
    )


def _area_weights(index: QuestionnaireIndex, fit: Fit) -> dict[str, float]:
    """Each layer's and pattern's weight in the overall score: the fit profile's factor."""
    q = index.questionnaire
    return {x.id: fit.factor(layers=[x.id]) for x in q.layers} | {
        p.id: fit.factor(patterns=[p.id]) for p in q.patterns
    }


def _weights(compiled: Compiled, fit: Fit) -> tuple[dict[str, float], dict[str, float]]:
    key = ("weights", fit.flags)
    if key not in compiled.profiles:
        index = compiled.index
        compiled.profiles[key] = (
            question_weights(index.questions.values(), fit),
            _area_weights(index, fit),
        )
    return compiled.profiles[key]


def evaluate(
    content: Content, answers: Answers, questionnaire_id: str | None = None
) -> ReviewResult:
    """The full review of `answers`: fit, scores, coverage, scenarios, findings and plan."""
    compiled = content.engine(questionnaire_id or answers.questionnaire, answers.version)
    index, system = compiled.index, answers.answers
    fit = assess_fit(index, system)
    weights, areas = _weights(compiled, fit)
    contexts = [
        WorkflowContext(i, wf.name, {**system, **wf.answers}, _exposure(compiled, wf.answers))
        for i, wf in enumerate(answers.workflows)
    ]
    workflows = tuple(
        _workflow(content, compiled, fit, ctx, wf.answers, weights, areas)
        for ctx, wf in zip(contexts, answers.workflows, strict=True)
    )
    layers = tuple(
        group_score(x.id, index.by_layer.get(x.id, []), system, weights)
        for x in index.questionnaire.layers
    )
    system_score = weighted_mean((g.score, areas[g.id]) for g in layers)
    workflows_score = weighted_mean((w.score, w.exposure) for w in workflows)
    findings = promote(find(compiled, content.rules, system, fit, contexts))
    system_coverage = coverage(index.system_set, system)
    total = sum((w.coverage for w in workflows), start=system_coverage)
    return ReviewResult(
        index.questionnaire,
        compiled,
        answers,
        fit,
        weighted_mean([(system_score, 1.0), (workflows_score, 1.0)]),
        system_score,
        workflows_score,
        total,
        system_coverage,
        layers,
        workflows,
        tuple(findings),
        tuple(make_plan(findings)),
    )
