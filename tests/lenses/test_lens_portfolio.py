"""A review on a custom lens on the portfolio: its coverage and high risks, not a complaint
about a missing questionnaire."""

from __future__ import annotations

from tests.lenses.conftest import as_bytes
from webapp.lenses import services as service


def test_a_lens_review_shows_its_coverage_and_risks(app, client, db_session, people, login,
                                                     small_lens):
    with app.app_context():
        lens = service.import_lens(db_session, as_bytes(small_lens)).row
        review = service.start_lens_assessment(
            db_session, people["team"], people["owner"], name="Billing DB", description="",
            questionnaire_id=lens.questionnaire_id)
    login(people["editor"])
    response = client.post(f"/assessments/{review.id}/lens/pillars/backup", data={
        "bk_restore-choice": ["bk_no"], "bk_restore-version": "0"})
    assert response.status_code == 302
    rows = client.get("/portfolio/portfolio.json").get_json()["assessments"]
    row = next(r for r in rows if r["name"] == "Billing DB")
    assert row["problem"] is None and not row["updating"]
    assert row["fit_title"] == "Lens review"
    assert row["coverage"] == 50.0 and row["overall"] is None
    page = client.get("/portfolio/").get_data(True)
    assert "no longer ships" not in page and "Lens review" in page
