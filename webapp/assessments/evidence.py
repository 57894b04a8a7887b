"""Automation files as evidence: the reviewer's findings become suggested answers.

The adapter between the reviewer (`webapp.reviewer`) and the engine (`webapp.domain`): the
domain never runs the reviewer, it receives plain `Detected` and `AutomationFinding` data on
each workflow. Used by `faultline report` (files named in the answers file) and by the web app
(a file uploaded on a workflow's page).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from webapp.domain.answers import Answers, WorkflowAnswers
from webapp.domain.evidence import AutomationFinding, Detected

logger = logging.getLogger(__name__)

PARSE_ERROR = "faultline.parse-error"


class EvidenceFileError(Exception):
    """A workflow's automation file cannot be used: missing, unreadable, malformed or of a
    kind the reviewer does not read. The message names the file and what is wrong."""


@dataclass(frozen=True)
class Reviewed:
    """What the reviewer made of a workflow's files, as plain data for the engine."""

    detected: list[Detected]
    findings: list[AutomationFinding]


def review_files(files: Mapping[str, str]) -> Reviewed:
    """Review `files` ({display name: text}); raises EvidenceFileError when one is malformed
    or not a GitHub Actions workflow, GitLab CI pipeline, compose file or Kubernetes manifest."""
    from webapp.reviewer import load_checks, suggest_texts

    checks = load_checks()
    report, suggestions = suggest_texts(files, checks)
    _refuse_unusable(report)
    titles = {check.id: check.title for check in checks}
    detected = [
        Detected(
            s.question_id,
            s.choice_id,
            s.file,
            s.line,
            s.rule_id,
            s.text,
            titles.get(s.rule_id, s.rule_id),
        )
        for s in suggestions
    ]
    findings = [
        AutomationFinding(f.rule_id, f.title, f.severity, f.path, f.line, f.message)
        for f in report.active
    ]
    return Reviewed(detected, findings)


def _refuse_unusable(report) -> None:
    for finding in report.findings:
        if finding.rule_id == PARSE_ERROR:
            raise EvidenceFileError(f"{finding.path}:{finding.line}: {finding.message}")
    for display, reason in report.skipped:
        raise EvidenceFileError(
            f"{display}: {reason}; upload a GitHub Actions workflow, a GitLab CI pipeline, a "
            "compose file or a Kubernetes manifest"
        )


def with_files(answers: Answers, folder: Path) -> Answers:
    """`answers` with the reviewer's evidence on every workflow that names files (`file:`),
    read relative to `folder`; raises EvidenceFileError naming the workflow and the path."""
    return replace(answers, workflows=[_with_files(wf, folder) for wf in answers.workflows])


def _with_files(wf: WorkflowAnswers, folder: Path) -> WorkflowAnswers:
    if not wf.files:
        return wf
    texts = {name: _read(wf.name, folder, name) for name in wf.files}
    try:
        reviewed = review_files(texts)
    except EvidenceFileError as exc:
        raise EvidenceFileError(f"workflow \u201c{wf.name}\u201d: {exc}") from None
    return replace(wf, detected=reviewed.detected, findings=reviewed.findings)


def _read(workflow: str, folder: Path, name: str) -> str:
    path = folder / name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = "no such file"
    except IsADirectoryError:
        problem = "is a folder; name the file"
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"cannot be read ({exc.__class__.__name__}: {exc})"
    raise EvidenceFileError(f"workflow \u201c{workflow}\u201d: file {name}: {problem}")


def apply_files(answers: Answers, folder: Path, content) -> Answers:
    """The answers-file flow: review the files, then let each suggestion answer the questions
    the file leaves unanswered (an explicit answer always wins)."""
    from webapp.domain.evidence import resolve_evidence

    if not any(wf.files for wf in answers.workflows):
        return answers
    index = content.index(answers.questionnaire, answers.version)
    return resolve_evidence(with_files(answers, folder), index, apply=True)
