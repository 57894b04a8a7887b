"""Lenses in the web app: the administrators' upload, a review on a lens from its start to
its results, report and PDF."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.lenses.conftest import ORR, as_bytes
from webapp.lenses import services as service
from webapp.lenses.models import LensAnswerRow


def _upload(client, data: bytes, name: str = "lens.json"):
    # Encoded here: the test client spools a body over 500 KB to a file it never closes.
    boundary, body = encode_multipart(
        {"csrf_token": client.csrf_token(), "upload": FileStorage(io.BytesIO(data), name)}
    )
    return client.post(
        "/admin/lenses/",
        data=body,
        csrf=False,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_only_administrators_open_the_lens_page(client, login, make_user, admin):
    login(make_user(name="Pat"))
    assert client.get("/admin/lenses/").status_code == 403
    client.post("/signout")
    login(admin)
    page = client.get("/admin/lenses/")
    assert page.status_code == 200 and b"Import a lens" in page.data


def test_an_administrator_imports_a_sample_lens_and_a_team_starts_a_review_on_it(
    client, login, admin, make_team, corpus_lenses
):
    login(admin)
    response = _upload(client, (corpus_lenses / ORR).read_bytes(), ORR)
    assert response.status_code == 302
    listed = client.get("/admin/lenses/").get_data(as_text=True)
    assert "AWS Operational Readiness Review Whitepaper Sample" in listed
    team = make_team(owner=admin)
    form = client.get(f"/assessments/new?team={team.id}").get_data(as_text=True)
    qid = "lens:aws-operational-readiness-review-whitepaper-sample"
    assert f'value="{qid}"' in form
    started = client.post(
        "/assessments/new",
        data={
            "name": "Checkout",
            "description": "",
            "team": team.id,
            "questionnaire": qid,
            "submit_token": _token(form),
        },
    )
    assert started.status_code == 302
    pillar = client.get(started.headers["Location"], follow_redirects=True)
    assert pillar.status_code == 200
    assert b'type="checkbox"' in pillar.data


def _token(html: str) -> str:
    marker = 'name="submit_token" type="hidden" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def test_an_invalid_upload_is_refused_naming_pillar_question_and_field(
    client, login, admin, small_lens, db_session
):
    login(admin)
    small_lens["pillars"][0]["questions"][0]["riskRules"][0]["condition"] = "bk_tested && ghost"
    response = _upload(client, as_bytes(small_lens))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The lens was not imported" in text
    assert "Pillar <code>backup</code>, question <code>bk_restore</code>" in text
    assert "names &#39;ghost&#39;, which is not a choice of this question" in text
    assert service.all_versions(db_session) == []


def test_an_upload_over_500_kb_is_refused(client, login, admin, small_lens):
    login(admin)
    small_lens["padding"] = "x" * 600_000
    response = _upload(client, as_bytes(small_lens))
    assert response.status_code == 400
    assert "a lens file may be 500 KB at most" in response.get_data(as_text=True)


def _answers(db_session, review) -> dict[str, LensAnswerRow]:
    db_session.expire_all()
    return service.stored_answers(db_session, review)


def test_the_pillar_page_saves_choices_and_not_applicable_with_a_reason(
    client, login, people, review, db_session
):
    login(people["editor"])
    url = f"/assessments/{review.id}/lens/pillars/backup"
    page = client.get(url).get_data(as_text=True)
    assert 'href="https://example.com/drills" rel="noopener noreferrer"' in page
    response = client.post(
        url,
        data={
            "bk_restore-choice": ["bk_tested", "bk_documented"],
            "bk_restore-version": "0",
            "bk_offsite-na": "y",
            "bk_offsite-na_reason": "BUSINESS_PRIORITIES",
            "bk_offsite-note": "Single region by contract",
            "bk_offsite-version": "0",
        },
    )
    assert response.status_code == 302
    rows = _answers(db_session, review)
    assert rows["bk_restore"].choices == ["bk_tested", "bk_documented"]
    assert (rows["bk_offsite"].na_reason, rows["bk_offsite"].note) == (
        "BUSINESS_PRIORITIES",
        "Single region by contract",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"bk_restore-choice": ["bk_no", "bk_tested"]},
            "“None of these” cannot be combined with other choices.",
        ),
        ({"bk_restore-na": "y"}, "Choose why this question does not apply."),
    ],
)
def test_a_refused_answer_keeps_what_was_typed_and_saves_nothing(
    client, login, people, review, db_session, data, message
):
    login(people["editor"])
    url = f"/assessments/{review.id}/lens/pillars/backup"
    response = client.post(
        url,
        data={
            **data,
            "bk_restore-version": "0",
            "bk_offsite-choice": "off_yes",
            "bk_offsite-version": "0",
        },
    )
    assert response.status_code in (400, 409)
    text = response.get_data(as_text=True)
    assert message in text
    assert 'value="off_yes" checked' in text
    assert _answers(db_session, review) == {}


def test_autosave_saves_one_question_and_tells_a_conflict(client, login, people, review):
    login(people["editor"])
    url = f"/assessments/{review.id}/lens/answers"
    first = client.post(
        url,
        data={
            "question": "bk_restore",
            "bk_restore-choice": "bk_tested",
            "bk_restore-version": "0",
        },
    )
    assert first.status_code == 200 and first.json["answer"]["version"] == 1
    stale = client.post(
        url,
        data={"question": "bk_restore", "bk_restore-choice": "bk_no", "bk_restore-version": "0"},
    )
    assert stale.status_code == 409
    assert [c["id"] for c in stale.json["theirs"]["choices"]] == ["bk_tested"]
    bad = client.post(
        url,
        data={
            "question": "bk_restore",
            "bk_restore-choice": ["bk_no", "x"],
            "bk_restore-version": "1",
        },
    )
    assert bad.status_code == 400


def test_a_viewer_reads_but_cannot_answer(client, login, people, review):
    login(people["viewer"])
    url = f"/assessments/{review.id}/lens/pillars/backup"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"bk_restore-choice": "bk_tested"}).status_code == 403


def test_a_stranger_gets_not_found(client, login, people, review):
    login(people["stranger"])
    assert client.get(f"/assessments/{review.id}/lens/results").status_code == 404


def test_results_show_pillar_counts_and_the_plan_with_its_improvements(
    client, login, people, review
):
    login(people["editor"])
    client.post(
        f"/assessments/{review.id}/lens/answers",
        data={
            "question": "bk_restore",
            "bk_restore-choice": "bk_documented",
            "bk_restore-version": "0",
        },
    )
    text = client.get(f"/assessments/{review.id}/lens/results").get_data(as_text=True)
    assert '<td data-label="Medium"><span class="badge lens-risk lens-risk-medium">1</span>' in text
    assert '<td data-label="Unanswered">1</td>' in text
    assert "Schedule a monthly restore drill." in text
    assert 'href="https://example.com/plan"' in text
    assert "Write the restore runbook." not in text  # chosen already: nothing to improve


def test_the_old_results_page_and_resume_lead_to_the_lens_pages(client, login, people, review):
    login(people["editor"])
    results = client.get(f"/assessments/{review.id}/results")
    assert results.headers["Location"].endswith(f"/assessments/{review.id}/lens/results")
    resume = client.get(f"/assessments/{review.id}", follow_redirects=True)
    assert resume.status_code == 200 and b"Backups" in resume.data
    dashboard = client.get("/assessments/").get_data(as_text=True)
    assert "Billing DB" in dashboard


def test_the_report_links_on_the_page_and_prints_addresses_as_text_in_the_pdf(
    client, login, people, review
):
    login(people["editor"])
    client.post(
        f"/assessments/{review.id}/lens/answers",
        data={"question": "bk_restore", "bk_restore-choice": "bk_no", "bk_restore-version": "0"},
    )
    html = client.get(f"/assessments/{review.id}/lens/report").get_data(as_text=True)
    assert '<a href="https://example.com/plan" rel="noopener noreferrer">' in html
    response = client.get(f"/assessments/{review.id}/lens/report.pdf")
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Schedule a monthly restore drill." in text
    assert "(https://example.com/plan)" in text
    annotations = [a.get_object() for p in reader.pages for a in (p.get("/Annots") or [])]
    assert not [a for a in annotations if "/URI" in json.dumps(str(a.get("/A", {})))]


def test_the_details_page_of_a_review_on_a_lens_opens_and_saves(client, login, people, review):
    login(people["owner"])
    page = client.get(f"/assessments/{review.id}/settings")
    assert page.status_code == 200
    saved = client.post(
        f"/assessments/{review.id}/settings",
        data={"name": "Billing database", "description": "Postgres"},
    )
    assert saved.status_code == 302
    assert "Billing database" in client.get(f"/assessments/{review.id}/lens/results").get_data(
        as_text=True
    )


def test_a_share_link_shows_the_lens_report_and_its_pdf_without_an_account(
    app, client, login, people, review, db_session
):
    from webapp.sharing.services import create_share

    login(people["editor"])
    client.post(
        f"/assessments/{review.id}/lens/answers",
        data={
            "question": "bk_restore",
            "bk_restore-choice": "bk_tested",
            "bk_restore-version": "0",
        },
    )
    assert client.get(f"/assessments/{review.id}/sharing").status_code == 200
    with app.app_context():
        token = create_share(db_session, review, people["editor"], label="For the auditors").token
    client.post("/signout")
    page = client.get(f"/s/{token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Backup readiness" in text and "Schedule a monthly restore drill." not in text
    assert "Write the restore runbook." in text  # the one improvement not yet done
    pdf = client.get(f"/s/{token}/report.pdf")
    assert pdf.mimetype == "application/pdf"
    assert "Write the restore runbook." in PdfReader(io.BytesIO(pdf.data)).pages[2].extract_text()


def test_the_plan_exports_as_csv_json_and_markdown(client, login, people, review):
    login(people["editor"])
    client.post(
        f"/assessments/{review.id}/lens/answers",
        data={
            "question": "bk_restore",
            "bk_restore-choice": "bk_tested",
            "bk_restore-version": "0",
        },
    )
    csv_text = client.get(f"/assessments/{review.id}/plan.csv", follow_redirects=True).get_data(
        as_text=True
    )
    assert csv_text.splitlines()[0] == "pillar,question_id,question,risk,selected,improvements"
    assert "bk_restore,How do you know a restore works?,Medium risk" in csv_text
    data = client.get(f"/assessments/{review.id}/lens/plan.json").json
    assert data["lens"] == "Backup readiness"
    assert data["plan"][0]["improvements"] == (
        "The restore steps are written down: Write the restore runbook."
    )
    markdown = client.get(f"/assessments/{review.id}/lens/plan.md").get_data(as_text=True)
    assert "## Medium risk: How do you know a restore works?" in markdown


def test_pages_of_faultlines_own_questionnaire_lead_a_lens_review_to_its_pages(
    client, login, people, review
):
    login(people["editor"])
    for path, target in [
        ("/workflows", "/lens/"),
        ("/steps/backup", "/lens/pillars/backup"),
        ("/steps/results", "/lens/results"),
    ]:
        response = client.get(f"/assessments/{review.id}{path}")
        assert response.headers["Location"].endswith(f"/assessments/{review.id}{target}"), path


def _freeze(client, review, name: str) -> str:
    page = client.get(f"/assessments/{review.id}/milestones").get_data(as_text=True)
    response = client.post(
        f"/assessments/{review.id}/milestones",
        data={"name": name, "note": "", "submit_token": _token(page)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def _answer(client, review, choices, version):
    return client.post(
        f"/assessments/{review.id}/lens/answers",
        data={
            "question": "bk_restore",
            "bk_restore-choice": choices,
            "bk_restore-version": version,
        },
    )


def test_a_milestone_freezes_the_lens_answers_and_later_changes_leave_it(
    client, login, people, review
):
    login(people["editor"])
    _answer(client, review, "bk_no", "0")
    location = client.get(_freeze(client, review, "Before the drill"))
    milestone_url = location.headers["Location"]
    assert "/lens/milestones/" in milestone_url
    _answer(client, review, ["bk_tested", "bk_documented"], "1")
    frozen = client.get(milestone_url).get_data(as_text=True)
    assert "Before the drill" in frozen
    assert "Schedule a monthly restore drill." in frozen  # still high risk when frozen
    listed = client.get(f"/assessments/{review.id}/milestones")
    assert listed.status_code == 200 and "Before the drill" in listed.get_data(as_text=True)
    assert '1</span><span class="small muted"> high · 0 medium risks' in listed.get_data(
        as_text=True
    )
    pdf = client.get(milestone_url + "/report.pdf")
    assert "Before the drill" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()


def test_compare_shows_what_got_better_since_a_milestone(client, login, people, review):
    login(people["editor"])
    _answer(client, review, "bk_no", "0")
    _freeze(client, review, "Before the drill")
    _answer(client, review, ["bk_tested", "bk_documented"], "1")
    page = client.get(f"/assessments/{review.id}/compare", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "High and medium risks: Before the drill → Now" in text
    assert '<td data-label="High">1 → 0</td>' in text
    assert "How do you know a restore works?" in text
    assert '<span class="lens-direction lens-better">better</span>' in text


def test_a_review_moves_to_a_newer_lens_version_keeping_answers_and_a_milestone(
    app, client, login, people, review, db_session, small_lens
):
    login(people["editor"])
    _answer(client, review, ["bk_tested", "bk_documented"], "0")
    client.post(
        f"/assessments/{review.id}/lens/answers",
        data={"question": "bk_offsite", "bk_offsite-choice": "off_yes", "bk_offsite-version": "0"},
    )
    question = small_lens["pillars"][0]["questions"][0]
    question["choices"] = [c for c in question["choices"] if c["id"] != "bk_documented"]
    question["riskRules"] = [
        {"condition": "bk_tested", "risk": "NO_RISK"},
        {"condition": "default", "risk": "HIGH_RISK"},
    ]
    with app.app_context():
        service.import_lens(db_session, as_bytes(small_lens))
    results = client.get(f"/assessments/{review.id}/lens/results").get_data(as_text=True)
    assert "Version 2 of this lens is available." in results
    response = client.post(f"/assessments/{review.id}/lens/upgrade", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "now on version 2 of the lens" in text and "1 answer changed with the questions" in text
    rows = _answers(db_session, review)
    assert rows["bk_restore"].choices == ["bk_tested"]
    assert rows["bk_offsite"].choices == ["off_yes"]
    milestones = client.get(f"/assessments/{review.id}/milestones").get_data(as_text=True)
    assert "Before version 2 of the lens" in milestones
    again = client.post(f"/assessments/{review.id}/lens/upgrade", follow_redirects=True)
    assert "already on the newest version" in again.get_data(as_text=True)


def test_the_portfolio_shows_a_lens_review_with_its_coverage_and_high_risks(
    client, login, people, review
):
    login(people["editor"])
    _answer(client, review, "bk_no", "0")
    rows = client.get("/portfolio/portfolio.json").get_json()["assessments"]
    row = next(r for r in rows if r["name"] == "Billing DB")
    assert row["overall"] is None and row["coverage"] == 50.0 and row["high"] == 1
    page = client.get("/portfolio/").get_data(as_text=True)
    assert "no longer ships" not in page and "Lens review" in page


def test_a_share_link_of_a_lens_review_is_made_without_a_pdf_edition(
    app, client, login, people, review, db_session, monkeypatch
):
    from tests.web.test_sharing import BASE_URL, create_through_page
    from webapp.sharing.models import ShareLink

    monkeypatch.setitem(app.config, "FAULTLINE_BASE_URL", BASE_URL)
    login(people["editor"])
    page = client.get(f"/assessments/{review.id}/sharing").get_data(as_text=True)
    assert "PDF edition" not in page  # a lens review has one PDF
    response = create_through_page(client, review, label="Auditors")
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
    [link] = db_session.query(ShareLink).filter_by(assessment_id=review.id).all()
    assert (link.label, link.edition) == ("Auditors", "full")
