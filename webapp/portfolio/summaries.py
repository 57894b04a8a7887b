"""Each assessment revision's figures, computed by the task queue and kept in the database.

The portfolio shows a dozen numbers per assessment; building the typed result for each is what
made the first portfolio view after a restart take tens of seconds. So a committed change to an
assessment queues `summarize_assessments`, which evaluates it in a queue worker and writes an
`AssessmentSummary` keyed by the revision's evaluation key (`revision_key`). A page reads those
rows only: a row whose key is not the assessment's current one (changed since, or the content
was updated) is not shown as current; the page asks the queue for it and says it is updating.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from webapp.assessments.evaluation import evaluate_assessment, revision_key
from webapp.assessments.models import Assessment
from webapp.core.cache import ResultCache
from webapp.core.db import utcnow
from webapp.core.services import ServiceError
from webapp.domain import Content
from webapp.lenses.models import LENS_PREFIX
from webapp.portfolio.models import AssessmentSummary
from webapp.results.adapter import result_json

logger = logging.getLogger(__name__)

#: The same assessment revision is asked of the queue again after this long (a lost job).
REQUEUE_AFTER = 60.0


@dataclass(frozen=True)
class Facts:
    overall: float | None
    coverage: float | None
    fit: str | None  #: "strong" | "partial" | "poor" | None while unanswered
    fit_title: str
    layers: tuple[tuple[str, str, float | None], ...]  #: (id, title, score)
    critical: int
    high: int
    #: The "Now" findings as (rule id, workflow name or None).
    now: tuple[tuple[str, str | None], ...]
    #: How many findings in all (a lens review: its high and medium risks).
    findings: int = 0


def facts_of(result: Any) -> Facts:
    """The portfolio's figures from an engine result (through the result's JSON form)."""
    data = result_json(result)
    findings = data.get("findings", [])
    fit = data.get("fit") or {}
    return Facts(
        overall=data.get("overall"),
        coverage=(data.get("coverage") or {}).get("percent"),
        fit=fit.get("verdict"),
        fit_title=fit.get("title") or "Not assessed",
        layers=tuple((layer["id"], layer["title"], layer.get("score"))
                     for layer in data.get("layers", [])),
        critical=sum(1 for f in findings if f.get("severity") == "critical"),
        high=sum(1 for f in findings if f.get("severity") == "high"),
        now=tuple((f["rule"], f.get("workflow")) for f in findings if f.get("bucket") == "now"),
        findings=len(findings),
    )


def _lens_facts(session: Session, assessment: Assessment) -> Facts:
    """A review on a custom lens has no score or layers: its coverage, its high risks and
    the risks its plan lists (high and medium) as its findings."""
    from webapp.domain.lens_result import Risk
    from webapp.lenses.services import lens_result

    result = lens_result(session, assessment)
    coverage = round(100 * result.answered / result.total, 1) if result.total else None
    return Facts(None, coverage, None, "Lens review", (), 0,
                 result.count(Risk.HIGH), (), findings=len(result.plan))


@dataclass(frozen=True)
class Standing:
    """What a page may show of an assessment: current figures, the reason there are none,
    or neither (being updated)."""

    facts: Facts | None = None
    problem: str | None = None

    @property
    def updating(self) -> bool:
        return self.facts is None and self.problem is None


# --- writing (the task queue) -------------------------------------------------------------


def compute(session: Session, assessment: Assessment, cache: ResultCache) -> Standing:
    """The figures of the assessment as it is now, evaluated (the queue's work; the API's
    detail of one assessment when its summary is not written yet)."""
    try:
        if assessment.questionnaire_id.startswith(LENS_PREFIX):
            return Standing(_lens_facts(session, assessment))
        return Standing(facts_of(evaluate_assessment(session, assessment, cache)))
    except ServiceError as error:  # the pinned questionnaire or lens is gone
        return Standing(problem=error.message)


def summarize(session: Session, assessment: Assessment,
              cache: ResultCache) -> AssessmentSummary:
    """Evaluate `assessment` and write its summary row (one statement, safe against another
    worker writing the same row)."""
    key = revision_key(assessment, content=cache.content)
    standing = compute(session, assessment, cache)
    facts, problem = standing.facts, standing.problem
    values = {
        "revision_key": key, "revision": assessment.revision, "computed_at": utcnow(),
        "problem": problem, "overall": facts.overall if facts else None,
        "coverage": facts.coverage if facts else None, "fit": facts.fit if facts else None,
        "fit_title": facts.fit_title if facts else "",
        "layers": [list(layer) for layer in facts.layers] if facts else [],
        "critical": facts.critical if facts else 0, "high": facts.high if facts else 0,
        "findings": facts.findings if facts else 0,
        "now": [list(item) for item in facts.now] if facts else [],
    }
    _upsert(session, assessment.id, values)
    return session.get(AssessmentSummary, assessment.id, populate_existing=True)


def _upsert(session: Session, assessment_id: int, values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = insert(AssessmentSummary).values(assessment_id=assessment_id, **values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[AssessmentSummary.assessment_id], set_=values))
    session.flush()


class Asker:
    """Queues summary jobs, at most once per assessment revision every REQUEUE_AFTER seconds
    from this process (a page viewed again while the worker is busy queues nothing new)."""

    def __init__(self, job: Any) -> None:
        self.job, self.asked, self.lock = job, {}, threading.Lock()

    def ask(self, wanted: dict[int, str | None]) -> None:
        """Queue `{assessment id: revision key}`; a key of None (a change just committed)
        is always queued."""
        now = time.monotonic()
        with self.lock:
            due = [i for i, key in wanted.items() if key is None
                   or self.asked.get(i, (None, -REQUEUE_AFTER))[0] != key
                   or now - self.asked[i][1] >= REQUEUE_AFTER]
            for i in due:
                self.asked[i] = (wanted[i], now)
        if due:
            self.job(sorted(due))


# --- reading (pages) -----------------------------------------------------------------------


def current(session: Session, keys: dict[int, str], asker: Asker,
            scope: Any = None) -> set[int]:
    """Which of the assessments `{id: revision key}` have a summary of that revision; the
    others are asked of the queue through `asker` (the app's, `jobs.asker()`). Reads the keys
    only (no figures); `scope` selects the same ids in SQL (a subquery), when the caller has
    one."""
    stored = _stored_keys(session, list(keys) if scope is None else scope)
    missing = {i: key for i, key in keys.items() if stored.get(i) != key}
    if missing:
        asker.ask(missing)
        # A queue that runs jobs at once (tests, a single process) has written them now.
        stored |= _stored_keys(session, list(missing))
    return {i for i, key in keys.items() if stored.get(i) == key}


def _stored_keys(session: Session, ids: Any) -> dict[int, str]:
    s = AssessmentSummary
    query = select(s.assessment_id, s.revision_key).where(s.assessment_id.in_(ids))
    return {i: key for i, key in session.execute(query)}


def standings(session: Session, listed: list[Any], asker: Asker, *,
              content: Content) -> dict[int, Standing]:
    """{assessment id: Standing} for rows carrying id, revision, updated_at, questionnaire id
    and version: current summaries only; the others are asked of the queue. Never evaluates."""
    keys = {a.id: revision_key(a, content=content) for a in listed}
    return read(session, {i: keys[i] for i in current(session, keys, asker)}, keys)


def read(session: Session, keys: dict[int, str], wanted: Iterable[int],
         scope: Any = None) -> dict[int, Standing]:
    """The Standing of each of `wanted`: figures from the summaries of `keys` ({id: revision
    key}, those known current), "updating" for the others."""
    out = _read(session, keys, list(keys) if scope is None else scope) if keys else {}
    return {i: out.get(i, Standing()) for i in wanted}


def _read(session: Session, keys: dict[int, str], ids: Any) -> dict[int, Standing]:
    s = AssessmentSummary
    query = select(s.assessment_id, s.revision_key, s.problem, s.overall, s.coverage, s.fit,
                   s.fit_title, s.layers, s.critical, s.high, s.now, s.findings).where(
        s.assessment_id.in_(ids))
    out = {}
    for (i, key, problem, overall, coverage, fit, fit_title, layers, critical, high,
         now, findings) in session.execute(query):
        if key != keys.get(i):
            continue  # another revision's figures: never shown as this one's
        out[i] = Standing(problem=problem) if problem else Standing(Facts(
            overall, coverage, fit, fit_title, tuple((li, lt, ls) for li, lt, ls in layers),
            critical, high, tuple((rule, workflow) for rule, workflow in now), findings))
    return out
