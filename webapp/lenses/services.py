"""Imported lenses and reviews on them: import, retire, delete, list, evaluate, upgrade.

A lens is kept in the database so every app process sees it. Its parsed form is cached per
stored row (rows never change: a changed file is a new version), so a page never re-reads it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments import kinds
from webapp.assessments.evaluation import QuestionnaireMissing
from webapp.assessments.models import Assessment, Status
from webapp.assessments.services import mark_changed
from webapp.audit.services import record_audit
from webapp.core.cache import ResultCache
from webapp.core.db import utcnow
from webapp.core.errors import NotFoundError
from webapp.core.services import ServiceError
from webapp.domain.lens import Lens, LensProblem, lens_warnings, read_lens, slug
from webapp.domain.lens_export import lens_json
from webapp.domain.lens_result import LensAnswer, LensResult, NaReason, Risk, evaluate_lens
from webapp.lenses.models import LENS_PREFIX, LensAnswerRow, LensVersion

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Imported:
    row: LensVersion
    lens: Lens
    #: False when the newest version already holds this very lens (nothing was added).
    created: bool
    warnings: list[LensProblem]


def digest_of(lens: Lens) -> str:
    canonical = json.dumps(lens_json(lens), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def import_lens(session: Session, raw: bytes, user: User | None = None) -> Imported:
    """Validate `raw` and store it as the next version of its lens (`LensInvalid` if bad)."""
    lens = read_lens(raw)
    key, digest = slug(lens.name), digest_of(lens)
    latest = newest_version(session, key)
    if latest is not None and latest.digest == digest:
        return Imported(latest, lens, False, lens_warnings(lens, raw))
    row = LensVersion(
        lens_key=key,
        version=(latest.version + 1) if latest else 1,
        name=lens.name,
        source=raw.decode() if isinstance(raw, bytes) else raw,
        digest=digest,
        imported_by_id=user.id if user else None,
    )
    session.add(row)
    session.flush()
    _admin_log(session, user, "lens.imported", row)
    logger.info("lens %s version %s imported", key, row.version)
    return Imported(row, lens, True, lens_warnings(lens, raw))


def _admin_log(session: Session, user: User | None, action: str, row: LensVersion) -> None:
    from webapp.admin.services import record

    record(session, user, action, f"{row.name}, version {row.version}",
           {"lens": row.questionnaire_id, "version": row.version})


def newest_version(session: Session, key: str) -> LensVersion | None:
    query = select(LensVersion).where(LensVersion.lens_key == key)
    return session.scalars(query.order_by(LensVersion.version.desc()).limit(1)).first()


def newest_lenses(session: Session) -> list[LensVersion]:
    """The newest version of every imported lens, by name."""
    newest = (
        select(LensVersion.lens_key, func.max(LensVersion.version).label("version"))
        .group_by(LensVersion.lens_key)
        .subquery()
    )
    query = select(LensVersion).join(
        newest,
        (LensVersion.lens_key == newest.c.lens_key) & (LensVersion.version == newest.c.version),
    )
    return list(session.scalars(query.order_by(LensVersion.name)))


def all_versions(session: Session) -> list[LensVersion]:
    query = select(LensVersion).order_by(LensVersion.name, LensVersion.version.desc())
    return list(session.scalars(query))


def find_version(session: Session, key: str, version: int | None = None) -> LensVersion | None:
    if version is None:
        return newest_version(session, key)
    query = select(LensVersion).where(LensVersion.lens_key == key, LensVersion.version == version)
    return session.scalars(query).first()


def parsed(row: LensVersion) -> Lens:
    return _parse(row.id, row.digest, row.source)


@lru_cache(maxsize=64)
def _parse(_row_id: int, _digest: str, source: str) -> Lens:
    return read_lens(source)


def is_lens_id(questionnaire_id: str | None) -> bool:
    return bool(questionnaire_id) and questionnaire_id.startswith(LENS_PREFIX)


def is_lens_assessment(assessment: Assessment) -> bool:
    return is_lens_id(assessment.questionnaire_id)


def lens_choices(session: Session) -> list[tuple[str, str]]:
    """(questionnaire id, label) of the newest version of every lens not retired."""
    return [
        (row.questionnaire_id, f"{row.name} (lens, version {row.version})")
        for row in newest_lenses(session)
        if row.retired_at is None
    ]


def pinned_version(session: Session, questionnaire_id: str, version: int | None
                   ) -> tuple[str, int]:
    """The lens version a new review is pinned to: the one named, else the newest; a
    retired or unknown lens is refused."""
    row = find_version(session, questionnaire_id.removeprefix(LENS_PREFIX), version)
    if row is None or newest_version(session, row.lens_key).retired_at is not None:
        raise ServiceError("Choose one of the listed questionnaires.", "questionnaire")
    return row.questionnaire_id, row.version


@dataclass(frozen=True)
class LensSummary:
    """One lens on the administrators' page: its versions (newest first) and its reviews."""

    versions: list[LensVersion]
    reviews: int

    @property
    def retired(self) -> bool:
        return self.versions[0].retired_at is not None


def lens_summaries(session: Session) -> list[LensSummary]:
    counts = dict(session.execute(
        select(Assessment.questionnaire_id, func.count(Assessment.id))
        .where(Assessment.questionnaire_id.startswith(LENS_PREFIX))
        .group_by(Assessment.questionnaire_id)).all())
    by_key: dict[str, list[LensVersion]] = {}
    for row in all_versions(session):
        by_key.setdefault(row.lens_key, []).append(row)
    return [LensSummary(rows, counts.get(rows[0].questionnaire_id, 0))
            for rows in by_key.values()]


def _versions_of(session: Session, key: str) -> list[LensVersion]:
    rows = list(session.scalars(select(LensVersion).where(LensVersion.lens_key == key)
                                .order_by(LensVersion.version.desc())))
    if not rows:
        raise NotFoundError()
    return rows


def retire_lens(session: Session, key: str, user: User, retired: bool = True) -> LensVersion:
    """Stop (or, with `retired=False`, resume) offering the lens for new reviews; reviews
    already on it go on."""
    rows = _versions_of(session, key)
    when = utcnow() if retired else None
    if (rows[0].retired_at is not None) != retired:
        for row in rows:
            row.retired_at = when
        session.flush()
        _admin_log(session, user, "lens.retired" if retired else "lens.restored", rows[0])
    return rows[0]


def delete_lens(session: Session, key: str, user: User) -> LensVersion:
    """Delete every version of a lens no review uses (else `ServiceError`)."""
    rows = _versions_of(session, key)
    used = session.scalar(select(func.count(Assessment.id)).where(
        Assessment.questionnaire_id == rows[0].questionnaire_id)) or 0
    if used:
        raise ServiceError(f"“{rows[0].name}” cannot be deleted while {used} review"
                           f"{' uses' if used == 1 else 's use'} it: retire it instead.")
    _admin_log(session, user, "lens.deleted", rows[0])
    for row in rows:
        session.delete(row)
    session.flush()
    return rows[0]


def lens_of(session: Session, assessment: Assessment) -> tuple[LensVersion, Lens]:
    key = assessment.questionnaire_id.removeprefix(LENS_PREFIX)
    row = find_version(session, key, assessment.questionnaire_version)
    if row is None:
        raise QuestionnaireMissing(
            f"The lens this review was started on ({key}, version "
            f"{assessment.questionnaire_version}) is no longer stored."
        )
    return row, parsed(row)


def stored_answers(session: Session, assessment: Assessment) -> dict[str, LensAnswerRow]:
    query = select(LensAnswerRow).where(LensAnswerRow.assessment_id == assessment.id)
    return {row.question_id: row for row in session.scalars(query)}


def answer_of(row: LensAnswerRow | None) -> LensAnswer:
    if row is None:
        return LensAnswer()
    reason = NaReason(row.na_reason) if row.na_reason else None
    return LensAnswer(frozenset(row.choices), reason, row.note)


def lens_result(session: Session, assessment: Assessment) -> LensResult:
    _row, lens = lens_of(session, assessment)
    rows = stored_answers(session, assessment)
    return evaluate_lens(lens, {qid: answer_of(row) for qid, row in rows.items()})


def frozen_answers(session: Session, assessment: Assessment) -> dict[str, dict]:
    """The answers as JSON for a milestone: question id -> choices, reason, note."""
    return {
        qid: {"choices": list(row.choices), "na_reason": row.na_reason, "note": row.note}
        for qid, row in sorted(stored_answers(session, assessment).items())
    }


def frozen_result(session: Session, assessment: Assessment, answers: dict[str, dict],
                  version: int | None = None) -> LensResult:
    """The result of frozen answers on the lens version they were given on (`version`: a
    milestone's; the assessment's when None). Rows never change, so a milestone reads the
    same whenever it is opened, also after the review moved to a newer version."""
    key = assessment.questionnaire_id.removeprefix(LENS_PREFIX)
    row = find_version(session, key, version or assessment.questionnaire_version)
    if row is None:
        raise QuestionnaireMissing(f"Version {version} of the lens {key} is no longer stored.")
    lens = parsed(row)
    parsed_answers = {
        qid: LensAnswer(
            frozenset(a["choices"]),
            NaReason(a["na_reason"]) if a.get("na_reason") else None,
            a.get("note") or "",
        )
        for qid, a in answers.items()
    }
    return evaluate_lens(lens, parsed_answers)


def result_summary(result: LensResult) -> dict:
    """What a milestone keeps of the result: the risk of each question and the totals."""
    return {
        "kind": "lens",
        "lens": result.lens.name,
        "totals": {risk.value: result.count(risk) for risk in Risk},
        "risks": {q.question.id: q.risk.value for p in result.pillars for q in p.questions},
    }


def lens_status(session: Session, assessment: Assessment) -> Status:
    result = lens_result(session, assessment)
    if not result.answered:
        return Status.NOT_STARTED
    return Status.COMPLETE if result.answered >= result.total else Status.IN_PROGRESS


@dataclass(frozen=True)
class Upgraded:
    version: int
    #: Questions whose answer was dropped or trimmed because the new version changed them.
    changed: list[str]


def newer_version(session: Session, assessment: Assessment) -> LensVersion | None:
    """The lens's newest version when it is newer than the one the review is on."""
    latest = newest_version(session, assessment.questionnaire_id.removeprefix(LENS_PREFIX))
    return latest if latest and latest.version > assessment.questionnaire_version else None


def upgrade_assessment(session: Session, assessment: Assessment, user: User,
                       cache: ResultCache) -> Upgraded:
    """Move the review to the lens's newest version: a milestone keeps the results as they
    were, answers carry over where the question and its choices still exist."""
    from webapp.tracking.milestones import create_milestone

    latest = newer_version(session, assessment)
    if latest is None:
        raise ServiceError("This review is already on the newest version of its lens.")
    create_milestone(
        session,
        assessment,
        user,
        name=f"Before version {latest.version} of the lens ({utcnow():%Y-%m-%d %H:%M})",
        cache=cache,
    )
    changed = _carry_answers(session, assessment, parsed(latest))
    assessment.questionnaire_version = latest.version
    mark_changed(session, assessment, content=cache.content)
    record_audit(session, assessment=assessment, actor=user, action="lens.upgraded",
                 target=latest.questionnaire_id,
                 detail={"lens": latest.name, "version": latest.version,
                         "changed": len(changed)})
    logger.info(
        "assessment %s upgraded to lens %s v%s", assessment.id, latest.lens_key, latest.version
    )
    return Upgraded(latest.version, changed)


def _carry_answers(session: Session, assessment: Assessment, lens: Lens) -> list[str]:
    questions = {q.id: q for _, q in lens.questions()}
    changed = []
    for qid, row in stored_answers(session, assessment).items():
        question = questions.get(qid)
        kept = [c for c in row.choices if question and question.choice(c)]
        if question is None or (row.choices and not kept):
            session.delete(row)
            changed.append(qid)
        elif kept != row.choices:
            row.choices, row.version = kept, row.version + 1
            changed.append(qid)
    session.flush()
    return changed


def _frozen(session: Session, assessment: Assessment) -> tuple[dict, dict]:
    answers = frozen_answers(session, assessment)
    return result_summary(frozen_result(session, assessment, answers)), answers


kinds.register(kinds.Kind(LENS_PREFIX, lens_result, lens_status, _frozen, pin=pinned_version))
