"""Render a review as terminal text or as stable JSON."""

from __future__ import annotations

import json
import shutil
import textwrap
from itertools import groupby
from typing import Any

import click

from webapp import __version__
from webapp.domain.text import counted
from webapp.reviewer.engine import Report
from webapp.reviewer.models import SEVERITIES, Finding

MAX_SKIPPED_LISTED = 10  # a walked repository holds many unrelated YAML files: count them only
_COLOURS = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan"}


def render_json(report: Report) -> str:
    """Sorted keys and sorted findings: the same input gives the same bytes."""
    data: dict[str, Any] = {
        "tool": {"name": "faultline", "version": __version__},
        "summary": summary(report),
        "files": report.files,
        "skipped": [{"path": path, "reason": reason} for path, reason in report.skipped],
        "findings": [finding.to_dict() for finding in report.findings],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def summary(report: Report) -> dict[str, Any]:
    return {
        "files": len(report.files),
        "findings": len(report.active),
        "suppressed": len(report.suppressed),
        "skipped": len(report.skipped),
        "by_severity": report.counts(),
    }


def render_text(report: Report, color: bool = False, width: int | None = None) -> str:
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 110)
    out: list[str] = []
    explained: set[str] = set()
    for path, findings in groupby(report.active, key=lambda f: f.path):
        out.append(_style(path, color, bold=True))
        for finding in findings:
            out.extend(_finding_lines(finding, color, width, finding.rule_id not in explained))
            explained.add(finding.rule_id)
        out.append("")
    if len(report.skipped) <= MAX_SKIPPED_LISTED:
        out.extend(f"skipped {path}: {reason}" for path, reason in report.skipped)
    out.append(_summary_line(report))
    return "\n".join(out) + "\n"


def _finding_lines(finding: Finding, color: bool, width: int, explain: bool) -> list[str]:
    """The finding; why and how to fix only the first time its rule appears."""
    place = f"{finding.line}:{finding.column}"
    severity = _style(finding.severity.upper(), color, fg=_COLOURS[finding.severity], bold=True)
    head = (f"  {place:<8}{severity}  {finding.rule_id}  "
            f"({finding.pattern}, confidence {finding.confidence})")
    indent = " " * 10
    lines = [head]
    lines += _wrap(finding.message, width, indent, indent)
    if explain:
        for label, text in (("why", finding.rationale), ("fix", finding.remediation)):
            lines += _wrap(f"{label}: {text}", width, indent, indent + "     ")
    return lines


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width, initial_indent=first,
                         subsequent_indent=rest, break_on_hyphens=False, break_long_words=False)


def _summary_line(report: Report) -> str:
    counts = report.counts()
    by_severity = ", ".join(f"{counts[sev]} {sev}" for sev in SEVERITIES if counts[sev])
    parts = [f"{counted(len(report.files), 'file')} reviewed",
             counted(len(report.active), "finding") + (f" ({by_severity})" if by_severity else "")]
    if report.suppressed:
        parts.append(f"{len(report.suppressed)} suppressed")
    if report.skipped:
        parts.append(f"{len(report.skipped)} skipped")
    return ", ".join(parts)


def _style(text: str, color: bool, **style: Any) -> str:
    return click.style(text, **style) if color else text
