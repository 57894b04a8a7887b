"""Every assessment route checks the role on the server: a parametrized table.

Viewers read, editors answer and manage workflows, owners also delete; members below the
needed role get 403, non-members 404 (they must not learn the assessment exists), and
anonymous visitors are sent to sign in.
"""

from __future__ import annotations

import pytest

from tests.role_table import WHO, expected
from webapp.assessments import services as assessment_service
from webapp.assessments import workflows as workflow_service
from webapp.assessments.models import Answer, Assessment, Workflow
from webapp.core.startup import get_content

Q = "contain.circuit-breakers"

# (method, path, data, least role that may do it)
ROUTES = [
    ("GET", "/assessments/{a}", None, "viewer"),
    ("GET", "/assessments/{a}/steps/fit", None, "viewer"),
    ("GET", "/assessments/{a}/steps/contain", None, "viewer"),
    ("GET", "/assessments/{a}/workflows", None, "viewer"),
    ("GET", "/assessments/{a}/workflows/{w}", None, "viewer"),
    ("GET", "/assessments/{a}/settings", None, "viewer"),
    ("GET", "/assessments/{a}/workflows/{w}/edit", None, "editor"),
    ("POST", "/assessments/{a}/steps/contain", {f"{Q}-choice": "none"}, "editor"),
    ("POST", "/assessments/{a}/workflows/{w}", {"workflow.volume-choice": "rare"}, "editor"),
    (
        "POST",
        "/assessments/{a}/answers",
        {"scope": "system", "question": Q, f"{Q}-choice": "none"},
        "editor",
    ),
    ("POST", "/assessments/{a}/workflows", {"name": "Forged", "submit_token": "f" * 32}, "editor"),
    ("POST", "/assessments/{a}/workflows/{w}/edit", {"name": "Renamed"}, "editor"),
    ("POST", "/assessments/{a}/workflows/{w}/move", {"offset": "1", "position": "0"}, "editor"),
    ("POST", "/assessments/{a}/workflows/{w}/duplicate", {"submit_token": "d" * 32}, "editor"),
    ("POST", "/assessments/{a}/workflows/{w}/remove", {}, "editor"),
    ("POST", "/assessments/{a}/settings", {"name": "Renamed"}, "editor"),
    ("POST", "/assessments/{a}/delete", {}, "owner"),
]


@pytest.fixture
def people(people, make_assessment, app, db_session):
    """The shared `people`, plus their team's assessment "Checkout" with two workflows."""
    assessment = make_assessment(people["team"], people["owner"], name="Checkout")
    with app.test_request_context():
        workflow_service.add_workflow(db_session, assessment, name="Deploy", content=get_content())
        workflow_service.add_workflow(db_session, assessment, name="Export", content=get_content())
    return {**people, "assessment": assessment}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    ("method", "path", "data", "least"), ROUTES, ids=[f"{m} {p}" for m, p, _, _ in ROUTES]
)
def test_role_table(client, login, people, db_session, who, method, path, data, least):
    assessment = people["assessment"]
    workflow = assessment.workflows[0]
    if who != "anonymous":
        login(people[who])
    url = path.format(a=assessment.id, w=workflow.id)
    response = client.get(url) if method == "GET" else client.post(url, data=dict(data))
    assert response.status_code in expected(who, least), response.get_data(as_text=True)[:500]
    if who == "anonymous":
        assert "/signin" in response.headers["Location"]


@pytest.mark.parametrize("who", ["viewer", "stranger"])
def test_refused_writes_change_nothing(client, login, people, db_session, who):
    assessment = people["assessment"]
    login(people[who])
    for method, path, data, _least in ROUTES:
        if method == "POST":
            client.post(path.format(a=assessment.id, w=assessment.workflows[0].id), data=dict(data))
    db_session.expire_all()
    assert db_session.get(Assessment, assessment.id).name == "Checkout"
    assert [w.name for w in db_session.query(Workflow).order_by(Workflow.position)] == [
        "Deploy",
        "Export",
    ]
    assert db_session.query(Answer).count() == 0


def test_viewer_sees_answers_but_no_controls(client, login, people):
    login(people["viewer"])
    assessment = people["assessment"]
    page = client.get(f"/assessments/{assessment.id}/steps/contain").get_data(as_text=True)
    assert '<form method="post" class="questions-form"' not in page
    assert 'type="radio"' not in page and "Save and continue" not in page
    assert "read only" in page
    workflows = client.get(f"/assessments/{assessment.id}/workflows").get_data(as_text=True)
    assert "Add a workflow" not in workflows and "Duplicate" not in workflows
    settings = client.get(f"/assessments/{assessment.id}/settings").get_data(as_text=True)
    assert "Delete assessment" not in settings


def test_editor_cannot_delete_but_owner_can(client, login, people, db_session):
    assessment_id = people["assessment"].id
    login(people["editor"])
    assert "Delete assessment" not in client.get(f"/assessments/{assessment_id}/settings").get_data(
        as_text=True
    )
    assert client.post(f"/assessments/{assessment_id}/delete").status_code == 403
    client.post("/signout")
    login(people["owner"])
    assert client.post(f"/assessments/{assessment_id}/delete").status_code == 302
    db_session.expire_all()
    assert db_session.get(Assessment, assessment_id) is None


def test_a_workflow_of_another_assessment_is_404(client, login, people, app, db_session, make_team):
    owner = people["owner"]
    other_team = make_team(name="Other", owner=owner)
    with app.test_request_context():
        other = assessment_service.start_assessment(db_session, other_team, owner, name="Other",
                                                    content=get_content())
    login(owner)
    foreign = people["assessment"].workflows[0]
    assert client.get(f"/assessments/{other.id}/workflows/{foreign.id}").status_code == 404
    assert client.post(f"/assessments/{other.id}/workflows/{foreign.id}/edit").status_code == 404
    client.post(f"/assessments/{other.id}/workflows/{foreign.id}/remove")  # "already gone"
    db_session.expire_all()
    assert db_session.get(Workflow, foreign.id) is not None


def test_posts_without_a_csrf_token_are_refused(client, login, people):
    login(people["owner"])
    assessment = people["assessment"]
    response = client.post(
        f"/assessments/{assessment.id}/steps/contain", data={f"{Q}-choice": "none"}, csrf=False
    )
    assert response.status_code == 400
