"""Answers files in the browser and on the command line, and the next review cycle."""

from __future__ import annotations

import io

import pytest
import yaml
from pypdf import PdfReader
from sqlalchemy import select

from tests.factories import EXAMPLE, EXAMPLE_V1, PASSWORD, fill_from_example
from webapp import cli
from webapp.accounts import services as accounts
from webapp.accounts.models import User
from webapp.assessments.models import Assessment
from webapp.assessments.submissions import new_token
from webapp.audit.models import AuditEvent
from webapp.commands.import_answers import run
from webapp.core import db
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.teams.models import Membership, Team

EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def setup(app, db_session, people, make_assessment, login):
    assessment = make_assessment(people["team"], people["owner"], name="Ledgerline Payments")
    with app.test_request_context():
        fill_from_example(db_session, assessment, people["owner"])
    login(people["editor"])
    return {**people, "assessment": assessment}


def test_export_downloads_the_answers_file(client, setup):
    response = client.get(f"/assessments/{setup['assessment'].id}/answers.yaml")
    assert response.status_code == 200
    assert "ledgerline-payments-answers.yaml" in response.headers["Content-Disposition"]
    exported = yaml.safe_load(response.data)["answers"]
    assert exported["observe.correlated-metrics"] == "traces-partial"


def test_a_stranger_cannot_export(client, setup, login):
    client.post("/signout")
    login(setup["stranger"])
    assert client.get(f"/assessments/{setup['assessment'].id}/answers.yaml").status_code == 404


def _upload(client, assessment_id, text):
    return client.post(f"/assessments/{assessment_id}/import", content_type="multipart/form-data",
                       data={"upload": (io.BytesIO(text.encode()), "answers.yaml")})


def test_the_upload_shows_a_preview_then_apply_saves(client, db_session, setup):
    aid = setup["assessment"].id
    text = EXAMPLE_TEXT.replace("metrics: traces-partial", "metrics: correlated")
    preview = _upload(client, aid, text)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "What the import changes" in page and "Apply 1 change" in page
    versions = '{"\\u001fobserve.correlated-metrics": 1}'
    applied = client.post(f"/assessments/{aid}/import/apply",
                          data={"content": text, "versions": versions})
    assert applied.status_code == 302
    assert "Answers file imported: 1 answer changed." in client.get(
        applied.headers["Location"], follow_redirects=True).get_data(as_text=True)
    exported = yaml.safe_load(client.get(f"/assessments/{aid}/answers.yaml").data)
    assert exported["answers"]["observe.correlated-metrics"] == "correlated"


def test_the_import_message_counts_the_changed_answers_in_the_plural(client, setup):
    aid = setup["assessment"].id
    text = (EXAMPLE_TEXT.replace("metrics: traces-partial", "metrics: correlated")
            .replace("symptom-alerts: mixed", "symptom-alerts: symptoms"))
    versions = ('{"\\u001fobserve.correlated-metrics": 1, '
                '"\\u001fobserve.symptom-alerts": 1}')
    applied = client.post(f"/assessments/{aid}/import/apply",
                          data={"content": text, "versions": versions}, follow_redirects=True)
    assert "Answers file imported: 2 answers changed." in applied.get_data(as_text=True)


def test_an_answer_saved_after_the_preview_answers_409_and_nothing_is_imported(
    client, db_session, setup
):
    aid = setup["assessment"].id
    text = EXAMPLE_TEXT.replace("correlated-metrics: traces-partial", "correlated-metrics: none")
    versions = '{"\\u001fobserve.correlated-metrics": 0}'  # the preview saw no answer yet
    response = client.post(f"/assessments/{aid}/import/apply",
                           data={"content": text, "versions": versions})
    assert response.status_code == 409
    assert "Someone saved answers since you opened this preview" in response.get_data(True)
    exported = yaml.safe_load(client.get(f"/assessments/{aid}/answers.yaml").data)
    assert exported["answers"]["observe.correlated-metrics"] == "traces-partial"


def test_a_malformed_upload_is_refused_with_the_reason(client, setup):
    response = _upload(client, setup["assessment"].id, "answers:\n  observe.nope: none\n")
    assert response.status_code == 400
    assert "unknown question id &#39;observe.nope&#39;" in response.get_data(True)


LONG_NOTE = "word " * 5000  # 25,000 characters: over the 20,000 a note may hold
TOO_LONG = (EXAMPLE_TEXT
            .replace("  fit.regulated: PCI", f"  fit.regulated: {LONG_NOTE}PCI", 1)
            .replace("    verification.tested: F", f"    verification.tested: {LONG_NOTE}F", 1))


def test_a_note_over_the_limit_is_refused_naming_it_and_nothing_is_saved(
    client, db_session, setup
):
    aid = setup["assessment"].id
    preview = _upload(client, aid, TOO_LONG)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 400
    assert "notes.fit.regulated: notes are limited to 20,000 characters; this one has" in page
    assert ("workflow “Card payment capture”, notes.verification.tested: notes are limited to "
            "20,000 characters") in page
    applied = client.post(f"/assessments/{aid}/import/apply",
                          data={"content": TOO_LONG, "versions": "{}"})
    assert applied.status_code == 400 and "notes.fit.regulated" in applied.get_data(True)
    created = client.post("/assessments/import", content_type="multipart/form-data", data={
        "team": str(setup["team"].id), "submit_token": new_token(),
        "upload": (io.BytesIO(TOO_LONG.encode()), "payments.yaml"),
    })
    assert created.status_code == 400  # it answered 500 and left nothing to read
    assert "notes.fit.regulated: notes are limited" in created.get_data(True)
    db_session.expire_all()
    assert db_session.query(Assessment).count() == 1
    exported = yaml.safe_load(client.get(f"/assessments/{aid}/answers.yaml").data)
    assert exported["notes"]["fit.regulated"].startswith("PCI DSS")


@pytest.mark.parametrize("text", ["", "\n\n", "# answers to come\n---\n", "{}\n", "null\n",
                                  "system: {}\nworkflows: []\n"])
def test_an_empty_file_is_refused_in_the_same_words_everywhere_and_changes_nothing(
    client, db_session, setup, text
):
    """Into an existing assessment its preview proposed clearing every answer; the new
    assessment import refused it for a missing system name. Both now say it is empty."""
    aid = setup["assessment"].id
    before = client.get(f"/assessments/{aid}/answers.yaml").data
    preview = _upload(client, aid, text)
    assert preview.status_code == 400 and "What the import changes" not in preview.get_data(True)
    assert "the file is empty: it names no questionnaire and holds no answers" in (
        preview.get_data(True))
    applied = client.post(f"/assessments/{aid}/import/apply",
                          data={"content": text or "\n", "versions": "{}"})
    assert applied.status_code == 400 and "the file is empty" in applied.get_data(True)
    created = client.post("/assessments/import", content_type="multipart/form-data", data={
        "team": str(setup["team"].id), "submit_token": new_token(),
        "upload": (io.BytesIO(text.encode()), "answers.yaml"),
    })
    assert created.status_code == 400
    assert "the file is empty: it names no questionnaire and holds no answers" in (
        created.get_data(True))
    db_session.expire_all()
    assert db_session.query(Assessment).count() == 1
    assert client.get(f"/assessments/{aid}/answers.yaml").data == before


def test_a_viewer_cannot_import(client, setup, login):
    client.post("/signout")
    login(setup["viewer"])
    assert _upload(client, setup["assessment"].id, EXAMPLE_TEXT).status_code == 403


def test_importing_a_file_starts_a_new_assessment(client, db_session, setup):
    response = client.post("/assessments/import", content_type="multipart/form-data", data={
        "team": str(setup["team"].id), "submit_token": new_token(),
        "upload": (io.BytesIO(EXAMPLE_TEXT.encode()), "payments.yaml"),
    })
    assert response.status_code == 302
    created = db_session.query(Assessment).filter(Assessment.id != setup["assessment"].id).one()
    assert created.name == "Ledgerline Payments" and len(created.workflows) == 4


def test_start_the_next_review_copies_answers_and_can_be_compared(client, db_session, setup):
    source = setup["assessment"]
    form = {"name": "Q4 review", "submit_token": new_token()}
    response = client.post(f"/assessments/{source.id}/next-review", data=dict(form))
    assert response.status_code == 302
    client.post(f"/assessments/{source.id}/next-review", data=dict(form))  # sent again
    copy = db_session.query(Assessment).filter(Assessment.name == "Q4 review").one()
    assert copy.previous_id == source.id
    first = yaml.safe_load(client.get(f"/assessments/{source.id}/answers.yaml").data)
    second = yaml.safe_load(client.get(f"/assessments/{copy.id}/answers.yaml").data)
    assert second["system"]["name"] == "Q4 review"
    assert {**first, "system": None} == {**second, "system": None}
    compare = client.get(f"/assessments/{copy.id}/compare")
    assert compare.status_code == 200
    assert "Previous review: Ledgerline Payments" in compare.get_data(True)
    pdf_url = f"/assessments/{copy.id}/compare.pdf?from=previous&amp;to=now"
    assert pdf_url in compare.get_data(True)
    pdf = client.get(pdf_url.replace("&amp;", "&"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Ledgerline Payments (previous review)" in text


def test_the_next_review_needs_a_name(client, setup):
    response = client.post(f"/assessments/{setup['assessment'].id}/next-review",
                           data={"name": "  ", "submit_token": new_token()})
    assert response.status_code == 400


# --- faultline import --------------------------------------------------------------------------


@pytest.fixture
def committed(make_app):
    application = make_app()
    with application.app_context(), db.session_scope(application) as session:
        user = User(email="olga@example.com", name="Olga",
                    password_hash=accounts.hash_password(PASSWORD))
        team = Team(name="Payments")
        team.memberships.append(Membership(user=user, role="owner"))
        session.add(team)
    return application


def test_faultline_import_starts_an_assessment_with_the_workflows_files(committed, tmp_path):
    folder = tmp_path / "repo"
    (folder / "automation").mkdir(parents=True)
    source = EXAMPLE.parent / "internal-release-tooling.yaml"
    (folder / "review.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "automation" / "release.yml").write_text(
        (EXAMPLE.parent / "automation" / "release.yml").read_text(encoding="utf-8"))
    line = run(folder / "review.yaml", "Payments", None, None, app=committed)
    assert "imported review.yaml into assessment" in line
    with committed.app_context(), db.session_scope(committed) as session:
        assessment = session.query(Assessment).one()
        linked = [w.automation_name for w in assessment.workflows if w.automation_name]
    assert linked == ["automation/release.yml"]


def test_faultline_import_names_an_unknown_team_and_changes_nothing(committed, runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8")
    env = {"DATABASE_URL": committed.config["DATABASE_URL"], "SECRET_KEY": "k" * 40,
           "FAULTLINE_ENV": "development",
           "FAULTLINE_CONTENT_DIR": str(committed.config["FAULTLINE_CONTENT_DIR"])}
    result = runner.invoke(cli.main, ["import", str(path), "--team", "Nobody"], env=env)
    assert result.exit_code == 1
    assert "faultline import: there is no team named “Nobody”" in result.stderr
    with committed.app_context(), db.session_scope(committed) as session:
        assert session.query(Assessment).count() == 0


def test_faultline_import_refuses_a_bad_file_naming_the_problem(committed, runner, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("answers:\n  observe.nope: none\n", encoding="utf-8")
    env = {"DATABASE_URL": committed.config["DATABASE_URL"], "SECRET_KEY": "k" * 40,
           "FAULTLINE_ENV": "development",
           "FAULTLINE_CONTENT_DIR": str(committed.config["FAULTLINE_CONTENT_DIR"])}
    result = runner.invoke(cli.main, ["import", str(path), "--team", "Payments"], env=env)
    assert result.exit_code == 1
    assert "unknown question id 'observe.nope'" in result.stderr
    path.write_text("", encoding="utf-8")
    result = runner.invoke(cli.main, ["import", str(path), "--team", "Payments"], env=env)
    assert result.exit_code == 1
    assert "the file is empty: it names no questionnaire and holds no answers" in result.stderr


# --- a version 1 file into a version 2 assessment: the results show the upgrade --------------

V1_TEXT = EXAMPLE_V1.read_text(encoding="utf-8")


def _results(client, assessment_id) -> str:
    return client.get(f"/assessments/{assessment_id}/results").get_data(as_text=True)


def test_importing_a_version_1_file_on_the_web_shows_the_upgrade_in_the_results(
        client, db_session, setup, make_assessment):
    fresh = make_assessment(setup["team"], setup["owner"], name="Ledgerline Payments")
    assert fresh.questionnaire_version == 2 and fresh.upgraded_from is None
    preview = _upload(client, fresh.id, V1_TEXT)
    assert preview.status_code == 200
    applied = client.post(f"/assessments/{fresh.id}/import/apply",
                          data={"content": V1_TEXT, "versions": "{}"})
    assert applied.status_code == 302
    db_session.expire_all()
    assert fresh.upgraded_from == 1 and fresh.questionnaire_version == 2
    page = _results(client, fresh.id)
    panel = page[page.find('id="upgrade"'):][:1500]
    assert "Upgraded from version 1 to version 2" in panel, page[:2000]
    carried = db_session.scalars(select(AuditEvent).where(
        AuditEvent.assessment_id == fresh.id,
        AuditEvent.action == "assessment.imported")).one().detail["carried"]
    assert carried > 0 and f"{carried} answers carried" in panel
    assert "new in version 2" in panel
    # the questions version 1 never asked are marked on the workflow page
    workflow = fresh.workflows[0]
    page = client.get(f"/assessments/{fresh.id}/workflows/{workflow.id}").get_data(as_text=True)
    assert "New in this version" in page
    log = client.get(f"/assessments/{fresh.id}/audit").get_data(as_text=True)
    assert "carried from questionnaire version 1" in log


def test_an_import_of_a_version_2_file_is_no_upgrade(client, db_session, setup, make_assessment):
    fresh = make_assessment(setup["team"], setup["owner"], name="Ledgerline Payments")
    _upload(client, fresh.id, EXAMPLE_TEXT)
    client.post(f"/assessments/{fresh.id}/import/apply",
                data={"content": EXAMPLE_TEXT, "versions": "{}"})
    db_session.expire_all()
    assert fresh.upgraded_from is None and len(fresh.workflows) == 4
    assert "Upgraded from version" not in _results(client, fresh.id)


def test_faultline_import_of_a_version_1_file_into_a_version_2_assessment_sets_the_upgrade(
        committed, tmp_path):
    from webapp.assessments.services import start_assessment
    from webapp.results.adapter import result_json

    with committed.app_context(), db.session_scope(committed) as session:
        team = session.query(Team).one()
        user = session.query(User).one()
        target = start_assessment(session, team, user, name="Ledgerline Payments",
                                  content=get_content())
        session.flush()
        target_id = target.id
        assert target.questionnaire_version == 2
    path = tmp_path / "payments-v1.yaml"
    path.write_text(V1_TEXT, encoding="utf-8")
    line = run(path, "Payments", None, target_id, app=committed)
    assert f"into assessment {target_id}" in line
    with committed.test_request_context(), db.session_scope(committed) as session:
        from webapp.assessments.evaluation import evaluate_assessment

        assessment = session.get(Assessment, target_id)
        assert assessment.upgraded_from == 1
        shown = result_json(evaluate_assessment(session, assessment, result_cache()))
    assert shown["upgrade"]["from_version"] == 1 and shown["upgrade"]["new_questions"]
