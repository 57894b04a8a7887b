"""The improvement plan of a review on a lens is tracked like findings: status, owner and due
date per risky question (high risks now, medium ones next), in the plan page and the log."""

from __future__ import annotations

import io

from tests.tracking.test_audit_page import rows


def _answer(client, review, question, choices, version="0"):
    return client.post(f"/assessments/{review.id}/lens/answers",
                       data={"question": question, f"{question}-choice": choices,
                             f"{question}-version": version})


def test_the_plan_page_lists_risky_lens_questions_and_saves_their_tracking(
        client, login, people, review):
    login(people["editor"])
    _answer(client, review, "bk_restore", "bk_no")
    _answer(client, review, "bk_offsite", [])
    page = client.get(f"/assessments/{review.id}/plan")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "How do you know a restore works?" in text and "Backups" in text
    finding = client.get(f"/assessments/{review.id}/plan/findings/bk_restore")
    assert finding.status_code == 200
    assert "Schedule a monthly restore drill." in finding.get_data(as_text=True)
    assert "question <code>bk_restore</code>" in finding.get_data(as_text=True)
    saved = client.post(f"/assessments/{review.id}/plan/findings/bk_restore",
                        data={"status": "in_progress", "owner": str(people["editor"].id),
                              "due_date": "2030-01-31", "justification": "",
                              "review_date": ""})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1500]
    again = client.get(f"/assessments/{review.id}/plan").get_data(as_text=True)
    assert "In progress" in again
    results = client.get(f"/assessments/{review.id}/lens/results").get_data(as_text=True)
    assert "In progress" in results and f"/assessments/{review.id}/plan" in results
    assert 'id="finding-bk_restore"' in results  # where "Details on the results page" goes
    log = "\n".join(rows(client.get(f"/assessments/{review.id}/audit").get_data(as_text=True)))
    assert "Status Open → In progress" in log


def test_a_question_that_is_no_longer_risky_leaves_the_plan(client, login, people, review):
    login(people["editor"])
    _answer(client, review, "bk_restore", "bk_no")
    assert client.get(f"/assessments/{review.id}/plan/findings/bk_restore").status_code == 200
    _answer(client, review, "bk_restore", ["bk_tested", "bk_documented"], "1")
    assert client.get(f"/assessments/{review.id}/plan/findings/bk_restore").status_code == 404


def test_the_lens_report_and_its_pdf_show_the_plans_tracking_and_a_milestone_does_not(
        app, client, login, db_session, people, review):
    from pypdf import PdfReader

    from webapp.core.views import result_cache
    from webapp.lenses.reports import report_data
    from webapp.report.lens import render_lens_pdf
    from webapp.tracking.milestones import create_milestone

    login(people["editor"])
    _answer(client, review, "bk_restore", "bk_no")
    with app.test_request_context():
        milestone = create_milestone(db_session, review, people["owner"], name="Before",
                                     cache=result_cache())
    client.post(f"/assessments/{review.id}/plan/findings/bk_restore",
                data={"status": "in_progress", "owner": str(people["editor"].id),
                      "due_date": "2030-01-31", "justification": "", "review_date": ""})
    followed = f"In progress</strong> · {people['editor'].name} · due 31 Jan 2030"
    page = client.get(f"/assessments/{review.id}/lens/report").get_data(as_text=True)
    assert followed in page
    frozen = client.get(f"/assessments/{review.id}/lens/milestones/{milestone.id}")
    assert frozen.status_code == 200 and "In progress" not in frozen.get_data(as_text=True)

    db_session.expire_all()
    with app.test_request_context():
        data = report_data(db_session, db_session.merge(review), cache=result_cache())
    pdf = PdfReader(io.BytesIO(render_lens_pdf(data)))
    text = " ".join(sheet.extract_text() for sheet in pdf.pages)
    assert "In progress" in text and people["editor"].name in text
