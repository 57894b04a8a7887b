"""Remediation tracking: status, owner, due date and comments for each finding of the plan.

A finding is known by its rule and the workflow it was found in (`FindingRef`); the plan comes
from the current evaluation, so every entry in it is still triggered by the answers. An entry
marked done while it is still in the plan is flagged: the work may be done, but the answers do
not show it yet. Tracked findings that the answers no longer trigger are listed apart.

Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp import domain
from webapp.accounts.models import User
from webapp.assessments.evaluation import (
    evaluate_assessment,
    finding_anchor,
    finding_data,
    workflow_positions,
)
from webapp.assessments.kinds import kind_of
from webapp.assessments.models import SYSTEM_SCOPE, Assessment, Workflow, workflow_scope
from webapp.audit.services import record_audit
from webapp.core.cache import ResultCache
from webapp.core.db import utcnow
from webapp.core.errors import NotFoundError
from webapp.core.services import ServiceError
from webapp.teams.services import members_of
from webapp.tracking.models import (
    COMMENT_MAX,
    FindingComment,
    FindingStatus,
    FindingTracking,
    Milestone,
)

logger = logging.getLogger(__name__)

FLAG_TEXT = "Marked done, but the answers still show it"
CLOSED = (FindingStatus.DONE, FindingStatus.RISK_ACCEPTED)


@dataclass(frozen=True)
class FindingRef:
    rule_id: str
    workflow_id: int | None = None

    @property
    def scope(self) -> str:
        return SYSTEM_SCOPE if self.workflow_id is None else workflow_scope(self.workflow_id)


@dataclass
class PlanEntry:
    """One finding of the plan with its tracking (None while nobody has touched it)."""

    number: int
    ref: FindingRef
    finding: dict[str, Any]
    position: int | None
    tracking: FindingTracking | None = None
    triggered: bool = True

    @property
    def status(self) -> FindingStatus:
        return self.tracking.status_enum if self.tracking else FindingStatus.OPEN

    @property
    def flagged(self) -> bool:
        """Marked done while the answers still trigger it."""
        return self.triggered and self.status is FindingStatus.DONE

    @property
    def anchor(self) -> str:
        return finding_anchor(self.ref.rule_id, self.position)

    def overdue(self, today: dt.date) -> bool:
        """Past its due date and neither done nor accepted."""
        t = self.tracking
        return bool(t and t.due_date and t.due_date < today and self.status not in CLOSED)

    def review_due(self, today: dt.date) -> bool:
        """An accepted risk whose review date has come."""
        t = self.tracking
        return bool(t and self.status is FindingStatus.RISK_ACCEPTED and t.review_date
                    and t.review_date <= today)


@dataclass
class TrackedPlan:
    entries: list[PlanEntry] = field(default_factory=list)
    #: Tracked findings the answers no longer trigger (done or not).
    resolved: list[FindingTracking] = field(default_factory=list)

    @property
    def flagged(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.flagged]


def _trackings(session: Session, assessment: Assessment) -> dict[FindingRef, FindingTracking]:
    query = (select(FindingTracking).where(FindingTracking.assessment_id == assessment.id)
             .options(selectinload(FindingTracking.owner), selectinload(FindingTracking.comments),
                      selectinload(FindingTracking.workflow)))
    return {FindingRef(t.rule_id, t.workflow_id): t for t in session.scalars(query)}


def _plan_findings(result: domain.Result) -> list[domain.result.Finding]:
    """The findings in plan order (any finding the plan leaves out comes last)."""
    by_key = {f.key: f for f in result.findings}
    ordered = [by_key[step.key] for step in result.plan if step.key in by_key]
    seen = {f.key for f in ordered}
    return ordered + [f for f in result.findings if f.key not in seen]


def tracked_plan(session: Session, assessment: Assessment, cache: ResultCache) -> TrackedPlan:
    """The current plan, each finding with its tracking, plus the tracked ones now resolved."""
    if (kind := kind_of(assessment)) is not None:
        return _lens_plan(session, assessment, kind.result(session, assessment))
    result = evaluate_assessment(session, assessment, cache)
    dicts = dict(zip((f.key for f in result.findings), finding_data(assessment, result, cache),
                     strict=True))
    workflows = {w.position: w for w in assessment.workflows}
    trackings = _trackings(session, assessment)
    plan = TrackedPlan()
    for number, finding in enumerate(_plan_findings(result), start=1):
        position = finding.position if finding.position >= 0 else None
        workflow = workflows.get(position) if position is not None else None
        ref = FindingRef(finding.rule, workflow.id if workflow else None)
        plan.entries.append(PlanEntry(number, ref, dicts[finding.key], position,
                                      trackings.pop(ref, None)))
    plan.resolved = sorted(trackings.values(), key=lambda t: (t.scope, t.rule_id))
    return plan


def _lens_plan(session: Session, assessment: Assessment, result: Any) -> TrackedPlan:
    """A review on a lens: its risky questions in plan order, tracked by question id."""
    trackings, plan = _trackings(session, assessment), TrackedPlan()
    for number, question in enumerate(result.plan, start=1):
        ref = FindingRef(question.question.id)
        plan.entries.append(PlanEntry(number, ref, lens_finding(question), None,
                                      trackings.pop(ref, None)))
    plan.resolved = sorted(trackings.values(), key=lambda t: t.rule_id)
    return plan


def lens_finding(question: Any) -> dict[str, Any]:
    """A risky lens question as a plan entry: high risks now, medium ones next; the pillar
    stands where a workflow would, the improvement texts are the fix."""
    high = question.risk.value == "high"
    return {"rule": question.question.id, "title": question.question.title,
            "severity": question.risk.value, "bucket": "now" if high else "next",
            "workflow": question.pillar.name, "scope": "pillar",
            "rationale": question.question.description,
            "remediation": [f"{i.choice.title.rstrip('. ')}: {i.text}"
                            for i in question.improvements],
            "verification": []}


@dataclass(frozen=True)
class TrackingRow:
    """What the results page and the report show of one finding's tracking (no ORM object:
    read on every results view, in one query)."""

    rule_id: str
    workflow_id: int | None
    status: str
    owner: str | None
    due_date: dt.date | None
    justification: str | None
    review_date: dt.date | None


def tracking_rows(session: Session, assessment: Assessment) -> list[TrackingRow]:
    """The assessment's tracked findings with their owner's name, in one query; give them to
    `plan_summary` and `follow_up` when a page needs both."""
    query = (select(FindingTracking.rule_id, FindingTracking.workflow_id, FindingTracking.status,
                    User.name, FindingTracking.due_date, FindingTracking.justification,
                    FindingTracking.review_date)
             .outerjoin(User, User.id == FindingTracking.owner_id)
             .where(FindingTracking.assessment_id == assessment.id))
    return [TrackingRow(*row) for row in session.execute(query)]


def _tracking_state_query():
    milestones = (select(func.count(Milestone.id)).where(Milestone.assessment_id == Assessment.id)
                  .scalar_subquery())
    return (select(milestones, FindingTracking.rule_id, FindingTracking.workflow_id,
                   FindingTracking.status, User.name, FindingTracking.due_date,
                   FindingTracking.justification, FindingTracking.review_date)
            .select_from(Assessment)
            .outerjoin(FindingTracking, FindingTracking.assessment_id == Assessment.id)
            .outerjoin(User, User.id == FindingTracking.owner_id)
            .where(Assessment.id == bindparam("assessment_id")))


#: Built once: the results page runs it on every view (building it cost as much as running it).
TRACKING_STATE = _tracking_state_query()


def tracking_state(session: Session, assessment: Assessment) -> tuple[list[TrackingRow], int]:
    """`tracking_rows` and the number of milestones, in one query (the results page reads
    both on every view)."""
    found = session.execute(TRACKING_STATE, {"assessment_id": assessment.id}).all()
    rows = [TrackingRow(*row[1:]) for row in found if row[1] is not None]
    return rows, found[0][0] if found else 0


def plan_summary(session: Session, assessment: Assessment, cache: ResultCache,
                 rows: list[TrackingRow] | None = None) -> dict[str, Any]:
    """Where the team stands on the current plan, for the results page: counts by status, the
    findings marked done that the answers still trigger, and each tracked finding's status by
    anchor. `rows`: the `tracking_rows` already read (this runs on every results view)."""
    result = evaluate_assessment(session, assessment, cache)
    triggered = {f.key for f in result.findings}
    if rows is None:
        rows = tracking_rows(session, assessment)
    positions = workflow_positions(assessment, cache) if rows else {}
    statuses: dict[tuple[str, int], FindingStatus] = {}
    for row in rows:
        key = (row.rule_id, positions.get(row.workflow_id, -2)
               if row.workflow_id is not None else -1)
        if key in triggered:
            statuses[key] = FindingStatus(row.status)
    counts = [(s, sum(v is s for v in statuses.values())) for s in FindingStatus]
    counts[0] = (FindingStatus.OPEN, counts[0][1] + len(triggered) - len(statuses))
    items = {finding_anchor(rule, position): {
        "status": status.value, "label": status.label,
        "flag": FLAG_TEXT if status is FindingStatus.DONE else None}
        for (rule, position), status in statuses.items() if status is not FindingStatus.OPEN}
    flagged = sum(status is FindingStatus.DONE for status in statuses.values())
    return {"counts": counts, "flagged": flagged, "items": items}


def find_entry(session: Session, assessment: Assessment, ref: FindingRef,
               cache: ResultCache) -> PlanEntry:
    """The plan entry for `ref`; a tracked but resolved finding as an untriggered entry; 404."""
    plan = tracked_plan(session, assessment, cache)
    for entry in plan.entries:
        if entry.ref == ref:
            return entry
    for tracking in plan.resolved:
        if FindingRef(tracking.rule_id, tracking.workflow_id) == ref:
            return PlanEntry(0, ref, {"rule": ref.rule_id, "title": ref.rule_id,
                                      "workflow": _workflow_name(tracking)}, None, tracking,
                             triggered=False)
    raise NotFoundError()


def _workflow_name(tracking: FindingTracking) -> str | None:
    return tracking.workflow.name if tracking.workflow is not None else None


@dataclass(frozen=True)
class TrackingInput:
    status: str
    owner_id: int | None = None
    due_date: dt.date | None = None
    justification: str = ""
    review_date: dt.date | None = None


def _check(session: Session, assessment: Assessment, data: TrackingInput) -> TrackingInput:
    try:
        status = FindingStatus(data.status)
    except ValueError:
        raise ServiceError("Choose one of the listed statuses.", "status") from None
    justification = (data.justification or "").strip()
    if len(justification) > COMMENT_MAX:
        raise ServiceError(f"Keep the justification under {COMMENT_MAX:,} characters.",
                           "justification")
    if status is FindingStatus.RISK_ACCEPTED:
        if not justification:
            raise ServiceError("Say why the risk is accepted: who decided, and what limits "
                               "the damage meanwhile.", "justification")
        if data.review_date is None:
            raise ServiceError("Set a date to look at this accepted risk again.", "review_date")
    else:
        justification, data = "", TrackingInput(data.status, data.owner_id, data.due_date)
    members = {m.user_id for m in members_of(session, assessment.team)}
    if data.owner_id is not None and data.owner_id not in members:
        raise ServiceError("Choose a member of the team as owner.", "owner")
    return TrackingInput(status.value, data.owner_id, data.due_date, justification,
                         data.review_date)


def _find_row(session: Session, assessment: Assessment,
              ref: FindingRef) -> FindingTracking | None:
    return session.scalar(select(FindingTracking).where(
        FindingTracking.assessment_id == assessment.id, FindingTracking.scope == ref.scope,
        FindingTracking.rule_id == ref.rule_id))


def _row(session: Session, assessment: Assessment, ref: FindingRef) -> FindingTracking:
    """The finding's tracking row, created (open) on first use. Two requests creating it at
    once end with one row: the loser's insert fails on the unique constraint and reads it."""
    row = _find_row(session, assessment, ref)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = FindingTracking(assessment_id=assessment.id, scope=ref.scope,
                                  rule_id=ref.rule_id, workflow_id=ref.workflow_id,
                                  status=FindingStatus.OPEN.value)
            session.add(row)
            session.flush()
    except IntegrityError:
        logger.info("finding %s of assessment %s was tracked concurrently", ref, assessment.id)
        row = _find_row(session, assessment, ref)
        if row is None:
            raise
    return row


def _target(entry: PlanEntry) -> str:
    workflow = entry.finding.get("workflow")
    return f"{entry.ref.scope}/{entry.ref.rule_id}" + (f" ({workflow})" if workflow else "")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _changes(session: Session, row: FindingTracking,
             data: TrackingInput) -> list[tuple[str, dict[str, Any]]]:
    changes = []
    if row.status != data.status or (
            data.status == FindingStatus.RISK_ACCEPTED
            and (row.justification, row.review_date) != (data.justification, data.review_date)):
        detail: dict[str, Any] = {"before": row.status, "after": data.status}
        if data.status == FindingStatus.RISK_ACCEPTED:
            detail |= {"justification": data.justification,
                       "review_date": _iso(data.review_date)}
        changes.append(("finding.status_changed", detail))
    if row.owner_id != data.owner_id:
        owner = session.get(User, data.owner_id) if data.owner_id is not None else None
        changes.append(("finding.owner_changed", {"before": _user_name(row.owner),
                                                  "after": _user_name(owner)}))
    if row.due_date != data.due_date:
        changes.append(("finding.due_changed", {"before": _iso(row.due_date),
                                                "after": _iso(data.due_date)}))
    return changes


def _user_name(user: User | None) -> str | None:
    return user.name if user is not None else None


def update_tracking(session: Session, assessment: Assessment, user: User, ref: FindingRef,
                    data: TrackingInput, cache: ResultCache) -> FindingTracking:
    """Set status, owner, due date (and an accepted risk's justification and review date).

    Raises `ServiceError` naming the field for a refused value; nothing changes then.
    """
    entry = find_entry(session, assessment, ref, cache)
    data = _check(session, assessment, data)
    row = entry.tracking or _row(session, assessment, ref)
    changes = _changes(session, row, data)
    if not changes and row.id is not None:
        return row
    row.status, row.owner_id, row.due_date = data.status, data.owner_id, data.due_date
    row.justification = data.justification or None
    row.review_date = data.review_date
    row.updated_by_id, row.updated_at = user.id, utcnow()
    session.flush()
    for action, detail in changes:
        record_audit(session, assessment=assessment, actor=user, action=action,
                     target=_target(entry), detail=detail)
    logger.info("assessment %s: finding %s tracked by user %s (%d changes)", assessment.id,
                ref, user.id, len(changes))
    return row


def add_comment(session: Session, assessment: Assessment, user: User, ref: FindingRef,
                body: str, cache: ResultCache) -> FindingComment:
    entry = find_entry(session, assessment, ref, cache)
    body = (body or "").strip()
    if not body:
        raise ServiceError("Write a comment first.", "body")
    if len(body) > COMMENT_MAX:
        raise ServiceError(f"Comments are limited to {COMMENT_MAX:,} characters; this one has "
                           f"{len(body):,}.", "body")
    row = entry.tracking or _row(session, assessment, ref)
    comment = FindingComment(body=body, author_id=user.id)
    row.comments.append(comment)
    session.flush()
    record_audit(session, assessment=assessment, actor=user, action="finding.comment_added",
                 target=_target(entry), detail={"comment": comment.id})
    return comment


def workflow_of(assessment: Assessment, workflow_id: int | None) -> Workflow | None:
    """The assessment's workflow with that id (None for the system); 404 for a stranger's."""
    if workflow_id is None:
        return None
    for workflow in assessment.workflows:
        if workflow.id == workflow_id:
            return workflow
    raise NotFoundError(f"This assessment has no workflow {workflow_id}.")


def follow_up(session: Session, assessment: Assessment, cache: ResultCache,
              rows: list[TrackingRow] | None = None) -> dict[str, dict[str, Any]]:
    """What the report shows beside each finding: status, owner, due date and an accepted
    risk's reason, keyed "rule@position" ("rule@" for system findings). Plain values, so they
    join the report data and the PDF's cache key. `rows`: the `tracking_rows` already read."""
    if rows is None:
        rows = tracking_rows(session, assessment)
    positions = workflow_positions(assessment, cache) if rows else {}
    out: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda row: (row.rule_id, row.workflow_id or 0)):
        position = positions.get(row.workflow_id) if row.workflow_id else None
        out[follow_up_key(row.rule_id, position)] = {
            "status": row.status, "status_label": FindingStatus(row.status).label,
            "owner": row.owner, "due": _iso(row.due_date),
            "justification": row.justification or None, "review": _iso(row.review_date)}
    return out


def follow_up_key(rule: str, position: int | None) -> str:
    return f"{rule}@{'' if position is None else position}"


@dataclass(frozen=True)
class Refusal:
    """One finding of a bulk change that was refused, and why."""

    ref: FindingRef
    title: str
    message: str


class BulkRefused(ServiceError):
    """A bulk change was refused for some findings; nothing was changed."""

    def __init__(self, refusals: list[Refusal]) -> None:
        super().__init__(f"{len(refusals)} of the selected findings cannot be changed.",
                         "findings")
        self.refusals = refusals


KEEP = object()


def bulk_update(session: Session, assessment: Assessment, user: User, refs: list[FindingRef],
                cache: ResultCache, status: str | None = None,
                owner_id: int | None | object = KEEP) -> int:
    """Set the status and/or owner of several findings, each through `update_tracking` (same
    checks, same audit events). All or nothing: any refusal raises `BulkRefused` naming each
    refused finding, and nothing changes. Returns how many findings were changed."""
    if not refs:
        raise ServiceError("Select at least one finding.", "findings")
    if status is None and owner_id is KEEP:
        raise ServiceError("Choose a new status or owner for the selected findings.", "status")
    plan = tracked_plan(session, assessment, cache)
    entries = {e.ref: e for e in plan.entries}
    refusals: list[Refusal] = []
    changed = 0
    savepoint = session.begin_nested()
    for ref in dict.fromkeys(refs):
        entry = entries.get(ref)
        if entry is None:
            refusals.append(Refusal(ref, ref.rule_id, "This finding is not in the plan."))
            continue
        t = entry.tracking
        data = TrackingInput(
            status or entry.status.value,
            (t.owner_id if t else None) if owner_id is KEEP else owner_id,  # type: ignore[arg-type]
            t.due_date if t else None, (t.justification or "") if t else "",
            t.review_date if t else None)
        try:
            before = len(_changes(session, t, _check(session, assessment, data))) if t else 1
            update_tracking(session, assessment, user, ref, data, cache)
        except ServiceError as error:
            hint = (" Accept a risk on the finding's own page."
                    if error.field in ("justification", "review_date") else "")
            refusals.append(Refusal(ref, entry.finding.get("title") or ref.rule_id,
                                    error.message + hint))
            continue
        changed += bool(before)
    if refusals:
        savepoint.rollback()
        raise BulkRefused(refusals)
    savepoint.commit()
    logger.info("assessment %s: bulk change of %d findings by user %s", assessment.id, changed,
                user.id)
    return changed
