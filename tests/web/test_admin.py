"""Administration: who administers, what they can do, and the log of every action."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from webapp.accounts.models import AdminEvent, User
from webapp.cli import main

BASE_URL = "http://faultline.test"


@pytest.fixture
def admin(make_user, login, app):
    app.config["FAULTLINE_BASE_URL"] = BASE_URL
    user = make_user(name="Ada Admin", is_admin=True)
    login(user)
    return user


def actions(db_session) -> list[tuple[str, str]]:
    db_session.expire_all()
    rows = db_session.scalars(select(AdminEvent).order_by(AdminEvent.id))
    return [(e.action, e.target) for e in rows]


def test_only_administrators_see_the_admin_page(client, make_user, login):
    login(make_user())
    assert client.get("/admin/").status_code == 404
    assert client.post("/admin/signup-mode", data={"mode": "closed"}).status_code == 404
    assert "Administration" not in client.get("/teams/").text


def test_the_admin_page_lists_users_with_last_sign_in_and_teams(client, admin, make_user,
                                                                make_team):
    member = make_user(name="Mia Member")
    make_team(name="Ledger", owner=member)
    page = client.get("/admin/")
    assert page.status_code == 200
    row = page.text.split(f'id="user-{member.id}"')[1].split("</tr>")[0]
    assert "Mia Member" in row and "Ledger" in row and "never" in row
    own = page.text.split(f'id="user-{admin.id}"')[1].split("</tr>")[0]
    assert "never" not in own  # signed in just now


def test_disabling_ends_sessions_and_sign_in_and_is_audited(app, client, db_session, admin,
                                                            make_user):
    user = make_user()
    theirs = app.test_client()
    theirs.post("/signin", data={"email": user.email, "password": PASSWORD})
    assert client.post(f"/admin/users/{user.id}/disable").status_code == 302
    assert theirs.get("/teams/").status_code == 302
    again = theirs.post("/signin", data={"email": user.email, "password": PASSWORD})
    assert "This account is disabled" in again.text
    assert client.post(f"/admin/users/{user.id}/enable").status_code == 302
    assert theirs.post("/signin", data={"email": user.email, "password": PASSWORD}
                       ).status_code == 302
    assert [a for a, _ in actions(db_session)] == ["user.disabled", "user.enabled"]


def test_granting_and_removing_administration(client, db_session, admin, make_user):
    user = make_user()
    client.post(f"/admin/users/{user.id}/grant-admin")
    db_session.expire_all()
    assert user.is_admin
    client.post(f"/admin/users/{user.id}/remove-admin")
    db_session.expire_all()
    assert not user.is_admin
    assert [a for a, _ in actions(db_session)] == ["admin.granted", "admin.removed"]


def test_an_administrator_cannot_lock_themselves_out(client, db_session, admin):
    for action in ("disable", "remove-admin"):
        refused = client.post(f"/admin/users/{admin.id}/{action}")
        assert refused.status_code == 400 and "cannot change your own account" in refused.text
    db_session.expire_all()
    assert admin.is_admin and not admin.is_disabled
    assert actions(db_session) == []


def test_an_admin_reset_link_works_once_and_is_shown_once(app, client, db_session, admin,
                                                          make_user):
    user = make_user()
    page = client.post(f"/admin/users/{user.id}/reset-link")
    assert page.headers["Cache-Control"] == "no-store"
    link = re.search(re.escape(BASE_URL) + r"(/password/reset/[A-Za-z0-9_-]{43})", page.text)
    assert link and link.group(1) not in client.get("/admin/").text
    stranger = app.test_client()
    new = "velvet canyon postcard drift"
    assert stranger.post(link.group(1), data={"password": new, "confirm": new}).status_code == 302
    assert stranger.get(link.group(1)).status_code == 404
    assert stranger.post("/signin", data={"email": user.email, "password": new}).status_code == 302
    assert actions(db_session)[-1][0] == "user.reset_link_made"
    assert link.group(1).rsplit("/", 1)[1] not in str(
        db_session.scalars(select(AdminEvent.detail)).all())


def test_the_sign_up_mode_is_changed_on_the_admin_page_and_logged(app, client, db_session,
                                                                   admin):
    assert client.post("/admin/signup-mode", data={"mode": "closed"}).status_code == 302
    assert actions(db_session) == [("signup.mode_changed", "installation")]
    visitor = app.test_client()
    assert visitor.get("/signup").status_code == 403
    refused = client.post("/admin/signup-mode", data={"mode": "everyone"})
    assert refused.status_code == 400 and "Not a valid choice" in refused.text


def test_faultline_admin_create_makes_and_promotes_administrators(runner, make_app, tmp_path,
                                                                  monkeypatch):
    app = make_app()
    env = {"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "k" * 40}
    password = "brisk otter window ledger"
    made = runner.invoke(main, ["admin", "create", "--email", "Root@Example.com", "--name",
                                "Rita Root"], env=env, input=f"{password}\n{password}\n")
    assert made.exit_code == 0, made.output
    assert "root@example.com created as an administrator" in made.output
    weak = runner.invoke(main, ["admin", "create", "--email", "weak@example.com", "--name",
                                "Wes"], env=env, input="password1234\npassword1234\n")
    assert weak.exit_code == 1 and "very common password" in weak.output
    from webapp.core.db import session_scope

    with session_scope(app) as session:
        users = {u.email: u.is_admin for u in session.scalars(select(User))}
    assert users == {"root@example.com": True}


def test_an_administrator_reads_any_assessment_but_changes_nothing(client, admin, make_user,
                                                                    make_team, make_assessment):
    owner = make_user()
    team = make_team(owner=owner, name="Ledger")
    assessment = make_assessment(team, owner, name="Ledger API")
    page = client.get(f"/assessments/{assessment.id}/steps/observe")
    assert page.status_code == 200 and "Ledger API" in page.text
    assert "Save and continue" not in page.text and "read only" in page.text
    assert client.post(f"/assessments/{assessment.id}/delete").status_code == 403
    assert client.get(f"/assessments/{assessment.id}/sharing").status_code == 403
    listed = client.get("/admin/")
    assert f'href="/teams/{team.id}"' in listed.text
