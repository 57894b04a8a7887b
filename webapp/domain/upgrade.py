"""Upgrades that carry answers from one questionnaire version to the next.

A questionnaire version names, under `upgrade`, what becomes of each question of the version it
upgrades from: `same` (same id, same choice ids), `{to: <id>, choices: {old: new}}` (moved,
choices renamed; a choice not named keeps its id) or `{retired: <why>}`. `check_upgrade` is what
`faultline check` proves about the mapping; `upgrade_answers` carries a set of answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .answers import Answer, Answers, WorkflowAnswers
from .conditions import suggest
from .models import Question, Questionnaire, Retired, UpgradeTo

Path_ = tuple[str | int, ...]
Found = list[tuple[Path_, str]]


def _questions(q: Questionnaire) -> dict[str, Question]:
    return {x.id: x for s in q.sections for x in s.questions}


def target(entry: object, qid: str) -> tuple[str, dict[str, str]] | None:
    """(new id, choice renames) for a carried question; None when it is retired."""
    if isinstance(entry, Retired):
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
    missing = [q for q in before if q not in upgrade.questions]
    if missing:
        found.append((base + ("questions",),
                      f"{len(missing)} question(s) of version {old.version} neither carried "
                      f"nor retired: {', '.join(missing)}"))
    return found


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

    @property
    def moved(self) -> list[Carried]:
        return [c for c in self.carried if c.old != c.new or c.before != c.after]


def new_questions(new: Questionnaire) -> list[str]:
    """Questions of `new` that no question of the version it upgrades from is carried to."""
    if new.upgrade is None:
        return []
    landed = {t[0] for qid, e in new.upgrade.questions.items() if (t := target(e, qid))}
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
                goes = target(upgrade.questions[qid], qid)
                if goes:
                    out_notes[goes[0]] = note
                else:
                    why = report.retired_why.get(qid, "")
                    report.retired.append(Carried(name, position, qid, qid, Answer(), None,
                                                  why, note))
        return out, out_notes

    system, system_notes = block(answers.answers, answers.notes, None, -1)
    workflows = []
    for n, w in enumerate(answers.workflows):
        own, notes = block(w.answers, w.notes, w.name, n)
        evidence = {}
        for qid, text in w.evidence.items():
            goes = target(upgrade.questions[qid], qid) if qid in upgrade.questions else None
            if goes:
                evidence[goes[0]] = text
        workflows.append(WorkflowAnswers(w.name, own, notes, evidence, list(w.files)))
    upgraded = Answers(newest.id, newest.version, answers.system, system, system_notes,
                       workflows, answers.full_review, old.version)
    return upgraded, report
