"""Upgrades that carry answers from one questionnaire version to the next.

A questionnaire version names, under `upgrade`, what becomes of each question of the version it
upgrades from: `same` (same id, same choice ids), `{to: <id>, choices: {old: new}}` (moved,
choices renamed; a choice not named keeps its id), `{merged: <id>}` (one of several questions
whose answers decide one new question) or `{retired: <why>}`.

A merged question's answer is derived under `upgrade.derive`: the new question's id -> an
ordered list of steps `{when: <condition over the old version's answers>, choice: <id>}` (or
`na: <reason>` instead of `choice`). The first step that holds gives the answer; when none holds
the question stays unanswered, never a default. `check_upgrade` is what `faultline check` proves
about the mapping (including that a blank or "We don't know" never derives a better answer than
a real one would); `upgrade_answers` carries a set of answers.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from .answers import Answer, Answers, WorkflowAnswers
from .conditions import Compiler, Condition, suggest
from .index import QuestionnaireIndex
from .models import Derivation, Merged, Question, Questionnaire, Retired, UpgradeTo
from .text import counted
from .unknowns import CAP, known, possible

Path_ = tuple[str | int, ...]
Found = list[tuple[Path_, str]]


def _questions(q: Questionnaire) -> dict[str, Question]:
    return {x.id: x for s in q.sections for x in s.questions}


def target(entry: object, qid: str) -> tuple[str, dict[str, str]] | None:
    """(new id, choice renames) for a carried question; None when it is retired or merged
    (a merged answer is derived, see `derived`)."""
    if isinstance(entry, Retired | Merged):
        return None
    if isinstance(entry, UpgradeTo):
        return entry.to, dict(entry.choices)
    return qid, {}


def aliases(new: Questionnaire, old: Questionnaire) -> dict[str, tuple[str, dict[str, list[str]]]]:
    """For compiling `new`'s rules against `old`: new id -> (old id, new choice -> old choices)."""
    if new.upgrade is None or new.upgrade.from_version != old.version:
        return {}
    before, after = _questions(old), _questions(new)
    out = {}
    for qid, entry in new.upgrade.questions.items():
        goes = target(entry, qid)
        if goes is None or qid not in before or goes[0] not in after or goes == (qid, {}):
            continue
        new_id, renames = goes
        back = {c.id: [o.id for o in before[qid].choices if renames.get(o.id, o.id) == c.id]
                for c in after[new_id].choices}
        out[new_id] = (qid, back)
    return out


def check_upgrade(new: Questionnaire, old: Questionnaire | None) -> Found:
    """Every question of the old version carried or retired on purpose; every target and choice
    exists; no two old questions land on the same new one."""
    upgrade = new.upgrade
    if upgrade is None:
        return []
    base: Path_ = ("upgrade",)
    if old is None:
        return [(base + ("from",), f"there is no version {upgrade.from_version} of "
                                   f"'{new.id}' to upgrade from")]
    if upgrade.from_version >= new.version:
        return [(base + ("from",), f"must be an earlier version than {new.version}")]
    before, after = _questions(old), _questions(new)
    found: Found = []
    landed: dict[str, str] = {}
    for qid, entry in upgrade.questions.items():
        where = base + ("questions", qid)
        if qid not in before:
            found.append((where, f"version {old.version} has no question '{qid}'"
                                 f"{suggest(qid, set(before))}"))
            continue
        goes = target(entry, qid)
        if goes is None:
            continue
        new_id, renames = goes
        if new_id not in after:
            found.append((where, f"version {new.version} has no question '{new_id}'"
                                 f"{suggest(new_id, set(after))}"))
            continue
        if new_id in landed:
            found.append((where, f"'{landed[new_id]}' is carried to '{new_id}' too"))
        landed[new_id] = qid
        found += _choices(before[qid], after[new_id], renames, where)
    found += _check_derive(new, old, landed)
    missing = [q for q in before if q not in upgrade.questions]
    if missing:
        found.append((base + ("questions",),
                      f"{counted(len(missing), 'question')} of version {old.version} neither "
                      f"carried nor retired: {', '.join(missing)}"))
    return found


Steps = list[tuple[Condition, Derivation]]


def _compile_derive(new: Questionnaire, old: Questionnaire) -> tuple[dict[str, Steps], Found]:
    """Each derived question's steps compiled against `old`, and the problems found."""
    assert new.upgrade is not None
    index, after = QuestionnaireIndex.build(old), _questions(new)
    out: dict[str, Steps] = {}
    found: Found = []
    for qid, steps in new.upgrade.derive.items():
        where: Path_ = ("upgrade", "derive", qid)
        if qid not in after:
            found.append((where, f"version {new.version} has no question '{qid}'"
                                 f"{suggest(qid, set(after))}"))
            continue
        workflow = any(x.id == qid for s in new.sections if s.kind == "workflow"
                       for x in s.questions)
        compiler = Compiler(index, workflow_scope=workflow)
        compiled: Steps = []
        for n, step in enumerate(steps):
            condition = compiler.compile(step.when, where + (n, "when"))
            if condition.flags:
                found.append((where + (n, "when"), "a derive step reads answers, not fit flags"))
            compiled.append((condition, step))
            choices = {c.id for c in after[qid].choices}
            if step.choice is not None and step.choice not in choices:
                found.append((where + (n, "choice"), f"'{qid}' has no choice '{step.choice}'"
                                                     f"{suggest(step.choice, choices)}"))
            if step.na is not None and not after[qid].na_allowed:
                found.append((where + (n, "na"), f"'{qid}' does not allow not applicable"))
        found += compiler.problems
        if not steps:
            found.append((where, "needs at least one step"))
        out[qid] = compiled
    return out, found


_DERIVE_CACHE: dict[tuple[int, int], tuple[Questionnaire, Questionnaire, dict[str, Steps]]] = {}


def derivations(new: Questionnaire, old: Questionnaire) -> dict[str, Steps]:
    """The compiled derive steps of `new` (empty when it derives nothing)."""
    if new.upgrade is None or not new.upgrade.derive:
        return {}
    key = (id(new), id(old))
    if key not in _DERIVE_CACHE:
        _DERIVE_CACHE[key] = (new, old, _compile_derive(new, old)[0])
    return _DERIVE_CACHE[key][2]


def derive(steps: Steps, answers: dict[str, Answer]) -> Answer | None:
    """The first step that holds decides the answer; None (unanswered) when none does."""
    for condition, step in steps:
        if condition(answers):
            return Answer.not_applicable(step.na) if step.na is not None \
                else Answer.choice(step.choice or "")
    return None


def merged_into(new: Questionnaire, qid: str) -> list[str]:
    """The old questions whose answers decide the derived question `qid`, in mapping order."""
    assert new.upgrade is not None
    return [q for q, e in new.upgrade.questions.items()
            if isinstance(e, Merged) and e.merged == qid]


def _check_derive(new: Questionnaire, old: Questionnaire, landed: dict[str, str]) -> Found:
    upgrade = new.upgrade
    assert upgrade is not None
    compiled, found = _compile_derive(new, old)
    before, after = QuestionnaireIndex.build(old), QuestionnaireIndex.build(new)
    for qid, entry in upgrade.questions.items():
        if isinstance(entry, Merged) and entry.merged not in upgrade.derive:
            found.append((("upgrade", "questions", qid),
                          f"'{qid}' is merged into '{entry.merged}', which has no steps under "
                          "upgrade.derive"))
    for qid, steps in compiled.items():
        where: Path_ = ("upgrade", "derive", qid)
        if qid in landed:
            found.append((where, f"'{landed[qid]}' is carried to '{qid}' already; a question is "
                                 "either carried or derived"))
        reads = {q for c, _ in steps for q in c.questions}
        merged = merged_into(new, qid)
        if not merged:
            found.append((where, f"no question of version {old.version} is merged into '{qid}'"))
        for q in merged:
            if q not in reads:
                found.append((where, f"'{q}' is merged into '{qid}' but no step reads it"))
            if q in before.questions and qid in after.questions and \
                    before.questions[q].workflow != after.questions[qid].workflow:
                found.append((("upgrade", "questions", q),
                              f"'{q}' and '{qid}' are asked in different scopes (system and "
                              "workflow)"))
        if not found:
            found += _honest(before, after.questions[qid].question, steps, where)
    return found


def _honest(index: QuestionnaireIndex, question: Question, steps: Steps, where: Path_) -> Found:
    """A blank derives nothing, and a blank or "We don't know" never derives a better answer
    than some real answer to that question would."""
    reads = index.sort({q for c, _ in steps for q in c.questions})
    if derive(steps, {}) is not None:
        return [(where, f"with every question it reads blank, '{question.id}' is still "
                        "answered: a blank must derive nothing")]
    domains: list[list[Answer | None]] = [[None, *possible(index.questions[q])] for q in reads]
    if math.prod(len(d) for d in domains) > CAP * 8:
        return [(where, f"'{question.id}' is derived from too many answers to prove it honest "
                        f"({', '.join(reads)}); derive it from fewer questions")]
    scores = {c.id: c.score for c in question.choices}

    def rank(answer: Answer | None) -> float:  # unanswered counts as the worst, N/A as the best
        if answer is None:
            return 0
        if answer.na is not None:
            return 100
        return scores.get(answer.choices[0]) or 0

    for combo in itertools.product(*domains):
        given = {q: a for q, a in zip(reads, combo, strict=True) if a is not None}
        got = rank(derive(steps, given))
        if not got:
            continue
        for n, q in enumerate(reads):
            if known(combo[n]):
                continue
            real = [rank(derive(steps, {**given, q: a}))
                    for a in domains[n] if a is not None and known(a)]
            if real and got > min(real):
                said = "blank" if combo[n] is None else "\"We don't know\""
                return [(where, f"'{q}' left {said} derives a better answer to '{question.id}' "
                                f"than one of its real answers would (with "
                                f"{_shown(given, q)}): order the steps so unknown is never "
                                "safer")]
    return []


def _shown(given: dict[str, Answer], skip: str) -> str:
    parts = [f"{q}: {a.na and 'n/a' or ', '.join(a.choices)}" for q, a in given.items()
             if q != skip]
    return "; ".join(parts) or "nothing else answered"


def _choices(old: Question, new: Question, renames: dict[str, str], where: Path_) -> Found:
    found: Found = []
    if old.type != new.type:
        found.append((where, f"'{old.id}' is {old.type} choice and '{new.id}' is {new.type}: "
                             "retire it instead"))
    olds, news = {c.id for c in old.choices}, {c.id for c in new.choices}
    for choice, to in renames.items():
        if choice not in olds:
            found.append((where + ("choices", choice),
                          f"'{old.id}' has no choice '{choice}'{suggest(choice, olds)}"))
        elif to not in news:
            found.append((where + ("choices", choice),
                          f"'{new.id}' has no choice '{to}'{suggest(to, news)}"))
    for choice in sorted(olds - set(renames) - news):
        found.append((where, f"choice '{choice}' of '{old.id}' does not exist on '{new.id}': "
                             f"map it under choices"))
    return found


@dataclass(frozen=True)
class Carried:
    workflow: str | None  # None for the system's questions
    position: int  # the workflow's position; -1 for the system
    old: str
    new: str
    before: Answer
    after: Answer | None  # None when the answer cannot be carried (see `why`)
    why: str = ""
    note: str = ""  # the team's note on a retired question (it is not carried)


@dataclass(frozen=True)
class Derived:
    """A question of the new version whose answer was derived from several old answers."""

    workflow: str | None
    position: int
    new: str
    olds: tuple[str, ...]  # the merged old questions that were answered or had a note
    after: Answer | None  # None when the old answers do not decide it
    note: str = ""  # the old questions' notes, joined


@dataclass
class UpgradeReport:
    questionnaire: str
    from_version: int
    to_version: int
    carried: list[Carried] = field(default_factory=list)  # answers carried (renamed or not)
    retired: list[Carried] = field(default_factory=list)  # answers to retired questions
    dropped: list[Carried] = field(default_factory=list)  # answers that could not be carried
    new_questions: list[str] = field(default_factory=list)  # asked for the first time
    retired_why: dict[str, str] = field(default_factory=dict)  # question -> why retired
    derived: list[Derived] = field(default_factory=list)  # derived from merged answers

    @property
    def moved(self) -> list[Carried]:
        return [c for c in self.carried if c.old != c.new or c.before != c.after]


def new_questions(new: Questionnaire) -> list[str]:
    """Questions of `new` that no question of the version it upgrades from is carried to."""
    if new.upgrade is None:
        return []
    landed = {t[0] for qid, e in new.upgrade.questions.items() if (t := target(e, qid))}
    landed |= set(new.upgrade.derive)
    return [x.id for s in new.sections for x in s.questions if x.id not in landed]


def _carry(old_q: str, answer: Answer, entry: object, after: dict[str, Question]
           ) -> tuple[str, Answer | None, str]:
    goes = target(entry, old_q)
    assert goes is not None
    new_id, renames = goes
    question = after[new_id]
    if answer.na is not None:
        if question.na_allowed:
            return new_id, answer, ""
        return new_id, None, "version 2 no longer allows not applicable here; answer it again"
    choices = tuple(dict.fromkeys(renames.get(c, c) for c in answer.choices))
    return new_id, Answer.of(choices), ""


def upgrade_answers(newest: Questionnaire, old: Questionnaire, answers: Answers
                    ) -> tuple[Answers, UpgradeReport]:
    """`answers` (on `old`) carried to `newest` through its mapping, and what happened."""
    upgrade = newest.upgrade
    if upgrade is None or upgrade.from_version != old.version:
        raise ValueError(f"version {newest.version} of '{newest.id}' does not upgrade from "
                         f"version {old.version}")
    after = _questions(newest)
    report = UpgradeReport(newest.id, old.version, newest.version,
                           new_questions=new_questions(newest),
                           retired_why={q: e.retired for q, e in upgrade.questions.items()
                                        if isinstance(e, Retired)})

    def block(values: dict[str, Answer], notes: dict[str, str], name: str | None,
              position: int) -> tuple[dict[str, Answer], dict[str, str]]:
        out: dict[str, Answer] = {}
        out_notes: dict[str, str] = {k: v for k, v in notes.items() if k not in values
                                     and k not in upgrade.questions}
        for qid, answer in values.items():
            entry = upgrade.questions.get(qid)
            if isinstance(entry, Merged):
                continue  # decided with the other merged answers, below
            if entry is None or isinstance(entry, Retired):
                why = entry.retired if isinstance(entry, Retired) else "not a question of " \
                    f"version {old.version}"
                report.retired.append(
                    Carried(name, position, qid, qid, answer, None, why, notes.get(qid, "")))
                continue
            new_id, carried, why = _carry(qid, answer, entry, after)
            item = Carried(name, position, qid, new_id, answer, carried, why)
            (report.carried if carried is not None else report.dropped).append(item)
            if carried is not None:
                out[new_id] = carried
            if notes.get(qid):
                out_notes[new_id] = notes[qid]
        for qid, note in notes.items():  # notes on questions left blank travel too
            if qid not in values and qid in upgrade.questions:
                if isinstance(upgrade.questions[qid], Merged):
                    continue
                goes = target(upgrade.questions[qid], qid)
                if goes:
                    out_notes[goes[0]] = note
                else:
                    why = report.retired_why.get(qid, "")
                    report.retired.append(Carried(name, position, qid, qid, Answer(), None,
                                                  why, note))
        return out, out_notes

    steps = derivations(newest, old)
    workflow_ids = {x.id for s in newest.sections if s.kind == "workflow" for x in s.questions}

    def derived(scope: dict[str, Answer], values: dict[str, Answer], notes: dict[str, str],
                name: str | None, position: int, out: dict[str, Answer],
                out_notes: dict[str, str]) -> None:
        for qid, own in steps.items():
            if (qid in workflow_ids) != (name is not None):
                continue
            olds = merged_into(newest, qid)
            given = tuple(q for q in olds if q in values or notes.get(q))
            if not given:
                continue
            result = derive(own, scope)
            note = "\n\n".join(notes[q] for q in olds if notes.get(q))
            report.derived.append(Derived(name, position, qid, given, result, note))
            if result is not None:
                out[qid] = result
            if note:
                out_notes[qid] = note
            for q in olds:
                if q not in values:
                    continue
                why = "" if result is not None else (
                    f"merged with {', '.join(o for o in olds if o != q)} into '{qid}'; "
                    "these answers do not decide it: answer it again")
                item = Carried(name, position, q, qid, values[q], result, why)
                (report.carried if result is not None else report.dropped).append(item)

    system, system_notes = block(answers.answers, answers.notes, None, -1)
    derived(answers.answers, answers.answers, answers.notes, None, -1, system, system_notes)
    workflows = []
    for n, w in enumerate(answers.workflows):
        own, notes = block(w.answers, w.notes, w.name, n)
        derived({**answers.answers, **w.answers}, w.answers, w.notes, w.name, n, own, notes)
        evidence: dict[str, str] = {}
        for qid, text in w.evidence.items():
            entry = upgrade.questions.get(qid)
            goes = target(entry, qid) if entry is not None else None
            if isinstance(entry, Merged):
                goes = (entry.merged, {})
            if goes:
                evidence[goes[0]] = "\n\n".join(x for x in (evidence.get(goes[0]), text) if x)
        workflows.append(WorkflowAnswers(w.name, own, notes, evidence, list(w.files)))
    upgraded = Answers(newest.id, newest.version, answers.system, system, system_notes,
                       workflows, answers.full_review, old.version)
    return upgraded, report
