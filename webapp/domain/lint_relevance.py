"""What `faultline check` proves about relevance conditions (`ask_if`).

- every relevance condition can be both true and false (otherwise it hides the question always
  or never, and is a mistake);
- no rule and no scenario outcome reads a question where that question's relevance hides it:
  wherever the question is hidden, the rule's (outcome's) condition must come out the same
  whatever the question's answer, i.e. its own conditions already exclude that case.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

from .answers import Answer
from .conditions import Condition
from .content import Compiled, Content
from .errors import Problem
from .index import QuestionnaireIndex
from .lint import _problem, flags_of, states
from .relevance import hidden, reads
from .yamlio import place

BUDGET = 2_000


def _assignments(index: QuestionnaireIndex, qids: list[str]) -> Iterator[dict[str, Answer]]:
    domains = [states(index.questions[q]) for q in qids]
    if math.prod(len(d) for d in domains) <= BUDGET:
        combos: Iterator = itertools.product(*domains)
    else:
        rng = random.Random(0)
        combos = (tuple(rng.choice(d) for d in domains) for _ in range(BUDGET))
    for combo in combos:
        yield {q: a for q, a in zip(qids, combo, strict=True) if a is not None}


def _question_place(content: Content, compiled: Compiled, qid: str) -> tuple[str, str]:
    q = compiled.index.questionnaire
    name = content.questionnaire_files.get((q.id, q.version), "questionnaires/")
    for i, section in enumerate(q.sections):
        for j, question in enumerate(section.questions):
            if question.id == qid:
                return name, place(("sections", i, "questions", j, "ask_if"))
    return name, qid


def lint_conditions(content: Content, compiled: Compiled) -> list[Problem]:
    """Each relevance condition can hide its question and can ask it."""
    index, problems = compiled.index, []
    for qid, conditions in compiled.ask_ifs.items():
        for condition, _ in conditions:
            qids = reads(index, condition)
            seen = {condition(a, flags_of(index, a)) for a in _assignments(index, qids)}
            if seen != {True, False}:
                file, where = _question_place(content, compiled, qid)
                how = "never holds: the question is never asked" if seen == {False} else \
                    "always holds: it hides nothing"
                problems.append(Problem(file, where, f"'{qid}': ask_if {how} "
                                        f"(it reads {', '.join(qids) or 'no question'})"))
    return problems


def reads_hidden(compiled: Compiled, condition: Condition, qid: str,
                 earlier: list[Condition] | None = None) -> bool:
    """Whether `condition` holds only because a hidden `qid` reads as not applicable: in a case
    where the answers hide `qid`, it holds with `qid` not applicable but not for every answer
    the team could have given (so a finding or outcome would rest on a question never asked).
    A scenario outcome is looked at only where none of the `earlier` outcomes is chosen."""
    index = compiled.index
    earlier = earlier or []
    own = {q for c, _ in compiled.ask_ifs[qid] for q in reads(index, c)}
    own |= {q for c in earlier for q in reads(index, c)}
    others = index.sort((set(reads(index, condition)) | own) - {qid})
    values = [v for v in states(index.questions[qid]) if v is not None]
    for answers in _assignments(index, others):
        gone = hidden(compiled, answers, [qid])
        if qid not in gone:
            continue
        substituted = answers | {qid: Answer.not_applicable(gone[qid])}
        flags = flags_of(index, substituted)
        if not condition(substituted, flags) or any(c(substituted, flags) for c in earlier):
            continue
        for value in values:
            given = answers | {qid: value}
            if not condition(given, flags_of(index, given)):
                return True
    return False


def lint_hidden_reads(content: Content, compiled: Compiled) -> list[Problem]:
    """No rule or scenario outcome reads a question its relevance hides."""
    index, problems = compiled.index, []
    for rule in content.rules_for(compiled):
        condition = compiled.rules[rule.id]
        for qid in reads(index, condition):
            if qid in compiled.ask_ifs and reads_hidden(compiled, condition, qid):
                problems.append(_problem(
                    content, f"rule:{rule.id}", ("when",),
                    f"fires because '{qid}' reads as not applicable where its ask_if hides "
                    "it: add the ask_if's condition to this rule's when"))
    for scenario in content.scenarios_for(compiled):
        outcomes = compiled.outcomes[scenario.id]
        for k, condition in enumerate(outcomes):
            for qid in reads(index, condition):
                if qid in compiled.ask_ifs and reads_hidden(
                    compiled, condition, qid, outcomes[:k]
                ):
                    problems.append(_problem(
                        content, f"scenario:{scenario.id}", ("outcomes", k, "when"),
                        f"is chosen because '{qid}' reads as not applicable where its ask_if "
                        "hides it: test the ask_if's condition in this or an earlier outcome"))
    return problems


def lint_relevance(content: Content, compiled: Compiled) -> list[Problem]:
    return lint_conditions(content, compiled) + lint_hidden_reads(content, compiled)
