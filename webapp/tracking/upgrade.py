"""Upgrading an assessment to the newest questionnaire version, carrying its answers.

The preview says what carries, what is new and what is retired; the upgrade first freezes a
milestone (so the results on the old version stay viewable exactly as they were), then moves
each stored answer through the content's mapping, pins the new version and records it in the
audit log. Answers to retired questions stay in the milestone; nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments.evaluation import answers_for_domain
from webapp.assessments.models import NOTE_MAX_CHARS, Answer, Assessment
from webapp.assessments.services import mark_changed
from webapp.audit.services import record_audit
from webapp.core.cache import ResultCache
from webapp.core.services import ServiceError
from webapp.domain import Content
from webapp.domain.models import Questionnaire
from webapp.domain.upgrade import Carried, UpgradeReport, target, upgrade_answers
from webapp.lenses.models import LENS_PREFIX


@dataclass
class Line:
    """One question in the preview: where it was, where it goes, the answer it carries."""

    workflow: str | None
    old: str
    new: str
    text: str
    answer: str
    why: str = ""


@dataclass
class Preview:
    from_version: int
    to_version: int
    title: str
    carried: int
    renamed: list[Line] = field(default_factory=list)
    retired: list[Line] = field(default_factory=list)
    dropped: list[Line] = field(default_factory=list)
    new_questions: list[tuple[str, str]] = field(default_factory=list)  # (section, text)


def _versions(assessment: Assessment,
              content: Content) -> tuple[Questionnaire, Questionnaire] | None:
    """(newest, current) when the assessment can be upgraded; None when it is up to date."""
    if assessment.questionnaire_id.startswith(LENS_PREFIX):
        return None
    try:
        newest = content.questionnaire(assessment.questionnaire_id)
        current = content.questionnaire(assessment.questionnaire_id,
                                        assessment.questionnaire_version)
    except KeyError:
        return None
    if newest.version == current.version or newest.upgrade is None \
            or newest.upgrade.from_version != current.version:
        return None
    return newest, current


def can_upgrade(assessment: Assessment, *, content: Content) -> bool:
    return _versions(assessment, content) is not None


def _report(session: Session, assessment: Assessment,
            content: Content) -> tuple[Questionnaire, UpgradeReport]:
    versions = _versions(assessment, content)
    if versions is None:
        raise ServiceError("This assessment is already on the newest questionnaire version.")
    newest, current = versions
    _, report = upgrade_answers(newest, current,
                                answers_for_domain(session, assessment, content=content))
    return newest, report


def preview(session: Session, assessment: Assessment, *, content: Content) -> Preview:
    newest, report = _report(session, assessment, content)
    old_index = content.index(assessment.questionnaire_id, report.from_version)
    new_index = content.index(assessment.questionnaire_id, report.to_version)

    def said(index, qid: str, answer) -> str:
        if answer is None or (not answer.choices and answer.na is None):
            return "no answer, a note"
        if answer.na is not None:
            return f"Not applicable: {answer.na}"
        labels = index.questions[qid].labels if qid in index.questions else {}
        return ", ".join(labels.get(c, c) for c in answer.choices)

    def line(c: Carried, index, qid: str, answer) -> Line:
        info = index.questions.get(qid)
        return Line(c.workflow, c.old, c.new, info.question.text if info else qid,
                    said(index, qid, answer), c.why)

    sections = {q: info.section.title for q, info in new_index.questions.items()}
    return Preview(
        report.from_version, report.to_version, newest.title, len(report.carried),
        [line(c, new_index, c.new, c.after) for c in report.carried if c.old != c.new],
        [line(c, old_index, c.old, c.before) for c in report.retired],
        [line(c, old_index, c.old, c.before) for c in report.dropped],
        [(sections[q], new_index.questions[q].question.text) for q in report.new_questions],
    )


def upgrade(session: Session, assessment: Assessment, user: User, cache: ResultCache) -> int:
    """Upgrade `assessment`; returns the id of the milestone frozen before it."""
    from webapp.tracking.milestones import create_milestone

    newest, report = _report(session, assessment, cache.content)
    name = _milestone_name(session, assessment, report.from_version)
    milestone = create_milestone(
        session, assessment, user, name=name,
        note=f"Frozen automatically before the upgrade to version {report.to_version}: the "
             f"results on version {report.from_version}, exactly as they were.", cache=cache)
    mapping = newest.upgrade.questions if newest.upgrade else {}
    rows = session.scalars(select(Answer).where(Answer.assessment_id == assessment.id)).all()
    dropped = {(c.position, c.old) for c in report.dropped}
    positions = {w.scope: w.position for w in assessment.workflows}
    for row in rows:
        entry = mapping.get(row.question_id)
        goes = target(entry, row.question_id) if entry is not None else None
        if goes is None:  # retired (or unknown): it stays in the milestone
            session.delete(row)
            continue
        new_id, renames = goes
        if (positions.get(row.scope, -1), row.question_id) in dropped:
            row.na_reason = None  # N/A is no longer allowed here: asked again, note kept
        row.question_id = new_id
        row.choices = list(dict.fromkeys(renames.get(c, c) for c in row.choices))
        row.version += 1
    _store_derived(session, assessment, report, user)
    assessment.questionnaire_version = report.to_version
    assessment.upgraded_from = report.from_version
    session.flush()
    mark_changed(session, assessment, content=cache.content)
    record_audit(
        session, assessment=assessment, actor=user, action="assessment.upgraded",
        target=f"questionnaire:{assessment.questionnaire_id}",
        detail={"from": report.from_version, "to": report.to_version,
                "milestone": milestone.id, "carried": len(report.carried),
                "renamed": sum(1 for c in report.carried if c.old != c.new),
                "retired": [c.old for c in report.retired],
                "dropped": [c.old for c in report.dropped],
                "new_questions": len(report.new_questions)})
    return milestone.id


def _store_derived(session: Session, assessment: Assessment, report: UpgradeReport,
                   user: User) -> None:
    """One row per question whose answer was derived from several merged answers (their rows
    are gone with the other retired ones; the milestone keeps them as they were)."""
    workflows = {w.position: w for w in assessment.workflows}
    session.flush()  # the merged rows' deletes first: a derived id may reuse a merged one
    for d in report.derived:
        workflow = workflows.get(d.position) if d.workflow is not None else None
        if d.workflow is not None and workflow is None:
            continue
        note = d.note if len(d.note) <= NOTE_MAX_CHARS else d.note[:NOTE_MAX_CHARS - 1] + "\u2026"
        session.add(Answer(
            assessment_id=assessment.id, workflow_id=workflow.id if workflow else None,
            scope=workflow.scope if workflow else "system", question_id=d.new,
            choices=list(d.after.choices) if d.after else [],
            na_reason=d.after.na if d.after else None, note=note, version=1,
            updated_by_id=user.id))


def _milestone_name(session: Session, assessment: Assessment, version: int) -> str:
    from webapp.tracking.models import Milestone

    base = f"Before the upgrade from version {version}"
    taken = set(session.scalars(select(Milestone.name).where(
        Milestone.assessment_id == assessment.id)))
    name, n = base, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    return name


def upgrade_event(session: Session, assessment: Assessment):
    """The audit event of the assessment's last upgrade: an editor's (its detail names the
    milestone) or an import of an answers file written for the older version."""
    from webapp.audit.models import AuditEvent

    events = session.scalars(
        select(AuditEvent).where(AuditEvent.assessment_id == assessment.id,
                                 AuditEvent.action.in_(("assessment.upgraded",
                                                        "assessment.imported")))
        .order_by(AuditEvent.id.desc()))
    return next((e for e in events if e.action == "assessment.upgraded"
                 or (e.detail or {}).get("upgraded_from") is not None), None)
