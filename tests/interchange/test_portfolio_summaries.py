"""The portfolio reads figures the task queue keeps per assessment revision: it never builds a
result in its request, a restart changes nothing, and figures of an older revision are never
shown as current."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from tests.factories import fill_from_example
from webapp.assessments import services as service
from webapp.assessments.answers import AnswerInput, AnswerValue, save_answers
from webapp.assessments.evaluation import evaluate_assessment
from webapp.assessments.models import Answer, Assessment
from webapp.core.db import get_database
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.interchange import next_review
from webapp.portfolio.jobs import TASK_KEY, summarize_job
from webapp.portfolio.models import AssessmentSummary
from webapp.report.cards import score as whole


@pytest.fixture
def world(app, db_session, people, make_assessment):
    filled = make_assessment(people["team"], people["owner"], name="Ledgerline Payments")
    with app.test_request_context():
        fill_from_example(db_session, filled, people["owner"])
        # what the results page shows
        result = evaluate_assessment(db_session, filled, result_cache())
    observe = next(layer for layer in result.layers if layer.id == "observe")
    return {**people, "filled": filled, "score": result.overall, "observe": observe.score}


@pytest.fixture
def asked(app):
    """The summary jobs the pages ask for, recorded instead of run (a worker that is busy)."""
    calls: list[list[int]] = []
    asker = app.extensions[TASK_KEY]
    run, asker.job = asker.job, calls.append
    yield calls
    asker.job = run


def _row(client, assessment_id):
    rows = client.get("/portfolio/portfolio.json").get_json()["assessments"]
    return next(r for r in rows if r["id"] == assessment_id)


def _no_evaluation(monkeypatch):
    """Building any result now fails the test."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("a result was built while serving the page")

    monkeypatch.setattr("webapp.domain.evaluate_result", refuse)
    monkeypatch.setattr("webapp.assessments.evaluation.domain.evaluate_result", refuse)


def test_the_first_view_after_a_restart_builds_no_result(
    app, client, db_session, world, login, monkeypatch, tmp_path
):
    login(world["editor"])
    score = world["score"]
    assert _row(client, world["filled"].id)["overall"] == score  # the queue summarized it
    # A restart: nothing kept in the process or in the result files survives.
    for key in [k for k in app.extensions if k.startswith("faultline.evaluations")]:
        del app.extensions[key]
    app.config["RESULT_CACHE_DIR"] = str(tmp_path / "empty")
    _no_evaluation(monkeypatch)
    row = _row(client, world["filled"].id)
    assert row["overall"] == score and row["critical"] == 4 and not row["updating"]
    page = client.get("/portfolio/").get_data(True)
    observe = world["observe"]  # printed whole, halves up, as on every page
    assert f'class="heat heat-{int(observe // 20)}">{whole(observe)}<' in page


def test_a_change_is_never_shown_with_the_figures_of_before(
    app, client, db_session, world, login, asked
):
    login(world["editor"])
    filled = world["filled"]
    with app.test_request_context():
        summarize_job(app, [filled.id])
    assert _row(client, filled.id)["overall"] == world["score"]
    version = db_session.scalar(select(Answer.version).where(
        Answer.assessment_id == filled.id, Answer.scope == "system",
        Answer.question_id == "contain.circuit-breakers"))
    with app.test_request_context():
        saved = save_answers(db_session, filled, world["owner"], [AnswerInput(
            "contain.circuit-breakers", AnswerValue(("all-critical",), None, ""), version)],
            content=get_content())
    assert saved.saved == ["contain.circuit-breakers"]
    row = _row(client, filled.id)
    assert row["updating"] and row["overall"] is None and row["critical"] is None
    assert asked == [[filled.id]]
    page = client.get("/portfolio/").get_data(True)
    assert "they are being updated" in page and f">{world['score']}<" not in page
    csv_text = client.get("/portfolio/portfolio.csv").get_data(True)
    assert csv_text.splitlines()[1].endswith(",updating")
    assert len(asked) == 1  # viewed again while the worker is busy: asked once

    with app.test_request_context():
        summarize_job(app, [filled.id])
    row = _row(client, filled.id)
    assert not row["updating"] and row["overall"] is not None and row["overall"] != world["score"]


def test_a_committed_change_has_the_queue_write_the_summary(
    app, client, db_session, world, login
):
    app.config["SUMMARIZE_ON_CHANGE"] = True  # as in production
    login(world["editor"])
    filled = world["filled"]
    response = client.post(f"/assessments/{filled.id}/settings", data={
        "name": "Ledgerline Payments v2", "description": filled.description})
    assert response.status_code in (200, 302, 303)
    db_session.expire_all()
    assessment = db_session.get(Assessment, filled.id)
    summary = db_session.get(AssessmentSummary, filled.id)
    assert summary is not None and summary.revision == assessment.revision
    assert summary.overall == world["score"] and summary.problem is None


def test_a_missing_questionnaire_is_named_not_evaluated(app, client, db_session, world, login):
    login(world["editor"])
    filled = world["filled"]
    filled.questionnaire_version = 99
    db_session.flush()
    row = _row(client, filled.id)
    assert row["overall"] is None and not row["updating"]
    assert "version 99" in row["problem"]


def test_an_unchanged_portfolio_is_not_built_again_and_a_milestone_shows_at_once(
    app, client, db_session, world, login, monkeypatch
):
    from webapp.portfolio import summaries
    from webapp.tracking.milestones import create_milestone

    login(world["editor"])
    first = client.get("/portfolio/").get_data(True)
    assert "No milestones yet" in first

    def refuse(*_args, **_kwargs):
        raise AssertionError("the unchanged table was built again")

    with monkeypatch.context() as patch:
        patch.setattr(summaries, "read", refuse)
        assert client.get("/portfolio/").get_data(True).count('scope="row"') == 1
    with app.test_request_context():
        create_milestone(db_session, world["filled"], world["owner"], name="Q1", note="",
                         cache=result_cache())
    page = client.get("/portfolio/").get_data(True)
    score = whole(world["score"])
    assert f"Score trend: Q1 {score}, Now {score}" in page and "No milestones yet" not in page


# --- the assessments dashboard reads the same summaries --------------------------------------


def _dashboard_rows(client) -> dict[int, str]:
    """{assessment id: its row's HTML} of the dashboard."""
    page = client.get("/assessments/").get_data(True)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    return {int(re.search(r'href="/assessments/(\d+)"', row).group(1)): row for row in rows}


@contextmanager
def _statements(app):
    """A list that records each SQL statement the app runs from now on (a context manager)."""
    engine = get_database(app).engine
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_the_dashboard_shows_summary_figures_with_queries_bounded_whatever_the_count(
    app, client, db_session, world, login, make_assessment, monkeypatch
):
    login(world["editor"])
    filled = world["filled"]
    with app.test_request_context():
        expected = evaluate_assessment(db_session, filled, result_cache())
        copies = [next_review.clone(db_session, filled, world["owner"], f"Copy {n}",
                                    content=get_content())
                  for n in range(3)]
    blank = make_assessment(world["team"], world["owner"], name="Not begun")
    client.get("/assessments/")  # the queue (running jobs at once here) writes the summaries
    _no_evaluation(monkeypatch)
    with _statements(app) as few:
        rows = _dashboard_rows(client)
    assert set(rows) == {filled.id, blank.id, *(c.id for c in copies)}
    for assessment in (filled, *copies):
        row = rows[assessment.id]
        assert f'score-cell">{whole(expected.overall)}<span' in row
        assert f'data-label="Findings" class="num">{len(expected.findings)}</td>' in row
        assert f"<span>{whole(expected.coverage.percent)}%</span>" in row
    assert 'score-cell"><span class="muted">–</span>' in rows[blank.id]
    assert 'data-label="Findings" class="num">0</td>' in rows[blank.id]

    with app.test_request_context():
        copies += [next_review.clone(db_session, filled, world["owner"], f"More {n}",
                                     content=get_content())
                   for n in range(12)]
    monkeypatch.undo()
    client.get("/assessments/")
    _no_evaluation(monkeypatch)
    with _statements(app) as many:
        rows = _dashboard_rows(client)
    assert len(rows) == 17 and len(many) == len(few) <= 8
    assert all(f'score-cell">{whole(expected.overall)}<span' in rows[c.id] for c in copies)


def test_a_change_shows_as_being_updated_on_the_dashboard_never_the_figures_of_before(
    app, client, db_session, world, login, asked
):
    login(world["editor"])
    filled = world["filled"]
    with app.test_request_context():
        summarize_job(app, [filled.id])
    before = f'score-cell">{whole(world["score"])}<span'
    assert before in _dashboard_rows(client)[filled.id] and asked == []
    with app.test_request_context():
        service.update_details(db_session, filled, name="Ledgerline Payments v2",
                               description="", content=get_content())
    row = _dashboard_rows(client)[filled.id]
    assert "they are being updated" in row and before not in row and "Findings" not in row
    assert asked == [[filled.id]]
    with app.test_request_context():
        summarize_job(app, [filled.id])
    row = _dashboard_rows(client)[filled.id]
    assert before in row and "being updated" not in row


def test_a_missing_questionnaire_is_named_on_the_dashboard(client, db_session, world, login):
    login(world["editor"])
    world["filled"].questionnaire_version = 99
    db_session.flush()
    row = _dashboard_rows(client)[world["filled"].id]
    assert "version 99" in row and "being updated" not in row and "Findings" not in row
