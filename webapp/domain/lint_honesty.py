"""Linter checks that keep the verdict honest, over every rule, outcome and scored question.

- Unknown is never safe: wherever a rule fires (or could fire) or a scenario is not safe, leaving
  one of its answers blank or answering "We don't know" must not make the rule quiet or the
  scenario safe.
- Monotone content: a better choice (a higher score, conditional scores included) never adds a
  finding more severe than the ones it removes, never raises the severity-weighted risk and
  never turns a safe scenario unsafe. Rules marked `contradiction` are left out: they report
  answers that disagree, not a worse choice.
- Verification lists hold 2 to 6 items, none of which checks this tool instead of the system.

Like the never-fires search, answers are enumerated over the questions involved; past a budget
a seeded random sample is drawn instead.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Iterator

from .answers import Answer
from .content import Compiled, Content
from .errors import Problem
from .findings import SEVERITY_ORDER, SEVERITY_WEIGHT
from .index import QuestionnaireIndex
from .lint import _problem, flags_of, referenced, states
from .relevance import reads
from .scenarios import Prepared, prepare, resolve
from .scoring import conditional_scores
from .unknowns import UNSURE, could, known

BUDGET = 3_000
VERIFY_MIN, VERIFY_MAX = 2, 6
STAMPED = 2  # an item shared by more rules than this is a template, not a check of the fix
ABOUT_THE_TOOL = re.compile(r"\bfaultline\b|byte for byte|the same report", re.I)


def _sample(index: QuestionnaireIndex, qids: list[str], budget: int) -> Iterator[dict]:
    domains = [states(index.questions[q]) for q in qids]
    if math.prod(len(d) for d in domains) <= budget:
        combos = itertools.product(*domains)
    else:
        rng = random.Random(13)
        combos = (tuple(rng.choice(d) for d in domains) for _ in range(budget))
    for combo in combos:
        yield {q: a for q, a in zip(qids, combo, strict=True) if a is not None}


def _unknown_variants(answers: dict, qids: list[str]) -> Iterator[tuple[str, str, dict]]:
    for q in qids:
        if known(answers.get(q)):
            rest = {k: v for k, v in answers.items() if k != q}
            yield q, "left blank", rest
            yield q, 'answered "We don\'t know"', rest | {q: Answer.choice(UNSURE)}


def _rule_risky(compiled: Compiled, rule_id: str, qids: list[str], answers: dict) -> bool:
    test = compiled.rules[rule_id].test
    flags = flags_of(compiled.index, answers)
    return test(answers, flags) or could(compiled.index, answers, qids, test)


def lint_rule_unknowns(content: Content, compiled: Compiled, rule_id: str) -> list[Problem]:
    index = compiled.index
    qids = referenced(index, [compiled.rules[rule_id]])
    for answers in _sample(index, qids, BUDGET):
        if not _rule_risky(compiled, rule_id, qids, answers):
            continue
        for q, how, variant in _unknown_variants(answers, qids):
            relevant = UNSURE in index.questions[q].labels or how == "left blank"
            if relevant and not _rule_risky(compiled, rule_id, qids, variant):
                return [
                    _problem(
                        content,
                        f"rule:{rule_id}",
                        ("when",),
                        f"reads as safe when '{q}' is {how}, though a given answer makes it fire",
                    )
                ]
    return []


def lint_scenario_unknowns(content: Content, compiled: Compiled, scenario_id: str) -> list[Problem]:
    index, prepared = compiled.index, _prepared(content, compiled, scenario_id)
    qids = list(prepared.asked)
    for answers in _sample(index, qids, BUDGET // 3):
        if resolve(prepared, answers, flags_of(index, answers)).status == "safe":
            continue
        for q, how, variant in _unknown_variants(answers, qids):
            if UNSURE not in index.questions[q].labels and how != "left blank":
                continue
            result = resolve(prepared, variant, flags_of(index, variant))
            if result.status == "safe":
                return [
                    _problem(
                        content,
                        f"scenario:{scenario_id}",
                        ("outcomes",),
                        f"outcome '{result.outcome.id}' reads as safe when '{q}' is "
                        f"{how}, though a given answer makes the scenario not safe",
                    )
                ]
    return []


def _prepared(content: Content, compiled: Compiled, scenario_id: str) -> Prepared:
    scenario = content.scenario(compiled, scenario_id)
    return prepare(scenario, compiled.outcomes[scenario_id], content.outcomes, compiled.index)


def _effective(compiled: Compiled, qid: str, answers: dict) -> int:
    info = compiled.index.questions[qid]
    flags = flags_of(compiled.index, answers)
    scores = conditional_scores({qid: compiled.score_ifs.get(qid, {})}, answers, flags)
    return scores.get(qid, info.score_of(answers[qid].selected) or 0)


def _verdict(compiled: Compiled, rules: list, scenarios: list[Prepared], answers: dict):
    """(fired rules, scenario statuses); None when the answers contradict each other."""
    flags = flags_of(compiled.index, answers)
    if any(compiled.rules[r].test(answers, flags) for r in compiled.contradictions):
        return None
    fired = {r.id: r.severity for r in rules if compiled.rules[r.id].test(answers, flags)}
    statuses = {p.scenario.id: resolve(p, answers, flags).status for p in scenarios}
    return fired, statuses


def _worse(before: tuple, after: tuple) -> str | None:
    (fired_a, status_a), (fired_b, status_b) = before, after
    added = {r: s for r, s in fired_b.items() if r not in fired_a}
    removed = {r: s for r, s in fired_a.items() if r not in fired_b}
    top = min((SEVERITY_ORDER.index(s) for s in removed.values()), default=len(SEVERITY_ORDER))
    for rule, severity in sorted(added.items()):
        if SEVERITY_ORDER.index(severity) < top:
            return f"adds the {severity} finding '{rule}'"
    weight = sum(SEVERITY_WEIGHT[s] for s in fired_b.values())
    if weight > sum(SEVERITY_WEIGHT[s] for s in fired_a.values()):
        return (
            f"raises the severity-weighted risk (adds {', '.join(sorted(added)) or 'nothing'}; "
            f"removes {', '.join(sorted(removed)) or 'nothing'})"
        )
    for scenario, status in status_a.items():
        if status == "safe" and status_b[scenario] == "unsafe":
            return f"turns scenario '{scenario}' from safe to unsafe"
    return None


def lint_monotone(content: Content, compiled: Compiled, qid: str, budget: int) -> list[Problem]:
    """A better choice for `qid` never makes the findings or a scenario worse."""
    index, info = compiled.index, compiled.index.questions[qid]
    # a better answer may make more questions relevant (`ask_if`); what they then find is a new
    # question's finding, not this choice's: rules and scenarios reading them are left out here
    revealed = {
        q for q, conds in compiled.ask_ifs.items() if any(qid in reads(index, c) for c, _ in conds)
    }
    rules = [
        r
        for r in content.rules_for(compiled)
        if not r.contradiction
        and qid in (asks := _asks(compiled, r.id))
        and revealed.isdisjoint(asks)
    ]
    scenarios = [
        p
        for s in content.scenarios_for(compiled)
        if qid in (p := _prepared(content, compiled, s.id)).asked and revealed.isdisjoint(p.asked)
    ]
    if info.question.type != "single" or not (rules or scenarios):
        return []
    conditions = [compiled.rules[r.id] for r in rules]
    conditions += [c for cs in compiled.score_ifs.get(qid, {}).values() for c, _ in cs]
    others = [q for q in referenced(index, conditions) if q != qid]
    others = index.sort(set(others) | {q for p in scenarios for q in p.asked} - {qid})
    # "We don't know" is not a point on the better-or-worse scale; the unknown checks cover it
    choices = [c.id for c in info.question.choices if c.id != UNSURE]
    for fill in _sample(index, others, budget):
        seen = []
        for choice in choices:
            answers = fill | {qid: Answer.choice(choice)}
            seen.append(
                (
                    _effective(compiled, qid, answers),
                    choice,
                    _verdict(compiled, rules, scenarios, answers),
                )
            )
        for (score_a, a, before), (score_b, b, after) in itertools.permutations(seen, 2):
            why = _worse(before, after) if score_b > score_a and before and after else None
            if why:
                return [
                    _question_problem(
                        content,
                        index,
                        qid,
                        f"choosing '{b}' ({score_b}) over '{a}' ({score_a}) {why}",
                    )
                ]
    return []


def _asks(compiled: Compiled, rule_id: str) -> list[str]:
    return referenced(compiled.index, [compiled.rules[rule_id]])


def _question_problem(content: Content, index: QuestionnaireIndex, qid: str, msg: str) -> Problem:
    name = next(
        (f for f in content.files.values() if f.startswith("questionnaires/")), "questionnaires/"
    )
    return Problem(name, qid, f"'{qid}': {msg}")


def lint_verification(content: Content) -> list[Problem]:
    """2 to 6 items per rule, none about the tool, none stamped onto more than STAMPED rules."""
    seen: dict[str, int] = {}
    for rule in content.rules:
        for item in set(rule.verification):
            seen[item] = seen.get(item, 0) + 1
    problems = [
        _problem(
            content,
            f"rule:{rule.id}",
            ("verification", k),
            f"the same item appears in {seen[item]} rules; write what this rule's fix changes",
        )
        for rule in content.rules
        for k, item in enumerate(rule.verification)
        if seen[item] > STAMPED
    ]
    for rule in content.rules:
        items = rule.verification
        if not VERIFY_MIN <= len(items) <= VERIFY_MAX:
            problems.append(
                _problem(
                    content,
                    f"rule:{rule.id}",
                    ("verification",),
                    f"has {len(items)} items; a team needs {VERIFY_MIN} to "
                    f"{VERIFY_MAX} things it can observe in its own system",
                )
            )
        for k, item in enumerate(items):
            if ABOUT_THE_TOOL.search(item):
                problems.append(
                    _problem(
                        content,
                        f"rule:{rule.id}",
                        ("verification", k),
                        "checks the review tool, not the team's own system",
                    )
                )
    return problems


def lint_honesty(content: Content, compiled: Compiled, budget: int = 150) -> list[Problem]:
    problems = [
        p for r in content.rules_for(compiled) for p in lint_rule_unknowns(content, compiled, r.id)
    ]
    problems += [
        p
        for s in content.scenarios_for(compiled)
        for p in lint_scenario_unknowns(content, compiled, s.id)
    ]
    problems += [
        p
        for qid, info in compiled.index.questions.items()
        if info.scored
        for p in lint_monotone(content, compiled, qid, budget)
    ]
    return problems + lint_verification(content)
