"""Teams: create, members and roles, and who may see what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from webapp.teams.models import Membership, Role, Team


def roles_of(db_session, team):
    db_session.expire_all()
    rows = db_session.scalars(select(Membership).where(Membership.team_id == team.id))
    return {m.user.email: m.role for m in rows}


def new_team_token(client) -> str:
    page = client.get("/teams/new").get_data(as_text=True)
    return page.split('name="submit_token" type="hidden" value="')[1].split('"')[0]


def test_create_team_makes_creator_its_owner(client, db_session, make_user, login):
    user = make_user()
    login(user)
    response = client.post("/teams/new", data={"name": "  Payments platform ",
                                                "submit_token": new_team_token(client)})
    assert response.status_code == 302
    team = db_session.scalar(select(Team).where(Team.name == "Payments platform"))
    assert team is not None
    assert response.headers["Location"].endswith(f"/teams/{team.id}")
    assert roles_of(db_session, team) == {user.email: "owner"}
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert "Payments platform" in page and "Invite someone" in page


def test_a_team_form_sent_twice_creates_one_team(client, db_session, make_user, login):
    login(make_user())
    data = {"name": "Payments platform", "submit_token": new_team_token(client)}
    assert client.post("/teams/new", data=data).status_code == 302
    again = client.post("/teams/new", data=data, follow_redirects=True)
    assert "already sent" in again.get_data(as_text=True)
    assert len(db_session.scalars(select(Team).where(Team.name == "Payments platform")).all()) == 1


def test_create_team_without_name_returns_400(client, make_user, login):
    login(make_user())
    response = client.post("/teams/new", data={"name": ""})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_team_list_shows_only_my_teams(client, make_user, make_team, login):
    me = make_user()
    make_team(name="Mine", owner=me)
    make_team(name="Theirs")
    login(me)
    page = client.get("/teams/").get_data(as_text=True)
    assert "Mine" in page and "Theirs" not in page


def test_nobody_is_added_to_a_team_by_email_alone(client, db_session, make_user, make_team,
                                                  login):
    owner, someone = make_user(), make_user(email="someone@example.com")
    team = make_team(owner=owner)
    login(owner)
    response = client.post(f"/teams/{team.id}/members",
                           data={"email": someone.email, "role": "viewer"})
    assert response.status_code == 404  # the old "add by email" address is gone
    assert someone.email not in roles_of(db_session, team)


def test_owner_changes_role_and_removes_member(client, db_session, make_user, make_team, login):
    owner, member = make_user(), make_user()
    team = make_team(owner=owner, members={member: "viewer"})
    login(owner)
    assert client.post(f"/teams/{team.id}/members/{member.id}/role",
                       data={"role": "editor"}).status_code == 302
    assert roles_of(db_session, team)[member.email] == "editor"
    assert client.post(f"/teams/{team.id}/members/{member.id}/remove").status_code == 302
    assert member.email not in roles_of(db_session, team)


@pytest.mark.parametrize("action", ["remove", "demote"])
def test_last_owner_cannot_leave_the_team_ownerless(client, db_session, make_user, make_team,
                                                    login, action):
    owner = make_user()
    team = make_team(owner=owner)
    login(owner)
    if action == "remove":
        response = client.post(f"/teams/{team.id}/members/{owner.id}/remove")
    else:
        response = client.post(f"/teams/{team.id}/members/{owner.id}/role", data={"role": "editor"})
    assert response.status_code == 400
    assert "at least one owner" in response.get_data(as_text=True)
    assert roles_of(db_session, team) == {owner.email: "owner"}


def test_one_of_two_owners_can_step_down(client, db_session, make_user, make_team, login):
    owner, other = make_user(), make_user()
    team = make_team(owner=owner, members={other: "owner"})
    login(owner)
    response = client.post(f"/teams/{team.id}/members/{owner.id}/role", data={"role": "viewer"})
    assert response.status_code == 302
    assert roles_of(db_session, team)[owner.email] == "viewer"


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_non_owners_cannot_manage_members(client, db_session, make_user, make_team, login, role):
    owner, member, outsider = make_user(), make_user(), make_user()
    team = make_team(owner=owner, members={member: role})
    login(member)
    page = client.get(f"/teams/{team.id}")
    assert page.status_code == 200 and "Invite someone" not in page.get_data(as_text=True)
    attempts = [
        (f"/teams/{team.id}/invitations", {"email": outsider.email, "role": "owner"}),
        (f"/teams/{team.id}/members/{owner.id}/role", {"role": "viewer"}),
        (f"/teams/{team.id}/members/{owner.id}/remove", {}),
        (f"/teams/{team.id}/members/{member.id}/role", {"role": "owner"}),
    ]
    for url, data in attempts:
        assert client.post(url, data=data).status_code == 403, url
    assert roles_of(db_session, team) == {owner.email: "owner", member.email: role.value}


def test_non_members_get_404_for_everything_of_a_team(client, make_user, make_team, login):
    owner, outsider = make_user(), make_user()
    team = make_team(owner=owner)
    login(outsider)
    assert client.get(f"/teams/{team.id}").status_code == 404
    for url in (f"/teams/{team.id}/invitations", f"/teams/{team.id}/members/{owner.id}/remove",
                f"/teams/{team.id}/members/{owner.id}/role"):
        assert client.post(url, data={"email": outsider.email, "role": "owner"}).status_code == 404
    assert client.get("/teams/999999").status_code == 404


def test_an_admin_reads_every_team_but_changes_none_without_membership(
        client, db_session, make_user, make_team, login):
    admin = make_user(is_admin=True)
    team = make_team()
    owner = team.memberships[0].user
    login(admin)
    page = client.get(f"/teams/{team.id}")
    assert page.status_code == 200
    assert "as an administrator you can read this team" in page.get_data(as_text=True)
    assert "Invite someone" not in page.get_data(as_text=True)
    for url, data in [(f"/teams/{team.id}/invitations", {"email": "x@example.com",
                                                          "role": "owner"}),
                      (f"/teams/{team.id}/members/{owner.id}/role", {"role": "viewer"})]:
        refused = client.post(url, data=data)
        assert refused.status_code == 403
        assert "Ask an owner of this team to invite you" in refused.get_data(as_text=True)
    assert roles_of(db_session, team) == {owner.email: "owner"}


def test_team_page_names_the_current_team_in_the_header(client, make_user, make_team, login):
    owner = make_user()
    team = make_team(name="Checkout", owner=owner)
    login(owner)
    page = client.get(f"/teams/{team.id}").get_data(as_text=True)
    assert 'class="current-team"' in page and "Current team: </span>Checkout" in page
