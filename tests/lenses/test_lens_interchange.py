"""A review on a lens as an answers file: exported from its Details page, imported back with
a preview and the same conflict rule, started from a file in the browser or with
`faultline import`."""

from __future__ import annotations

import io

import pytest
import yaml

from tests.interchange import test_import_pages
from tests.lenses.conftest import ORR
from webapp.assessments.models import Assessment
from webapp.assessments.submissions import new_token
from webapp.commands.import_answers import ImportRefused, run
from webapp.core import db
from webapp.lenses import services as service

DIAGRAM = "architecture_architecture_diagram"  # the ORR lens's first question
FILE = """\
questionnaire: lens:backup-readiness
version: 1
system:
  name: Billing DB
  description: Postgres for invoices
answers:
  bk_restore: [bk_tested, bk_documented]
  bk_offsite: {na: BUSINESS_PRIORITIES}
notes:
  bk_offsite: Single region by contract.
"""


def _answer(client, review, choices, version="0"):
    return client.post(f"/assessments/{review.id}/lens/answers",
                       data={"question": "bk_restore", "bk_restore-choice": choices,
                             "bk_restore-version": version})


def _upload(client, review, text):
    return client.post(f"/assessments/{review.id}/import", content_type="multipart/form-data",
                       data={"upload": (io.BytesIO(text.encode()), "answers.yaml")})


def test_the_details_page_exports_the_lens_answers_as_a_file(client, login, people, review):
    login(people["editor"])
    _answer(client, review, "bk_documented")
    page = client.get(f"/assessments/{review.id}/settings").get_data(as_text=True)
    assert "Backup readiness, version 1" in page  # the lens, not its id
    response = client.get(f"/assessments/{review.id}/answers.yaml")
    assert response.status_code == 200
    assert "billing-db-answers.yaml" in response.headers["Content-Disposition"]
    data = yaml.safe_load(response.data)
    assert data["questionnaire"] == "lens:backup-readiness" and data["version"] == 1
    assert data["answers"] == {"bk_restore": ["bk_documented"]}
    assert client.get(f"/assessments/{review.id}/answers.yaml").data == response.data


def test_an_upload_is_previewed_then_applied(client, login, people, review, db_session):
    login(people["editor"])
    preview = _upload(client, review, FILE)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:2000]
    page = preview.get_data(as_text=True)
    assert "Apply 2 changes" in page and "How do you know a restore works?" in page
    assert "<td data-label=\"Where\">Backups</td>" in page
    assert service.stored_answers(db_session, review) == {}, "a preview writes nothing"
    applied = client.post(f"/assessments/{review.id}/import/apply",
                          data={"content": FILE, "versions": '{"\\u001fbk_restore": 0, '
                                                            '"\\u001fbk_offsite": 0}'})
    assert applied.status_code == 302
    db_session.expire_all()
    rows = service.stored_answers(db_session, review)
    assert rows["bk_restore"].choices == ["bk_tested", "bk_documented"]
    assert (rows["bk_offsite"].na_reason, rows["bk_offsite"].note) == (
        "BUSINESS_PRIORITIES", "Single region by contract.")
    exported = yaml.safe_load(client.get(f"/assessments/{review.id}/answers.yaml").data)
    assert exported == yaml.safe_load(FILE), "export after import gives the file back"


def test_an_answer_saved_after_the_preview_is_409_and_nothing_is_imported(
        client, login, people, review, db_session):
    login(people["editor"])
    _answer(client, review, "bk_no")  # saved after a preview that saw no answer
    response = client.post(f"/assessments/{review.id}/import/apply",
                           data={"content": FILE, "versions": '{"\\u001fbk_restore": 0, '
                                                              '"\\u001fbk_offsite": 0}'})
    assert response.status_code == 409
    assert "Someone saved answers since you opened this preview" in response.get_data(True)
    db_session.expire_all()
    rows = service.stored_answers(db_session, review)
    assert list(rows) == ["bk_restore"] and rows["bk_restore"].choices == ["bk_no"]


@pytest.mark.parametrize(("text", "message"), [
    (FILE.replace("bk_documented]", "bk_ghost]"), "“bk_ghost” is not a choice"),
    (FILE.replace("lens:backup-readiness", "reliability-review"),
     "this assessment “lens:backup-readiness”"),
    ("answers: [unclosed", "answers.yaml"),
])
def test_a_bad_file_is_refused_naming_the_problem(client, login, people, review, text,
                                                  message, db_session):
    login(people["editor"])
    response = _upload(client, review, text)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert service.stored_answers(db_session, review) == {}


def test_the_dashboard_import_starts_a_review_on_the_lens(client, login, people, backup_lens,
                                                          db_session):
    login(people["editor"])
    form = client.get("/assessments/import").get_data(as_text=True)
    assert "Import" in form
    response = client.post("/assessments/import", content_type="multipart/form-data",
                           data={"team": people["team"].id, "submit_token": new_token(),
                                 "upload": (io.BytesIO(FILE.encode()), "billing.yaml")})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assessment = db_session.query(Assessment).filter_by(name="Billing DB").one()
    assert (assessment.questionnaire_id, assessment.questionnaire_version) == (
        "lens:backup-readiness", 1)
    assert service.stored_answers(db_session, assessment)["bk_restore"].choices == [
        "bk_tested", "bk_documented"]


def test_a_note_over_the_limit_is_refused_naming_it_and_nothing_is_saved(
        client, login, people, review, backup_lens, db_session):
    login(people["editor"])
    text = FILE.replace("bk_offsite: Single region", "bk_offsite: " + "word " * 5000 + "Single")
    preview = _upload(client, review, text)
    assert preview.status_code == 400
    assert ("notes.bk_offsite: notes are limited to 20,000 characters; this one has 25,019."
            in preview.get_data(as_text=True))
    created = client.post("/assessments/import", content_type="multipart/form-data",
                          data={"team": people["team"].id, "submit_token": new_token(),
                                "upload": (io.BytesIO(text.encode()), "billing.yaml")})
    assert created.status_code == 400  # it answered 500
    assert "notes.bk_offsite: notes are limited" in created.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.query(Assessment).count() == 1
    assert service.stored_answers(db_session, review) == {}


def test_a_file_on_a_lens_that_is_not_imported_is_refused(client, login, people, db_session):
    login(people["editor"])
    response = client.post("/assessments/import", content_type="multipart/form-data",
                           data={"team": people["team"].id, "submit_token": new_token(),
                                 "upload": (io.BytesIO(FILE.encode()), "billing.yaml")})
    assert response.status_code == 400
    assert "lens “lens:backup-readiness” version 1 is not imported" in response.get_data(True)


# --- faultline import ----------------------------------------------------------------------


committed = test_import_pages.committed  # team Payments, owner Olga, real commits


@pytest.fixture
def orr_installed(committed, corpus_lenses):  # noqa: F811 - the fixture above
    """That installation with the ORR lens imported."""
    with committed.app_context(), db.session_scope(committed) as session:
        service.import_lens(session, (corpus_lenses / ORR).read_bytes())
    return committed


def test_faultline_import_starts_a_review_on_the_orr_lens_and_imports_into_it(
        orr_installed, tmp_path):
    qid = "lens:aws-operational-readiness-review-whitepaper-sample"
    path = tmp_path / "checkout.yaml"
    path.write_text(f"questionnaire: {qid}\nsystem: {{name: Checkout}}\nanswers:\n"
                    f"  {DIAGRAM}: {{na: OUT_OF_SCOPE}}\n", encoding="utf-8")
    line = run(path, "Payments", None, None, app=orr_installed)
    assert "imported checkout.yaml into assessment" in line and "1 answer changed" in line
    with orr_installed.app_context(), db.session_scope(orr_installed) as session:
        assessment = session.query(Assessment).one()
        assessment_id = assessment.id
        assert assessment.questionnaire_id == qid and assessment.questionnaire_version == 1
        row = service.stored_answers(session, assessment)[DIAGRAM]
        assert row.na_reason == "OUT_OF_SCOPE"
    path.write_text(path.read_text().replace("{na: OUT_OF_SCOPE}", "[nope]"), encoding="utf-8")
    with pytest.raises(ImportRefused, match=f"answers.{DIAGRAM}"):
        run(path, "Payments", None, assessment_id, app=orr_installed)



def test_the_next_review_starts_from_the_lens_answers_and_compares_with_the_previous(
        client, login, people, review, db_session):
    login(people["editor"])
    _answer(client, review, "bk_no")
    page = client.get(f"/assessments/{review.id}/next-review").get_data(as_text=True)
    response = client.post(f"/assessments/{review.id}/next-review",
                           data={"name": "Billing DB (next)", "submit_token": new_token()})
    assert response.status_code == 302, page[:500]
    copy = db_session.query(Assessment).filter_by(name="Billing DB (next)").one()
    assert service.stored_answers(db_session, copy)["bk_restore"].choices == ["bk_no"]
    _answer(client, copy, "bk_tested", "1")
    compared = client.get(f"/assessments/{copy.id}/lens/compare").get_data(as_text=True)
    assert "Billing DB (previous review) → Now" in compared
    assert "compare.pdf" not in compared  # a previous review's side has no PDF
    assert '<span class="lens-direction lens-better">better</span>' in compared


def test_faultline_report_reads_a_lens_answers_file_with_its_lens_and_gates(
        runner, tmp_path, small_lens):
    import json

    from webapp import cli

    lens_path, answers = tmp_path / "backup.json", tmp_path / "billing.yaml"
    lens_path.write_text(json.dumps(small_lens), encoding="utf-8")
    answers.write_text(FILE.replace("bk_tested, bk_documented", "bk_documented"),
                       encoding="utf-8")
    args = ["report", str(answers), "--lens", str(lens_path)]
    first, second = runner.invoke(cli.main, args), runner.invoke(cli.main, args)
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout, "same input, same output"
    data = json.loads(first.stdout)
    assert data["totals"]["medium"] == 1 and data["plan"][0]["id"] == "bk_restore"
    gated = runner.invoke(cli.main, [*args, "--fail-on", "medium"])
    assert gated.exit_code == 1
    assert "faultline gate: medium risk: How do you know a restore works? (Backups)" in (
        gated.stderr)
    assert runner.invoke(cli.main, [*args, "--fail-on", "high"]).exit_code == 0
    missing = runner.invoke(cli.main, ["report", str(answers)])
    assert missing.exit_code == 2 and "give its lens file with --lens" in missing.stderr
    html = runner.invoke(cli.main, [*args, "--format", "html"])
    assert html.exit_code == 0 and "Schedule a monthly restore drill." in html.stdout


def test_a_file_on_a_retired_lens_starts_no_review(app, client, login, people, backup_lens,
                                                   db_session):
    with app.test_request_context():
        service.retire_lens(db_session, "backup-readiness", people["owner"])
    login(people["editor"])
    response = client.post("/assessments/import", content_type="multipart/form-data",
                           data={"team": people["team"].id, "submit_token": new_token(),
                                 "upload": (io.BytesIO(FILE.encode()), "billing.yaml")})
    assert response.status_code == 400
    assert "lens “lens:backup-readiness” is retired" in response.get_data(as_text=True)
    assert db_session.query(Assessment).count() == 0

