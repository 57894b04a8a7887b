"""`evaluate`: one pure function from content and answers to the whole review."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import relevance
from .answers import Answer, Answers
from .content import Compiled, Content
from .findings import Finding, WorkflowContext, find
from .fit import Fit, assess_fit
from .index import QuestionnaireIndex
from .models import Questionnaire
from .plan import PlanStep, make_plan, settle
from .scenarios import Prepared, ScenarioResult, prepare, resolve
from .scoring import (
    Coverage,
    GroupScore,
    conditional_scores,
    coverage,
    group_score,
    question_weights,
    weighted_mean,
)
from .unknowns import known
from .verdicts import (
    OpenRisk,
    RefusedNa,
    headline,
    open_risks,
    refuse_na,
    risk_counts,
    weak_layers,
    without,
)


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
    headline: float | None = None  # unanswered counted as unproven (0)
    risks: dict[str, int] | None = None  # critical / high / medium finding counts


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
    #: --- honesty of the verdict (issue 13): kept together so the typed result can take them
    answered_overall: float | None = None  # the score of what is answered, blanks left out
    layer_headlines: tuple[GroupScore, ...] = ()  # layer scores with unanswered as 0
    layer_risks: dict[str, dict[str, int]] | None = None
    risks: dict[str, int] | None = None
    weak_layers: tuple[str, ...] = ()  # layers below 25, which hold the headline at 50
    open_risks: tuple[OpenRisk, ...] = ()
    refused_na: tuple[RefusedNa, ...] = ()
    checklist: str = "full"  # "minimum" for a poor fit that did not choose the full review
    #: questions the answers make irrelevant: position (-1: system) -> question -> reason
    hidden: Mapping[int, Mapping[str, str]] | None = None
    #: the system-scope scenarios, evaluated once over the system's answers
    scenarios: tuple[ScenarioResult, ...] = ()


def _exposure(compiled: Compiled, answers: Mapping[str, Answer]) -> float | None:
    """The workflow's criticality exposure; None while its criticality is open (a blank or
    "We don't know"), which must never make the workflow count for less."""
    qid = compiled.index.criticality
    if not qid:
        return 1.0
    answer = answers.get(qid)
    if not known(answer):
        return None
    choice = next(
        (c for c in compiled.index.questions[qid].question.choices if c.id in answer.selected),
        None,
    )
    return choice.exposure or 1.0 if choice else 1.0


def _exposure_range(compiled: Compiled) -> tuple[float, float]:
    """The lowest and the highest exposure a workflow's criticality can give."""
    qid = compiled.index.criticality
    values = (
        [c.exposure for c in compiled.index.questions[qid].question.choices if c.exposure]
        if qid
        else []
    )
    return (min(values), max(values)) if values else (1.0, 1.0)


def lowest_mean(
    pairs: Iterable[tuple[float | None, float | None]], low: float, high: float
) -> float | None:
    """The weighted mean of the scores, each open weight (None) set between `low` and `high`
    to whatever makes the mean lowest: an open criticality never lifts the headline.

    The lowest mean gives the high weight to the lowest scores and the low weight to the
    rest, so trying each split of the open scores in order finds it.
    """
    pairs = [(s, w) for s, w in pairs if s is not None]
    fixed = [(s, w) for s, w in pairs if w is not None]
    open_ = sorted(s for s, w in pairs if w is None)
    if not open_:
        return weighted_mean(fixed)
    means = (
        weighted_mean(fixed + [(s, high) for s in open_[:k]] + [(s, low) for s in open_[k:]])
        for k in range(len(open_) + 1)
    )
    return min(m for m in means if m is not None)


def _prepared(content: Content, compiled: Compiled, scope: str = "workflow") -> list[Prepared]:
    """The scenarios of one scope (`workflow`: once per workflow; `system`: once per review),
    prepared once per content."""
    key = ("scenarios", scope)
    if key not in compiled.profiles:
        compiled.profiles[key] = [
            prepare(s, compiled.outcomes[s.id], content.outcomes, compiled.index)
            for s in content.scenarios_for(compiled) if s.scope == scope
        ]
    return compiled.profiles[key]


def _workflow(
    content: Content,
    compiled: Compiled,
    fit: Fit,
    ctx: WorkflowContext,
    own: Mapping[str, Answer],
    weights: Mapping[str, float],
    areas: Mapping[str, float],
    asked: frozenset[str] | None = None,
    gone: Mapping[str, str] | None = None,
) -> WorkflowResult:
    index = compiled.index
    overrides = conditional_scores(compiled.score_ifs, ctx.answers, fit.flags, index)
    # refused N/A left out; a question the answers make irrelevant reads as N/A with its reason
    own = {q: ctx.answers[q] for q in [*own, *(gone or ())] if q in ctx.answers}
    patterns, strict = (
        tuple(
            group_score(
                p.id, index.by_pattern.get(p.id, []), own, weights, overrides, unproven, asked,
                gone or (),
            )
            for p in index.questionnaire.patterns
        )
        for unproven in (False, True)
    )
    score = weighted_mean((g.score, areas[g.id]) for g in patterns)
    scenarios = tuple(resolve(p, ctx.answers, fit.flags) for p in _prepared(content, compiled))
    return WorkflowResult(
        ctx.position,
        ctx.name,
        own,
        ctx.exposure,
        score,
        coverage((index.workflow_set & asked if asked else index.workflow_set) - set(gone or ()),
                 own),
        patterns,
        scenarios,
        weighted_mean((g.score, areas[g.id]) for g in strict),
    )


def _on_checklist(compiled: Compiled, rule_id: str) -> bool:
    index = compiled.index
    return any(
        q in index.minimum_set and index.questions[q].scored
        for q in compiled.rules[rule_id].questions
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


@dataclass(frozen=True)
class Screened:
    """The answers as scoring reads them: refused N/A dropped, questions the answers make
    irrelevant read as N/A with their reason."""

    fit: Fit
    system: dict[str, Answer]
    #: each workflow's answers merged over the system's, screened the same way
    merged: list[dict[str, Answer]]
    #: questions the answers make irrelevant: position (-1: system) -> question -> reason
    hidden: dict[int, dict[str, str]]
    refused: list[RefusedNa]


def screen(compiled: Compiled, answers: Answers) -> Screened:
    """The first step of `evaluate`, cheap on its own: what a page needs to know which
    questions are still asked (`hidden`) without scoring anything."""
    index = compiled.index
    fit = assess_fit(index, answers.answers)
    refused = [RefusedNa(None, q, r) for q, r in refuse_na(compiled, answers.answers, fit.flags)]
    system = without(answers.answers, [x.question for x in refused])
    hidden = {-1: relevance.hidden(compiled, system, index.system_ids)}
    refused = [x for x in refused if x.question not in hidden[-1]]
    system = relevance.apply(system, hidden[-1])
    workflows = []
    for i, wf in enumerate(answers.workflows):
        merged = {**system, **wf.answers}
        gone = refuse_na(compiled, merged, fit.flags)
        merged = without(merged, [q for q, _ in gone])
        hidden[i] = relevance.hidden(compiled, merged, index.workflow_ids)
        refused += [RefusedNa(wf.name, q, r, i) for q, r in gone
                    if q in wf.answers and q not in hidden[i]]
        workflows.append(relevance.apply(merged, hidden[i]))
    return Screened(fit, system, workflows, hidden, refused)


def screen_inputs(compiled: Compiled) -> frozenset[str]:
    """The questions whose answers `screen` reads: those of the fit, of the relevance and
    N/A-refusal conditions, and those that may be refused N/A. No other answer changes what
    it hides, so a caller may leave the others out."""
    key = ("screen-inputs",)
    if key not in compiled.profiles:
        conditions = [c for pairs in compiled.ask_ifs.values() for c, _ in pairs]
        conditions += [c for pairs in compiled.na_refusals.values() for c, _ in pairs]
        compiled.profiles[key] = frozenset(
            {q.id for q, _ in compiled.index.criteria.values()} | set(compiled.na_refusals)
            | {q for c in conditions for q in c.questions})
    return compiled.profiles[key]


def hidden_questions(content: Content, answers: Answers, questionnaire_id: str | None = None
                     ) -> dict[int, dict[str, str]]:
    """Position (-1: the system) -> question -> "Does not apply because …": the questions
    `evaluate` would report as not asked, without the cost of scoring. Only the answers to
    `screen_inputs` matter."""
    compiled = content.engine(questionnaire_id or answers.questionnaire, answers.version)
    return screen(compiled, answers).hidden


def evaluate(
    content: Content, answers: Answers, questionnaire_id: str | None = None
) -> ReviewResult:
    """The full review of `answers`: fit, scores, coverage, scenarios, findings and plan."""
    compiled = content.engine(questionnaire_id or answers.questionnaire, answers.version)
    index = compiled.index
    screened = screen(compiled, answers)
    fit, system, hidden, refused = screened.fit, screened.system, screened.hidden, screened.refused
    weights, areas = _weights(compiled, fit)
    minimum = fit.verdict == "poor" and not answers.full_review and index.has_minimum
    asked = index.minimum_set if minimum else None
    contexts, exposures = [], []
    low, high = _exposure_range(compiled)
    for i, (wf, merged) in enumerate(zip(answers.workflows, screened.merged, strict=True)):
        exposures.append(_exposure(compiled, wf.answers))
        # an open criticality ranks the workflow's findings as the most exposed would be
        contexts.append(WorkflowContext(i, wf.name, merged, exposures[-1] or high))
    workflows = tuple(
        _workflow(content, compiled, fit, ctx, wf.answers, weights, areas, asked, hidden[n])
        for n, (ctx, wf) in enumerate(zip(contexts, answers.workflows, strict=True))
    )
    layers, layer_headlines = (
        tuple(
            group_score(x.id, index.by_layer.get(x.id, []), system, weights, None, unproven, asked,
                        hidden[-1])
            for x in index.questionnaire.layers
        )
        for unproven in (False, True)
    )
    system_score = weighted_mean((g.score, areas[g.id]) for g in layers)
    workflows_score = weighted_mean((w.score, w.exposure) for w in workflows)
    found = find(compiled, content.rules_for(compiled), system, fit, contexts)
    if minimum:  # the minimum checklist's findings are those its questions decide
        found = [f for f in found if _on_checklist(compiled, f.rule.id)]
    findings = settle(found)
    for w in workflows:
        w.risks = risk_counts(f for f in findings if f.position == w.position)
    system_coverage = coverage(
        (index.system_set & asked if asked else index.system_set) - set(hidden[-1]), system
    )
    total = sum((w.coverage for w in workflows), start=system_coverage)
    strict_system = weighted_mean((g.score, areas[g.id]) for g in layer_headlines)
    strict_workflows = lowest_mean(
        ((w.headline, e) for w, e in zip(workflows, exposures, strict=True)), low, high
    )
    # open questions count as 0 here too, so blanking a weak answer never lifts the cap
    weak = weak_layers((g.id, g.score) for g in layer_headlines)
    return ReviewResult(
        index.questionnaire,
        compiled,
        answers,
        fit,
        headline(weighted_mean([(strict_system, 1.0), (strict_workflows, 1.0)]), weak),
        system_score,
        workflows_score,
        total,
        system_coverage,
        layers,
        workflows,
        tuple(findings),
        tuple(make_plan(findings)),
        weighted_mean([(system_score, 1.0), (workflows_score, 1.0)]),
        layer_headlines,
        {
            x.id: risk_counts(f for f in findings if f.position < 0 and f.rule.layer == x.id)
            for x in index.questionnaire.layers
        },
        risk_counts(findings),
        weak,
        tuple(
            o
            for o in open_risks(
                compiled, content.rules_for(compiled), system, contexts, {f.key for f in found}
            )
            # the same test as for findings: a rule the checklist would report is open too
            if not minimum or _on_checklist(compiled, o.rule.id)
        ),
        tuple(refused),
        "minimum" if minimum else "full",
        hidden,
        tuple(resolve(p, system, fit.flags) for p in _prepared(content, compiled, "system")),
    )
