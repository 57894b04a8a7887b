"""An assessment as the engine sees it, and its typed result, computed once per revision.

Content (questionnaires, rules, scenarios) is loaded once per process, at startup
(`webapp.core.startup.check_content`); this module only reads it. Every assessment is evaluated
against the questionnaire version it pinned when it started.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import domain
from webapp.assessments.models import SYSTEM_SCOPE, Answer, Assessment
from webapp.core.services import ServiceError
from webapp.core.startup import get_content  # noqa: F401 - services and views import it from here
from webapp.domain.models import Questionnaire
from webapp.report.cards import finding_anchor  # noqa: F401 - the anchor scheme, one place

logger = logging.getLogger(__name__)

CACHE_KEY = "faultline.evaluations"
WRITES_KEY = "faultline.evaluation-writes"
#: Values kept per process (results, page parts; a few hundred KB each): recent revisions only.
CACHE_SIZE = 96
T = TypeVar("T")


class QuestionnaireMissing(ServiceError):
    """The questionnaire version an assessment pinned is not among the loaded content."""


def questionnaire_of(
    assessment: Assessment, content: domain.Content | None = None
) -> Questionnaire:
    """The pinned questionnaire, or `QuestionnaireMissing` with a message an operator can act on."""
    content = content or get_content()
    qid, version = assessment.questionnaire_id, assessment.questionnaire_version
    try:
        return content.questionnaire(qid, version)
    except KeyError:
        logger.error("assessment %s pins missing questionnaire %s v%s", assessment.id, qid, version)
        raise QuestionnaireMissing(
            f"This assessment uses questionnaire “{qid}” version {version}, which this "
            "installation no longer ships. Restore that questionnaire file to open it."
        ) from None


def _domain_answer(row: Any) -> domain.Answer | None:
    if row.na_reason is not None:
        return domain.Answer.not_applicable(row.na_reason)
    return domain.Answer.of(list(row.choices)) if row.choices else None


def _fill(answers: dict[str, domain.Answer], notes: dict[str, str] | None,
          rows: Iterable[Any]) -> None:
    for row in rows:
        answer = _domain_answer(row)
        if answer is not None:
            answers[row.question_id] = answer
        if notes is not None and row.note.strip():
            notes[row.question_id] = row.note


def answers_for_domain(session: Session, assessment: Assessment, *,
                       only: Collection[str] | None = None) -> domain.Answers:
    """The assessment's answers, notes and workflows (in position order) as engine input.

    `only`: the answers to these questions alone, without notes and automation evidence
    (what `relevance` reads: a save does not read every answer and note back)."""
    choices_only = only is not None
    columns = [Answer.scope, Answer.question_id, Answer.choices, Answer.na_reason]
    if not choices_only:
        columns.append(Answer.note)
    query = select(*columns).where(Answer.assessment_id == assessment.id)
    if only is not None:
        query = query.where(Answer.question_id.in_(sorted(only)))
    rows = session.execute(query).all()
    by_scope: dict[str, list[Any]] = {}
    for row in rows:
        by_scope.setdefault(row.scope, []).append(row)
    result = domain.Answers(
        questionnaire=assessment.questionnaire_id,
        version=assessment.questionnaire_version,
        system=domain.SystemInfo(assessment.name, assessment.description),
        full_review=assessment.full_review,
        upgraded_from=assessment.upgraded_from,
    )
    _fill(result.answers, None if choices_only else result.notes, by_scope.get(SYSTEM_SCOPE, []))
    for workflow in assessment.workflows:
        own = domain.WorkflowAnswers(workflow.name)
        _fill(own.answers, None if choices_only else own.notes, by_scope.get(workflow.scope, []))
        result.workflows.append(own)
    return result if choices_only else _with_evidence(result, assessment)


def _with_evidence(answers: domain.Answers, assessment: Assessment) -> domain.Answers:
    """Suggestions from the workflows' automation files, as evidence (never applied)."""
    from webapp.assessments.automation import attach_evidence

    workflows = list(assessment.workflows)
    if not any(w.automation_name for w in workflows):
        return answers
    index = get_content().index(assessment.questionnaire_id, assessment.questionnaire_version)
    return attach_evidence(answers, workflows, index)


def revision_key(assessment: Assessment) -> str:
    """What identifies an assessment's result: sha256 hex over (assessment id, revision,
    updated_at, questionnaire id, questionnaire version, digest of the loaded content files).

    Every change to answers, workflows, evidence, name or description bumps the revision and
    the update time (`mark_changed`), so equal keys mean an equal result. updated_at too: a
    revision number seen in a transaction that was rolled back can recur. Cheap: no query.
    """
    parts = (assessment.id, assessment.revision, _stamp(assessment.updated_at),
             assessment.questionnaire_id, assessment.questionnaire_version, get_content().digest)
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()


def _stamp(value: datetime | None) -> str:
    # SQLite hands back naive datetimes, PostgreSQL aware ones: the same instant, one text.
    if value is None:
        return ""
    return value.replace(tzinfo=None).isoformat() if value.tzinfo is None else \
        value.astimezone(UTC).replace(tzinfo=None).isoformat()


class _Memory:
    """A small LRU of computed values keyed by (revision key, kind); shared by threads.

    `building(key)` lets one thread compute a missing value while the others asking for the
    same key wait for it: after a change, every reader of the new revision would otherwise
    compute the same result at once, each holding the interpreter lock the others (and a
    writer holding the database's write lock) need."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self.lock = threading.Lock()
        self.builders: dict[tuple[str, str], list[Any]] = {}  # key -> [lock, waiting]

    def get(self, key: tuple[str, str]) -> Any:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple[str, str], value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    @contextmanager
    def building(self, key: tuple[str, str]) -> Iterator[None]:
        with self.lock:
            entry = self.builders.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self.lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self.builders[key]


def _memory() -> _Memory:
    return current_app.extensions.setdefault(CACHE_KEY, _Memory(CACHE_SIZE))


def cache_dir() -> Path:
    """Where computed results are shared between the app's processes (RESULT_CACHE_DIR)."""
    configured = current_app.config.get("RESULT_CACHE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "result-cache"


@dataclass(frozen=True)
class Shared:
    """How a computed value is shared with the other processes: as JSON data in the file
    cache, one file per `group` (e.g. an assessment) and kind, older revisions removed."""

    group: str
    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


def computed(key: str, kind: str, build: Callable[[], T], shared: Shared | None = None) -> T:
    """The value `build()` gives for revision `key`, computed once: kept in this process and,
    with `shared`, in the file cache every process of the app reads. Threads asking for the
    same missing value wait for the one computing it."""
    memory = _memory()
    value = memory.get((key, kind))
    if value is not None:
        return value
    with memory.building((key, kind)):
        value = memory.get((key, kind))  # computed by the thread this one waited for
        if value is not None:
            return value
        if shared is not None:
            value = _read_shared(_shared_path(shared, key, kind), shared)
        if value is None:
            value = build()
            if shared is not None:
                _shared_writes().submit(_shared_path(shared, key, kind), shared, kind, value)
        memory.put((key, kind), value)
    return value


class SharedWrites:
    """Computed values go to the file cache from one background thread, `delay` seconds after
    they were computed, and only the newest revision of each group and kind.

    Turning a result into JSON data and writing it costs about as much as computing it (11 of
    a cold results page's 50 ms). During a burst of saves each revision is superseded within
    a second and read by no other process: written at once, every one of them took that time
    from the requests (and from the writer holding the database lock). With `delay` 0 (tests)
    each value is written before `computed` returns."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.pending: dict[tuple[str, str], tuple[float, Path, Shared, Any]] = {}
        self.condition = threading.Condition()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def submit(self, path: Path, shared: Shared, kind: str, value: Any) -> None:
        if self.delay <= 0:
            _write_shared(path, shared.dump(value))
            return
        with self.condition:
            self.pending[(shared.group, kind)] = (time.monotonic() + self.delay, path, shared,
                                                  value)
            if self.thread is None or self.pid != os.getpid():  # none yet, or forked
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, daemon=True,
                                               name="result-cache-writes")
                self.thread.start()
            self.condition.notify()

    def flush(self) -> None:
        """Write everything pending now (before a process ends, and in tests)."""
        with self.condition:
            items, self.pending = list(self.pending.values()), {}
        self._write(items)

    def _run(self) -> None:
        while True:
            with self.condition:
                while not (due := self._due()):
                    soonest = min((item[0] for item in self.pending.values()), default=None)
                    self.condition.wait(None if soonest is None else
                                        max(0.0, soonest - time.monotonic()))
                items = [self.pending.pop(group) for group in due]
            self._write(items)

    def _due(self) -> list[tuple[str, str]]:
        now = time.monotonic()
        return [group for group, item in self.pending.items() if item[0] <= now]

    @staticmethod
    def _write(items: list[tuple[float, Path, Shared, Any]]) -> None:
        for _due, path, shared, value in items:
            try:
                _write_shared(path, shared.dump(value))
            except Exception:  # a cache that cannot be written only costs speed
                logger.exception("result cache: cannot write %s", path)


def _shared_writes() -> SharedWrites:
    return current_app.extensions.setdefault(
        WRITES_KEY, SharedWrites(float(current_app.config.get("RESULT_SHARE_DELAY", 1.0))))


def _shared_path(shared: Shared, key: str, kind: str) -> Path:
    return cache_dir() / f"{shared.group}.{kind}.{key}.json"


def _read_shared(path: Path, shared: Shared) -> Any:
    try:
        return shared.load(json.loads(path.read_bytes()))
    except FileNotFoundError:
        return None
    except ValueError:  # a damaged or foreign file: compute anew and replace it
        logger.warning("result cache: unreadable %s, computing anew", path)
        return None


def _write_shared(path: Path, data: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".result-", suffix=".tmp")
        # json.dumps, not json.dump: only the one-shot encoder is the C one (10x faster).
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)  # readers in other processes never see half a file
        group, kind, _key, _ext = path.name.split(".")
        for older in path.parent.glob(f"{group}.{kind}.*.json"):
            if older != path:  # an older revision: nobody asks for it again
                older.unlink(missing_ok=True)
    except OSError as error:  # a cache that cannot be written only costs speed
        logger.warning("result cache: cannot write %s: %s", path, error)


def evaluate_assessment(session: Session, assessment: Assessment) -> domain.Result:
    """The typed review of `assessment` (`domain.Result`), computed once per revision.

    Evaluated against the pinned questionnaire version (`QuestionnaireMissing` if it is gone)
    and cached under `revision_key` in this process and in the shared file cache, so every
    process and page reuses it until the assessment changes. The result is frozen: share it.

    Anchor scheme shared by the editing pages and the results page (see `finding_anchor`):
      - a system finding:    ``#finding-<rule id>``  (e.g. ``#finding-observe.no-alerts``)
      - a workflow finding:  ``#finding-<rule id>--<position>``, position being the workflow's
        0-based place in the list (``Workflow.position``, the result's ``Finding.position``)
      - a question on its editing page: ``#q-<question id>`` (see `question_anchor`)
    """
    content = get_content()
    questionnaire_of(assessment, content)

    def build() -> domain.Result:
        answers = answers_for_domain(session, assessment)
        ids = [str(w.id) for w in assessment.workflows]
        return domain.evaluate_result(content, answers, assessment.questionnaire_id, ids)

    shared = Shared(f"assessment-{assessment.id}", domain.result_to_dict,
                    domain.result_from_dict)
    return computed(revision_key(assessment), "result", build, shared)


def relevance(session: Session, assessment: Assessment) -> dict[int, dict[str, str]]:
    """Position (-1: the system, else the workflow's) -> question -> "Does not apply because
    …" for the questions the answers make irrelevant: what the result reports as not asked,
    once per revision, without evaluating the review (a save asks for this, not the result)."""
    content = get_content()
    questionnaire_of(assessment, content)

    def build() -> dict[int, dict[str, str]]:
        compiled = content.engine(assessment.questionnaire_id, assessment.questionnaire_version)
        answers = answers_for_domain(session, assessment, only=domain.screen_inputs(compiled))
        return domain.hidden_questions(content, answers, assessment.questionnaire_id)

    return computed(revision_key(assessment), "relevance", build)


def finding_data(assessment: Assessment, result: domain.Result) -> tuple[dict[str, Any], ...]:
    """The result's findings as JSON data (plan page, exports), once per revision."""
    return computed(revision_key(assessment), "finding-data",
                    lambda: tuple(domain.result_to_dict(result)["findings"]))


def workflow_positions(assessment: Assessment) -> dict[int, int]:
    """Workflow id -> position, read once per revision (adding, moving or removing a workflow
    changes the revision)."""
    return computed(revision_key(assessment), "workflow-positions",
                    lambda: {w.id: w.position for w in assessment.workflows})


def question_anchor(question_id: str) -> str:
    """The HTML id of a question on its editing page."""
    return f"q-{question_id}"
