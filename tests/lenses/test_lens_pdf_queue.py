"""PDFs of reviews on a lens take the one PDF path: queued, cached by revision, a progress
page while they are made, made ahead of time, shared by members and share links."""

from __future__ import annotations

import pytest

from tests.web.test_pdf_queue import HeldJobs, follow_refresh
from webapp.core.views import result_cache
from webapp.pdfs import specs as pdfs
from webapp.report.lens import render_lens_pdf
from webapp.sharing import services as sharing
from webapp.tasks import get_queue, page_size
from webapp.tracking.milestones import create_milestone

LENS_TARGET = "webapp.report.lens:render_lens_pdf"


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "REPORT_CACHE_DIR": str(tmp_path / "pdf-cache")}


@pytest.fixture
def held(app, monkeypatch, fake_renderer) -> HeldJobs:
    jobs = HeldJobs(app)
    monkeypatch.setattr(get_queue(app), "render", jobs)
    return jobs


def _answer(client, review, choices, version="0"):
    return client.post(f"/assessments/{review.id}/lens/answers",
                       data={"question": "bk_restore", "bk_restore-choice": choices,
                             "bk_restore-version": version})


def test_a_lens_pdf_is_queued_shows_progress_and_is_then_served_from_the_cache(
        client, login, people, review, held, fake_renderer):
    login(people["editor"])
    _answer(client, review, "bk_no")
    pdf_url = f"/assessments/{review.id}/lens/report.pdf"
    waiting = client.get(pdf_url)
    assert waiting.status_code == 202 and "Preparing the PDF" in waiting.get_data(True)
    assert client.get(pdf_url).status_code == 202 and len(held.jobs) == 1, "queued once"
    held.run_all()
    [(target, data)] = fake_renderer.calls
    assert target == LENS_TARGET
    assert data["meta"]["system_name"] == "Billing DB" and data["totals"]["high"] == 1
    _delay, next_url = follow_refresh(waiting)
    assert follow_refresh(client.get(next_url)) == (0, pdf_url)
    download = client.get(pdf_url)
    assert download.mimetype == "application/pdf" and download.headers["X-Report-Cache"] == "hit"
    assert "billing-db-lens-review-" in download.headers["Content-Disposition"]


def test_a_new_answer_makes_a_new_pdf_and_an_unchanged_review_never_renders_twice(
        app, client, login, db_session, people, review, fake_renderer):
    login(people["editor"])
    _answer(client, review, "bk_no")
    pdf_url = f"/assessments/{review.id}/lens/report.pdf"
    assert client.get(pdf_url).headers["X-Report-Cache"] == "miss"
    assert client.get(pdf_url).headers["X-Report-Cache"] == "hit"
    with app.app_context():
        token = sharing.create_share(db_session, review, people["owner"], label="Audit").token
    assert client.get(f"/s/{token}/report.pdf").status_code == 200
    assert len(fake_renderer.calls) == 1, "members and share links share one file"
    _answer(client, review, "bk_tested", "1")
    assert client.get(pdf_url).headers["X-Report-Cache"] == "miss"
    assert len(fake_renderer.calls) == 2


def test_a_settled_lens_review_and_a_new_milestone_get_their_pdfs_ahead_of_time(
        app, db_session, people, review, fake_renderer):
    queue = get_queue(app)
    with app.test_request_context():
        queue.settled.call_local(review.id, review.revision)
        key = pdfs.describe(db_session, review, pdfs.review(review), page_size=page_size(app),
                            cache=result_cache()).key
        assert queue.store.path(key).is_file()
        milestone = create_milestone(db_session, review, people["owner"], name="Before",
                                     cache=result_cache())
        queue.milestone_taken.call_local(review.id, milestone.id)
        frozen = pdfs.describe(db_session, review, pdfs.milestone(review, milestone.id),
                               page_size=page_size(app), cache=result_cache()).key
        assert queue.store.path(frozen).is_file()
    assert [target for target, _ in fake_renderer.calls] == [LENS_TARGET, LENS_TARGET]
    assert fake_renderer.calls[1][1]["meta"]["milestone"] == "Before"


def test_the_lens_pdf_renders_for_real_with_its_links_as_text(app, db_session, review):
    from webapp.lenses.services import lens_result
    from webapp.report.lens import lens_report_data

    with app.test_request_context():
        data = lens_report_data(lens_result(db_session, review), system_name="Billing DB",
                                team="Payments", lens_version=1)
    pdf = render_lens_pdf(data)
    assert pdf.startswith(b"%PDF") and b"/URI" not in pdf


def test_a_lens_comparison_downloads_as_a_pdf_through_the_queue(
        app, client, login, db_session, people, review, fake_renderer):
    login(people["editor"])
    _answer(client, review, "bk_no")
    with app.test_request_context():
        milestone = create_milestone(db_session, review, people["owner"], name="Before",
                                     cache=result_cache())
    _answer(client, review, ["bk_tested", "bk_documented"], "1")
    page = client.get(f"/assessments/{review.id}/lens/compare").get_data(as_text=True)
    url = f"/assessments/{review.id}/lens/compare.pdf?from={milestone.id}&amp;to=now"
    assert url in page
    response = client.get(url.replace("&amp;", "&"))
    assert response.mimetype == "application/pdf"
    [(target, data)] = fake_renderer.calls
    assert target == "webapp.report.lens:render_lens_comparison_pdf"
    assert (data["meta"]["before"], data["meta"]["after"]) == ("Before", "Now")
    [moved] = data["moved"]
    assert (moved["before"], moved["after"], moved["direction"]) == ("high", "none", "better")
    generic = client.get(f"/assessments/{review.id}/compare.pdf?from={milestone.id}&to=now")
    assert "/lens/compare.pdf" in generic.headers["Location"]


def test_the_lens_comparison_pdf_renders_for_real(app, db_session, people, review):
    from datetime import UTC, datetime

    from webapp.lenses.reports import comparison_data
    from webapp.report.lens import render_lens_comparison_pdf

    with app.test_request_context():
        data = comparison_data(db_session, review, "now", "now", datetime.now(UTC))
    assert render_lens_comparison_pdf(data).startswith(b"%PDF")


def test_a_share_link_pinned_to_a_lens_milestone_shows_it_frozen_and_its_pdf(
        app, client, login, db_session, people, review, fake_renderer):
    login(people["editor"])
    _answer(client, review, "bk_no")
    with app.test_request_context():
        milestone = create_milestone(db_session, review, people["owner"], name="Before",
                                     cache=result_cache())
        token = sharing.create_share(db_session, review, people["owner"], label="Board",
                                     milestone_id=milestone.id).token
    _answer(client, review, ["bk_tested", "bk_documented"], "1")
    client.post("/signout")
    page = client.get(f"/s/{token}").get_data(as_text=True)
    assert "Schedule a monthly restore drill." in page  # still high risk when frozen
    pdf = client.get(f"/s/{token}/report.pdf")
    assert pdf.mimetype == "application/pdf"
    [(target, data)] = fake_renderer.calls
    assert target == LENS_TARGET and data["meta"]["milestone"] == "Before"
    assert data["totals"]["high"] == 1
