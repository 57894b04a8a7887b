"""The assessment a request may see, for other features' views."""

from __future__ import annotations

from webapp.teams.models import Role


def member_assessment(assessment_id: int, role: Role = Role.VIEWER):
    """`assessments.load_assessment`, imported late: that package imports its pages."""
    from webapp.assessments.views import load_assessment

    return load_assessment(assessment_id, role)


