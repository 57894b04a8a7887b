"""A NUL character in any text a user sends is refused with 400 and a clear message."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from webapp.assessments.models import Answer
from webapp.teams.models import Team

MESSAGE = "contains a NUL character"


def test_a_form_field_with_a_nul_is_refused_and_nothing_is_stored(client, make_user, login,
                                                                   db_session):
    login(make_user())
    response = client.post("/teams/new", data={"name": "Pay\x00ments"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "“name” " + MESSAGE in page and "Remove it" in page
    assert db_session.scalar(select(func.count()).select_from(Team)) == 0


def test_an_autosaved_note_with_a_nul_gets_a_json_400(client, make_user, make_team,
                                                      make_assessment, login, db_session):
    owner = make_user()
    assessment = make_assessment(make_team(owner=owner), owner)
    login(owner)
    question = "contain.circuit-breakers"
    response = client.post(
        f"/assessments/{assessment.id}/answers",
        data={"scope": "system", "question": question, f"{question}-choice": "some",
              f"{question}-version": "0", f"{question}-note": "ok\x00"},
        headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert MESSAGE in response.get_json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(Answer)) == 0


def test_an_uploaded_file_with_a_nul_is_refused(client, make_user, login):
    login(make_user())
    upload = (io.BytesIO(b"on: push\x00\n"), "ci.yml")
    response = client.post("/teams/new", data={"name": "Payments", "file": upload},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "“ci.yml” " + MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32"])
def test_a_file_saved_as_utf_16_or_32_is_refused_saying_so(client, make_user, login, codec):
    """Windows editors and PowerShell's `>` save UTF-16: its NULs are not pasted binary data."""
    login(make_user())
    upload = (io.BytesIO("questionnaire: reliability-review\n".encode(codec)), "answers.yaml")
    response = client.post("/teams/new", data={"name": "Payments", "file": upload},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and MESSAGE not in page
    assert f"“answers.yaml” is {codec.upper()[:6]} text, not UTF-8: save it as UTF-8" in page


def test_a_query_parameter_with_a_nul_is_refused(client, make_user, login):
    login(make_user())
    response = client.get("/teams/?q=a%00b")
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
