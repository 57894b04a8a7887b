"""Every milestone, comparison and tracking route checks the role on the server.

Viewers read (plan, findings, exports, milestones, comparisons, PDFs); editors and owners also
change tracking, comment and freeze milestones; the audit log is for editors and owners.
Members below the needed role get 403, non-members 404, anonymous visitors go to sign in.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.role_table import WHO, expected
from tests.tracking.support import RULE
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.tracking import milestones as milestone_service
from webapp.tracking.models import FindingTracking, Milestone

FINDING = f"/assessments/{{a}}/plan/findings/{RULE}"
# (method, path, data, least role that may do it)
ROUTES = [
    ("GET", "/assessments/{a}/plan", None, "viewer"),
    ("GET", FINDING, None, "viewer"),
    ("POST", FINDING, {"status": "planned", "owner": ""}, "editor"),
    ("POST", FINDING + "/comments", {"body": "On it", "submit_token": "c" * 32}, "editor"),
    ("GET", "/assessments/{a}/plan.csv", None, "viewer"),
    ("GET", "/assessments/{a}/plan.json", None, "viewer"),
    ("GET", "/assessments/{a}/plan.md", None, "viewer"),
    ("GET", "/assessments/{a}/audit", None, "editor"),
    ("GET", "/assessments/{a}/milestones", None, "viewer"),
    ("POST", "/assessments/{a}/milestones", {"name": "Forged", "submit_token": "m" * 32},
     "editor"),
    ("GET", "/assessments/{a}/milestones/{m}", None, "viewer"),
    ("GET", "/assessments/{a}/milestones/{m}/report.pdf", None, "viewer"),
    ("GET", "/assessments/{a}/compare?from={m}&to=now", None, "viewer"),
    ("GET", "/assessments/{a}/compare.pdf?from={m}&to=now", None, "viewer"),
]


@pytest.fixture(scope="module")
def pdf_cache(tmp_path_factory) -> str:
    """One PDF cache for the module: each PDF is rendered once, then served from disk."""
    return str(tmp_path_factory.mktemp("pdf-cache"))


@pytest.fixture
def app_config(app_config: dict[str, Any], pdf_cache: str) -> dict[str, Any]:
    return {**app_config, "REPORT_CACHE_DIR": pdf_cache}


@pytest.fixture
def milestone(app, db_session, people, small) -> Milestone:
    with app.test_request_context():
        return milestone_service.create_milestone(db_session, small, people["owner"],
                                                  name="Baseline", cache=result_cache())


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("method", "path", "data", "least"), ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_role_table(client, login, people, small, milestone, db_session, who, method, path,
                    data, least):
    if who != "anonymous":
        login(people[who])
    target = path.format(a=small.id, m=milestone.id)
    response = client.post(target, data=data) if method == "POST" else client.get(target)
    assert response.status_code in expected(who, least), response.get_data(as_text=True)[:300]
    if who == "anonymous":
        assert "/signin" in response.headers["Location"]
    if method == "POST" and response.status_code in {403, 404, 302} and who in {"viewer",
                                                                                 "stranger",
                                                                                 "anonymous"}:
        assert db_session.scalars(select(FindingTracking)).first() is None
        names = db_session.scalars(select(Milestone.name)).all()
        assert names == ["Baseline"]


def test_a_milestone_of_another_assessment_is_not_found_here(app, client, login, db_session,
                                                             people, milestone):
    from webapp.assessments import services as assessment_service

    with app.test_request_context():
        other = assessment_service.start_assessment(db_session, people["team"],
                                                    people["owner"], name="Other",
                                                    content=get_content())
    login(people["owner"])
    assert client.get(f"/assessments/{other.id}/milestones/{milestone.id}").status_code == 404
    assert client.get(f"/assessments/{other.id}/compare?from={milestone.id}").status_code == 404
