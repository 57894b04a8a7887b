"""Remediation tracking: status flow, accepted risks, the "done but still triggered" flag,
comments, the audit trail and the plan exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select

from tests.tracking.support import CLEARING, RULE, answer, findings_of
from webapp.audit.models import AuditEvent
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.tracking import services as service
from webapp.tracking.exports import safe_cell
from webapp.tracking.models import FindingTracking

FLAG = "Marked done, but the answers still show it"
WORKFLOW_RULE = "idempotency.retries-without-dedup"


def url(assessment, rule=RULE, workflow=None) -> str:
    base = f"/assessments/{assessment.id}/plan/findings/{rule}"
    return base if workflow is None else f"{base}/workflows/{workflow.id}"


def events(db_session, action_prefix="finding."):
    query = select(AuditEvent).where(AuditEvent.action.startswith(action_prefix))
    return db_session.scalars(query.order_by(AuditEvent.id)).all()


def test_status_owner_and_due_date_are_saved_and_audited(client, login, db_session, people,
                                                        filled):
    login(people["editor"])
    response = client.post(url(filled), data={"status": "planned", "owner": people["viewer"].id,
                                              "due_date": "2026-12-15"})
    assert response.status_code == 302
    row = db_session.scalars(select(FindingTracking)).one()
    assert (row.status, row.owner_id, row.due_date.isoformat()) == (
        "planned", people["viewer"].id, "2026-12-15")
    logged = {e.action: (e.actor_id, e.detail) for e in events(db_session)}
    assert logged == {
        "finding.status_changed": (people["editor"].id, {"before": "open", "after": "planned"}),
        "finding.owner_changed": (people["editor"].id, {"before": None, "after": "Vi"}),
        "finding.due_changed": (people["editor"].id, {"before": None, "after": "2026-12-15"}),
    }
    plan = client.get(f"/assessments/{filled.id}/plan").get_data(as_text=True)
    item = plan.split(f'href="{url(filled)}"')[1].split("</li>")[0]
    assert "Planned" in item and "Vi" in item and "2026-12-15" in item


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"justification": "", "review_date": "2027-03-01"}, "justification",
     "Say why the risk is accepted"),
    ({"justification": "Payments team signed off; manual check weekly", "review_date": ""},
     "review_date", "Set a date to look at this accepted risk again"),
])
def test_accepting_a_risk_needs_a_justification_and_a_review_date(client, login, db_session,
                                                                  people, filled, data, field,
                                                                  message):
    login(people["editor"])
    form = {"status": "risk_accepted", "owner": people["owner"].id, "due_date": "2026-12-01",
            **data}
    response = client.post(url(filled), data=form)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    error = body.split(f'id="{field}-error"')[1].split("</ul>")[0]
    assert message in error
    assert '<option selected value="risk_accepted">' in body
    assert f'<option selected value="{people["owner"].id}">' in body
    assert 'value="2026-12-01"' in body
    for value in data.values():
        if value:
            assert value in body
    assert db_session.scalars(select(FindingTracking)).first() is None
    assert events(db_session) == []


def test_an_accepted_risk_keeps_its_reason_until_the_status_changes(client, login, db_session,
                                                                   people, filled):
    login(people["editor"])
    response = client.post(url(filled), data={
        "status": "risk_accepted", "justification": "Signed off by *Olga*",
        "review_date": "2027-03-01", "owner": ""})
    assert response.status_code == 302
    row = db_session.scalars(select(FindingTracking)).one()
    assert (row.justification, row.review_date.isoformat()) == ("Signed off by *Olga*",
                                                                 "2027-03-01")
    detail = events(db_session)[-1].detail
    assert detail == {"before": "open", "after": "risk_accepted",
                      "justification": "Signed off by *Olga*", "review_date": "2027-03-01"}
    client.post("/signout")
    login(people["viewer"])
    page = client.get(url(filled)).get_data(as_text=True)
    assert "Signed off by <em>Olga</em>" in page and "2027-03-01" in page
    client.post("/signout")
    login(people["editor"])
    client.post(url(filled), data={"status": "open", "justification": "ignored",
                                   "review_date": "2027-03-01"})
    db_session.expire_all()
    row = db_session.scalars(select(FindingTracking)).one()
    assert (row.status, row.justification, row.review_date) == ("open", None, None)


def test_the_owner_must_be_a_team_member(client, login, db_session, people, filled):
    login(people["editor"])
    response = client.post(url(filled), data={"status": "planned",
                                              "owner": people["stranger"].id})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_done_while_still_triggered_is_flagged_until_the_answers_change(app, client, login,
                                                                        db_session, people,
                                                                        filled):
    login(people["editor"])
    client.post(url(filled), data={"status": "done"})
    plan = client.get(f"/assessments/{filled.id}/plan").get_data(as_text=True)
    item = plan.split(f'href="{url(filled)}"')[1].split("</li>")[0]
    assert FLAG in item
    assert "1 finding is marked done, but the answers still show it" in plan
    assert FLAG in client.get(url(filled)).get_data(as_text=True)
    markdown = client.get(f"/assessments/{filled.id}/plan.md").get_data(as_text=True)
    assert f"- **Attention:** {FLAG}" in markdown
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/assessments/{filled.id}/plan.csv").get_data(as_text=True))))
    assert [r["Attention"] for r in rows if r["Rule"] == RULE] == [FLAG]

    with app.test_request_context():
        answer(db_session, filled, people["owner"], CLEARING)
    plan = client.get(f"/assessments/{filled.id}/plan").get_data(as_text=True)
    assert FLAG not in plan
    resolved = plan.split('id="resolved-heading"')[1]
    assert RULE in resolved and "Done" in resolved
    assert client.get(url(filled)).status_code == 200


def test_a_workflow_finding_is_tracked_per_workflow(client, login, db_session, people, filled):
    payouts = next(w for w in filled.workflows if w.name == "Nightly merchant payouts")
    login(people["editor"])
    response = client.post(url(filled, WORKFLOW_RULE, payouts), data={"status": "in_progress"})
    assert response.status_code == 302
    row = db_session.scalars(select(FindingTracking)).one()
    assert (row.scope, row.workflow_id) == (f"workflow:{payouts.id}", payouts.id)
    assert events(db_session)[0].target == (
        f"workflow:{payouts.id}/{WORKFLOW_RULE} (Nightly merchant payouts)")
    # The same rule on the system, or a workflow it did not fire on, is no finding: 404.
    assert client.get(url(filled, WORKFLOW_RULE)).status_code == 404
    other = next(w for w in filled.workflows if w.name == "Card payment capture")
    assert client.get(url(filled, WORKFLOW_RULE, other)).status_code == 404
    assert client.get(url(filled, "no.such-rule")).status_code == 404


def test_comments_are_markdown_rendered_safely_and_audited(client, login, db_session, people,
                                                          filled):
    login(people["editor"])
    body = "Fixed in **PR 42**. <script>alert(1)</script> [doc](javascript:alert(1))"
    sent = {"body": body, "submit_token": "c" * 32}
    assert client.post(url(filled) + "/comments", data=sent).status_code == 302
    assert client.post(url(filled) + "/comments", data=sent).status_code == 302  # resent
    page = client.get(url(filled)).get_data(as_text=True)
    assert "<strong>PR 42</strong>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert 'href="javascript' not in page
    assert [e.action for e in events(db_session)] == ["finding.comment_added"]
    assert page.count('class="comment"') == 1
    empty = client.post(url(filled) + "/comments", data={"body": "  ", "submit_token": "d" * 32})
    assert empty.status_code == 400
    assert "Write a comment first." in empty.get_data(as_text=True)


def test_a_form_without_csrf_token_changes_nothing(client, login, db_session, people, filled):
    login(people["editor"])
    response = client.post(url(filled), data={"status": "done"}, csrf=False)
    assert response.status_code == 400
    assert db_session.scalars(select(FindingTracking)).first() is None


# --- exports ----------------------------------------------------------------------------------


@pytest.fixture
def tracked(app, db_session, people, filled, make_user, make_team):
    """The example's plan with one finding owned by a member whose name is a formula."""
    from webapp.teams.models import Membership

    evil = make_user(name='=HYPERLINK("http://evil.example","x")')
    db_session.add(Membership(team_id=filled.team_id, user_id=evil.id, role="editor"))
    db_session.flush()
    with app.test_request_context():
        service.update_tracking(db_session, filled, people["owner"], service.FindingRef(RULE),
                                service.TrackingInput("in_progress", evil.id), result_cache())
    return filled


def test_csv_export_parses_and_defuses_formulas(app, db_session, client, login, people, tracked):
    login(people["viewer"])
    response = client.get(f"/assessments/{tracked.id}/plan.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == findings_of(app, db_session, tracked)
    assert [r["Step"] for r in rows[:3]] == ["1", "2", "3"]
    mine = next(r for r in rows if r["Rule"] == RULE)
    assert mine["Status"] == "In progress"
    assert mine["Owner"] == '\'=HYPERLINK("http://evil.example","x")'
    assert mine["How to verify"].startswith("1. ")
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"),
    ("\t=x", "'\t=x"), ("plain", "plain"), (None, ""), (True, "yes"), (["a", "b"], "1. a\n2. b"),
])
def test_safe_cell(value, cell):
    assert safe_cell(value) == cell


def test_json_export_shape(app, db_session, client, login, people, tracked):
    login(people["viewer"])
    data = json.loads(client.get(f"/assessments/{tracked.id}/plan.json").get_data(as_text=True))
    assert data["format"] == 1
    assert data["assessment"]["name"] == "Ledgerline Payments"
    assert len(data["findings"]) == findings_of(app, db_session, tracked)
    keys = {"number", "rule", "title", "severity", "bucket", "workflow", "why", "steps",
            "verification", "status", "owner", "due_date", "flag", "justification",
            "review_date"}
    for item in data["findings"]:
        assert keys <= item.keys()
        assert item["status"] in {"open", "planned", "in_progress", "done", "risk_accepted"}
        assert isinstance(item["steps"], list) and isinstance(item["verification"], list)
    mine = next(f for f in data["findings"] if f["rule"] == RULE)
    assert (mine["status"], mine["owner"]) == ("in_progress", '=HYPERLINK("http://evil.example","x")')


def test_markdown_export_has_one_section_per_finding_with_a_task_list(app, db_session, client,
                                                                     login, people, tracked):
    login(people["viewer"])
    text = client.get(f"/assessments/{tracked.id}/plan.md").get_data(as_text=True)
    assert text.startswith("# Remediation plan: Ledgerline Payments")
    assert text.count("\n## ") == findings_of(app, db_session, tracked)
    section = text.split("\n## ")[1]
    assert section.startswith("1. ")  # the plan's first action, numbered
    assert "- **Severity:** Critical" in section
    assert "- **Workflow:** " in section
    assert "### How to fix it\n\n1. " in section
    assert "### How to verify the fix\n\n- [ ] " in section
    assert "- **Status:** Open" in section and "- **Owner:** nobody yet" in section
    mine = next(s for s in text.split("\n## ") if f"`{RULE}`" in s)
    assert "- **Status:** In progress" in mine


def test_audit_log_page_lists_who_did_what(client, login, db_session, people, tracked):
    login(people["editor"])
    owner = db_session.scalars(select(FindingTracking)).one().owner_id
    client.post(url(tracked), data={"status": "done", "owner": owner})
    page = client.get(f"/assessments/{tracked.id}/audit").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    first = rows.split("</tr>")[0]
    assert "Ed" in first and "Status In progress → Done" in first
    assert "Olga" in rows and "Owner nobody → =HYPERLINK" in rows
    assert ("System<br><span class=\"audit-target\">Action items from incident reviews do not "
            "change the system or are not tracked to closure") in rows
    assert "Answer unanswered → " in rows and "Nightly merchant payouts<br>" in rows
    plan_only = client.get(f"/assessments/{tracked.id}/audit?kind=plan").get_data(as_text=True)
    assert "Status In progress → Done" in plan_only and "Answer unanswered" not in plan_only


@pytest.mark.parametrize(("action", "detail", "text"), [
    ("answer.changed", {"before": {"choices": ["none"], "na_reason": None, "note": ""},
                        "after": {"choices": ["pages"], "na_reason": None, "note": "x"}},
     "Answer none → pages, note edited"),
    ("answer.changed", {"before": {"choices": [], "na_reason": None, "note": ""},
                        "after": {"choices": [], "na_reason": "No queue", "note": ""}},
     "Answer unanswered → not applicable (No queue)"),
    ("answer.changed", {"before": {"choices": ["a"], "note": ""},
                        "after": {"choices": ["a"], "note": "why"}}, "Note edited"),
    ("finding.status_changed", {"before": "open", "after": "risk_accepted"},
     "Status Open → Risk accepted"),
    ("share.created", {"after": {"label": "Auditor", "milestone": "Q3"}},
     "Share link “Auditor” created, pinned to “Q3”"),
    ("share.revoked", {"before": {"label": "Auditor", "milestone": None}},
     "Share link “Auditor” revoked"),
    ("workflow.automation_linked", {"file": "ci.yml", "suggestions": 1},
     "Automation file ci.yml linked (1 suggested answer)"),
    ("workflow.automation_linked", {"file": "ci.yml", "suggestions": 0},
     "Automation file ci.yml linked (no suggested answers)"),
    ("something.new", {}, "Something new"),
])
def test_audit_events_read_as_sentences(action, detail, text):
    from webapp.tracking.audit_text import describe_event

    assert describe_event(action, detail) == text


def test_the_results_page_shows_where_the_plan_stands(app, db_session, client, login, people,
                                                      filled):
    login(people["editor"])
    client.post(url(filled), data={"status": "done"})
    page = client.get(f"/assessments/{filled.id}/results").get_data(as_text=True)
    summary = page.split('aria-label="Plan tracking"')[1].split("</div>")[0]
    still_open = findings_of(app, db_session, filled) - 1
    assert f"Open</span> {still_open}" in summary and "Done</span> 1" in summary
    assert "1 marked done, but the answers still show it" in summary
    assert f'href="/assessments/{filled.id}/plan"' in summary
    data = json.loads(page.split('id="plan-tracking-data">')[1].split("</script>")[0])
    assert data == {f"finding-{RULE}": {"status": "done", "label": "Done", "flag": FLAG}}


def test_late_work_and_due_risk_reviews_are_marked_on_the_plan(client, login, people, filled):
    login(people["editor"])
    client.post(url(filled), data={"status": "planned", "due_date": "2020-01-31"})
    plan = client.get(f"/assessments/{filled.id}/plan").get_data(as_text=True)
    assert "31 Jan 2020</time> <span class=\"track-late\">overdue</span>" in plan
    client.post(url(filled), data={"status": "risk_accepted", "due_date": "2020-01-31",
                                   "justification": "Accepted", "review_date": "2020-02-01"})
    plan = client.get(f"/assessments/{filled.id}/plan").get_data(as_text=True)
    assert "overdue" not in plan and "risk review due" in plan


def test_saving_the_same_values_again_records_nothing(client, login, db_session, people,
                                                      filled):
    login(people["editor"])
    data = {"status": "planned", "owner": people["owner"].id, "due_date": "2026-12-15"}
    client.post(url(filled), data=data)
    first = db_session.scalars(select(FindingTracking)).one().updated_at
    client.post(url(filled), data=data)
    db_session.expire_all()
    assert len(events(db_session)) == 3
    assert db_session.scalars(select(FindingTracking)).one().updated_at == first
    client.post(url(filled), data={**data, "due_date": "2026-12-20"})
    assert [e.action for e in events(db_session)][-1] == "finding.due_changed"


def test_removing_a_workflow_removes_its_findings_tracking(app, client, login, db_session,
                                                           people, filled):
    from webapp.assessments import workflows as workflow_service

    payouts = next(w for w in filled.workflows if w.name == "Nightly merchant payouts")
    login(people["editor"])
    client.post(url(filled, WORKFLOW_RULE, payouts), data={"status": "planned"})
    client.post(url(filled), data={"status": "planned"})
    with app.test_request_context():
        workflow_service.remove_workflow(db_session, payouts, content=get_content())
        db_session.flush()
    db_session.expire_all()
    assert [t.scope for t in db_session.scalars(select(FindingTracking))] == ["system"]
    assert client.get(f"/assessments/{filled.id}/plan").status_code == 200


def test_csv_export_has_no_hard_line_breaks_inside_paragraphs(client, login, people, tracked):
    login(people["viewer"])
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/assessments/{tracked.id}/plan.csv").get_data(as_text=True))))
    whys = [r["Why it matters"] for r in rows]
    assert all(len(why) > 100 for why in whys)
    assert not [why for why in whys if "\n" in why]


def test_json_export_keeps_prose_on_one_line(client, login, people, tracked):
    login(people["viewer"])
    data = json.loads(client.get(f"/assessments/{tracked.id}/plan.json").get_data(as_text=True))
    texts = [f["why"] for f in data["findings"]]
    texts += [s for f in data["findings"] for s in f["steps"] + f["verification"]]
    assert not [text for text in texts if "\n" in text or "  " in text]


def test_the_report_and_its_pdf_show_who_fixes_a_finding_by_when(client, login, people, small):
    from tests.report.conftest import pdf_text

    login(people["editor"])
    assert client.post(url(small), data={"status": "planned", "owner": people["viewer"].id,
                                         "due_date": "2026-12-15"}).status_code == 302
    page = client.get(f"/assessments/{small.id}/report").get_data(as_text=True)
    assert "Planned</strong> · Vi · due 15 Dec 2026" in page
    pdf = client.get(f"/assessments/{small.id}/report.pdf?edition=executive")
    assert pdf.mimetype == "application/pdf"
    assert "Planned · Vi · due 15 Dec 2026" in " ".join(pdf_text(pdf.data).split())


def test_audit_log_names_questions_and_choices_and_exports_csv(client, login, people, tracked):
    login(people["editor"])
    page = client.get(f"/assessments/{tracked.id}/audit").get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert "respond.postmortems" not in rows  # the question's title instead of its id
    assert "Answer unanswered → " in rows and "→ actions-lost<" not in rows
    exported = client.get(f"/assessments/{tracked.id}/audit?format=csv")
    assert exported.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert table[0] == ["When (UTC)", "Who", "What", "Where", "Item"]
    assert any(row[1] and row[2].startswith("Status") for row in table[1:])
    assert not [row for row in table[1:] if row[4].startswith("share:")]


def _card(page: str, rule: str = RULE) -> str:
    return page.split(f'id="finding-{rule}"')[1].split("</article>")[0]


def test_the_results_page_cards_show_who_fixes_a_finding_by_when(client, login, people, small):
    login(people["editor"])
    before = _card(client.get(f"/assessments/{small.id}/results").get_data(as_text=True))
    assert "Open</span> · <span class=\"muted\">no owner yet</span>" in before
    assert client.post(url(small), data={"status": "planned", "owner": people["viewer"].id,
                                         "due_date": "2020-01-31"}).status_code == 302
    card = _card(client.get(f"/assessments/{small.id}/results").get_data(as_text=True))
    summary = card.split("</summary>")[0]
    assert "Planned</span> · Vi · due <time datetime=\"2020-01-31\">31 Jan 2020</time>" in summary
    assert '<span class="track-late">overdue</span>' in summary
    assert f'href="{url(small)}">Change its tracking</a>' in card

    assert client.post(url(small), data={
        "status": "risk_accepted", "justification": "The *CFO* agreed until Q3.",
        "review_date": "2027-02-01"}).status_code == 302
    summary = _card(client.get(f"/assessments/{small.id}/results")
                    .get_data(as_text=True)).split("</summary>")[0]
    assert "Risk accepted</span> · The <em>CFO</em> agreed until Q3." in summary
    assert " · review on <time datetime=\"2027-02-01\">1 Feb 2027</time>" in summary


def test_a_viewer_sees_the_tracking_on_the_cards_and_a_way_to_its_comments(
        app, client, login, people, small, db_session):
    with app.test_request_context():
        service.update_tracking(db_session, small, people["owner"], service.FindingRef(RULE),
                                service.TrackingInput("in_progress", people["editor"].id),
                                result_cache())
    login(people["viewer"])
    card = _card(client.get(f"/assessments/{small.id}/results").get_data(as_text=True))
    assert "In progress</span> · " + people["editor"].name in card
    assert f'href="{url(small)}">Its tracking and comments</a>' in card
