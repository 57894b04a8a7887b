"""The assessment pages: dashboard, new, question pages (no JavaScript), workflows."""

from __future__ import annotations

import re

import pytest

from tests.factories import store_their_answer
from webapp.assessments.models import Answer, Assessment, FormSubmission, Workflow

Q = "contain.circuit-breakers"  # a single-choice question that allows N/A


@pytest.fixture
def team(make_team, owner):
    return make_team(owner=owner)


@pytest.fixture
def assessment(client, login, owner, team, db_session):
    login(owner)
    token = "t" * 32
    response = client.post(
        "/assessments/new",
        data={
            "name": "Payments API",
            "description": "Takes card payments",
            "team": team.id,
            "questionnaire": "reliability-review",
            "submit_token": token,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db_session.query(Assessment).one()


def page_data(html: str, qid: str) -> dict:
    """The hidden version and digest of a question, as the page rendered them."""
    version = re.search(rf'name="{re.escape(qid)}-version" type="hidden" value="(\d+)"', html)
    orig = re.search(rf'name="{re.escape(qid)}-orig" type="hidden" value="(\w*)"', html)
    assert version and orig, f"no hidden fields for {qid}"
    return {f"{qid}-version": version.group(1), f"{qid}-orig": orig.group(1)}


def answer(db_session, qid=Q):
    db_session.expire_all()
    return db_session.query(Answer).filter_by(question_id=qid).one_or_none()


def test_new_assessment_pins_version_and_opens_the_fit_step(client, assessment):
    assert assessment.questionnaire_version == 2  # new assessments start on the newest version
    response = client.get(f"/assessments/{assessment.id}")
    assert response.headers["Location"].endswith(f"/assessments/{assessment.id}/steps/fit")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Is this review for you?" in page and "0 of" in page


def test_resubmitted_new_assessment_form_creates_one(client, assessment, team, db_session):
    response = client.post(
        "/assessments/new",
        data={
            "name": "Payments API",
            "team": team.id,
            "questionnaire": "reliability-review",
            "submit_token": "t" * 32,
        },
    )
    assert response.status_code == 302
    assert db_session.query(Assessment).count() == 1
    assert db_session.query(FormSubmission).count() == 1


def test_saving_a_page_without_javascript_redirects_and_keeps_the_answer(
    client, assessment, db_session
):
    url = f"/assessments/{assessment.id}/steps/contain"
    html = client.get(url).get_data(as_text=True)
    data = page_data(html, Q) | {
        f"{Q}-choice": "some",
        f"{Q}-note": "Only **checkout** is traced",
    }
    response = client.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert "Saved." in page
    assert "<strong>checkout</strong>" in page  # the saved note, rendered
    stored = answer(db_session)
    assert stored.choices == ["some"] and stored.version == 1


def test_double_submit_of_a_page_changes_once(client, assessment, db_session):
    url = f"/assessments/{assessment.id}/steps/contain"
    data = page_data(client.get(url).get_data(as_text=True), Q) | {f"{Q}-choice": "none"}
    assert client.post(url, data=data).status_code == 302
    second = client.post(url, data=data)
    assert second.status_code == 302
    assert answer(db_session).version == 1
    db_session.refresh(assessment)
    assert assessment.revision == 1


def test_save_and_continue_goes_to_the_next_step(client, assessment):
    url = f"/assessments/{assessment.id}/steps/fit"
    response = client.post(url, data={"then": "next"})
    assert response.headers["Location"].endswith(f"/assessments/{assessment.id}/steps/observe")


def test_untouched_questions_are_not_saved(client, assessment, db_session):
    url = f"/assessments/{assessment.id}/steps/contain"
    html = client.get(url).get_data(as_text=True)
    assert client.post(url, data=page_data(html, Q)).status_code == 302
    assert db_session.query(Answer).count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({f"{Q}-choice": "made-up"}, "not one of this question&#39;s choices"),
        ({f"{Q}-note": "x" * 20_001}, "limited to 20,000 characters"),
        ({f"{Q}-na": "y", f"{Q}-na_reason": ""}, "Say why this question does not apply"),
        (
            {"contain.load-shedding-na": "y", "contain.load-shedding-na_reason": "no"},
            "cannot be marked not applicable",
        ),
    ],
)
def test_bad_input_is_refused_with_400_and_keeps_what_was_typed(
    client, assessment, db_session, fields, message
):
    url = f"/assessments/{assessment.id}/steps/contain"
    html = client.get(url).get_data(as_text=True)
    data = page_data(html, Q) | page_data(html, "contain.load-shedding") | fields
    data[f"{Q}-note"] = data.get(f"{Q}-note", "kept text")
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert data[f"{Q}-note"][:50] in page
    assert db_session.query(Answer).count() == 0


def test_html_in_a_note_is_stored_as_typed_and_rendered_sanitized(client, assessment, db_session):
    url = f"/assessments/{assessment.id}/steps/contain"
    note = "<script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:alert(3))"
    data = page_data(client.get(url).get_data(as_text=True), Q) | {f"{Q}-note": note}
    assert client.post(url, data=data).status_code == 302
    assert answer(db_session).note == note
    page = client.get(url).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img" not in page
    assert 'href="javascript' not in page
    assert "&lt;script&gt;" in page


def test_a_stale_page_save_is_409_showing_both_values_and_keeping_input(
    client, assessment, db_session, make_user, team
):
    url = f"/assessments/{assessment.id}/steps/contain"
    html = client.get(url).get_data(as_text=True)
    other = make_user(name="Eddie Editor")
    store_their_answer(db_session, assessment, other, version=1, question=Q)
    data = page_data(html, Q) | {f"{Q}-choice": "none", f"{Q}-note": "my careful note"}
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this question" in page and "Eddie Editor" in page
    assert "Yes, on every critical dependency" in page  # their answer
    assert "my careful note" in page  # mine, still in the form
    assert re.search(r'value="none"[^>]*checked|checked[^>]*value="none"', page)
    assert answer(db_session).choices == ["all-critical"]
    # Sending again (the page now carries their version) replaces theirs with mine.
    resend = page_data(page, Q) | {f"{Q}-choice": "none", f"{Q}-note": "my careful note"}
    assert client.post(url, data=resend).status_code == 302
    assert answer(db_session).choices == ["none"]


def test_workflows_add_duplicate_reorder_remove(client, assessment, db_session):
    base = f"/assessments/{assessment.id}/workflows"
    for name, token in (("Deploy", "a" * 32), ("Nightly export", "b" * 32)):
        response = client.post(base, data={"name": name, "submit_token": token})
        assert response.status_code == 302
    client.post(base, data={"name": "Deploy", "submit_token": "a" * 32})  # resent
    names = lambda: [w.name for w in db_session.query(Workflow).order_by(Workflow.position)]  # noqa: E731
    db_session.expire_all()
    assert names() == ["Deploy", "Nightly export"]
    deploy = db_session.query(Workflow).filter_by(name="Deploy").one()
    deploy_id = deploy.id
    wf_url = f"{base}/{deploy_id}"
    client.post(
        wf_url,
        data={
            "workflow.trigger-choice": ["schedule", "manual"],
            "workflow.trigger-version": "0",
            "workflow.trigger-orig": "",
        },
    )
    assert client.post(f"{wf_url}/duplicate", data={"submit_token": "c" * 32}).status_code == 302
    client.post(f"{wf_url}/duplicate", data={"submit_token": "c" * 32})  # resent
    db_session.expire_all()
    assert names() == ["Deploy", "Deploy (copy)", "Nightly export"]
    copy = db_session.query(Workflow).filter_by(name="Deploy (copy)").one()
    copied = db_session.query(Answer).filter_by(workflow_id=copy.id).one()
    assert copied.choices == ["schedule", "manual"]
    assert client.post(f"{wf_url}/move", data={"offset": 1, "position": 0}).status_code == 302
    client.post(f"{wf_url}/move", data={"offset": 1, "position": 0})  # resent: moves once
    db_session.expire_all()
    assert names() == ["Deploy (copy)", "Deploy", "Nightly export"]
    assert client.post(f"{wf_url}/remove").status_code == 302
    assert client.post(f"{wf_url}/remove").status_code == 302  # resent: already gone
    db_session.expire_all()
    assert names() == ["Deploy (copy)", "Nightly export"]
    assert [w.position for w in db_session.query(Workflow).order_by(Workflow.position)] == [0, 1]
    assert db_session.query(Answer).filter_by(workflow_id=deploy_id).count() == 0


def test_workflow_page_groups_questions_by_pattern_with_the_asks_line(
    client, assessment, db_session
):
    client.post(
        f"/assessments/{assessment.id}/workflows", data={"name": "Deploy", "submit_token": "d" * 32}
    )
    workflow = db_session.query(Workflow).one()
    page = client.get(f"/assessments/{assessment.id}/workflows/{workflow.id}").get_data(
        as_text=True
    )
    assert "Idempotency" in page and "Safe to repeat?" in page
    assert "About this workflow" in page


def test_a_question_shows_the_findings_it_causes_with_links_to_the_results(client, assessment):
    url = f"/assessments/{assessment.id}/steps/observe"
    html = client.get(url).get_data(as_text=True)
    qid = "observe.symptom-alerts"
    client.post(url, data=page_data(html, qid) | {f"{qid}-choice": "none"})
    page = client.get(url).get_data(as_text=True)
    assert "currently leads to" in page
    link = re.search(r'href="(/assessments/\d+/results)#(finding-[a-z0-9.-]+)"', page)
    assert link, "no link to a finding on the results page"
    results = client.get(link.group(1)).get_data(as_text=True)
    assert f'id="{link.group(2)}"' in results


def test_dashboard_lists_filters_and_searches(client, assessment, team, make_team, owner):
    other_team = make_team(name="Platform", owner=owner)
    page = client.get("/assessments/").get_data(as_text=True)
    assert "Payments API" in page and "Not started" in page
    assert "Payments API" not in client.get(f"/assessments/?team={other_team.id}").get_data(
        as_text=True
    )
    assert "Payments API" in client.get("/assessments/?q=paym").get_data(as_text=True)
    assert "No assessment matches" in client.get("/assessments/?q=zzz").get_data(as_text=True)


def test_dashboard_empty_state_guides_the_first_step(client, login, make_user):
    login(make_user())
    page = client.get("/assessments/").get_data(as_text=True)
    assert "Start with a team" in page


def test_resume_returns_to_the_last_visited_step(client, assessment):
    client.get(f"/assessments/{assessment.id}/steps/respond")
    response = client.get(f"/assessments/{assessment.id}")
    assert response.headers["Location"].endswith("/steps/respond")
    client.get(f"/assessments/{assessment.id}/workflows")
    assert client.get(f"/assessments/{assessment.id}").headers["Location"].endswith("/workflows")


def test_unknown_step_is_404(client, assessment):
    assert client.get(f"/assessments/{assessment.id}/steps/nope").status_code == 404


def test_resume_returns_to_the_last_workflow_or_the_list_once_it_is_removed(
    client, assessment, db_session
):
    client.post(
        f"/assessments/{assessment.id}/workflows", data={"name": "Deploy", "submit_token": "e" * 32}
    )
    workflow_id = db_session.query(Workflow).one().id
    client.get(f"/assessments/{assessment.id}/workflows/{workflow_id}")
    location = client.get(f"/assessments/{assessment.id}").headers["Location"]
    assert location.endswith(f"/workflows/{workflow_id}")
    client.post(f"/assessments/{assessment.id}/workflows/{workflow_id}/remove")
    assert client.get(f"/assessments/{assessment.id}").headers["Location"].endswith("/workflows")


def test_a_workflow_question_links_to_its_workflow_finding_anchor(client, assessment, db_session):
    base = f"/assessments/{assessment.id}/workflows"
    for name, token in (("Deploy", "g" * 32), ("Payouts", "h" * 32)):
        client.post(base, data={"name": name, "submit_token": token})
    payouts = db_session.query(Workflow).filter_by(name="Payouts").one()
    url = f"{base}/{payouts.id}"
    data = {
        "retries.automatic-choice": "yes-fixed",
        "retries.automatic-version": "0",
        "idempotency.rerun-safe-choice": "no",
        "idempotency.rerun-safe-version": "0",
    }
    assert client.post(url, data=data).status_code == 302
    page = client.get(url).get_data(as_text=True)
    anchor = "finding-idempotency.retries-without-dedup--1"  # the second workflow: position 1
    assert f'/assessments/{assessment.id}/results#{anchor}"' in page
    assert f'id="{anchor}"' in client.get(f"/assessments/{assessment.id}/results").get_data(
        as_text=True
    )


def test_a_review_without_answers_has_no_score_on_the_dashboard(client, assessment):
    """As on its results page ("No answers yet"), not "0 /100"."""
    page = client.get("/assessments/").get_data(as_text=True)
    cell = page.split('data-label="Score"')[1].split("</td>")[0]
    assert "–" in cell and "/100" not in cell
