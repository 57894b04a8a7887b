"""A single replica in a workflow's Kubernetes manifest is a single point of failure of the
system: the reviewer's k8s.single-replica check suggests an answer to the system's redundancy
question, shown and accepted beside that question on the system's page (issue 14).

The question and choice are read from the check (rules/automation/k8s.yaml), the one place
that names them."""

from __future__ import annotations

import io
import re

import pytest

from tests.corpus import CORPUS, require
from webapp.assessments import workflows as workflow_service
from webapp.assessments.evidence import review_files
from webapp.assessments.models import Answer
from webapp.core.startup import get_content
from webapp.domain import Answer as DomainAnswer
from webapp.domain import Answers, SystemInfo, WorkflowAnswers, load_content
from webapp.domain.evidence import resolve_evidence
from webapp.domain.result_build import evaluate_result
from webapp.reviewer import load_checks

from .test_web_evidence import REPO

MANIFEST = (CORPUS / "k8s"
            / "dockersamples__example-voting-app__k8s-specifications__deployments.yaml")
LINE = 71  # `replicas: 1` of the stateless "worker" Deployment


@pytest.fixture(scope="module")
def target() -> tuple[str, str]:
    check = next(c for c in load_checks() if c.id == "k8s.single-replica")
    (suggested,) = [s for s in check.suggests if s.when == "finding"]
    return suggested.question, suggested.choice


@pytest.fixture(scope="module")
def manifest() -> str:
    return require(MANIFEST).read_text(encoding="utf-8")


def test_the_check_feeds_a_system_question_of_the_newest_questionnaire(target) -> None:
    index = load_content(REPO).index()
    question, choice = target
    assert question in index.questions and not index.questions[question].workflow
    assert choice in index.questions[question].labels


def test_the_voting_app_manifest_suggests_the_single_points_answer(target, manifest) -> None:
    reviewed = review_files({MANIFEST.name: manifest})
    hits = [d for d in reviewed.detected if (d.question, d.choice) == target]
    assert [(d.rule, d.line) for d in hits] == [("k8s.single-replica", LINE)]


def test_a_deployment_without_replicas_suggests_it_too_unless_an_autoscaler_manages_it(
        target) -> None:
    demo = require(CORPUS / "k8s" / "gcp__microservices-demo__release__kubernetes-manifests.yaml")
    text = demo.read_text(encoding="utf-8")
    hits = [d for d in review_files({demo.name: text}).detected
            if (d.question, d.choice) == target]
    assert [(d.rule, d.line) for d in hits] == [("k8s.single-replica", 27)]  # frontend's spec
    scaled = "".join(
        f"---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: {n}}}"
        f"\nspec:\n  scaleTargetRef: {{kind: Deployment, name: {n}}}\n  minReplicas: 2\n"
        for n in ("frontend", "adservice", "currencyservice", "cartservice", "loadgenerator",
                  "recommendationservice", "checkoutservice", "emailservice", "paymentservice",
                  "shippingservice", "productcatalogservice"))
    managed = review_files({demo.name: text, "autoscalers.yaml": scaled}).detected
    assert not [d for d in managed if (d.question, d.choice) == target]


def test_an_answers_file_with_the_manifest_answers_the_open_system_question(target,
                                                                          manifest) -> None:
    content = load_content(REPO)
    index = content.index()
    question, choice = target
    reviewed = review_files({MANIFEST.name: manifest})
    flow = WorkflowAnswers("Vote processing", {}, detected=reviewed.detected)
    answers = Answers("reliability-review", index.questionnaire.version, SystemInfo("Votes"),
                      {}, {}, [flow])
    applied = resolve_evidence(answers, index, apply=True)
    assert applied.answers[question].selected == {choice}
    (item,) = [d for d in applied.workflows[0].detected if d.question == question]
    assert item.status == "applied"
    result = evaluate_result(content, applied)
    row = next(r for s in result.answers.sections for r in s.questions if r.id == question)
    assert row.source == "evidence" and [c.id for c in row.answer.choices] == [choice]
    # an explicit answer wins, and the suggestion reads as overridden
    other = next(c for c in index.questions[question].labels if c != choice)
    answers.answers = {question: DomainAnswer.choice(other)}
    kept = resolve_evidence(answers, index, apply=True)
    assert kept.answers[question].selected == {other}
    assert [d.status for d in kept.workflows[0].detected if d.question == question] == [
        "overridden"]


@pytest.fixture
def setup(people, make_assessment, app, db_session):
    assessment = make_assessment(people["team"], people["owner"], name="Voting app")
    with app.test_request_context():
        workflow = workflow_service.add_workflow(db_session, assessment, name="Vote processing",
                                                 content=get_content())
    return {**people, "assessment": assessment, "workflow": workflow}


def _upload(client, setup, manifest):
    base = f"/assessments/{setup['assessment'].id}/workflows/{setup['workflow'].id}"
    data = {"upload": (io.BytesIO(manifest.encode()), "k8s/deployments.yaml"), "name": "",
            "text": ""}
    response = client.post(base + "/automation", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    return base


def _question(page: str, question: str) -> str:
    """The question's block: a fieldset for editors, a section for viewers."""
    block = page[page.index(f'id="q-{question}"'):]
    return block[: re.search(r"</fieldset>|</section>", block).start()]


def test_the_suggestion_appears_on_the_system_question_and_accepting_answers_it(
        client, login, setup, db_session, target, manifest, app):
    question, choice = target
    login(setup["owner"])
    base = _upload(client, setup, manifest)
    index = load_content(REPO).index()
    label = index.questions[question].labels[choice]
    step = index.questions[question].section.id
    step_url = f"/assessments/{setup['assessment'].id}/steps/{step}"
    # the workflow's page points to the system question instead of hiding the suggestion
    workflow_page = client.get(base).get_data(as_text=True)
    assert f'href="{step_url}#q-{question}"' in workflow_page
    # the system's page shows it beside the question, with its file, line and workflow
    page = client.get(step_url).get_data(as_text=True)
    shown = _question(page, question)
    assert "Suggested:</span> <strong>" in shown and label.replace("'", "&#39;") in shown
    assert f"detected in k8s/deployments.yaml:{LINE}" in shown
    assert "the file of workflow \u201cVote processing\u201d" in shown
    assert f'formaction="{base}/automation/accept"' in shown
    assert re.search(r'<form method="post" id="evidence-accept" hidden[^>]*>\s*<input[^>]+'
                     r'name="csrf_token"', page)
    # Accept saves the system's answer and comes back to the question
    response = client.post(base + "/automation/accept",
                           data={"suggestion": f"{question} {choice} 0"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{step_url}#q-{question}")
    db_session.expire_all()
    row = db_session.query(Answer).filter_by(question_id=question).one()
    assert list(row.choices) == [choice] and row.scope == "system"
    again = _question(client.get(step_url).get_data(as_text=True), question)
    assert "Agrees with the evidence" in again and "Accept</button>" not in again


def test_accept_all_on_the_workflow_page_leaves_the_system_question_alone(
        client, login, setup, db_session, target, manifest):
    question, _ = target
    login(setup["owner"])
    base = _upload(client, setup, manifest)
    response = client.post(base + "/automation/accept-all", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert question not in {a["question"] for a in response.get_json()["accepted"]}
    db_session.expire_all()
    assert db_session.query(Answer).filter_by(question_id=question).one_or_none() is None


def test_a_viewer_sees_the_system_suggestion_without_an_accept_button(
        client, login, setup, target, manifest):
    question, _ = target
    login(setup["owner"])
    _upload(client, setup, manifest)
    client.post("/signout")
    login(setup["viewer"])
    step = load_content(REPO).index().questions[question].section.id
    page = client.get(f"/assessments/{setup['assessment'].id}/steps/{step}").get_data(True)
    shown = _question(page, question)
    assert f"detected in k8s/deployments.yaml:{LINE}" in shown and "Accept</button>" not in shown
