"""How much of the questionnaire a team is asked: the minimum checklist or the full review.

A poor fit gets the minimum checklist by default; the team can choose the full review anyway
(and go back). The choice changes the result, so it bumps the assessment's revision.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.assessments.models import Assessment
from webapp.assessments.services import mark_changed
from webapp.audit.services import record_audit
from webapp.domain import Content
from webapp.teams.models import Role
from webapp.teams.services import require_membership

logger = logging.getLogger(__name__)


def choose_review(session: Session, assessment: Assessment, user: User, *, full: bool,
                  content: Content) -> bool:
    """Record the choice; False when it was already so (a repeated click changes nothing)."""
    require_membership(session, assessment.team_id, user, Role.EDITOR)
    if assessment.full_review == full:
        return False
    assessment.full_review = full
    record_audit(
        session,
        assessment=assessment,
        actor=user,
        action="assessment.review_scope",
        target="full review" if full else "minimum checklist",
    )
    mark_changed(session, assessment, content=content)
    logger.info(
        "assessment %s: %s chosen by user %s",
        assessment.id,
        "full review" if full else "minimum checklist",
        user.id,
    )
    return True
