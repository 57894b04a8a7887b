"""Milestones: frozen snapshots that later edits never change; their page, PDF and comparison."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.tracking.support import (
    CLEARING,
    CLEARING_LABEL,
    QUESTION,
    RULE,
    TRIGGERING_LABEL,
    answer,
)
from webapp.audit.models import AuditEvent
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.tracking import milestones as service
from webapp.tracking.models import Milestone, MilestoneImmutable

FORMAT_1 = Path(__file__).parents[1] / "domain" / "fixtures" / "format1-result.json"


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    return {**app_config, "REPORT_CACHE_DIR": str(tmp_path / "pdf-cache")}


def _create(client, assessment, name="Q3 review", **extra):
    page = client.get(f"/assessments/{assessment.id}/milestones")
    token = page.get_data(as_text=True).split('name="submit_token" type="hidden" value="')[1]
    token = token.split('"')[0]
    return client.post(f"/assessments/{assessment.id}/milestones",
                       data={"name": name, "note": "After the **first** meeting",
                             "submit_token": token, **extra})


def test_a_milestone_is_unchanged_after_the_assessment_is_edited(app, client, login, db_session,
                                                                 people, filled):
    login(people["editor"])
    response = _create(client, filled)
    assert response.status_code == 302
    milestone = db_session.scalars(select(Milestone)).one()
    frozen_result, frozen_answers = copy.deepcopy(milestone.result), copy.deepcopy(
        milestone.answers)
    assert frozen_answers["answers"][QUESTION] == "actions-lost"
    assert any(f["rule"] == RULE for f in frozen_result["findings"])

    with app.test_request_context():
        answer(db_session, filled, people["owner"], CLEARING)
    client.post(f"/assessments/{filled.id}/settings", data={"name": "Renamed payments"})

    db_session.expire_all()
    again = db_session.get(Milestone, milestone.id)
    assert again.result == frozen_result
    assert again.answers == frozen_answers
    assert again.result["system"]["name"] == "Ledgerline Payments"
    page = client.get(f"/assessments/{filled.id}/milestones/{milestone.id}").get_data(as_text=True)
    assert "Q3 review" in page and "<strong>first</strong>" in page
    assert page.count('class="finding-card') == len(frozen_result["findings"])


def test_nothing_can_update_a_milestone(app, db_session, people, filled):
    with app.test_request_context():
        milestone = service.create_milestone(db_session, filled, people["owner"], name="Frozen",
                                             cache=result_cache())
    milestone.name = "Thawed"
    with pytest.raises(MilestoneImmutable):
        db_session.flush()
    db_session.rollback()


def test_creating_is_audited_and_double_submits_create_one(client, login, db_session, people,
                                                           filled):
    login(people["owner"])
    page = client.get(f"/assessments/{filled.id}/milestones").get_data(as_text=True)
    token = page.split('name="submit_token" type="hidden" value="')[1].split('"')[0]
    data = {"name": "Launch", "submit_token": token}
    assert client.post(f"/assessments/{filled.id}/milestones", data=data).status_code == 302
    assert client.post(f"/assessments/{filled.id}/milestones", data=data).status_code == 302
    assert len(db_session.scalars(select(Milestone)).all()) == 1
    events = db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == "milestone.created")).all()
    assert [e.detail["name"] for e in events] == ["Launch"]


@pytest.mark.parametrize(("name", "message"), [
    ("", "Give the milestone a name"), ("x" * 121, "Field cannot be longer than 120"),
])
def test_a_bad_name_is_refused_with_400_and_kept(client, login, people, filled, name, message):
    login(people["editor"])
    response = _create(client, filled, name=name)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert "After the **first** meeting" in body


def test_a_repeated_name_is_refused(client, login, people, filled):
    login(people["editor"])
    assert _create(client, filled, name="Launch").status_code == 302
    response = _create(client, filled, name="Launch")
    assert response.status_code == 400
    assert "already a milestone named" in response.get_data(as_text=True)


def test_list_shows_milestones_newest_first(client, login, people, filled):
    login(people["editor"])
    _create(client, filled, name="First")
    _create(client, filled, name="Second")
    client.post("/signout")
    login(people["viewer"])
    body = client.get(f"/assessments/{filled.id}/milestones").get_data(as_text=True)
    assert body.index("Second") < body.index("First")
    assert "Create milestone" not in body


def test_compare_with_now_shows_the_changed_answer_and_resolved_finding(app, client, login,
                                                                        db_session, people,
                                                                        filled):
    login(people["editor"])
    _create(client, filled, name="Before")
    with app.test_request_context():
        answer(db_session, filled, people["owner"], CLEARING)
    body = client.get(f"/assessments/{filled.id}/compare").get_data(as_text=True)
    assert "From <strong>Before</strong> to <strong>Now</strong>" in body
    assert TRIGGERING_LABEL in body  # before
    assert CLEARING_LABEL in body  # after
    resolved = body.split('id="findings-resolved"')[1].split("</section>")[0]
    assert "Action items" in resolved or "action items" in resolved
    assert '<span class="count">1</span>' in resolved


def test_compare_two_milestones_and_unknown_ids_are_404(client, login, db_session, people,
                                                        filled):
    login(people["editor"])
    assert "freeze a milestone first" in client.get(
        f"/assessments/{filled.id}/compare").get_data(as_text=True)
    _create(client, filled, name="A")
    _create(client, filled, name="B")
    a, b = sorted(m.id for m in db_session.scalars(select(Milestone)))
    body = client.get(f"/assessments/{filled.id}/compare?from={a}&to={b}").get_data(as_text=True)
    assert "No answer changed." in body
    assert client.get(f"/assessments/{filled.id}/compare?from=999999").status_code == 404
    assert client.get(f"/assessments/{filled.id}/compare?from=x").status_code == 404


def test_milestone_pdf_names_the_milestone_on_the_cover(client, login, db_session, people,
                                                        filled):
    login(people["editor"])
    _create(client, filled, name="Q3 review")
    milestone = db_session.scalars(select(Milestone)).one()
    response = client.get(f"/assessments/{filled.id}/milestones/{milestone.id}/report.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert "q3-review" in response.headers["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "MILESTONE Q3 review" in text.replace("Milestone", "MILESTONE")


def test_comparison_pdf(app, client, login, db_session, people, filled):
    login(people["editor"])
    _create(client, filled, name="Before")
    with app.test_request_context():
        answer(db_session, filled, people["owner"], CLEARING)
    response = client.get(f"/assessments/{filled.id}/compare.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.data.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text().split())
                    for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Before" in text and TRIGGERING_LABEL in text
    again = client.get(f"/assessments/{filled.id}/compare.pdf")
    assert again.headers["X-Report-Cache"] == "hit"


@pytest.mark.parametrize(("direction", "before", "after", "change", "text"), [
    ("up", 40.0, 52.5, 12.5, "+13"), ("up", 40.0, 40.3, 0.3, "+<1"),
    ("down", 50.0, 40.0, -10.0, "−10"),
    ("same", 3.0, 3.0, 0.0, "0"), ("new", None, 5.0, None, "new"),
    ("gone", 5.0, None, None, "gone"), ("none", None, None, None, "–"),
])
def test_every_delta_has_an_arrow_free_text_and_a_word(direction, before, after, change, text):
    from webapp.tracking.comparison import delta_view

    view = delta_view({"direction": direction, "before": before, "after": after,
                       "change": change})
    assert view["text"] == text
    assert view["word"]


def test_a_milestone_frozen_in_format_1_still_renders(app, client, login, db_session, people,
                                                      filled):
    """Milestones frozen before results had workflow ids (format 1) open as before: page,
    comparison and PDF."""
    old = json.loads(FORMAT_1.read_text(encoding="utf-8"))
    milestone = Milestone(assessment_id=filled.id, name="Frozen long ago", note="",
                          questionnaire_id=filled.questionnaire_id,
                          questionnaire_version=filled.questionnaire_version,
                          revision=filled.revision, answers={}, result=old,
                          created_by_id=people["owner"].id)
    db_session.add(milestone)
    db_session.flush()
    login(people["viewer"])
    base = f"/assessments/{filled.id}/milestones"
    page = client.get(f"{base}/{milestone.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert old["system"]["name"] in text
    assert text.count('class="finding-card') == len(old["findings"])
    second = old["workflows"][1]["name"]
    assert f'id="finding-{_workflow_rule(old, second)}--1"' in text
    compare = client.get(f"/assessments/{filled.id}/compare?from={milestone.id}&to=now")
    assert compare.status_code == 200
    pdf = client.get(f"{base}/{milestone.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def _workflow_rule(result: dict, workflow: str) -> str:
    return next(f["rule"] for f in result["findings"] if f["workflow"] == workflow)


def test_a_workflow_with_only_unknown_scenarios_is_not_called_safe(app, client, login,
                                                                   db_session, people, small):
    from webapp.assessments import workflows as workflow_service

    with app.test_request_context():
        workflow_service.add_workflow(db_session, small, name="Nightly export",
                                      content=get_content())
    login(people["editor"])
    assert _create(client, small).status_code == 302
    milestone = db_session.scalars(select(Milestone)).one()
    page = client.get(f"/assessments/{small.id}/milestones/{milestone.id}").get_data(as_text=True)
    line = page.split("Nightly export", 1)[1].split("</li>")[0]
    assert "0 unsafe" not in line
    assert "scenarios unknown" in line


def test_the_overall_move_is_explained_by_a_newly_scored_workflow():
    from webapp.tracking.comparison import why_overall

    none = {"before": None, "after": None, "change": None, "direction": "none"}
    diff = {"overall": {"before": 61.4, "after": 60.2, "change": -1.2, "direction": "down"},
            "counts": {"resolved": 5},
            "workflows": [{"name": "Nightly export", "score": {
                **none, "after": 38.6, "direction": "new"}}]}
    assert why_overall(diff) == ["“Nightly export” is scored for the first time (39), and its "
                                 "score now counts in the overall average."]
    diff["workflows"] = []
    assert "other answers lowered" in why_overall(diff)[0]
