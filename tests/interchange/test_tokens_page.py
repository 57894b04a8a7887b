"""Personal access tokens on the account page: shown once, stored hashed, revocable."""

from __future__ import annotations

import re

from webapp.api.models import ApiToken
from webapp.api.tokens import token_hash
from webapp.assessments.submissions import new_token


def _form(**fields) -> dict:
    return {"name": "CI", "scope": "read", "days": "30", "submit_token": new_token()} | fields


def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(client, db_session, owner, login):
    login(owner)
    page = client.post("/account/tokens/", data=_form())
    assert page.status_code == 200
    secret = re.search(r"flt_[A-Za-z0-9_-]{40,}", page.get_data(True)).group(0)
    row = db_session.query(ApiToken).one()
    assert row.token_hash == token_hash(secret) and secret not in repr(vars(row))
    again = client.get("/account/tokens/").get_data(True)
    assert secret not in again and row.prefix in again
    assert client.get("/api/v1/assessments",
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_a_token_without_a_name_is_refused_and_keeps_the_choices(client, owner, login):
    login(owner)
    page = client.post("/account/tokens/", data=_form(name="", scope="read-write", days="7"))
    assert page.status_code == 400
    assert '<option selected value="read-write">' in page.get_data(True)


def test_a_revoked_token_stops_working(client, db_session, owner, login):
    login(owner)
    page = client.post("/account/tokens/", data=_form())
    secret = re.search(r"flt_[A-Za-z0-9_-]{40,}", page.get_data(True)).group(0)
    row = db_session.query(ApiToken).one()
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302
    assert client.get("/api/v1/assessments",
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_another_persons_token_cannot_be_revoked(client, db_session, owner, make_user, login):
    login(owner)
    client.post("/account/tokens/", data=_form())
    row = db_session.query(ApiToken).one()
    client.post("/signout")
    login(make_user())
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 404


def test_sending_the_form_twice_makes_one_token(client, db_session, owner, login):
    login(owner)
    form = _form()
    assert client.post("/account/tokens/", data=dict(form)).status_code == 200
    again = client.post("/account/tokens/", data=dict(form))
    assert again.status_code == 302
    assert db_session.query(ApiToken).count() == 1
