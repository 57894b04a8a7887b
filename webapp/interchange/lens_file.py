"""A review on a lens as an answers file (`webapp.domain.lens_answers`), and back.

The same two steps as an answers file of Faultline's questionnaire: `plan_import` shows what
changes and writes nothing; `apply_import` saves with the versions the preview showed, and an
answer saved by someone in between is a conflict: nothing is imported. The plan and conflicts
are `webapp.interchange.answers_file`'s own types, so its pages and command serve both.
"""

from __future__ import annotations

from collections.abc import Mapping

import yaml
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments.answers import AnswerInput, AnswerValue
from webapp.assessments.models import Assessment
from webapp.assessments.services import mark_changed
from webapp.core.services import ServiceError
from webapp.domain import Content
from webapp.domain.errors import AnswersError
from webapp.domain.lens_answers import (
    LensAnswersFile,
    lens_answers_to_dict,
    parse_lens_answers_text,
    questionnaire_named,
)
from webapp.domain.lens_result import LensAnswer
from webapp.interchange.answers_file import Change, ImportConflict, ImportPlan, ImportProblems
from webapp.lenses import services as lenses
from webapp.lenses.answers import save_answers
from webapp.lenses.models import NOTE_MAX_CHARS
from webapp.teams.models import Team


def export_dict(session: Session, assessment: Assessment) -> dict:
    _row, lens = lenses.lens_of(session, assessment)
    answers = {qid: lenses.answer_of(row)
               for qid, row in lenses.stored_answers(session, assessment).items()}
    return lens_answers_to_dict(lens, assessment.questionnaire_id,
                                assessment.questionnaire_version,
                                (assessment.name, assessment.description), answers)


def read_file(session: Session, text: str, source: str = "answers.yaml",
              assessment: Assessment | None = None) -> LensAnswersFile:
    """The file's answers, checked against the lens version it names (or the assessment's)."""
    named = questionnaire_named(text) or ""
    row = _version_named(session, text, named, assessment)
    try:
        return parse_lens_answers_text(text, lenses.parsed(row), source)
    except AnswersError as error:
        raise ImportProblems([str(problem) for problem in error.problems]) from None


def _version_named(session, text, named: str, assessment: Assessment | None):
    if assessment is not None:
        _check_questionnaire(assessment, named, _version_in(text))
        return lenses.lens_of(session, assessment)[0]
    version = _version_in(text)
    row = lenses.find_version(session, named.removeprefix(lenses.LENS_PREFIX), version)
    if row is None:
        which = f"lens “{named}”" + (f" version {version}" if version else "")
        raise ImportProblems([f"{which} is not imported here: an administrator imports it "
                              "on the Lenses page first"])
    return row


def _version_in(text: str) -> int | None:
    try:
        value = (yaml.safe_load(text) or {}).get("version")
    except (yaml.YAMLError, AttributeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_questionnaire(assessment: Assessment, named: str, version: int | None) -> None:
    if named not in ("", assessment.questionnaire_id) or version not in (
            None, assessment.questionnaire_version):
        raise ImportProblems([
            f"the file answers questionnaire “{named or '(none)'}” version {version}, this "
            f"assessment “{assessment.questionnaire_id}” version "
            f"{assessment.questionnaire_version}"])


def _value(answer: LensAnswer | None) -> AnswerValue:
    if answer is None:
        return AnswerValue()
    reason = answer.na_reason.value if answer.na_reason else None
    return AnswerValue(tuple(sorted(answer.choices)), reason, answer.note)


def plan_import(session: Session, assessment: Assessment, text: str) -> ImportPlan:
    """What importing `text` would change (questions the file leaves out become unanswered)."""
    data = read_file(session, text, assessment=assessment)
    _row, lens = lenses.lens_of(session, assessment)
    rows = lenses.stored_answers(session, assessment)
    plan = ImportPlan(None, data.name.strip() or assessment.name, data.description.strip())
    plan.details_change = (plan.name, plan.description) != (assessment.name,
                                                            assessment.description)
    for pillar, question in lens.questions():
        row = rows.get(question.id)
        before = _value(lenses.answer_of(row) if row else None)
        after = _value(data.answers.get(question.id))
        if before != after:
            plan.changes.append(Change(None, question.id, question.title, before, after,
                                       row.version if row else 0, pillar.name))
            if len(after.note) > NOTE_MAX_CHARS:  # saving would refuse it: say so now
                plan.problems.append(f"notes.{question.id}: notes are limited to "
                                     f"{NOTE_MAX_CHARS:,} characters; this one has "
                                     f"{len(after.note):,}.")
    if plan.problems:
        raise ImportProblems(plan.problems)
    return plan


def apply_import(session: Session, assessment: Assessment, user: User, text: str,
                 versions: Mapping[str, int] | None = None) -> ImportPlan:
    """Save the file's answers based on the preview's `versions` (the current ones when None);
    `ImportConflict` when someone saved one since. The caller rolls back on an error."""
    plan = plan_import(session, assessment, text)
    seen = plan.versions if versions is None else versions
    if plan.details_change:
        assessment.name, assessment.description = plan.name[:200], plan.description
    inputs = [AnswerInput(c.question_id, c.after, seen.get(c.key, 0)) for c in plan.changes]
    result = save_answers(session, assessment, user, inputs)
    if result.conflicts:
        raise ImportConflict([("Lens", conflict) for conflict in result.conflicts])
    if plan.details_change and not result.saved:
        mark_changed(session, assessment, content=None)  # a lens's status reads no questionnaire
    return plan


def start_from(session: Session, team: Team, user: User, text: str, *,
               content: Content) -> Assessment:
    """A new review of `team` on the lens version the file names (the newest when it names
    none), named by the file's system; its answers are imported next."""
    from webapp.assessments.services import start_assessment

    data = read_file(session, text)
    name = data.name.strip()
    if not name:
        raise ImportProblems(["system.name: give the system a name; it names the assessment"])
    try:
        return start_assessment(session, team, user, name=name[:200],
                                description=data.description,
                                questionnaire_id=data.questionnaire, version=data.version,
                                content=content)
    except ServiceError:  # the lens is there (read_file found it), so it is retired
        raise ImportProblems([f"lens “{data.questionnaire}” is retired: no new review starts "
                              "on it until an administrator brings it back"]) from None
