"""An assessment as an answers file (the YAML `faultline report` reads), and back.

Export writes what the engine evaluates: the system, every answer, N/A reason and note, every
workflow with its answers and its automation file's path, in questionnaire order, so exporting
the same assessment twice gives the same bytes.

Import is planned first (`plan_import`: what would change, nothing written) and then applied
(`apply_import`) with the answer versions the plan was shown with: an answer someone saved in
between is a conflict, as on a question page, and nothing is written.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml
from sqlalchemy.orm import Session

from webapp import domain
from webapp.accounts.models import User
from webapp.assessments.answers import (
    AnswerInput,
    AnswerValue,
    Conflict,
    answer_problem,
    answers_in_scope,
    index_of,
    normalize,
    save_answers,
    value_of,
)
from webapp.assessments.evaluation import answers_for_domain
from webapp.assessments.models import NOTE_MAX_CHARS, Assessment, Workflow
from webapp.assessments.services import mark_changed
from webapp.audit.services import record_audit
from webapp.core.services import ServiceError
from webapp.core.text import counted
from webapp.domain.lens_answers import is_lens_file
from webapp.domain.yamlio import YamlSyntaxError, parse_yaml
from webapp.lenses.services import is_lens_assessment

logger = logging.getLogger(__name__)

#: An upload larger than this is refused before it is parsed.
MAX_FILE_BYTES = 1_000_000


class ImportProblems(ServiceError):
    """The file cannot be imported; `problems` names each place and what is wrong."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("The answers file cannot be imported: " + problems[0], "upload")
        self.problems = problems


class ImportConflict(ServiceError):
    """Answers changed since the preview; nothing was imported."""

    def __init__(self, conflicts: list[tuple[str, Conflict]]) -> None:
        super().__init__(
            f"{counted(len(conflicts), 'answer')} {'was' if len(conflicts) == 1 else 'were'} "
            "changed by someone else since the preview. "
            "Nothing was imported: review the changes again."
        )
        self.conflicts = conflicts


# --- export ---------------------------------------------------------------------------------


def _lens_file():
    from webapp.interchange import lens_file  # it builds on this module's plan and errors

    return lens_file


def export_dict(session: Session, assessment: Assessment, *, content: domain.Content) -> dict:
    """The answers-file data of `assessment`, in questionnaire (or lens) order."""
    if is_lens_assessment(assessment):
        return _lens_file().export_dict(session, assessment)
    order = {qid: i for i, qid in enumerate(index_of(assessment, content=content).questions)}
    answers = answers_for_domain(session, assessment, content=content)
    data = domain.answers_to_dict(answers)
    data["answers"] = _ordered(data["answers"], order)
    data["notes"] = _ordered(data["notes"], order)
    for entry, workflow in zip(data["workflows"], assessment.workflows, strict=True):
        entry["answers"] = _ordered(entry["answers"], order)
        entry["notes"] = _ordered(entry["notes"], order)
        if workflow.automation_name:
            entry["file"] = workflow.automation_name
    return data


def _ordered(values: Mapping[str, object], order: Mapping[str, int]) -> dict:
    return dict(sorted(values.items(), key=lambda item: order.get(item[0], len(order))))


def export_yaml(session: Session, assessment: Assessment, *, content: domain.Content) -> str:
    """The answers file (YAML text) of `assessment`."""
    body = yaml.safe_dump(
        export_dict(session, assessment, content=content), sort_keys=False, allow_unicode=True,
        width=100,
    )
    use = ("# Import it with: faultline import THIS-FILE.yaml --team TEAM"
           if is_lens_assessment(assessment) else
           "# Report it with: faultline report THIS-FILE.yaml --format html -o review.html")
    return f"# Faultline answers file: {assessment.name}\n{use}\n{body}"


# --- import: the plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One answer the import changes: where, what it was (and its version), what it becomes."""

    workflow: str | None  #: the workflow's name, None for the system
    question_id: str
    question: str
    before: AnswerValue
    after: AnswerValue
    version: int
    #: Where the question is shown, when not the system or a workflow (a lens's pillar).
    place: str | None = None

    @property
    def where(self) -> str:
        return self.place or self.workflow or "System"

    @property
    def key(self) -> str:
        return f"{self.workflow or ''}\x1f{self.question_id}"


@dataclass
class ImportPlan:
    answers: domain.Answers
    name: str
    description: str
    changes: list[Change] = field(default_factory=list)
    new_workflows: list[str] = field(default_factory=list)
    #: workflows of the assessment the file does not name: kept as they are
    kept_workflows: list[str] = field(default_factory=list)
    #: (workflow, file path) the file names but the assessment does not hold yet
    files_needed: list[tuple[str, str]] = field(default_factory=list)

    details_change: bool = False
    #: the file was on this older questionnaire version and was carried to the assessment's
    upgraded_from: int | None = None
    #: answers of that file to questions the newer version retired: (workflow, question, why)
    not_carried: list[tuple[str | None, str, str]] = field(default_factory=list)
    #: how many of that file's answers were carried to the assessment's version
    carried: int = 0
    #: answers the file gives that saving would refuse, each named by its place
    problems: list[str] = field(default_factory=list)

    @property
    def versions(self) -> dict[str, int]:
        return {change.key: change.version for change in self.changes}

    @property
    def is_empty(self) -> bool:
        return not (self.changes or self.new_workflows or self.files_needed) and not (
            self.details_change
        )


#: Why a file with nothing in it is refused, wherever a file is imported.
EMPTY_FILE = "the file is empty: it names no questionnaire and holds no answers"


def refuse_empty(text: str) -> None:
    """`ImportProblems` when the file's document holds nothing: no text, only comments, or
    only empty values (`{}`, `null`, `system: {}`, `workflows: []`). Imported into an
    assessment it would clear every answer, so every import (into an assessment, as a new
    one, from the command line) refuses it in the same words. A file that does not parse is
    left to the parser, whose message names the line."""
    try:
        data, _lines = parse_yaml(text.lstrip("\ufeff"))
    except YamlSyntaxError:
        return
    if _holds_nothing(data):
        raise ImportProblems([EMPTY_FILE])


def _holds_nothing(value: object) -> bool:
    if isinstance(value, dict):
        return all(_holds_nothing(v) for v in value.values())
    if isinstance(value, list):
        return all(_holds_nothing(v) for v in value)
    return value is None or value == ""


def read_file(text: str, source: str = "answers.yaml", *,
              content: domain.Content) -> domain.Answers:
    """The answers in `text`, checked against the questionnaire they name; `ImportProblems`
    listing every problem (malformed YAML, unknown question or choice ids, bad shapes)."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ImportProblems([f"the file is larger than {MAX_FILE_BYTES // 1000} KB"])
    try:
        return domain.parse_answers_text(text, content, source)
    except domain.AnswersError as error:
        raise ImportProblems([str(problem) for problem in error.problems]) from None


def plan_import(session: Session, assessment: Assessment, text: str, *,
                content: domain.Content) -> ImportPlan:
    """What importing `text` into `assessment` would change; nothing is written."""
    refuse_empty(text)
    if is_lens_assessment(assessment):
        return _lens_file().plan_import(session, assessment, text)
    answers, report = _carried(assessment, read_file(text, content=content), content)
    _check_questionnaire(assessment, answers)
    plan = ImportPlan(answers, answers.system.name.strip() or assessment.name,
                      answers.system.description.strip())
    if report is not None:
        plan.upgraded_from = report.from_version
        plan.not_carried = [(c.workflow, c.old, c.why) for c in report.retired + report.dropped]
        plan.carried = len(report.carried)
    plan.details_change = (plan.name, plan.description) != (assessment.name, assessment.description)
    _plan_scope(session, assessment, plan, None, answers.answers, answers.notes,
                content=content)
    existing = {w.name: w for w in assessment.workflows}
    for own in answers.workflows:
        workflow = existing.get(own.name)
        if workflow is None:
            plan.new_workflows.append(own.name)
        _plan_scope(session, assessment, plan, workflow, own.answers, own.notes, own.name,
                    content=content)
        if own.files and (workflow is None or workflow.automation_name != own.files[0]):
            plan.files_needed.append((own.name, own.files[0]))
    named = {w.name for w in answers.workflows}
    plan.kept_workflows = [w.name for w in assessment.workflows if w.name not in named]
    if plan.problems:
        raise ImportProblems(plan.problems)
    return plan


def _carried(assessment: Assessment, answers: domain.Answers, content: domain.Content):
    """A file on the version the assessment's version upgrades from, carried to it through the
    content's mapping (with the report of what did not carry); other files as they are."""
    from webapp.domain.upgrade import upgrade_answers

    try:
        mine = content.questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)
    except KeyError:
        return answers, None
    if (answers.questionnaire in (None, mine.id) and answers.version is not None
            and mine.upgrade is not None and answers.version == mine.upgrade.from_version):
        old = content.questionnaire(mine.id, answers.version)
        return upgrade_answers(mine, old, answers)
    return answers, None


def _check_questionnaire(assessment: Assessment, answers: domain.Answers) -> None:
    qid, version = answers.questionnaire, answers.version
    if qid not in (None, assessment.questionnaire_id) or version not in (
        None,
        assessment.questionnaire_version,
    ):
        raise ImportProblems([
            f"the file answers questionnaire “{qid}” version {version}, this assessment "
            f"“{assessment.questionnaire_id}” version {assessment.questionnaire_version}"
        ])


def _plan_scope(session, assessment, plan, workflow, answers, notes, name=None, *,
                content) -> None:
    index = index_of(assessment, content=content)
    new_workflow = name is not None and workflow is None
    rows = {} if new_workflow else answers_in_scope(session, assessment, workflow)
    for qid in index.workflow_ids if name is not None else index.system_ids:
        after = normalize(index.questions[qid], _value(answers.get(qid), notes.get(qid, "")))
        row = rows.get(qid)
        before = value_of(row)
        if before != after:
            # what saving would refuse (a note over the limit) is refused here, named, before
            # anything is previewed or written
            problem = answer_problem(index.questions[qid], after)
            if problem:
                where = f"workflow “{name}”, " if name is not None else ""
                field = "notes" if len(after.note) > NOTE_MAX_CHARS else "answers"
                plan.problems.append(
                    f"{where}{field}.{qid}: {problem[:1].lower()}{problem[1:]}")
            version = row.version if row is not None else 0
            plan.changes.append(
                Change(name, qid, index.questions[qid].question.text, before, after, version)
            )


def _value(answer: domain.Answer | None, note: str) -> AnswerValue:
    if answer is None:
        return AnswerValue((), None, note)
    return AnswerValue(tuple(answer.choices), answer.na, note)


# --- import: applying it --------------------------------------------------------------------


def apply_import(
    session: Session,
    assessment: Assessment,
    user: User,
    text: str,
    versions: Mapping[str, int] | None = None,
    files: Mapping[str, str] | None = None,
    *,
    content: domain.Content,
) -> ImportPlan:
    """Import `text` into `assessment`, each answer based on the version in `versions` (the
    preview's; the current one when None). Raises `ImportConflict` when someone saved an answer
    since, `ImportProblems` for a bad file; the caller rolls back then."""
    refuse_empty(text)
    if is_lens_assessment(assessment):
        plan = _lens_file().apply_import(session, assessment, user, text, versions)
        return _imported(session, assessment, user, plan)
    plan = plan_import(session, assessment, text, content=content)
    seen = plan.versions if versions is None else versions
    if plan.details_change:
        assessment.name, assessment.description = plan.name[:200], plan.description
    workflows = _ensure_workflows(session, assessment, plan, content)
    conflicts: list[tuple[str, Conflict]] = []
    for name, scope_changes in _by_workflow(plan.changes).items():
        workflow = workflows.get(name) if name is not None else None
        inputs = [AnswerInput(c.question_id, c.after, seen.get(c.key, 0)) for c in scope_changes]
        result = save_answers(session, assessment, user, inputs, workflow, content=content)
        conflicts += [(name or "System", conflict) for conflict in result.conflicts]
    if conflicts:
        raise ImportConflict(conflicts)
    _link_files(session, plan, workflows, user, files or {}, content)
    if plan.upgraded_from is not None:
        # the answers came from the older version: the results show what the upgrade changed,
        # as after an editor's upgrade
        assessment.upgraded_from = plan.upgraded_from
    mark_changed(session, assessment, content=content)
    return _imported(session, assessment, user, plan)


def _imported(session: Session, assessment: Assessment, user: User, plan: ImportPlan
              ) -> ImportPlan:
    detail = {"answers": len(plan.changes), "workflows": len(plan.new_workflows)}
    if getattr(plan, "upgraded_from", None) is not None:
        detail.update(upgraded_from=plan.upgraded_from, carried=plan.carried)
    record_audit(session, assessment=assessment, actor=user, action="assessment.imported",
                 target=assessment.name, detail=detail)
    logger.info("assessment %s: answers file imported by user %s (%d changes)",
                assessment.id, user.id, len(plan.changes))
    return plan


def _by_workflow(changes: list[Change]) -> dict[str | None, list[Change]]:
    grouped: dict[str | None, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.workflow, []).append(change)
    return grouped


def _ensure_workflows(session: Session, assessment: Assessment, plan: ImportPlan,
                      content: domain.Content) -> dict:
    from webapp.assessments.workflows import add_workflow

    for name in plan.new_workflows:
        add_workflow(session, assessment, name=name, content=content)
    return {w.name: w for w in assessment.workflows}


def _link_files(session, plan: ImportPlan, workflows: dict[str, Workflow], user, files,
                content) -> None:
    """Link the automation files the caller could read (the CLI reads them next to the
    answers file); the others stay listed in `plan.files_needed` for the person to upload."""
    from webapp.assessments.automation import link_file

    still_needed = []
    for name, path in plan.files_needed:
        if path in files:
            link_file(session, workflows[name], user, path, files[path], content=content)
        else:
            still_needed.append((name, path))
    plan.files_needed = still_needed


def import_new(
    session: Session, team, user: User, text: str, files: Mapping[str, str] | None = None, *,
    content: domain.Content,
) -> tuple[Assessment, ImportPlan]:
    """A new assessment of `team` (on the questionnaire or lens the file names) holding the
    answers file `text`."""
    from webapp.assessments.services import start_assessment

    refuse_empty(text)
    if is_lens_file(text):
        assessment = _lens_file().start_from(session, team, user, text, content=content)
        return assessment, apply_import(session, assessment, user, text, content=content)
    answers = read_file(text, content=content)
    name = answers.system.name.strip()
    if not name:
        raise ImportProblems(["system.name: give the system a name; it names the assessment"])
    assessment = start_assessment(session, team, user, name=name[:200],
                                  description=answers.system.description,
                                  questionnaire_id=answers.questionnaire,
                                  version=answers.version, content=content)
    return assessment, apply_import(session, assessment, user, text, None, files,
                                    content=content)
