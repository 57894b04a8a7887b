"""An alias bomb pasted as a workflow's automation file is refused at once, naming the limit."""

from __future__ import annotations

import time

from tests.domain.test_yaml_limits import alias_bomb
from webapp.assessments import workflows as workflow_service
from webapp.assessments.models import Workflow
from webapp.core.startup import get_content


def test_an_alias_bomb_automation_file_is_refused_quickly(app, client, make_user, make_team,
                                                          make_assessment, login, db_session):
    owner = make_user()
    assessment = make_assessment(make_team(owner=owner), owner)
    with app.test_request_context():
        workflow = workflow_service.add_workflow(db_session, assessment, name="Release",
                                                 content=get_content())
    login(owner)
    url = f"/assessments/{assessment.id}/workflows/{workflow.id}/automation"
    assert client.get(url).status_code == 200  # templates compiled before timing
    started = time.monotonic()
    response = client.post(url, data={"name": ".github/workflows/release.yml",
                                      "text": alias_bomb()})
    assert time.monotonic() - started < 1
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "limit on nodes" in page
    assert "*a8" in page  # what was pasted is kept in the form
    db_session.expire_all()
    assert db_session.get(Workflow, workflow.id).automation_text is None
