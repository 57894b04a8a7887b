"""The portfolio's rows: every assessment of the teams a person may see (administrators: all
teams), with score, layer heat map, risk counts, fit, open "Now" actions, overdue tracking
and the score trend over the milestones. A handful of queries for the whole page; engine
figures come from `facts` (computed once per assessment revision)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments.evaluation import QuestionnaireMissing, evaluate_assessment
from webapp.assessments.models import STATUS_VALUES, Assessment, Workflow
from webapp.lenses.services import is_lens_assessment, lens_result
from webapp.portfolio import facts as facts_module
from webapp.portfolio.facts import Facts
from webapp.teams.models import Membership, Team
from webapp.tracking.models import FindingStatus, FindingTracking, Milestone

#: The columns a row needs; the whole assessment is loaded only to evaluate a new revision.
LISTED = (Assessment.id, Assessment.name, Assessment.team_id, Assessment.status,
          Assessment.revision, Assessment.updated_at)
CLOSED = {FindingStatus.DONE.value, FindingStatus.RISK_ACCEPTED.value}
SORTS = ("name", "team", "score", "critical", "high", "coverage", "now", "overdue", "updated")


@dataclass(frozen=True)
class Point:
    label: str
    date: dt.datetime | None
    score: float | None


@dataclass
class Row:
    id: int
    name: str
    team_id: int
    team: str
    status: str
    updated_at: dt.datetime
    facts: Facts | None
    problem: str | None = None
    now_open: int = 0
    overdue: int = 0
    trend: list[Point] = field(default_factory=list)

    @property
    def overall(self) -> float | None:
        return self.facts.overall if self.facts else None


@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    status: str | None = None
    sort: str = "name"
    descending: bool = False


def visible_teams(session: Session, user: User) -> list[Team]:
    query = select(Team).order_by(Team.name, Team.id)
    if not user.is_admin:
        query = query.join(Membership).where(Membership.user_id == user.id)
    return list(session.scalars(query))


def rows(session: Session, user: User, filters: Filters, today: dt.date) -> list[Row]:
    teams = {t.id: t.name for t in visible_teams(session, user)}
    wanted = [filters.team_id] if filters.team_id in teams else list(teams)
    query = select(*LISTED).where(Assessment.team_id.in_(wanted))
    if filters.status in STATUS_VALUES:
        query = query.where(Assessment.status == filters.status)
    assessments = list(session.execute(query))
    ids = [a.id for a in assessments]
    trackings, workflows = _trackings(session, ids), _workflow_ids(session, ids)
    trends = _trends(session, ids)
    out = [_row(session, a, teams[a.team_id], trackings.get(a.id, []), workflows.get(a.id, {}),
                trends.get(a.id, []), today) for a in assessments]
    return sort_rows(out, filters)


def _row(session, assessment, team, trackings, workflows, trend, today) -> Row:
    row = Row(assessment.id, assessment.name, assessment.team_id, team, assessment.status,
              assessment.updated_at, None)
    try:
        row.facts = _facts(session, assessment)
    except QuestionnaireMissing as error:
        row.problem = error.message
        return row
    closed = {(scope, rule) for scope, rule, status, _due in trackings if status in CLOSED}
    row.now_open = sum(1 for rule, wf in row.facts.now
                       if (_scope(workflows, wf), rule) not in closed)
    row.overdue = sum(1 for _s, _r, status, due in trackings
                      if due is not None and due < today and status not in CLOSED)
    row.trend = [*trend, Point("Now", assessment.updated_at, row.facts.overall)]
    return row


def _facts(session: Session, listed: Any) -> Facts:
    key = (listed.id, listed.revision, listed.updated_at)
    found = facts_module.cache().get(key)
    if found is None:
        assessment = session.get(Assessment, listed.id)
        if is_lens_assessment(assessment):
            found = facts_module.lens_facts(lens_result(session, assessment))
        else:
            found = facts_module.facts_of(evaluate_assessment(session, assessment))
        facts_module.cache().put(key, found)
    return found


def _scope(workflows: dict[str, int], name: str | None) -> str:
    if name is None:
        return "system"
    workflow_id = workflows.get(name)
    return f"workflow:{workflow_id}" if workflow_id is not None else f"workflow:?{name}"


def _trackings(session: Session, ids: list[int]) -> dict[int, list[tuple]]:
    query = select(FindingTracking.assessment_id, FindingTracking.scope, FindingTracking.rule_id,
                   FindingTracking.status, FindingTracking.due_date).where(
        FindingTracking.assessment_id.in_(ids))
    out: dict[int, list[tuple]] = defaultdict(list)
    for assessment_id, *rest in session.execute(query):
        out[assessment_id].append(tuple(rest))
    return out


def _workflow_ids(session: Session, ids: list[int]) -> dict[int, dict[str, int]]:
    query = select(Workflow.assessment_id, Workflow.name, Workflow.id).where(
        Workflow.assessment_id.in_(ids))
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for assessment_id, name, workflow_id in session.execute(query):
        out[assessment_id].setdefault(name, workflow_id)
    return out


def _trends(session: Session, ids: list[int]) -> dict[int, list[Point]]:
    """Each assessment's milestones as trend points, oldest first. Only the ids are queried
    (a milestone row's later columns sit behind its large JSON); a frozen milestone's point is
    read once per process."""
    query = select(Milestone.id, Milestone.assessment_id).where(
        Milestone.assessment_id.in_(ids)).order_by(Milestone.id)
    listed = list(session.execute(query))
    points = _milestone_points(session, [milestone_id for milestone_id, _a in listed])
    out: dict[int, list[Point]] = defaultdict(list)
    for milestone_id, assessment_id in listed:
        out[assessment_id].append(points[milestone_id])
    for trend in out.values():
        trend.sort(key=lambda p: p.date or dt.datetime.min)
    return out


def _milestone_points(session: Session, ids: list[int]) -> dict[int, Point]:
    cache = facts_module.milestone_scores()
    known = {i: cache.get(i) for i in ids}
    missing = [i for i, value in known.items() if value is None]
    if missing:
        query = select(Milestone.id, Milestone.name, Milestone.created_at,
                       Milestone.result).where(Milestone.id.in_(missing))
        for milestone_id, name, created_at, result in session.execute(query):
            known[milestone_id] = Point(name, created_at, (result or {}).get("overall"))
            cache.put(milestone_id, known[milestone_id])
    return known


def _sort_value(row: Row, key: str) -> Any:
    f = row.facts
    return {
        "name": row.name.lower(), "team": (row.team.lower(), row.name.lower()),
        "score": f.overall if f and f.overall is not None else -1,
        "critical": f.critical if f else -1, "high": f.high if f else -1,
        "coverage": f.coverage if f and f.coverage is not None else -1,
        "now": row.now_open, "overdue": row.overdue, "updated": row.updated_at.timestamp(),
    }[key]


def sort_rows(rows: list[Row], filters: Filters) -> list[Row]:
    key = filters.sort if filters.sort in SORTS else "name"
    return sorted(rows, key=lambda r: (_sort_value(r, key), r.id), reverse=filters.descending)


def layer_columns(rows: list[Row]) -> list[tuple[str, str]]:
    """(id, title) of every layer shown, in the order the first result lists them."""
    seen: dict[str, str] = {}
    for row in rows:
        for layer_id, title, _score in row.facts.layers if row.facts else ():
            seen.setdefault(layer_id, title)
    return list(seen.items())
