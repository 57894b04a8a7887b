"""SARIF 2.1.0 for GitHub code scanning.

Paths are repository-relative under the `%SRCROOT%` base; every result carries a
`partialFingerprints` entry that does not depend on the line number, so GitHub keeps tracking
an alert when lines above it move. Suppressed findings are kept, with `suppressions`.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from webapp import __version__
from webapp.reviewer.engine import BUILTIN_RULES, Report
from webapp.reviewer.models import Finding

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "faultlineFingerprint/v1"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
BASE_TAGS = ("reliability",)


def render_sarif(report: Report) -> str:
    rules = [*report.checks, *BUILTIN_RULES]
    index = {rule.id: position for position, rule in enumerate(rules)}
    run = {
        "tool": {"driver": _driver(rules)},
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, index) for finding in report.findings],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _driver(rules: list[Any]) -> dict[str, Any]:
    return {
        "name": "faultline",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_rule(rule) for rule in rules],
    }


def _rule(rule: Any) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.replace(".", "-").split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": " ".join(rule.rationale.split())},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": [*BASE_TAGS, rule.pattern, getattr(rule, "target", "faultline")],
            "precision": {"high": "high", "medium": "medium", "low": "low"}[rule.confidence],
            "problem.severity": {"error": "error", "warning": "warning", "note": "recommendation"}[
                LEVELS[rule.severity]
            ],
        },
    }
    urls = [ref.url for ref in getattr(rule, "references", ()) if hasattr(ref, "url")]
    if urls:
        descriptor["helpUri"] = urls[0]
    return descriptor


def _help_text(rule: Any) -> str:
    return f"Why: {' '.join(rule.rationale.split())}\nFix: {rule.remediation_text}"


def _help_markdown(rule: Any) -> str:
    steps = getattr(rule, "remediation", None) or [rule.remediation_text]
    lines = [f"**Why it matters.** {' '.join(rule.rationale.split())}", "", "**How to fix.**", ""]
    lines += [f"{number}. {' '.join(step.split())}" for number, step in enumerate(steps, 1)]
    refs = [ref for ref in getattr(rule, "references", ()) if hasattr(ref, "url")]
    if refs:
        lines += ["", "**References.**", ""]
        lines += [f"- [{ref.title}]({ref.url})" for ref in refs]
    return "\n".join(lines)


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [_location(finding)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "severity": finding.severity,
            "confidence": finding.confidence,
            "pattern": finding.pattern,
        },
    }
    if finding.suppression:
        result["suppressions"] = [{
            "kind": finding.suppression.kind,
            "status": "accepted",
            "justification": finding.suppression.justification,
        }]
    return result


def _location(finding: Finding) -> dict[str, Any]:
    artifact: dict[str, Any] = {"uri": quote(finding.path)}
    if PurePosixPath(finding.path).is_absolute():
        artifact["uri"] = PurePosixPath(finding.path).as_uri()
    else:
        artifact["uriBaseId"] = "%SRCROOT%"
    region: dict[str, Any] = {"startLine": finding.line, "startColumn": finding.column}
    if finding.snippet:
        region["snippet"] = {"text": finding.snippet}
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact,
                                                     "region": region}}
    if finding.logical:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.logical}]
    return location
