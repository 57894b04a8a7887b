"""A workflow's automation file in the web app: upload or paste, suggestions beside the
questions, Accept through the answers service, permissions, the results page's evidence."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from webapp.assessments import workflows as workflow_service
from webapp.assessments.models import Answer, Workflow
from webapp.audit.models import AuditEvent
from webapp.core.startup import get_content
from webapp.teams.models import Membership

REPO = Path(__file__).resolve().parents[2]
RELEASE = (REPO / "examples" / "automation" / "release.yml").read_text(encoding="utf-8")
TIMEOUT = "timeouts.bounded"  # version 2 asks timeouts and the run's deadline in one question


@pytest.fixture
def people(people, make_assessment, app, db_session):
    """The shared `people`, plus their team's assessment "Tools" with one workflow."""
    assessment = make_assessment(people["team"], people["owner"], name="Tools")
    with app.test_request_context():
        workflow = workflow_service.add_workflow(db_session, assessment, name="Release on tag",
                                                 content=get_content())
    return {**people, "assessment": assessment, "workflow": workflow}


def urls(people) -> dict[str, str]:
    base = f"/assessments/{people['assessment'].id}/workflows/{people['workflow'].id}"
    return {
        "page": base,
        "upload": base + "/automation",
        "accept": base + "/automation/accept",
        "remove": base + "/automation/remove",
        "results": f"/assessments/{people['assessment'].id}/results",
    }


def upload(client, people, text: str = RELEASE, name: str = "release.yml"):
    data = {"upload": (io.BytesIO(text.encode()), name), "name": "", "text": ""}
    return client.post(urls(people)["upload"], data=data, content_type="multipart/form-data")


def answer_on_page(client, people, choice: str) -> None:
    """Answer the timeout question through the workflow page's normal form."""
    page = client.get(urls(people)["page"]).get_data(as_text=True)
    fields = {
        name: re.search(rf'name="{TIMEOUT}-{name}" type="hidden" value="(\w*)"', page).group(1)
        for name in ("version", "orig")
    }
    response = client.post(
        urls(people)["page"],
        data={
            f"{TIMEOUT}-choice": choice,
            f"{TIMEOUT}-version": fields["version"],
            f"{TIMEOUT}-orig": fields["orig"],
            "then": "stay",
        },
    )
    assert response.status_code == 302


def evidence_rows(page: str) -> dict[str, str]:
    """The results page's suggestion rows, keyed by their file:line."""
    block = page[page.index('class="evidence-list evidence-suggestions"') :]
    block = block[: block.index("</ul>")]
    return {li.split("</code>")[0].split("<code>")[-1]: li for li in block.split("<li")[1:]}


def saved(db_session, qid: str = TIMEOUT):
    db_session.expire_all()
    return db_session.query(Answer).filter_by(question_id=qid).one_or_none()


def test_uploaded_file_shows_suggestions_beside_their_questions(client, login, people):
    login(people["owner"])
    response = upload(client, people)
    assert response.status_code == 302 and response.headers["Location"].endswith("#automation")
    page = client.get(urls(people)["page"]).get_data(as_text=True)
    assert "The reviewer read <code>release.yml</code>" in page
    question = page[page.index(f'id="q-{TIMEOUT}"') :]
    question = question[: question.index("</fieldset>")]
    assert ("Suggested:</span> <strong>Library or platform defaults, some of which never time "
            "out</strong>") in question
    assert "detected in release.yml:20" in question and "(Job without a timeout)" in question
    assert f'value="{TIMEOUT} defaults 0"' in question
    assert 'form="evidence-accept"' in question
    assert re.search(
        r'<form method="post" id="evidence-accept" hidden\s+action="[^"]+/accept">'
        r'\s*<input[^>]+name="csrf_token"',
        page,
    )


def test_an_uploaded_gitlab_pipeline_suggests_answers_with_its_lines(client, login, people):
    login(people["owner"])
    pipeline = ("deploy:\n  stage: deploy\n  script: helm upgrade --install web ./chart\n"
                "  environment: production\n  resource_group: production\n")
    response = upload(client, people, pipeline, ".gitlab-ci.yml")
    assert response.status_code == 302
    page = client.get(urls(people)["page"]).get_data(as_text=True)
    question = page[page.index(f'id="q-{TIMEOUT}"') :]
    question = question[: question.index("</fieldset>")]
    assert "detected in .gitlab-ci.yml:1" in question
    assert "(Deploy or release job without a timeout)" in question


def test_upload_is_audited_and_kept_on_the_workflow(client, login, people, db_session):
    login(people["owner"])
    upload(client, people)
    db_session.expire_all()
    workflow = db_session.get(Workflow, people["workflow"].id)
    assert workflow.automation_name == "release.yml" and "twine upload" in workflow.automation_text
    event = db_session.query(AuditEvent).filter_by(action="workflow.automation_linked").one()
    assert event.detail["file"] == "release.yml" and event.detail["suggestions"] == 6


def test_malformed_paste_is_refused_with_its_line_and_the_text_kept(
    client, login, people, db_session
):
    login(people["owner"])
    broken = "name: x\non: [push\njobs:\n  a: {}\n"
    response = client.post(urls(people)["upload"], data={"name": "ci.yml", "text": broken})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "ci.yml:" in page and "not valid YAML" in page
    assert "name: x\non: [push" in page  # the textarea keeps what was pasted
    db_session.expire_all()
    assert db_session.get(Workflow, people["workflow"].id).automation_name is None


def test_malformed_upload_comes_back_as_text(client, login, people):
    login(people["owner"])
    response = upload(client, people, text="services:\n  db: [\n", name="compose.yaml")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "not valid YAML" in page
    assert "services:\n  db: [" in page and 'value="compose.yaml"' in page


def test_too_large_file_is_refused_with_the_limit(client, login, people):
    login(people["owner"])
    response = upload(client, people, text=RELEASE + "#" * 210_000)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "larger than 200 KB" in page


def test_other_yaml_is_refused_as_not_an_automation_file(client, login, people):
    login(people["owner"])
    response = client.post(urls(people)["upload"], data={"name": "x.yml", "text": "a: 1\n"})
    assert response.status_code == 400
    assert "not a GitHub Actions, GitLab CI, compose or Kubernetes file" in response.get_data(
        as_text=True)


def test_nothing_chosen_asks_for_a_file(client, login, people):
    login(people["owner"])
    response = client.post(urls(people)["upload"], data={"name": "", "text": "  "})
    assert response.status_code == 400
    assert "Choose a file to upload, or paste its text." in response.get_data(as_text=True)


def test_accept_saves_the_answer_and_then_it_agrees(client, login, people, db_session):
    login(people["owner"])
    upload(client, people)
    response = client.post(
        urls(people)["accept"], data={"suggestion": f"{TIMEOUT} defaults 0"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#q-{TIMEOUT}")
    row = saved(db_session)
    assert list(row.choices) == ["defaults"] and row.version == 1
    page = client.get(urls(people)["page"]).get_data(as_text=True)
    question = page[page.index(f'id="q-{TIMEOUT}"') :]
    question = question[: question.index("</fieldset>")]
    assert "Agrees with the evidence" in question and "Accept</button>" not in question


def test_accept_after_someone_else_answered_saves_nothing(
    client, login, people, db_session, make_user
):
    editor = make_user(name="Edith Editor")
    people["assessment"].team.memberships.append(Membership(user=editor, role="editor"))
    db_session.flush()
    login(editor)
    upload(client, people)
    answer_on_page(client, people, "all")  # saved after the owner's page was loaded
    client.post("/signout")
    login(people["owner"])
    response = client.post(
        urls(people)["accept"],
        follow_redirects=True,
        data={"suggestion": f"{TIMEOUT} defaults 0"},
    )
    assert "Someone else changed this answer" in response.get_data(as_text=True)
    assert list(saved(db_session).choices) == ["all"]


def test_accept_after_my_own_later_save_is_not_a_conflict(client, login, people, db_session):
    login(people["owner"])
    upload(client, people)
    answer_on_page(client, people, "all")  # as autosave does, after the page was loaded
    client.post(urls(people)["accept"], data={"suggestion": f"{TIMEOUT} defaults 0"})
    row = saved(db_session)
    assert list(row.choices) == ["defaults"] and row.version == 2


def test_accept_refuses_what_the_file_does_not_suggest(client, login, people, db_session):
    login(people["owner"])
    upload(client, people)
    response = client.post(
        urls(people)["accept"], data={"suggestion": f"{TIMEOUT} all 0"}, follow_redirects=True
    )
    assert "no longer comes from the workflow" in response.get_data(as_text=True)
    assert saved(db_session) is None


def test_accept_without_csrf_is_refused(client, login, people, db_session):
    login(people["owner"])
    upload(client, people)
    response = client.post(
        urls(people)["accept"], csrf=False, data={"suggestion": f"{TIMEOUT} defaults 0"}
    )
    assert response.status_code == 400 and saved(db_session) is None


def test_a_different_answer_overrides_the_suggestion(client, login, people):
    login(people["owner"])
    upload(client, people)
    client.post(urls(people)["accept"], data={"suggestion": f"{TIMEOUT} defaults 0"})
    answer_on_page(client, people, "all")  # answering differently is the override
    page = client.get(urls(people)["page"]).get_data(as_text=True)
    assert "Your answer differs and stays unless you accept." in page
    rows = evidence_rows(client.get(urls(people)["results"]).get_data(as_text=True))
    assert "Overridden" in rows["release.yml:20"]


def test_accept_all_counts_in_words(client, login, people):
    login(people["owner"])
    pipeline = ("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - run: make\n")
    upload(client, people, pipeline, "ci.yml")
    response = client.post(urls(people)["page"] + "/automation/accept-all", follow_redirects=True)
    assert "1 suggested answer accepted and saved." in response.get_data(as_text=True)


def test_unlink_removes_the_suggestions_but_keeps_answers(client, login, people, db_session):
    login(people["owner"])
    upload(client, people)
    client.post(urls(people)["accept"], data={"suggestion": f"{TIMEOUT} defaults 0"})
    client.post(urls(people)["remove"])
    page = client.get(urls(people)["page"]).get_data(as_text=True)
    assert "detected in" not in page and saved(db_session) is not None


def test_results_page_lists_the_evidence_with_file_line_and_status(client, login, people):
    login(people["owner"])
    upload(client, people)
    client.post(urls(people)["accept"], data={"suggestion": f"{TIMEOUT} defaults 0"})
    page = client.get(urls(people)["results"]).get_data(as_text=True)
    assert "Evidence from <code>release.yml</code>" in page
    rows = evidence_rows(page)
    row = rows["release.yml:20"]
    assert "Accepted" in row and "Library or platform defaults" in row
    assert f"#q-{TIMEOUT}" in rows["release.yml:20"]  # links to the question
    assert "Pending" in rows["release.yml:13"]


def test_viewer_sees_suggestions_but_cannot_upload_or_accept(client, login, people, db_session):
    login(people["owner"])
    upload(client, people)
    client.post("/signout")
    login(people["viewer"])
    page = client.get(urls(people)["page"]).get_data(as_text=True)
    assert "detected in release.yml:20" in page and "Accept</button>" not in page
    assert 'enctype="multipart/form-data"' not in page
    assert upload(client, people).status_code == 403
    response = client.post(
        urls(people)["accept"], data={"suggestion": f"{TIMEOUT} defaults 0"}
    )
    assert response.status_code == 403 and saved(db_session) is None
    assert client.post(urls(people)["remove"]).status_code == 403


def test_non_member_gets_404(client, login, people):
    login(people["stranger"])
    assert client.get(urls(people)["upload"]).status_code == 404
    assert upload(client, people).status_code == 404
    assert (
        client.post(
            urls(people)["accept"], data={"suggestion": f"{TIMEOUT} defaults 0"}
        ).status_code
        == 404
    )


def test_duplicate_keeps_the_file_and_the_audit_log_says_so(client, login, people, db_session):
    login(people["owner"])
    upload(client, people)
    client.post(f"{urls(people)['page']}/duplicate", data={"submit_token": "d" * 32})
    db_session.expire_all()
    names = [w.automation_name for w in db_session.query(Workflow).order_by(Workflow.position)]
    assert names == ["release.yml", "release.yml"]
    log = client.get(f"/assessments/{people['assessment'].id}/audit").get_data(as_text=True)
    assert "Automation file release.yml linked (6 suggested answers)" in log


def test_accept_all_saves_every_pending_suggestion_in_one_request(client, login, people,
                                                                  db_session):
    login(people["owner"])
    upload(client, people)
    page = client.get(urls(people)["page"]).get_data(as_text=True)
    assert "Accept all" in page
    url = urls(people)["accept"].replace("/accept", "/accept-all")
    response = client.post(url, headers={"Accept": "application/json"})
    assert response.status_code == 200
    accepted = response.get_json()["accepted"]
    assert len(accepted) >= 2 and {"question", "choice", "version", "orig"} <= accepted[0].keys()
    # the page shows the server's sentence, counted as everywhere else
    message = response.get_json()["message"]
    assert message == f"{len(accepted)} suggested answers accepted and saved."
    db_session.expire_all()
    assert saved(db_session) is not None and saved(db_session).version == 1
    again = client.get(urls(people)["page"]).get_data(as_text=True)
    assert "Accept all" not in again


def _panel(page: str) -> str:
    block = page[page.index('id="automation-title"'):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", block[: block.index("</p>")]))


def test_a_file_that_suggests_nothing_reads_no_suggested_answers(client, login, people):
    """A compose file suggests no answers: "no suggested answers", never "0 suggested answers",
    in the message after the upload, on the panel and in the audit log."""
    login(people["owner"])
    compose = ("services:\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7.4\n")
    response = upload(client, people, compose, "compose.yaml")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"Reviewed compose.yaml: no suggested answers, \d+ findings\.", page)
    assert re.search(r"compose.yaml: no suggested answers and \d+ findings\.$", _panel(page))
    assert "0 suggested" not in page
    log = client.get(f"/assessments/{people['assessment'].id}/audit").get_data(as_text=True)
    assert "Automation file compose.yaml linked (no suggested answers)" in log


def test_a_manifest_that_suggests_only_a_system_answer_says_so_in_the_same_form(
        client, login, people):
    login(people["owner"])
    manifest = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
                "  template:\n    spec:\n      containers:\n        - name: web\n"
                "          image: example/web:1.2.0\n")
    upload(client, people, manifest, "web.yaml")
    panel = _panel(client.get(urls(people)["page"]).get_data(as_text=True))
    assert re.search(r"web.yaml: no suggested answers for this workflow's questions and "
                     r"\d+ findings\.", panel)

