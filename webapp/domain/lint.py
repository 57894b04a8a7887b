"""The rule linter: rules that can never fire or always fire, scenario outcomes nobody reaches,
and layers or patterns that no rule covers.

Conditions only look at a few questions, so the linter enumerates every combination of answers
to the questions a condition references (unanswered, N/A where allowed, each choice) and
evaluates it; past `CAP` combinations it draws a seeded random sample instead.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

from .answers import Answer
from .conditions import Condition
from .content import Compiled, Content
from .crossref import belongs
from .errors import Problem
from .evaluate import evaluate
from .extremes import extreme_answers
from .index import QuestionInfo, QuestionnaireIndex
from .scenarios import prepare, resolve
from .unknowns import known, possible
from .yamlio import place

CAP = 20_000
State = Answer | None


def states(info: QuestionInfo) -> list[State]:
    q = info.question
    out: list[State] = [None]
    if q.na_allowed:
        out.append(Answer.not_applicable("lint"))
    out += [Answer.choice(c.id) for c in q.choices]
    open_choices = [c.id for c in q.choices if not c.exclusive]
    if q.type == "multi" and len(open_choices) > 1:
        sizes = range(2, len(open_choices) + 1) if len(open_choices) <= 5 else [len(open_choices)]
        out += [
            Answer.of(list(combo))
            for n in sizes
            for combo in itertools.combinations(open_choices, n)
        ]
    return out


def referenced(index: QuestionnaireIndex, conditions: list[Condition]) -> list[str]:
    qids = {q for c in conditions for q in c.questions}
    qids |= {index.criteria[f][0].id for c in conditions for f in c.flags}
    return index.sort(qids)


def assignments(index: QuestionnaireIndex, qids: list[str]) -> Iterator[dict[str, Answer]]:
    domains = [states(index.questions[q]) for q in qids]
    if math.prod(len(d) for d in domains) <= CAP:
        combos: Iterator[tuple[State, ...]] = itertools.product(*domains)
    else:
        rng = random.Random(0)
        combos = (tuple(rng.choice(d) for d in domains) for _ in range(CAP))
    for combo in combos:
        yield {q: a for q, a in zip(qids, combo, strict=True) if a is not None}


def flags_of(index: QuestionnaireIndex, answers: dict[str, Answer]) -> frozenset[str]:
    return frozenset(
        flag
        for flag, (q, c) in index.criteria.items()
        if q.id in answers and not answers[q.id].selected.isdisjoint(c.applies_when)
    )


def _problem(content: Content, key: str, sub: tuple[str | int, ...], message: str) -> Problem:
    file, path, line = content.places[key]
    return Problem(file, place(path + sub), message, line)


def lint_rule(content: Content, compiled: Compiled, rule_id: str) -> list[Problem]:
    index, condition = compiled.index, compiled.rules[rule_id]
    qids = referenced(index, [condition])
    results = {condition(a, flags_of(index, a)) for a in assignments(index, qids)}
    asked = ", ".join(qids) or "no question"
    if results == {False}:
        return [
            _problem(
                content,
                f"rule:{rule_id}",
                ("when",),
                f"can never fire: no combination of answers to {asked} satisfies it",
            )
        ]
    if results == {True}:
        return [
            _problem(
                content,
                f"rule:{rule_id}",
                ("when",),
                f"always fires: every combination of answers to {asked} satisfies it, "
                "unanswered included",
            )
        ]
    return []


def _winners(
    content: Content, compiled: Compiled, scenario_id: str, target: int
) -> tuple[bool, set[int]]:
    """Whether outcome `target` can win, and which outcomes won instead when its condition held."""
    index = compiled.index
    scenario = content.scenario(compiled, scenario_id)
    conditions = compiled.outcomes[scenario_id]
    own = referenced(index, [conditions[target]])
    others = [q for q in referenced(index, conditions) if q not in own]
    won: set[int] = set()
    prepared = prepare(scenario, conditions, content.outcomes, index)
    for fill in _fills(index, others):
        for answers in assignments(index, own):
            answers = fill | answers
            result = resolve(prepared, answers, flags_of(index, answers))
            position = _position(scenario, result)
            if position == target:
                return True, won
            if conditions[target](answers, flags_of(index, answers)):
                won.add(position)
    return False, won


def _position(scenario, result) -> int:
    for k, option in enumerate(scenario.outcomes):
        if option.outcome == result.outcome.id and option.explain == result.explain:
            return k
    return -1


def _fills(index: QuestionnaireIndex, qids: list[str]) -> Iterator[dict[str, Answer]]:
    yield {}
    for pick in (0, -1):
        yield {q: Answer.choice(index.questions[q].question.choices[pick].id) for q in qids}
    rng = random.Random(1)
    for _ in range(20):
        yield {q: a for q in qids if (a := rng.choice(states(index.questions[q]))) is not None}
    # a safe outcome wins only when every question of the scenario is known: fill them all
    for _ in range(120):
        yield {q: rng.choice([a for a in possible(index.questions[q]) if known(a)]) for q in qids}


def lint_scenario(content: Content, compiled: Compiled, scenario_id: str) -> list[Problem]:
    scenario = content.scenario(compiled, scenario_id)
    problems = []
    version = compiled.index.questionnaire.version
    for k, option in enumerate(scenario.outcomes):
        if not belongs(option, version):
            continue  # an outcome of another questionnaire version never holds here
        reachable, won = _winners(content, compiled, scenario_id, k)
        if not reachable:
            earlier = sorted(w for w in won if 0 <= w < k)
            why = (
                f"shadowed by outcomes[{', '.join(map(str, earlier))}]"
                if earlier
                else "its condition never holds "
                "(a safe outcome also needs every question it tests answered)"
            )
            problems.append(
                _problem(
                    content,
                    f"scenario:{scenario_id}",
                    ("outcomes", k),
                    f"outcome '{option.outcome}' is unreachable: {why}",
                )
            )
    return problems


def lint_coverage(content: Content, compiled: Compiled) -> list[Problem]:
    """With the worst answer everywhere, every layer and pattern gets a finding; with the best,
    nothing high or critical fires."""
    q = compiled.index.questionnaire
    worst = evaluate(content, extreme_answers(compiled.index, best=False), q.id)
    best = evaluate(content, extreme_answers(compiled.index, best=True), q.id)
    hit = {f.rule.area for f in worst.findings}
    problems = [
        Problem(
            "rules/", "", f"no rule fires for layer '{x.id}' even when every answer is the worst"
        )
        for x in q.layers
        if x.id not in hit
    ]
    problems += [
        Problem(
            "rules/", "", f"no rule fires for pattern '{p.id}' even when every answer is the worst"
        )
        for p in q.patterns
        if p.id not in hit
    ]
    return problems + [
        _problem(
            content,
            f"rule:{f.rule.id}",
            ("when",),
            f"{f.rule.severity} rule fires even when every answer is the best",
        )
        for f in best.findings
        if f.rule.severity in ("critical", "high")
    ]


def lint(content: Content) -> list[Problem]:
    from .lint_honesty import lint_honesty  # they build on this module's enumeration
    from .lint_relevance import lint_relevance
    compiled = content.engine()
    problems = [p for r in content.rules_for(compiled) for p in lint_rule(content, compiled, r.id)]
    problems += [
        p for s in content.scenarios_for(compiled) for p in lint_scenario(content, compiled, s.id)
    ]
    problems += lint_coverage(content, compiled)
    problems += lint_honesty(content, compiled)
    problems += lint_relevance(content, compiled)
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.place, p.message))
