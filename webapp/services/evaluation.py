"""An assessment as the engine sees it, and its evaluation, cached per assessment revision.

Content (questionnaires, rules, scenarios) is loaded once per process, at startup
(`webapp.startup.check_content`); this module only reads it. Every assessment is evaluated
against the questionnaire version it pinned when it started.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp import domain
from webapp.domain.models import Questionnaire
from webapp.models_assessment import SYSTEM_SCOPE, Answer, Assessment
from webapp.services import ServiceError
from webapp.startup import CONTENT_EXTENSION_KEY, CONTENT_FOLDERS

logger = logging.getLogger(__name__)

CACHE_KEY = "faultline.evaluations"
CACHE_SIZE = 256
_load_lock = threading.Lock()


class QuestionnaireMissing(ServiceError):
    """The questionnaire version an assessment pinned is not among the loaded content."""


def get_content() -> domain.Content:
    """The content loaded at startup; loaded here once if startup skipped it (tests, CLI)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    content = app.extensions.get(CONTENT_EXTENSION_KEY)
    if content is None:
        with _load_lock:
            content = app.extensions.get(CONTENT_EXTENSION_KEY)
            if content is None:
                content = domain.load_content(Path(app.config["FAULTLINE_CONTENT_DIR"]))
                app.extensions[CONTENT_EXTENSION_KEY] = content
    return content


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


def _domain_answer(row: Answer) -> domain.Answer | None:
    if row.na_reason is not None:
        return domain.Answer.not_applicable(row.na_reason)
    return domain.Answer.of(list(row.choices)) if row.choices else None


def _fill(answers: dict[str, domain.Answer], notes: dict[str, str], rows: Iterable[Answer]) -> None:
    for row in rows:
        answer = _domain_answer(row)
        if answer is not None:
            answers[row.question_id] = answer
        if row.note.strip():
            notes[row.question_id] = row.note


def answers_for_domain(session: Session, assessment: Assessment) -> domain.Answers:
    """The assessment's answers, notes and workflows (in position order) as engine input."""
    rows = session.scalars(select(Answer).where(Answer.assessment_id == assessment.id)).all()
    by_scope: dict[str, list[Answer]] = {}
    for row in rows:
        by_scope.setdefault(row.scope, []).append(row)
    result = domain.Answers(
        questionnaire=assessment.questionnaire_id,
        version=assessment.questionnaire_version,
        system=domain.SystemInfo(assessment.name, assessment.description),
    )
    _fill(result.answers, result.notes, by_scope.get(SYSTEM_SCOPE, []))
    for workflow in assessment.workflows:
        own = domain.WorkflowAnswers(workflow.name)
        _fill(own.answers, own.notes, by_scope.get(workflow.scope, []))
        result.workflows.append(own)
    return _with_evidence(result, assessment)


def _with_evidence(answers: domain.Answers, assessment: Assessment) -> domain.Answers:
    """Suggestions from the workflows' automation files, as evidence (never applied)."""
    from webapp.services.automation import attach_evidence

    workflows = list(assessment.workflows)
    if not any(w.automation_name for w in workflows):
        return answers
    index = get_content().index(assessment.questionnaire_id, assessment.questionnaire_version)
    return attach_evidence(answers, workflows, index)


@dataclass(frozen=True)
class Evaluation:
    result: domain.ReviewResult
    data: dict[str, Any]


class _Cache:
    """A small LRU of evaluations keyed by (assessment id, revision); shared by threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple[Any, ...], Evaluation] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> Evaluation | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: Evaluation) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def _cache() -> _Cache:
    return current_app.extensions.setdefault(CACHE_KEY, _Cache(CACHE_SIZE))


def evaluate_assessment(
    session: Session, assessment: Assessment
) -> tuple[domain.ReviewResult, dict[str, Any]]:
    """The review of `assessment` as the engine's result and its plain dict (`result_to_dict`).

    Evaluated against the pinned questionnaire version (`QuestionnaireMissing` if it is gone)
    and cached per assessment revision: every change to answers, workflows, name or
    description bumps `Assessment.revision`, so a cached result is never stale. Treat both
    return values as read-only: they are shared between requests.

    Anchor scheme shared by the editing pages and the results page (see `finding_anchor`):
      - a system finding:    ``#finding-<rule id>``  (e.g. ``#finding-observe.no-alerts``)
      - a workflow finding:  ``#finding-<rule id>--<position>``, position being the workflow's
        0-based place in the list (``Workflow.position``, the engine's ``Finding.position``)
      - a question on its editing page: ``#q-<question id>`` (see `question_anchor`)
    """
    content = get_content()
    questionnaire_of(assessment, content)
    # updated_at too: a revision number seen in a transaction that was rolled back can recur.
    key = (assessment.id, assessment.revision, assessment.updated_at)
    cached = _cache().get(key)
    if cached is not None:
        return cached.result, cached.data
    answers = answers_for_domain(session, assessment)
    result = domain.evaluate(content, answers, assessment.questionnaire_id)
    evaluation = Evaluation(result, domain.result_to_dict(result))
    _cache().put(key, evaluation)
    return evaluation.result, evaluation.data


_content_digests: dict[tuple[Path, tuple[tuple[str, int, int], ...]], str] = {}


def content_digest() -> str:
    """sha256 over the content files (questionnaires, rules) this process evaluates with;
    recomputed only when a file's name, size or modification time changes."""
    folder = Path(current_app.config["FAULTLINE_CONTENT_DIR"]).resolve()
    files = sorted(p for name in CONTENT_FOLDERS for p in (folder / name).rglob("*") if p.is_file())
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    digest = _content_digests.get((folder, stamp))
    if digest is None:
        hasher = hashlib.sha256()
        for path in files:
            hasher.update(f"{path.relative_to(folder)}\0".encode())
            hasher.update(path.read_bytes())
        digest = _content_digests[(folder, stamp)] = hasher.hexdigest()
    return digest


def utc_stamp(moment: Any) -> str:
    """A time as the same text whether it was just set (aware) or read back (naive on SQLite)."""
    if getattr(moment, "tzinfo", None) is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat() if moment is not None else ""


def revision_key(assessment: Assessment) -> str:
    """What an assessment's results depend on, as a sha256 hex: its id, revision and update
    time, its questionnaire and version, and the content files. Equal keys, equal results:
    caches of anything derived from the result (the PDF) are keyed by it, without
    evaluating anything."""
    parts = (assessment.id, assessment.revision, utc_stamp(assessment.updated_at),
             assessment.questionnaire_id, assessment.questionnaire_version, content_digest())
    return hashlib.sha256("\0".join(str(part) for part in parts).encode()).hexdigest()


def finding_anchor(rule_id: str, position: int | None = None) -> str:
    """The HTML id of a finding on the results page (`position` None or < 0: system)."""
    if position is None or position < 0:
        return f"finding-{rule_id}"
    return f"finding-{rule_id}--{position}"


def question_anchor(question_id: str) -> str:
    """The HTML id of a question on its editing page."""
    return f"q-{question_id}"
