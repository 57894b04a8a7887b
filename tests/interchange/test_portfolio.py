"""The portfolio: rows, figures, filters, sorting, exports and the PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.factories import fill_from_example
from webapp.assessments.evaluation import evaluate_assessment
from webapp.core.views import result_cache
from webapp.report.cards import score as whole
from webapp.tracking.milestones import create_milestone
from webapp.tracking.models import FindingTracking


@pytest.fixture
def world(app, db_session, people, make_team, make_assessment):
    """Ed is editor of Payments (one filled review with a milestone, one empty) and member
    of Search; Sam's team Elsewhere is not his."""
    team, editor = people["team"], people["editor"]
    search = make_team(name="Search", members={editor: "viewer"})
    filled = make_assessment(team, people["owner"], name="Ledgerline Payments")
    with app.test_request_context():
        fill_from_example(db_session, filled, people["owner"])
        # what the results page shows
        result = evaluate_assessment(db_session, filled, result_cache())
        create_milestone(db_session, filled, people["owner"], name="Q1", note="",
                         cache=result_cache())
    empty = make_assessment(search, people["owner"], name="Search indexer")
    hidden = make_assessment(people["other_team"], people["stranger"], name="Not yours")
    observe = next(layer for layer in result.layers if layer.id == "observe").score
    return {**people, "filled": filled, "empty": empty, "hidden": hidden, "search": search,
            "score": result.overall, "observe": observe,
            "critical": sum(1 for f in result.findings if f.severity == "critical")}


def _json(client, query=""):
    return client.get(f"/portfolio/portfolio.json{query}").get_json()["assessments"]


def test_a_member_of_two_teams_sees_both_and_nothing_else(client, world, login):
    login(world["editor"])
    assert sorted(a["name"] for a in _json(client)) == ["Ledgerline Payments", "Search indexer"]


def test_an_administrator_sees_every_team(client, world, make_user, login):
    login(make_user(is_admin=True))
    assert len(_json(client)) == 3


def test_a_row_carries_score_layers_counts_fit_and_trend(client, world, login):
    login(world["editor"])
    row = next(a for a in _json(client) if a["name"] == "Ledgerline Payments")
    assert row["overall"] == world["score"] and row["coverage"] == 100.0 and row["fit"] == "strong"
    assert row["layers"]["observe"] == world["observe"]
    assert row["critical"] == world["critical"] > 0 and row["now_open"] > 0 and row["overdue"] == 0
    assert [p["label"] for p in row["trend"]] == ["Q1", "Now"]


def test_closing_a_now_action_and_an_overdue_item_change_the_counts(
    client, db_session, world, login
):
    login(world["editor"])
    before = next(a for a in _json(client) if a["id"] == world["filled"].id)
    db_session.add(FindingTracking(assessment_id=world["filled"].id, scope="system",
                                   rule_id="observe.regulated-without-audit-trail",
                                   status="done"))
    db_session.add(FindingTracking(assessment_id=world["filled"].id, scope="system",
                                   rule_id="repeat.regulated-without-proven-recovery",
                                   status="planned", due_date=dt.date(2020, 1, 1)))
    db_session.flush()
    after = next(a for a in _json(client) if a["id"] == world["filled"].id)
    assert after["now_open"] == before["now_open"] - 1 and after["overdue"] == 1


def test_filters_by_team_and_status(client, world, login):
    login(world["editor"])
    assert [a["name"] for a in _json(client, f"?team={world['search'].id}")] == [
        "Search indexer"]
    assert [a["name"] for a in _json(client, "?status=not_started")] == ["Search indexer"]
    assert _json(client, f"?team={world['other_team'].id}") != []  # not theirs: all of theirs
    assert "Not yours" not in [a["name"] for a in _json(client, f"?team={world['other_team'].id}")]


def test_sorting_by_score_descending_puts_unscored_last(client, world, login):
    login(world["editor"])
    names = [a["name"] for a in _json(client, "?sort=score&dir=desc")]
    assert names == ["Ledgerline Payments", "Search indexer"]


def test_the_page_shows_the_heat_map_and_an_svg_trend(client, world, login):
    login(world["editor"])
    page = client.get("/portfolio/").get_data(True)
    score, observe = whole(world["score"]), whole(world["observe"])
    heat = f'class="heat heat-{int(world["observe"] // 20)}">{observe}<'
    assert heat in page  # whole numbers, as on every other page
    assert '<svg class="trend' in page and f"Score trend: Q1 {score}, Now {score}" in page
    assert f'{world["score"]:.1f}' not in page and f'{world["observe"]:.1f}' not in page
    assert "style=" not in page.split("<main", 1)[1]


def test_the_csv_has_one_line_per_assessment(client, world, login):
    login(world["editor"])
    response = client.get("/portfolio/portfolio.csv")
    table = list(csv.DictReader(io.StringIO(response.get_data(True))))
    assert [r["assessment"] for r in table] == ["Ledgerline Payments", "Search indexer"]
    assert table[0]["overall"] == str(world["score"])
    assert table[0]["Observe"] == str(world["observe"])


def test_the_pdf_lists_every_assessment(client, world, login, app, tmp_path):
    from pypdf import PdfReader

    app.config["REPORT_CACHE_DIR"] = str(tmp_path)
    login(world["editor"])
    response = client.get("/portfolio/portfolio.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Ledgerline Payments" in text and "Search indexer" in text
    again = client.get("/portfolio/portfolio.pdf")
    assert again.headers["X-Report-Cache"] == "hit"


def test_visitors_are_sent_to_sign_in(client):
    assert client.get("/portfolio/").status_code == 302


def test_scores_round_half_up_like_the_results_page(client, world, login):
    """The portfolio and the dashboard print the score whole, halves up, as the results page
    and the report do (Jinja's own `round` would say 62 for 62.5: halves to even)."""
    login(world["editor"])
    score = whole(world["score"])
    portfolio = client.get("/portfolio/").get_data(True)
    assert f"<strong>{score}</strong>" in portfolio
    dashboard = client.get("/assessments/").get_data(True)
    assert f"{score}<span" in dashboard
