"""Reviews on a questionnaire that is not Faultline's own (an AWS custom lens, `lens:<key>`).

The dashboard, progress, status and milestones need a few answers that only such a review's
kind can give. The kind registers them here (`webapp.lenses.services` does when it is imported,
which the app factory always does), so assessments never import the features built on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from webapp.assessments.models import Assessment, Status


@dataclass(frozen=True)
class Kind:
    #: questionnaire ids of this kind start with it
    prefix: str
    #: the review's result: `.answered`, `.total`, `.plan` and `.pillars` (each with `.pillar`
    #: and `.questions`) are read here
    result: Callable[[Session, Assessment], Any]
    status: Callable[[Session, Assessment], Status]
    #: (result summary, answers) that a milestone keeps
    frozen: Callable[[Session, Assessment], tuple[dict, dict]]
    #: (questionnaire id, version) a new review is pinned to: the version named, else the
    #: newest; `ServiceError` when there is none to start on
    pin: Callable[[Session, str, int | None], tuple[str, int]]


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    _KINDS[kind.prefix] = kind


def kind_of(assessment: Assessment) -> Kind | None:
    """The review's kind, or None for a review on Faultline's own questionnaire."""
    return kind_named(assessment.questionnaire_id)


def kind_named(questionnaire_id: str | None) -> Kind | None:
    """The kind of reviews on `questionnaire_id`, or None for Faultline's own questionnaire."""
    for prefix, kind in _KINDS.items():
        if (questionnaire_id or "").startswith(prefix):
            return kind
    return None
