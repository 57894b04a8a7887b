"""The audit log: workflow and member changes in words, filters by who/what/when, and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from webapp.assessments import submissions
from webapp.audit.models import AuditEvent
from webapp.teams import invitations
from webapp.teams import services as team_service
from webapp.teams.models import Role


def audit_url(assessment, query: str = "") -> str:
    return f"/assessments/{assessment.id}/audit" + (f"?{query}" if query else "")


def rows(page: str) -> list[str]:
    if "<tbody>" not in page:
        return []
    return page.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")[:-1]


def token(app) -> str:
    with app.test_request_context():
        return submissions.new_token()


def test_workflow_changes_are_logged_in_words(app, client, login, db_session, people, small):
    login(people["editor"])
    base = f"/assessments/{small.id}/workflows"
    for name in ("Nightly payouts", "Refund run"):
        assert client.post(base, data={"name": name, "submit_token": token(app)}).status_code \
            == 302
    from webapp.assessments.models import Workflow

    first, second = db_session.scalars(select(Workflow).where(
        Workflow.assessment_id == small.id).order_by(Workflow.position)).all()
    assert client.post(f"{base}/{first.id}/edit", data={
        "name": "Nightly merchant payouts", "description": "", "source": ""}).status_code == 302
    assert client.post(f"{base}/{second.id}/move", data={"offset": -1, "position": 1}).status_code \
        == 302
    assert client.post(f"{base}/{first.id}/remove").status_code == 302
    page = client.get(audit_url(small, "kind=workflows")).get_data(as_text=True)
    text = "\n".join(rows(page))
    assert "Workflow “Nightly payouts” added" in text and "Workflow “Refund run” added" in text
    assert "Workflow “Nightly payouts” renamed to “Nightly merchant payouts”" in text
    assert "Workflow “Refund run” moved to position 1 of 2" in text
    assert "Workflow “Nightly merchant payouts” removed, with its answers" in text
    assert all("Ed" in row for row in rows(page)) and "workflow:" not in text
    assert "Answer" not in text  # the kind filter keeps workflow changes only


def test_member_changes_are_logged_on_the_teams_assessments(app, client, login, db_session,
                                                          people, small, make_user):
    login(people["owner"])
    team = people["team"]
    assert client.post(f"/teams/{team.id}/members/{people['viewer'].id}/role",
                       data={"role": "editor"}).status_code == 302
    assert client.post(f"/teams/{team.id}/members/{people['editor'].id}/remove").status_code \
        == 302
    newcomer = make_user(name="Nia", email="nia@example.com")
    with app.test_request_context():
        new = invitations.invite(db_session, team, people["owner"], "nia@example.com",
                                 Role.VIEWER)
        invitations.accept(db_session, new.token, newcomer)
    page = client.get(audit_url(small, "kind=members")).get_data(as_text=True)
    text = "\n".join(rows(page))
    assert "Role of Vi changed from viewer to editor" in text
    assert "Ed removed from the team (was editor)" in text
    assert "Nia accepted an invitation and joined the team as viewer" in text
    joined = next(r for r in rows(page) if "Nia accepted" in r)
    assert "<td>Nia</td>" in joined


def test_team_changes_of_another_team_stay_out(db_session, people, small):
    with pytest.raises(Exception):  # noqa: B017 - Sam is not in Olga's team
        team_service.change_role(db_session, people["team"], people["stranger"].id, Role.EDITOR)
    assert db_session.scalars(select(AuditEvent).where(
        AuditEvent.action.startswith("member."))).all() == []


@pytest.fixture
def history(app, client, login, db_session, people, small):
    """Two workflow events by Ed (one dated in March) and a role change by Olga."""
    login(people["editor"])
    base = f"/assessments/{small.id}/workflows"
    for name in ("March flow", "Today flow"):
        client.post(base, data={"name": name, "submit_token": token(app)})
    march = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "workflow.added").order_by(AuditEvent.id)).first()
    march.created_at = dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)
    with app.test_request_context():
        team_service.change_role(db_session, people["team"], people["viewer"].id, Role.EDITOR,
                                 people["owner"])
    db_session.flush()
    login(people["owner"])
    return small


def test_filters_by_who_what_and_when(client, people, history):
    by_ed = rows(client.get(audit_url(history, f"who={people['editor'].id}")).get_data(
        as_text=True))
    assert len(by_ed) == 2 and all("Ed" in r for r in by_ed)
    by_olga = client.get(audit_url(history, f"who={people['owner'].id}")).get_data(as_text=True)
    assert f'<option value="{people["owner"].id}" selected>' in by_olga
    march = rows(client.get(audit_url(history, "from=2026-03-01&to=2026-03-31")).get_data(
        as_text=True))
    assert len(march) == 1 and "March flow" in march[0]
    one_day = rows(client.get(audit_url(history, "from=2026-03-15&to=2026-03-15")).get_data(
        as_text=True))
    assert len(one_day) == 1  # the "to" day is included
    later = rows(client.get(audit_url(history, "from=2026-03-16")).get_data(as_text=True))
    assert len(later) == 3 and not any("March flow" in r for r in later)
    empty = client.get(audit_url(history, "kind=shares")).get_data(as_text=True)
    assert "Nothing recorded matches these filters." in empty


def test_a_bad_date_is_explained_and_kept(client, people, history):
    page = client.get(audit_url(history, "from=15/03/2026&kind=workflows")).get_data(
        as_text=True)
    assert "Enter the from date as YYYY-MM-DD" in page
    assert 'value="15/03/2026"' in page and '<option value="workflows" selected>' in page
    assert len(rows(page)) == 2  # the other filters still apply
    reversed_range = client.get(audit_url(history, "from=2026-04-01&to=2026-03-01"))
    assert "The “to” date is before the “from” date." in reversed_range.get_data(as_text=True)


def test_the_csv_export_applies_the_filters(client, people, history):
    page = client.get(audit_url(history, f"who={people['editor'].id}&from=2026-03-16"))
    link = page.get_data(as_text=True).split("Export CSV")[0].rsplit("<a ", 1)[1]
    assert "format=csv" in link and f"who={people['editor'].id}" in link
    assert "from=2026-03-16" in link
    response = client.get(audit_url(history, f"format=csv&who={people['editor'].id}"
                                              "&from=2026-03-16"))
    assert response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["When (UTC)", "Who", "What", "Where", "Item"]
    assert [r[1:3] for r in table[1:]] == [["Ed", "Workflow “Today flow” added"]]
    members = list(csv.reader(io.StringIO(client.get(audit_url(
        history, "format=csv&kind=members")).get_data(as_text=True))))
    assert [r[1:3] for r in members[1:]] == [["Olga", "Role of Vi changed from viewer to editor"]]


def test_dates_read_the_same_as_everywhere_and_the_csv_keeps_iso(client, history):
    march = client.get(audit_url(history, "from=2026-03-01&to=2026-03-31")).get_data(
        as_text=True)
    assert '<time datetime="2026-03-15T12:00:00Z">15 Mar 2026, 12:00 UTC</time>' in march
    response = client.get(audit_url(history, "format=csv&from=2026-03-01&to=2026-03-31"))
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[1][0] == "2026-03-15T12:00:00Z"


def test_finding_changes_name_the_finding_by_its_title_not_its_rule_id(client, login, people,
                                                                       small):
    from tests.tracking.support import RULE, RULE_TITLE

    login(people["editor"])
    client.post(f"/assessments/{small.id}/plan/findings/{RULE}", data={"status": "planned"})
    login(people["owner"])
    row = rows(client.get(audit_url(small, "kind=tracking")).get_data(as_text=True))[0]
    assert RULE_TITLE in row
    assert RULE not in row
