"""The automated reviewer: read GitHub Actions workflows, GitLab CI pipelines, compose files and
Kubernetes manifests, and report what makes them fragile, as findings and as suggested review
answers.

Pure Python: no Flask, no SQLAlchemy. Checks are data (`rules/automation/*.yaml`), detectors are
small functions (`webapp.reviewer.detectors`).
"""

from webapp.reviewer.checks import Check, CheckFileError, load_checks
from webapp.reviewer.engine import Report, review, review_texts
from webapp.reviewer.evidence import Suggestion, suggest_answers, suggest_texts
from webapp.reviewer.models import Finding

__all__ = [
    "Check", "CheckFileError", "Finding", "Report", "Suggestion", "load_checks", "review",
    "review_texts", "suggest_answers", "suggest_texts",
]  # fmt: skip
