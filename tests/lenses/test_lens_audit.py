"""Lens changes in the logs, in words: imports, retiring, bringing back and deleting a lens in
the administration log; answers and the move to a newer version in the review's audit log."""

from __future__ import annotations

import io

from sqlalchemy import select

from tests.lenses.conftest import as_bytes
from tests.tracking.test_audit_page import rows
from webapp.accounts.models import AdminEvent
from webapp.assessments.submissions import new_token
from webapp.lenses import services as service


def _upload(client, data: bytes):
    return client.post("/admin/lenses/", content_type="multipart/form-data",
                       data={"upload": (io.BytesIO(data), "lens.json")})


def _admin_log(client) -> str:
    page = client.get("/admin/").get_data(as_text=True)
    return page.split("Administration log")[1]


def test_an_upload_is_in_the_administration_log(client, login, admin, small_lens):
    login(admin)
    assert _upload(client, as_bytes(small_lens)).status_code == 302
    log = _admin_log(client)
    assert "Lens imported" in log and "Backup readiness, version 1" in log and "Ada Admin" in log
    _upload(client, as_bytes(small_lens))  # the same file again adds nothing, logs nothing
    assert _admin_log(client).count("Lens imported") == 1


def test_an_import_from_the_command_line_is_logged_as_such(app, db_session, small_lens):
    with app.test_request_context():
        service.import_lens(db_session, as_bytes(small_lens))
    [event] = db_session.scalars(select(AdminEvent)).all()
    assert (event.action, event.actor_id, event.target) == (
        "lens.imported", None, "Backup readiness, version 1")


def _start_form(client, team_id) -> str:
    return client.get(f"/assessments/new?team={team_id}").get_data(as_text=True)


def test_a_retired_lens_is_no_longer_offered_but_its_reviews_go_on(
        client, login, admin, people, review, db_session):
    from webapp.teams.models import Membership

    db_session.add(Membership(user=admin, team=people["team"], role="owner"))
    db_session.flush()
    login(admin)
    assert "lens:backup-readiness" in _start_form(client, people["team"].id)
    page = client.get("/admin/lenses/").get_data(as_text=True)
    assert "<td data-label=\"Reviews\">1</td>" in page
    assert client.post("/admin/lenses/backup-readiness/retire").status_code == 302
    assert "lens:backup-readiness" not in _start_form(client, people["team"].id)
    assert client.get(f"/assessments/{review.id}/lens/results").status_code == 200
    refused = client.post("/assessments/new", data={
        "name": "Another", "description": "", "team": people["team"].id,
        "questionnaire": "lens:backup-readiness", "submit_token": new_token()})
    assert refused.status_code == 400
    assert client.post("/admin/lenses/backup-readiness/restore").status_code == 302
    assert "lens:backup-readiness" in _start_form(client, people["team"].id)
    log = _admin_log(client)
    assert "Lens retired" in log and "Lens brought back" in log


def test_a_lens_in_use_cannot_be_deleted_and_an_unused_one_can(
        client, login, admin, review, db_session, small_lens):
    login(admin)
    refused = client.post("/admin/lenses/backup-readiness/delete", follow_redirects=True)
    assert "1 review uses it: retire it instead" in refused.get_data(as_text=True)
    assert service.newest_version(db_session, "backup-readiness") is not None
    small_lens["name"] = "Unused lens"
    _upload(client, as_bytes(small_lens))
    deleted = client.post("/admin/lenses/unused-lens/delete", follow_redirects=True)
    assert "“Unused lens” deleted" in deleted.get_data(as_text=True)
    db_session.expire_all()
    assert service.newest_version(db_session, "unused-lens") is None
    assert "Lens deleted" in _admin_log(client)


def test_only_administrators_retire_or_delete(client, login, people, review):
    login(people["owner"])
    assert client.post("/admin/lenses/backup-readiness/retire").status_code == 403
    assert client.post("/admin/lenses/backup-readiness/delete").status_code == 403


def test_lens_answers_are_in_the_review_audit_log_in_words(client, login, people, review):
    login(people["editor"])
    client.post(f"/assessments/{review.id}/lens/answers", data={
        "question": "bk_restore", "bk_restore-choice": "bk_tested", "bk_restore-version": "0"})
    client.post(f"/assessments/{review.id}/lens/answers", data={
        "question": "bk_offsite", "bk_offsite-na": "y",
        "bk_offsite-na_reason": "BUSINESS_PRIORITIES", "bk_offsite-version": "0"})
    page = client.get(f"/assessments/{review.id}/audit?kind=answers")
    assert page.status_code == 200
    text = "\n".join(rows(page.get_data(as_text=True)))
    assert "Answer unanswered → Restores are tested monthly" in text
    assert "How do you know a restore works?" in text
    assert "Answer unanswered → not applicable (Business priorities)" in text
    assert "Backups" in text  # where: the pillar
    csv_text = client.get(f"/assessments/{review.id}/audit?format=csv").get_data(as_text=True)
    assert "Restores are tested monthly" in csv_text


def test_moving_to_a_newer_lens_version_is_in_the_audit_log(
        app, client, login, people, review, db_session, small_lens):
    login(people["editor"])
    small_lens["pillars"][0]["questions"][1]["title"] = "Is a copy kept in a second region?"
    with app.test_request_context():
        service.import_lens(db_session, as_bytes(small_lens))
    assert client.post(f"/assessments/{review.id}/lens/upgrade").status_code == 302
    text = "\n".join(rows(client.get(f"/assessments/{review.id}/audit").get_data(as_text=True)))
    assert "Moved to version 2 of the lens “Backup readiness”" in text
