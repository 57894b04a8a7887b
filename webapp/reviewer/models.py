"""The reviewer's plain data: a parsed source file, a check's hit, a finding."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webapp.domain.vocabulary import SEVERITIES
from webapp.reviewer.yamlnodes import Pos

KINDS = ("gha", "gitlab", "compose", "k8s")
SEVERITY_RANK = {name: rank for rank, name in enumerate(reversed(SEVERITIES))}


@dataclass
class Source:
    """One automation file, read and parsed."""

    path: Path  #: where it was read from
    display: str  #: repository-relative POSIX path shown in findings and SARIF
    kind: str  #: gha | gitlab | compose | k8s
    text: str
    docs: list[Any]  #: its YAML documents (YMap/YList trees)
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.lines:
            self.lines = self.text.splitlines()

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def find_line(self, needle: str, start: int, span: int = 400) -> Pos | None:
        """The first line at or after `start` containing `needle`, with its column."""
        for line in range(start, min(start + span, len(self.lines)) + 1):
            col = self.line_text(line).find(needle)
            if col >= 0:
                return Pos(line, col + 1)
        return None


@dataclass(frozen=True)
class Hit:
    """What a detector reports: where, what exactly, and the logical place for fingerprints."""

    pos: Pos
    message: str
    logical: str  #: e.g. "jobs.release.steps[3]", stable when lines move


@dataclass(frozen=True)
class Suppression:
    kind: str  #: inSource | external
    justification: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    title: str
    path: str  #: repository-relative POSIX path
    line: int
    column: int
    severity: str
    confidence: str
    pattern: str
    message: str  #: what was seen, specific to this place
    rationale: str  #: why it matters
    remediation: str  #: how to fix
    logical: str
    snippet: str  #: the source line, for fingerprints and display
    fingerprint: str = ""
    suppression: Suppression | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule_id)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rule_id": self.rule_id,
            "title": self.title,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "confidence": self.confidence,
            "pattern": self.pattern,
            "message": self.message,
            "why": self.rationale,
            "fix": self.remediation,
            "logical_location": self.logical,
            "fingerprint": self.fingerprint,
            "suppressed": None,
        }
        if self.suppression:
            data["suppressed"] = {
                "kind": self.suppression.kind,
                "justification": self.suppression.justification,
            }
        return data


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]
