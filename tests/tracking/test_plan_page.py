"""The plan page: filters and sorting (GET form) and bulk status/owner changes (POST)."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.tracking.support import RULE, findings_of
from webapp.audit.models import AuditEvent
from webapp.core.views import result_cache
from webapp.tracking import services as service
from webapp.tracking.models import FindingTracking


def plan_url(assessment, query: str = "") -> str:
    return f"/assessments/{assessment.id}/plan" + (f"?{query}" if query else "")


def titles(page: str) -> list[str]:
    return re.findall(r'class="track-title" href="[^"]*/plan/findings/([^"/]+)', page)


def checked(page: str) -> set[str]:
    return set(re.findall(r'name="findings" value="([^"]*)"[^>]*checked', page))


def set_status(app, db_session, people, assessment, rule, status, owner=None, workflow=None):
    with app.test_request_context():
        service.update_tracking(db_session, assessment, people["owner"],
                                service.FindingRef(rule, workflow),
                                service.TrackingInput(status, owner), result_cache())


def test_filters_keep_only_matching_findings_and_stay_chosen(app, client, login, db_session,
                                                             people, filled):
    set_status(app, db_session, people, filled, RULE, "in_progress", people["editor"].id)
    total = findings_of(app, db_session, filled)
    login(people["viewer"])
    everything = client.get(plan_url(filled)).get_data(as_text=True)
    assert len(titles(everything)) == total > 1 and f"{total} findings." in everything
    page = client.get(plan_url(filled, "status=in_progress")).get_data(as_text=True)
    assert titles(page) == [RULE] and f"1 of {total} findings match." in page
    assert '<option value="in_progress" selected>' in page
    mine = client.get(plan_url(filled, f"owner={people['editor'].id}")).get_data(as_text=True)
    assert titles(mine) == [RULE]
    nobody = client.get(plan_url(filled, "owner=none")).get_data(as_text=True)
    assert len(titles(nobody)) == total - 1 and RULE not in titles(nobody)
    system = client.get(plan_url(filled, "workflow=system&severity=high")).get_data(as_text=True)
    assert titles(system) and "System" in system
    assert all("Nightly merchant payouts" not in item for item in
               system.split('class="track-list"')[1:])
    later = client.get(plan_url(filled, "bucket=later")).get_data(as_text=True)
    assert 'id="bucket-later"' in later and 'id="bucket-now"' not in later
    none = client.get(plan_url(filled, "status=done")).get_data(as_text=True)
    assert "No finding matches these filters." in none


def test_bad_filter_values_are_ignored(app, client, login, db_session, people, filled):
    total = findings_of(app, db_session, filled)
    login(people["viewer"])
    page = client.get(plan_url(filled, "status=bogus&sort=evil&workflow=x")).get_data(as_text=True)
    assert len(titles(page)) == total


def test_sorting_by_severity_and_due_date(app, client, login, db_session, people, filled):
    import datetime as dt

    login(people["viewer"])
    page = client.get(plan_url(filled, "sort=severity")).get_data(as_text=True)
    levels = re.findall(r'class="sev sev-(\w+)', page.split("Findings by severity")[1])
    weights = {"critical": 4, "high": 3, "medium": 2, "low": 1}
    assert levels and [weights[s] for s in levels] == sorted((weights[s] for s in levels),
                                                              reverse=True)
    assert '<option value="severity" selected>' in page
    with app.test_request_context():
        service.update_tracking(db_session, filled, people["owner"], service.FindingRef(RULE),
                                service.TrackingInput("planned", None, dt.date(2026, 1, 2)),
                                result_cache())
    due = client.get(plan_url(filled, "sort=due")).get_data(as_text=True)
    assert titles(due)[0] == RULE


def test_bulk_change_sets_status_and_owner_through_the_tracking_service(
        client, login, db_session, people, filled):
    login(people["editor"])
    page = client.get(plan_url(filled)).get_data(as_text=True)
    picks = re.findall(r'name="findings" value="([^"]*)"', page)[:3]
    response = client.post(f"/assessments/{filled.id}/plan/bulk?status=open",
                           data={"findings": picks, "status": "planned",
                                 "owner": str(people["viewer"].id)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{filled.id}/plan?status=open")
    rows = db_session.scalars(select(FindingTracking)).all()
    assert len(rows) == 3 and {(r.status, r.owner_id) for r in rows} == {
        ("planned", people["viewer"].id)}
    audit = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action.startswith("finding."))).all()
    assert sorted(e.action for e in audit) == ["finding.owner_changed"] * 3 + [
        "finding.status_changed"] * 3
    assert {e.actor_id for e in audit} == {people["editor"].id}
    after = client.get(plan_url(filled, "status=planned")).get_data(as_text=True)
    assert "3 findings changed." in after and len(titles(after)) == 3


def test_bulk_owner_only_keeps_each_status(app, client, login, db_session, people, filled):
    set_status(app, db_session, people, filled, RULE, "done")
    login(people["editor"])
    page = client.get(plan_url(filled)).get_data(as_text=True)
    other = next(p for p in re.findall(r'name="findings" value="([^"]*)"', page)
                 if not p.startswith(RULE + ":"))
    response = client.post(f"/assessments/{filled.id}/plan/bulk",
                           data={"findings": [f"{RULE}:", other], "status": "",
                                 "owner": str(people["editor"].id)})
    assert response.status_code == 302
    rows = {r.rule_id: r for r in db_session.scalars(select(FindingTracking))}
    assert rows[RULE].status == "done" and rows[other.split(":")[0]].status == "open"
    assert {r.owner_id for r in rows.values()} == {people["editor"].id}


def test_a_viewer_cannot_bulk_change(client, login, db_session, people, filled):
    login(people["viewer"])
    response = client.post(f"/assessments/{filled.id}/plan/bulk",
                           data={"findings": [f"{RULE}:"], "status": "done"})
    assert response.status_code == 403
    assert db_session.scalars(select(FindingTracking)).all() == []
    assert 'name="findings"' not in client.get(plan_url(filled)).get_data(as_text=True)


def test_bulk_change_without_csrf_token_changes_nothing(client, login, db_session, people,
                                                        filled):
    login(people["editor"])
    response = client.post(f"/assessments/{filled.id}/plan/bulk", csrf=False,
                           data={"findings": [f"{RULE}:"], "status": "done"})
    assert response.status_code == 400
    assert db_session.scalars(select(FindingTracking)).all() == []


def test_an_unknown_finding_refuses_the_whole_change_and_keeps_the_choices(
        client, login, db_session, people, filled):
    login(people["editor"])
    response = client.post(f"/assessments/{filled.id}/plan/bulk",
                           data={"findings": [f"{RULE}:", "no.such-rule:"],
                                 "status": "in_progress", "owner": str(people["viewer"].id)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was changed" in page
    assert "<strong>no.such-rule</strong>: This finding is not in the plan." in page
    assert checked(page) == {f"{RULE}:"}
    assert '<option selected value="in_progress">' in page or \
        '<option value="in_progress" selected>' in page
    assert re.search(rf'<option selected value="{people["viewer"].id}">|'
                     rf'<option value="{people["viewer"].id}" selected>', page)
    assert db_session.scalars(select(FindingTracking)).all() == []


def test_accepting_risks_in_bulk_is_refused_per_finding_with_the_reason(
        client, login, db_session, people, filled):
    login(people["editor"])
    response = client.post(f"/assessments/{filled.id}/plan/bulk",
                           data={"findings": [f"{RULE}:"], "status": "risk_accepted"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    refusal = page.split('class="bulk-refusals"')[1].split("</ul>")[0]
    assert "Say why the risk is accepted" in refusal
    assert db_session.scalars(select(FindingTracking)).all() == []


def test_bulk_change_needs_a_selection_and_a_change(client, login, db_session, people, filled):
    login(people["editor"])
    empty = client.post(f"/assessments/{filled.id}/plan/bulk", data={"status": "done"})
    assert empty.status_code == 400 and "Select at least one finding." in empty.get_data(
        as_text=True)
    nothing = client.post(f"/assessments/{filled.id}/plan/bulk",
                          data={"findings": [f"{RULE}:"], "status": "", "owner": ""})
    page = nothing.get_data(as_text=True)
    assert nothing.status_code == 400 and "Choose a new status or owner" in page
    assert checked(page) == {f"{RULE}:"}
