"""A workflow's automation file: link it (upload or paste), unlink it, and accept what the
automated reviewer suggests from it.

The reviewer runs through `webapp.assessments.evidence`; its suggestions reach the engine as
plain data (`attach_evidence`) and stay `pending` until someone accepts one, which saves the
answer through the answers service like any other edit
(versions, conflicts and the audit log apply).
"""

from __future__ import annotations

import logging
import posixpath
from functools import lru_cache

from sqlalchemy.orm import Session

from webapp import domain
from webapp.accounts.models import User
from webapp.assessments.answers import (
    AnswerInput,
    AnswerValue,
    SaveResult,
    answers_in_scope,
    index_of,
    save_answers,
    stored,
)
from webapp.assessments.evidence import EvidenceFileError, Reviewed, review_files
from webapp.assessments.models import Assessment, Workflow
from webapp.assessments.services import mark_changed
from webapp.audit.services import record_audit
from webapp.core.services import ServiceError
from webapp.domain.evidence import resolve_evidence
from webapp.domain.index import QuestionnaireIndex

logger = logging.getLogger(__name__)

#: Largest automation file accepted (bytes of UTF-8): real workflows and manifests are a few
#: kilobytes; the limit keeps one upload from slowing every page that evaluates the assessment.
MAX_FILE_BYTES = 200_000
YAML_SUFFIXES = (".yml", ".yaml")


class AutomationFileError(ServiceError):
    """The file cannot be linked; the message says why and what to do."""


def file_name(raw: str, fallback: str = "") -> str:
    """A safe display path ("release.yml", ".github/workflows/release.yml"): no leading slash,
    no `..`, a YAML suffix. The path decides how the reviewer recognises the file's kind."""
    parts = [p for p in (raw or "").replace("\\", "/").split("/") if p not in ("", ".", "..")]
    name = "/".join(parts)[-200:] or fallback
    if not name:
        raise AutomationFileError("Give the file a name ending in .yml or .yaml.")
    if posixpath.splitext(name)[1].lower() not in YAML_SUFFIXES:
        raise AutomationFileError(f"“{name}” is not a YAML file: name it .yml or .yaml.")
    return name


def link_file(session: Session, workflow: Workflow, user: User, name: str, text: str, *,
              content: domain.Content) -> Reviewed:
    """Review `text` and keep it on the workflow; AutomationFileError when it is too large,
    empty, malformed or not an automation file (nothing is stored then)."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise AutomationFileError(
            f"The file is larger than {MAX_FILE_BYTES // 1000} KB. Upload the one workflow or "
            "manifest this workflow runs, not a bundle."
        )
    if not text.strip():
        raise AutomationFileError("The file is empty.")
    reviewed = reviewed_text(name, text)
    workflow.automation_name, workflow.automation_text = name, text
    session.flush()
    # the checks suggest answers for each questionnaire version; count this one's
    asked = index_of(workflow.assessment, content=content).questions
    fitting = [d for d in reviewed.detected if d.question in asked]
    record_audit(
        session,
        assessment=workflow.assessment,
        actor=user,
        action="workflow.automation_linked",
        target=workflow.name,
        detail={
            "file": name,
            "suggestions": len(fitting),
            "findings": len(reviewed.findings),
        },
    )
    mark_changed(session, workflow.assessment, content=content)
    logger.info(
        "workflow %s: automation file %s linked (%d suggestions)",
        workflow.id,
        name,
        len(fitting),
    )
    return reviewed


def unlink_file(session: Session, workflow: Workflow, user: User, *,
                content: domain.Content) -> None:
    name = workflow.automation_name
    workflow.automation_name = workflow.automation_text = None
    session.flush()
    record_audit(
        session,
        assessment=workflow.assessment,
        actor=user,
        action="workflow.automation_unlinked",
        target=workflow.name,
        detail={"file": name},
    )
    mark_changed(session, workflow.assessment, content=content)


def reviewed_text(name: str, text: str) -> Reviewed:
    """The reviewer's findings and suggestions for one file; AutomationFileError if unusable."""
    try:
        return _review_cached(name, text)
    except EvidenceFileError as exc:
        raise AutomationFileError(str(exc)) from None


@lru_cache(maxsize=64)
def _review_cached(name: str, text: str) -> Reviewed:
    return review_files({name: text})


def reviewed_workflow(workflow: Workflow) -> Reviewed | None:
    """What the reviewer makes of the workflow's linked file; None without a usable one."""
    if not workflow.automation_name or workflow.automation_text is None:
        return None
    try:
        return reviewed_text(workflow.automation_name, workflow.automation_text)
    except AutomationFileError as error:  # stored before a reviewer change: shown as no file
        logger.warning("workflow %s: stored automation file unusable: %s", workflow.id, error)
        return None


def attach_evidence(
    answers: domain.Answers, workflows: list[Workflow], index: QuestionnaireIndex
) -> domain.Answers:
    """Engine input with each workflow's evidence; suggestions are never applied here."""
    for own, workflow in zip(answers.workflows, workflows, strict=True):
        reviewed = reviewed_workflow(workflow)
        if reviewed is not None:
            own.files = [workflow.automation_name or ""]
            own.detected, own.findings = list(reviewed.detected), list(reviewed.findings)
    return resolve_evidence(answers, index, apply=False)


def accept_suggestion(
    session: Session,
    assessment: Assessment,
    workflow: Workflow,
    user: User,
    suggestion: tuple[str, str],
    base_version: int,
    *,
    content: domain.Content,
) -> SaveResult:
    """Save the suggested choice as the answer (a multi-choice answer keeps its other choices)
    through the answers service; the caller handles conflicts like a page save. A suggestion
    for a system question (a single replica in the workflow's manifest is a single point of
    failure of the system) answers the system's question."""
    question_id, choice_id = suggestion
    reviewed = reviewed_workflow(workflow)
    offered = {(d.question, d.choice) for d in reviewed.detected} if reviewed else set()
    info = index_of(assessment, content=content).questions.get(question_id)
    if suggestion not in offered or info is None:
        raise AutomationFileError("That suggestion no longer comes from the workflow's file.")
    scope = workflow if info.workflow else None
    row = answers_in_scope(session, assessment, scope).get(question_id)
    if row is not None and row.updated_by_id == user.id:  # their own later save (autosave)
        base_version = row.version  # is not someone else's change
    saved = stored(row).value
    single = info.question.type == "single"
    kept = () if single or saved.na_reason is not None else saved.choices
    choices = kept if choice_id in kept else (*kept, choice_id)
    value = AnswerValue(choices=choices, note=saved.note)
    return save_answers(
        session, assessment, user, [AnswerInput(question_id, value, base_version)], scope,
        content=content,
    )


def accept_all(session: Session, assessment: Assessment, workflow: Workflow,
               user: User, *, content: domain.Content) -> list[tuple[str, str]]:
    """Accept every pending suggestion of the workflow's file for the workflow's own questions
    (answers the user changed on purpose, "overridden", stay; a suggestion for a system
    question is accepted on the system's page, beside that question). Returns the
    (question, choice) pairs saved."""
    reviewed = reviewed_workflow(workflow)
    index = index_of(assessment, content=content)
    saved = []
    for item in reviewed.detected if reviewed else []:
        if item.question not in index.questions or not index.questions[item.question].workflow:
            continue
        row = answers_in_scope(session, assessment, workflow).get(item.question)
        if row is not None and stored(row).value.is_answered:
            continue  # answered already: accepting over it is the user's call, one by one
        version = row.version if row is not None else 0
        result = accept_suggestion(session, assessment, workflow, user,
                                   (item.question, item.choice), version, content=content)
        if result.saved:
            saved.append((item.question, item.choice))
    return saved
