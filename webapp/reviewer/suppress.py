"""Fingerprints and the two ways to accept a finding: an inline comment, or a baseline file.

An inline `# faultline: ignore[rule-id] reason` on the finding's line (or the line above)
suppresses it; a reason is required, and a comment without one is refused and reported. A
baseline is a JSON file of fingerprints written by `--write-baseline`; findings whose
fingerprint it lists are suppressed as "external".

A fingerprint hashes the rule id, the path, the finding's logical location (job, step, service,
container, without list indexes) and its normalized source line: it survives lines moving.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from webapp.reviewer.models import Finding, Suppression

BASELINE_VERSION = 1
_INDEX = re.compile(r"\[\d+\]")
_INLINE = re.compile(r"#\s*faultline:\s*ignore\[([^\]]*)\](.*)$")


class BaselineError(ValueError):
    """A baseline file that cannot be read."""


def fingerprint(finding: Finding, occurrence: int = 0) -> str:
    """Positions are left out: list indexes shift when a step or container is added above."""
    snippet = " ".join(finding.snippet.split())
    logical = _INDEX.sub("[]", finding.logical)
    parts = [finding.rule_id, finding.path, logical, snippet, str(occurrence)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def with_fingerprints(findings: list[Finding]) -> list[Finding]:
    """Each finding with its fingerprint; identical ones are told apart by occurrence."""
    seen: Counter[str] = Counter()
    result = []
    for finding in findings:
        base = fingerprint(finding)
        result.append(replace(finding, fingerprint=fingerprint(finding, seen[base])))
        seen[base] += 1
    return result


def inline_directive(line: str) -> tuple[list[str], str] | None:
    """(rule ids, reason) of a `# faultline: ignore[...]` comment on `line`, if any."""
    match = _INLINE.search(line)
    if not match:
        return None
    rules = [rule.strip() for rule in match.group(1).split(",") if rule.strip()]
    return rules, match.group(2).strip()


def apply_inline(finding: Finding, lines: list[str]) -> tuple[Finding, int | None]:
    """The finding, suppressed when a comment allows it; plus the line of a refused comment."""
    for line_no in (finding.line, finding.line - 1):
        if not 0 < line_no <= len(lines):
            continue
        directive = inline_directive(lines[line_no - 1])
        if directive and finding.rule_id in directive[0]:
            reason = directive[1]
            if not reason:
                return finding, line_no
            return replace(finding, suppression=Suppression("inSource", reason)), None
    return finding, None


def load_baseline(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: not a faultline baseline (no `findings` list)")
    return {entry["fingerprint"] for entry in entries if isinstance(entry, dict)
            and isinstance(entry.get("fingerprint"), str)}


def apply_baseline(findings: list[Finding], fingerprints: set[str]) -> list[Finding]:
    justification = "accepted in the baseline file"
    return [
        replace(f, suppression=Suppression("external", justification))
        if not f.suppressed and f.fingerprint in fingerprints else f
        for f in findings
    ]


def baseline_json(findings: list[Finding]) -> str:
    """A baseline accepting every finding not suppressed inline, sorted to diff well."""
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.path}
         for f in findings if f.suppression is None or f.suppression.kind == "external"),
        key=lambda e: (e["path"], e["rule_id"], e["fingerprint"]),
    )
    return json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n"
