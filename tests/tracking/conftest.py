"""Fixtures of the milestone, comparison and tracking tests: a team and an answered review."""

from __future__ import annotations

import pytest

from tests.factories import fill_from_example


@pytest.fixture
def filled(app, db_session, people, make_assessment):
    """An assessment answered like the payments example (74 findings)."""
    assessment = make_assessment(people["team"], people["owner"], name="Ledgerline Payments")
    with app.test_request_context():
        fill_from_example(db_session, assessment, people["owner"])
    return assessment
