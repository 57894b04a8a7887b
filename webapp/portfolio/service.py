"""The portfolio's rows: every assessment of the teams a person may see (administrators: all
teams), with score, layer heat map, risk counts, fit, open "Now" actions, overdue tracking
and the score trend over the milestones. A handful of queries for the whole page; the engine's
figures are the summaries the task queue keeps per assessment revision (`summaries`): no
result is built here."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments.evaluation import revision_key
from webapp.assessments.models import STATUS_VALUES, Assessment, Workflow
from webapp.domain import Content
from webapp.portfolio import summaries
from webapp.portfolio.summaries import Facts
from webapp.teams.models import Membership, Team
from webapp.tracking.models import FindingStatus, FindingTracking, Milestone

#: The columns a row needs (the last four make the revision's evaluation key).
LISTED = (Assessment.id, Assessment.name, Assessment.team_id, Assessment.status,
          Assessment.revision, Assessment.updated_at, Assessment.questionnaire_id,
          Assessment.questionnaire_version)
CLOSED = {FindingStatus.DONE.value, FindingStatus.RISK_ACCEPTED.value}
SORTS = ("name", "team", "score", "critical", "high", "coverage", "now", "overdue", "updated")
CACHE_SIZE = 16


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
    #: Changed since its figures were computed: the queue is updating them.
    updating: bool = False
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


@dataclass(frozen=True)
class Table:
    """The portfolio as a page shows it; `fingerprint` changes with anything shown."""

    rows: list[Row]
    layers: list[tuple[str, str]]
    fingerprint: str


class Tables:
    """The tables built in this process, by fingerprint (the few most recent); one per app,
    shared by its threads."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.items: LRUCache = LRUCache(maxsize=size)
        self.lock = threading.Lock()

    def get(self, fingerprint: str) -> Table | None:
        with self.lock:
            return self.items.get(fingerprint)

    def put(self, table: Table) -> None:
        with self.lock:
            self.items[table.fingerprint] = table


def table(session: Session, user: User, filters: Filters, today: dt.date, tables: Tables,
          asker: summaries.Asker, *, content: Content) -> Table:
    """The rows the user may see. What a row shows is read with a few small queries (which
    assessments at which revision, with a current summary or not, closed and overdue tracking,
    milestone scores); when none of it changed since the same table was last built in this
    process (`tables`), that table is reused: figures are decoded and rows built only after a
    change. Summaries not current are asked of the queue through `asker`."""
    teams = {t.id: t.name for t in visible_teams(session, user)}
    wanted = [filters.team_id] if filters.team_id in teams else list(teams)
    where = [Assessment.team_id.in_(wanted)]
    if filters.status in STATUS_VALUES:
        where.append(Assessment.status == filters.status)
    assessments = list(session.execute(select(*LISTED).where(*where).order_by(Assessment.id)))
    # The other queries select by this subquery, not by a list of 200 ids to bind one by one.
    ids = select(Assessment.id).where(*where).scalar_subquery()
    keys = {a.id: revision_key(a, content=content) for a in assessments}
    known = summaries.current(session, keys, asker, ids)
    closed, overdue = _closed(session, ids), _overdue(session, ids, today)
    trends = _trends(session, ids)
    # The revision key covers each assessment's revision, update time and content version.
    fingerprint = hashlib.sha256("\n".join([
        repr((filters, today, sorted(teams.items()),
              sorted((i, sorted(c)) for i, c in closed.items()), sorted(overdue.items()),
              sorted(trends.items()))),
        *(f"{a.id}\t{a.team_id}\t{a.status}\t{keys[a.id]}\t{a.id in known}\t{a.name}"
          for a in assessments)]).encode()).hexdigest()
    found = tables.get(fingerprint)
    if found is not None:
        return found
    built = Table(_build(session, assessments, ids, teams, {i: keys[i] for i in known},
                         closed, overdue, trends, filters), [], fingerprint)
    built.layers.extend(layer_columns(built.rows))
    tables.put(built)
    return built


def _build(session, assessments, ids, teams, keys, closed, overdue, trends,
           filters) -> list[Row]:
    known = summaries.read(session, keys, [a.id for a in assessments], ids)
    workflows = _workflow_ids(session, ids)
    out = []
    for a in assessments:
        standing = known[a.id]
        row = Row(a.id, a.name, a.team_id, teams[a.team_id], a.status, a.updated_at,
                  standing.facts, standing.problem, standing.updating,
                  overdue=overdue.get(a.id, 0))
        if row.facts is not None:
            done, names = closed.get(a.id, set()), workflows.get(a.id, {})
            row.now_open = sum(1 for rule, wf in row.facts.now
                               if (_scope(names, wf), rule) not in done)
            row.trend = [*trends.get(a.id, []), Point("Now", a.updated_at, row.facts.overall)]
        out.append(row)
    return sort_rows(out, filters)


def _scope(workflows: dict[str, int], name: str | None) -> str:
    if name is None:
        return "system"
    workflow_id = workflows.get(name)
    return f"workflow:{workflow_id}" if workflow_id is not None else f"workflow:?{name}"


def _closed(session: Session, ids: Any) -> dict[int, set[tuple[str, str]]]:
    """(scope, rule) of the findings tracked as done or accepted, per assessment."""
    query = select(FindingTracking.assessment_id, FindingTracking.scope,
                   FindingTracking.rule_id).where(FindingTracking.assessment_id.in_(ids),
                                                  FindingTracking.status.in_(CLOSED))
    out: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for assessment_id, scope, rule in session.execute(query):
        out[assessment_id].add((scope, rule))
    return out


def _overdue(session: Session, ids: Any, today: dt.date) -> dict[int, int]:
    """Open tracked actions past their due date, per assessment."""
    query = (select(FindingTracking.assessment_id, func.count())
             .where(FindingTracking.assessment_id.in_(ids),
                    FindingTracking.due_date < today,
                    FindingTracking.status.not_in(CLOSED))
             .group_by(FindingTracking.assessment_id))
    return {assessment_id: count for assessment_id, count in session.execute(query)}


def _workflow_ids(session: Session, ids: Any) -> dict[int, dict[str, int]]:
    query = select(Workflow.assessment_id, Workflow.name, Workflow.id).where(
        Workflow.assessment_id.in_(ids)).order_by(Workflow.id)
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for assessment_id, name, workflow_id in session.execute(query):
        out[assessment_id].setdefault(name, workflow_id)
    return out


def _trends(session: Session, ids: Any) -> dict[int, list[Point]]:
    """Each assessment's milestones as trend points, oldest first (their overall score is a
    column: the stored results are not read)."""
    query = (select(Milestone.assessment_id, Milestone.name, Milestone.created_at,
                    Milestone.overall)
             .where(Milestone.assessment_id.in_(ids))
             .order_by(Milestone.created_at, Milestone.id))
    out: dict[int, list[Point]] = defaultdict(list)
    for assessment_id, name, created_at, overall in session.execute(query):
        out[assessment_id].append(Point(name, created_at, overall))
    return out


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
