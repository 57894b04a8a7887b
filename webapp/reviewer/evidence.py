"""Turn the reviewer's findings into suggested answers for the review questionnaire.

A check's `suggests:` lists questionnaire answers its outcome points to: `when: finding`
(default) for the answer a finding is evidence of, `when: clean` for the good answer a file
that passes the check supports. The web app and the answers file show a suggestion as
"detected in <file>:<line>"; the user accepts or overrides it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from webapp.reviewer.checks import Check, load_checks
from webapp.reviewer.detectors import Context
from webapp.reviewer.discovery import discover, discover_texts
from webapp.reviewer.engine import Report, review_sources, review_texts
from webapp.reviewer.models import Finding, Source


@dataclass(frozen=True)
class Suggestion:
    """One suggested answer with the evidence behind it."""

    question_id: str
    choice_id: str
    file: str  #: repository-relative path of the evidence
    line: int  #: 1-based; 1 for a whole-file (clean) observation
    rule_id: str
    text: str  #: e.g. "detected in .github/workflows/release.yml:12"
    positive: bool = False  #: True when it comes from a check the file passes


Evidence = Report | Iterable[Finding] | Iterable[str | Path]


def suggest_answers(evidence: Evidence, checks: tuple[Check, ...] | None = None,
                    root: Path | None = None) -> list[Suggestion]:
    """Suggestions from findings (a Report or Findings), or from files and folders to review.

    Only paths give positive (`when: clean`) suggestions: findings alone do not say which
    files passed. Suppressed findings suggest nothing: someone judged they do not apply.
    """
    checks = load_checks() if checks is None else checks
    items = list(evidence.findings if isinstance(evidence, Report) else evidence)
    if items and all(isinstance(item, str | Path) for item in items):
        return _from_paths([Path(item) for item in items], checks, root)
    return _dedupe(_from_findings([i for i in items if isinstance(i, Finding)], checks))


def suggest_texts(files: Mapping[str, str], checks: tuple[Check, ...] | None = None
                  ) -> tuple[Report, list[Suggestion]]:
    """Review files held in memory (an upload, or files an answers file names) and suggest
    answers, positive ones included: the report for its findings, parse errors and skips."""
    checks = load_checks() if checks is None else checks
    report = review_texts(files, checks=checks)
    found = discover_texts(files)
    context = Context(found.sources)
    suggestions = _from_findings(report.findings, checks)
    for source in found.sources:
        suggestions += _positive(source, context, checks)
    return report, _dedupe(suggestions)


def _from_findings(findings: list[Finding], checks: tuple[Check, ...]) -> list[Suggestion]:
    by_id = {check.id: check for check in checks}
    suggestions = []
    for finding in findings:
        check = by_id.get(finding.rule_id)
        if check is None or finding.suppressed:
            continue
        suggestions += [
            Suggestion(s.question, s.choice, finding.path, finding.line, finding.rule_id,
                       f"detected in {finding.path}:{finding.line}")
            for s in check.suggests if s.when == "finding"
        ]
    return suggestions


def _from_paths(paths: list[Path], checks: tuple[Check, ...], root: Path | None):
    found = discover(paths, root)
    suggestions = _from_findings(review_sources(found.sources, checks), checks)
    context = Context(found.sources)
    for source in found.sources:
        suggestions += _positive(source, context, checks)
    return _dedupe(suggestions)


def _positive(source: Source, context: Context, checks: tuple[Check, ...]) -> list[Suggestion]:
    result = []
    for check in checks:
        clean = [s for s in check.suggests if s.when == "clean"]
        if check.target != source.kind or not clean:
            continue
        for answer in clean:
            strict = check.model_copy(update={"params": {**check.params, **answer.params}})
            if not strict.run(source, context):
                result.append(Suggestion(
                    answer.question, answer.choice, source.display, 1, check.id,
                    f"checked in {source.display}: no \u201c{check.title}\u201d", positive=True,
                ))
    return result


def _dedupe(suggestions: list[Suggestion]) -> list[Suggestion]:
    """One suggestion per question, choice and file: the first place it was seen."""
    best: dict[tuple[str, str, str], Suggestion] = {}
    for suggestion in sorted(suggestions, key=lambda s: (s.file, s.line, s.question_id)):
        best.setdefault((suggestion.question_id, suggestion.choice_id, suggestion.file),
                        suggestion)
    return sorted(best.values(), key=lambda s: (s.file, s.line, s.question_id, s.choice_id))
