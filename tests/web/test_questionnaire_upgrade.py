"""An editor upgrades an assessment from questionnaire version 1 to version 2 (issue 14)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import EXAMPLE_V1, fill_from_example
from webapp import domain
from webapp.assessments.evaluation import answers_for_domain, evaluate_assessment
from webapp.assessments.models import Answer
from webapp.audit.models import AuditEvent
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.domain.upgrade import upgrade_answers
from webapp.results.adapter import result_json
from webapp.tracking.models import Milestone


@pytest.fixture
def on_v1(app, db_session, make_team, make_assessment, owner):
    """The payments example, answered on version 1 before version 2 existed."""
    team = make_team(owner=owner)
    assessment = make_assessment(team, owner)
    with app.test_request_context():
        fill_from_example(db_session, assessment, owner, EXAMPLE_V1)
    assert assessment.questionnaire_version == 1
    return assessment


def _rows(db_session, assessment):
    db_session.expire_all()
    return {(a.scope, a.question_id): (list(a.choices), a.na_reason, a.note) for a in
            db_session.scalars(select(Answer).where(Answer.assessment_id == assessment.id))}


def test_upgrade_keeps_every_answer_and_the_milestone_keeps_v1_results(
        app, client, login, owner, db_session, on_v1) -> None:
    with app.test_request_context():
        before = domain.result_to_dict(evaluate_assessment(db_session, on_v1, result_cache()))
        content = get_content()
        expected, report = upgrade_answers(
            content.questionnaire(), content.questionnaire(version=1),
            answers_for_domain(db_session, on_v1, content=get_content()))
    login(owner)
    settings = client.get(f"/assessments/{on_v1.id}/settings").get_data(as_text=True)
    assert "See what the upgrade changes" in settings
    preview = client.get(f"/assessments/{on_v1.id}/upgrade").get_data(as_text=True)
    assert "Move to version 2" in preview, preview[preview.find("<main"):][:3000]
    carried = len(report.carried)
    assert f'<span class="upgrade-number">{carried}</span> answers carried' in preview, \
        preview[preview.find("upgrade-summary"):][:800]
    response = client.post(f"/assessments/{on_v1.id}/upgrade")
    assert response.status_code == 302 and response.headers["Location"].endswith("#upgrade")
    db_session.expire_all()
    assert on_v1.questionnaire_version == 2 and on_v1.upgraded_from == 1
    # every answer and note carried as the mapping says: merged answers derived into one row
    scopes = {w.position: w.scope for w in on_v1.workflows}
    want = {("system", q): (list(a.choices), a.na, expected.notes.get(q, ""))
            for q, a in expected.answers.items()}
    for n, flow in enumerate(expected.workflows):
        want |= {(scopes[n], q): (list(a.choices), a.na, flow.notes.get(q, ""))
                 for q, a in flow.answers.items()}
    after = _rows(db_session, on_v1)
    assert {k: v for k, v in after.items() if v[0] or v[1]} == want
    assert report.derived and not report.dropped
    capture = scopes[0]
    assert after[(capture, "retries.automatic")][0] == ["yes-fixed"]  # layers nobody multiplied
    assert ("system", "observe.audit-trail") in after
    assert not any(q == "retries.layers" for _, q in after)
    milestone = db_session.scalars(
        select(Milestone).where(Milestone.assessment_id == on_v1.id)).one()
    assert milestone.name == "Before the upgrade from version 1"
    assert milestone.questionnaire_version == 1
    assert milestone.result == before  # the v1 results, unchanged
    page = client.get(f"/assessments/{on_v1.id}/milestones/{milestone.id}")
    assert page.status_code == 200
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.assessment_id == on_v1.id, AuditEvent.action == "assessment.upgraded")).one()
    assert event.detail["from"] == 1 and event.detail["to"] == 2
    assert event.detail["milestone"] == milestone.id
    log = client.get(f"/assessments/{on_v1.id}/audit").get_data(as_text=True)
    assert "Upgraded from questionnaire version 1 to 2:" in log
    results = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Upgraded from version 1 to version 2" in results
    assert "Against the results before the upgrade:" in results
    assert "Compare everything with version 1" in results
    compare = client.get(f"/assessments/{on_v1.id}/compare?from={milestone.id}&to=now")
    assert compare.status_code == 200


def test_new_questions_are_marked_and_irrelevant_ones_not_asked(
        app, client, login, owner, db_session, on_v1) -> None:
    login(owner)
    client.post(f"/assessments/{on_v1.id}/upgrade")
    db_session.expire_all()
    workflow = on_v1.workflows[0]
    page = client.get(f"/assessments/{on_v1.id}/workflows/{workflow.id}").get_data(as_text=True)
    assert "New in this version" in page
    with app.test_request_context():
        result = evaluate_assessment(db_session, on_v1, result_cache())
    rows = [r for s in result.answers.workflows[0].sections for r in s.questions]
    api = result_json(result)  # what the API's /result and the CI gate read
    assert api["upgrade"]["from_version"] == 1 and api["upgrade"]["new_questions"]
    api_rows = [r for s in api["answers"]["workflows"][0]["sections"] for r in s["questions"]]
    assert [r["id"] for r in api_rows if not r["asked"]] == [r.id for r in rows if not r.asked]
    gone = [r for r in rows if not r.asked]
    assert gone, "the example's first workflow should make some version 2 questions irrelevant"
    for row in gone:
        assert row.answer.na_reason.startswith("Does not apply because")
        assert f'data-not-asked-line="{row.id}">' in page  # shown as a line, not asked
        assert re.search(rf'data-question="{re.escape(row.id)}"[^>]*hidden data-not-asked', page)
    assert result.workflows[0].coverage.total == len(rows) - len(gone)


def test_viewers_cannot_upgrade_and_an_up_to_date_assessment_is_not_offered(
        app, client, login, owner, make_user, db_session, on_v1) -> None:
    viewer = make_user()
    from webapp.teams.models import Membership

    db_session.add(Membership(team_id=on_v1.team_id, user_id=viewer.id, role="viewer"))
    db_session.flush()
    login(viewer)
    assert client.post(f"/assessments/{on_v1.id}/upgrade").status_code == 403
    assert on_v1.questionnaire_version == 1
    client.post("/signout")
    login(owner)
    client.post(f"/assessments/{on_v1.id}/upgrade")
    again = client.get(f"/assessments/{on_v1.id}/upgrade")
    assert again.status_code == 302
    settings = client.get(f"/assessments/{on_v1.id}/settings").get_data(as_text=True)
    assert "See what the upgrade changes" not in settings
