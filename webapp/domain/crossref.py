"""Cross-references between rules, scenarios and a questionnaire; compiles their conditions."""

from __future__ import annotations

from typing import Any

from .answer_checks import check_answer_map
from .answers import AnswersReader
from .conditions import NEVER, Compiler, suggest
from .content import Compiled, Example
from .index import QuestionnaireIndex
from .models import OutcomeDef, Questionnaire, Rule, Scenario
from .yamlio import place

Path_ = tuple[str | int, ...]
Found = list[tuple[Path_, str]]
Located = list[tuple[str, Path_, str]]  # (file, path, message)


def check_rule(rule: Rule, index: QuestionnaireIndex) -> Found:
    q = index.questionnaire
    patterns, layers = {p.id for p in q.patterns}, {x.id for x in q.layers}
    if rule.scope == "workflow" and (rule.layer or rule.pattern not in patterns):
        return [
            (
                (),
                f"a workflow rule names 'pattern' "
                f"(one of {', '.join(sorted(patterns))}), not 'layer'",
            )
        ]
    if rule.scope == "system" and (rule.pattern or rule.layer not in layers):
        return [
            ((), f"a system rule names 'layer' (one of {', '.join(sorted(layers))}), not 'pattern'")
        ]
    if not rule.id.startswith(rule.area + "."):
        return [
            (
                ("id",),
                f"rule ids start with their {'pattern' if rule.pattern else 'layer'}: "
                f"'{rule.area}.<slug>'",
            )
        ]
    return []


def check_prerequisites(rules: list[tuple[str, Path_, Rule]]) -> Located:
    known = {rule.id: rule for _, _, rule in rules}
    found: Located = []
    for file, path, rule in rules:
        for k, pre in enumerate(rule.prerequisites):
            where = path + ("prerequisites", k)
            if pre == rule.id:
                found.append((file, where, "a rule cannot be its own prerequisite"))
            elif pre not in known:
                found.append((file, where, f"unknown rule '{pre}'{suggest(pre, set(known))}"))
            elif rule.scope == "system" and known[pre].scope == "workflow":
                found.append((file, where, f"system rule cannot depend on workflow rule '{pre}'"))
        for k, root in enumerate(rule.root_cause):
            if root == rule.id or root not in known:
                found.append(
                    (file, path + ("root_cause", k), f"unknown root cause rule '{root}'")
                )
        if _in_cycle(rule.id, known):
            found.append((file, path + ("prerequisites",), "prerequisites form a cycle"))
    return found


def _in_cycle(start: str, known: dict[str, Rule]) -> bool:
    stack, seen = list(known[start].prerequisites), set()
    while stack:
        current = stack.pop()
        if current == start:
            return True
        if current in known and current not in seen:
            seen.add(current)
            stack.extend(known[current].prerequisites)
    return False


def compile_rule(rule: Rule, compiled: Compiled) -> Found:
    """Compiles the rule's condition into `compiled`; problems have paths relative to the rule."""
    compiler = Compiler(compiled.index, rule.scope == "workflow", compiled.aliases)
    compiled.rules[rule.id] = compiler.compile(rule.when, ("when",))
    if rule.contradiction:
        compiled.contradictions.append(rule.id)
    return compiler.problems


def read_examples(
    rule: Rule, index: QuestionnaireIndex
) -> tuple[Found, tuple[list[Example], list[Example]]]:
    reader = AnswersReader("", None)
    found: Found = []
    sets: dict[str, list[Example]] = {"fires": [], "quiet": []}
    workflow = None if rule.scope == "workflow" else False
    for kind, examples in (("fires", rule.examples.fires), ("quiet", rule.examples.quiet)):
        for k, raw in enumerate(examples):
            where: Path_ = ("examples", kind, k)
            example = reader.answers(raw, where)
            found += check_answer_map(index, example, where, workflow)
            sets[kind].append(example)
    found += [(_path_of(p), p.message) for p in reader.problems]
    return found, (sets["fires"], sets["quiet"])


def _path_of(problem: Any) -> Path_:
    return (problem.place,) if problem.place else ()


def check_outcomes(outcomes: list[tuple[str, Path_, OutcomeDef]]) -> Located:
    found: Located = []
    seen: dict[str, str] = {}
    for file, path, outcome in outcomes:
        if outcome.id == "unknown":
            found.append((file, path + ("id",), "'unknown' is built in; do not define it"))
        elif outcome.id in seen:
            found.append(
                (
                    file,
                    path + ("id",),
                    f"duplicate outcome id '{outcome.id}' (first in {seen[outcome.id]})",
                )
            )
        seen.setdefault(outcome.id, file)
    return found


def compile_scenario(scenario: Scenario, compiled: Compiled, outcomes: set[str],
                     version: int | None = None) -> Found:
    """Compiles the scenario's outcomes as questionnaire `version` reads them: an outcome of
    another version (`since`/`until`) never holds, a `revised` one reads its revision; a system
    scenario's conditions may read fit and layer questions only (evaluated once, without a
    workflow)."""
    compiler = Compiler(compiled.index, scenario.scope == "workflow", compiled.aliases)
    found: Found = []
    conditions = []
    view = []
    for k, option in enumerate(scenario.outcomes):
        where: Path_ = ("outcomes", k)
        if option.outcome not in outcomes and option.outcome != "unknown":
            found.append(
                (
                    where + ("outcome",),
                    f"unknown outcome '{option.outcome}'{suggest(option.outcome, outcomes)}",
                )
            )
        if version is not None and not belongs(option, version):
            conditions.append(NEVER)
            view.append(option)
            continue
        j = max((j for j, r in enumerate(option.revised)
                 if version is not None and r.since <= version), default=None)
        if j is not None:
            option = option.model_copy(update={"when": option.revised[j].when})
            where = where + ("revised", j)
        view.append(option)
        conditions.append(compiler.compile(option.when, where + ("when",)))
    compiled.outcomes[scenario.id] = conditions
    compiled.scenario_views[scenario.id] = scenario.model_copy(update={"outcomes": view})
    return found + compiler.problems


def belongs(item: Any, version: int) -> bool:
    """Whether a rule, scenario or outcome is part of this questionnaire version
    (`since`/`until`)."""
    return item.since <= version and (item.until is None or version <= item.until)


def duplicate_ids(items: list[tuple[str, Path_, str]], what: str) -> Located:
    """Ids used twice across files; each repeat names where the first one is."""
    found: Located = []
    first: dict[str, str] = {}
    for file, path, item_id in items:
        if item_id in first:
            found.append(
                (
                    file,
                    path + ("id",),
                    f"duplicate {what} id '{item_id}' (first in {first[item_id]})",
                )
            )
        else:
            first[item_id] = f"{file}: {place(path)}"
    return found


def unused_tags(q: Questionnaire, rules: list[Rule]) -> Found:
    """Tags a fit flag raises that no question or rule carries (a typo raises nothing)."""
    used = {t for s in q.sections for x in s.questions for t in x.tags}
    used |= {t for r in rules for t in r.tags}
    found: Found = []
    for i, section in enumerate(q.sections):
        for j, question in enumerate(section.questions):
            raises = question.criterion.raises if question.criterion else None
            for k, tag in enumerate(raises.tags if raises else []):
                if tag not in used:
                    path = ("sections", i, "questions", j, "criterion", "raises", "tags", k)
                    found.append(
                        (path, f"tag '{tag}' is on no question or rule{suggest(tag, used)}")
                    )
    return found


def _earlier(compiled: Compiled, condition: Any, before: str, path: Path_) -> Found:
    """A relevance condition may read only questions asked before `before`."""
    index = compiled.index
    fit = {index.criteria[f][0].id for f in condition.flags if f in index.criteria}
    late = [q for q in index.sort({*condition.questions, *fit})
            if index.order(q) >= index.order(before)]
    return [(path, f"ask_if may read only earlier questions; '{q}' is not asked before "
                   f"'{before}'") for q in late]


def compile_ask_ifs(compiled: Compiled) -> Found:
    """Compiles each section's and question's `ask_if` into `compiled.ask_ifs`."""
    found: Found = []
    for i, section in enumerate(compiled.index.questionnaire.sections):
        compiler = Compiler(compiled.index, workflow_scope=section.kind == "workflow")
        first = section.questions[0].id
        own: list[tuple[Any, str | None]] = []
        if section.ask_if is not None:
            condition = compiler.compile(section.ask_if, ("sections", i, "ask_if"))
            found += _earlier(compiled, condition, first, ("sections", i, "ask_if"))
            own.append((condition, section.ask_if_reason))
        elif section.ask_if_reason:
            found.append((("sections", i, "ask_if_reason"), "needs ask_if"))
        for j, question in enumerate(section.questions):
            where: Path_ = ("sections", i, "questions", j)
            conditions = list(own)
            if question.ask_if is not None:
                condition = compiler.compile(question.ask_if, where + ("ask_if",))
                found += _earlier(compiled, condition, question.id, where + ("ask_if",))
                conditions.append((condition, question.ask_if_reason))
            elif question.ask_if_reason:
                found.append((where + ("ask_if_reason",), "needs ask_if"))
            if conditions and compiled.index.questions[question.id].question is question:
                compiled.ask_ifs[question.id] = conditions
        found += compiler.problems
    return found


def compile_question_conditions(compiled: Compiled) -> Found:
    """Compiles each question's `na_refused` and each choice's `score_if` into `compiled`."""
    found: Found = compile_ask_ifs(compiled)
    for i, section in enumerate(compiled.index.questionnaire.sections):
        compiler = Compiler(compiled.index, workflow_scope=section.kind == "workflow")
        for j, question in enumerate(section.questions):
            where: Path_ = ("sections", i, "questions", j)
            for k, refusal in enumerate(question.na_refused):
                if not question.na_allowed:
                    found.append((where + ("na_refused",), "needs na_allowed: true"))
                condition = compiler.compile(refusal.when, where + ("na_refused", k, "when"))
                compiled.na_refusals.setdefault(question.id, []).append(
                    (condition, refusal.reason)
                )
            for c, choice in enumerate(question.choices):
                for k, rule in enumerate(choice.score_if):
                    path = where + ("choices", c, "score_if", k, "when")
                    condition = compiler.compile(rule.when, path)
                    compiled.score_ifs.setdefault(question.id, {}).setdefault(
                        choice.id, []
                    ).append((condition, rule.score))
        found += compiler.problems
        compiler.problems = []
    return found
