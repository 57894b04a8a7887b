"""Run the checks over automation files and collect findings."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from webapp.reviewer import suppress
from webapp.reviewer.checks import Check, load_checks
from webapp.reviewer.detectors import Context
from webapp.reviewer.discovery import Discovery, discover, discover_texts
from webapp.reviewer.models import SEVERITIES, Finding, Hit, Source, at_or_above
from webapp.reviewer.yamlnodes import Pos

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltinRule:
    """A finding the reviewer itself raises, not a check from the data files."""

    id: str
    title: str
    severity: str
    confidence: str
    pattern: str
    rationale: str
    remediation_text: str
    references: tuple[str, ...] = ()


PARSE_ERROR = BuiltinRule(
    "faultline.parse-error", "File is not valid YAML", "high", "high", "verification",
    "A file that does not parse is rejected by the system that reads it (GitHub, Compose, the "
    "Kubernetes API), and none of its other problems can be reviewed.",
    "Fix the syntax at the reported place; `python -c 'import yaml,sys; "
    "yaml.safe_load_all(open(sys.argv[1]))'` reproduces the error.",
)
SUPPRESSION_WITHOUT_REASON = BuiltinRule(
    "faultline.suppression-without-reason", "Suppression without a reason", "low", "high",
    "verification",
    "An ignore comment without a reason hides a finding with nothing for the next reader to "
    "judge it by, so Faultline refuses it and keeps the finding.",
    "Write why the finding does not apply after the bracket: "
    "`# faultline: ignore[gha.job-timeout] bounded by the reusable workflow`.",
)
BUILTIN_RULES = (PARSE_ERROR, SUPPRESSION_WITHOUT_REASON)


@dataclass
class Report:
    """The outcome of one review run."""

    findings: list[Finding]  #: every finding, suppressed ones included, sorted
    files: list[str]  #: reviewed files (display paths), parse failures included
    skipped: list[tuple[str, str]] = field(default_factory=list)
    checks: tuple[Check, ...] = ()

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed]

    def counts(self) -> dict[str, int]:
        return {sev: sum(f.severity == sev for f in self.active) for sev in SEVERITIES}

    def fails(self, threshold: str) -> bool:
        return any(at_or_above(f.severity, threshold) for f in self.active)


def review(paths: Iterable[Path], root: Path | None = None, baseline: set[str] | None = None,
           checks: tuple[Check, ...] | None = None) -> Report:
    """Review every automation file under `paths`."""
    return _review_found(discover(paths, root), baseline, checks)


def review_texts(files: Mapping[str, str], baseline: set[str] | None = None,
                 checks: tuple[Check, ...] | None = None) -> Report:
    """Review files held in memory (uploads), keyed by their repository-relative path."""
    return _review_found(discover_texts(files), baseline, checks)


def _review_found(found: Discovery, baseline: set[str] | None,
                  checks: tuple[Check, ...] | None) -> Report:
    checks = load_checks() if checks is None else checks
    findings = [_parse_finding(path, error) for path, error in found.parse_errors]
    findings += review_sources(found.sources, checks)
    return _finish(found, findings, checks, baseline or set())


def review_sources(sources: list[Source], checks: Iterable[Check]) -> list[Finding]:
    """Findings of `checks` on already parsed sources, inline suppressions applied."""
    context = Context(sources)
    findings: list[Finding] = []
    for source in sources:
        raw = [
            make_finding(check, source, hit)
            for check in checks if check.target == source.kind
            for hit in check.run(source, context)
        ]
        findings += _apply_inline(source, raw)
    return findings


def make_finding(rule: Check | BuiltinRule, source: Source | None, hit: Hit,
                 path: str = "") -> Finding:
    return Finding(
        rule_id=rule.id, title=rule.title, path=source.display if source else path,
        line=hit.pos.line, column=hit.pos.col, severity=rule.severity,
        confidence=rule.confidence, pattern=rule.pattern, message=hit.message,
        rationale=rule.rationale.strip(), remediation=rule.remediation_text,
        logical=hit.logical, snippet=source.line_text(hit.pos.line).strip() if source else "",
    )


def _parse_finding(path: str, error: Exception) -> Finding:
    pos = getattr(error, "pos", Pos(1, 1))
    hit = Hit(pos, f"not valid YAML: {getattr(error, 'problem', error)}", "file")
    return make_finding(PARSE_ERROR, None, hit, path)


def _apply_inline(source: Source, findings: list[Finding]) -> list[Finding]:
    result, refused = [], set()
    for finding in findings:
        finding, refused_line = suppress.apply_inline(finding, source.lines)
        result.append(finding)
        if refused_line:
            refused.add(refused_line)
    for line in sorted(refused):
        hit = Hit(Pos(line, source.line_text(line).find("#") + 1),
                  "`# faultline: ignore[...]` without a reason: the suppression is refused",
                  f"suppression:{line}")
        result.append(make_finding(SUPPRESSION_WITHOUT_REASON, source, hit))
    return result


def _finish(found: Discovery, findings: list[Finding], checks: tuple[Check, ...],
            baseline: set[str]) -> Report:
    findings = suppress.with_fingerprints(sorted(findings, key=Finding.sort_key))
    findings = suppress.apply_baseline(findings, baseline)
    files = sorted({s.display for s in found.sources} | {p for p, _ in found.parse_errors})
    log.info("reviewed %s files: %s findings", len(files), len(findings))
    return Report(findings, files, sorted(found.skipped), checks)
