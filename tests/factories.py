"""Factories: fixtures that make users, teams and assessments (a pytest plugin of
tests/conftest.py), and helpers that fill the database through the services."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts import services as accounts
from webapp.accounts.models import User
from webapp.assessments import services as assessment_service
from webapp.assessments import workflows as workflow_service
from webapp.assessments.answers import AnswerInput, AnswerValue, save_answers
from webapp.assessments.models import Answer, Assessment
from webapp.core.startup import get_content
from webapp.domain import parse_answers_text
from webapp.teams.models import Membership, Role, Team

REPO_ROOT = Path(__file__).resolve().parents[1]
# the payments example at the newest questionnaire version (new assessments start on it)
EXAMPLE = REPO_ROOT / "examples" / "payments-platform-v2.yaml"
#: the same example as written for version 1 (assessments on version 1 keep these results)
EXAMPLE_V1 = REPO_ROOT / "examples" / "payments-platform.yaml"
#: The password every factory-made user has.
PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(db_session: Session) -> Callable[..., User]:
    """make_user(email=None, name=None, password=PASSWORD, is_admin=False) -> User."""
    numbers = itertools.count(1)

    def make(email: str | None = None, name: str | None = None, password: str = PASSWORD,
             is_admin: bool = False) -> User:
        number = next(numbers)
        user = User(
            email=(email or f"person{number}@example.com").lower(),
            name=name or f"Person {number}",
            password_hash=accounts.hash_password(password),
            is_admin=is_admin,
        )
        db_session.add(user)
        db_session.flush()
        return user

    return make


@pytest.fixture
def make_team(db_session: Session, make_user: Callable[..., User]) -> Callable[..., Team]:
    """make_team(name="Payments", owner=None, members={user: "editor"}) -> Team."""

    def make(name: str = "Payments", owner: User | None = None,
             members: dict[User, str | Role] | None = None) -> Team:
        team = Team(name=name)
        team.memberships.append(Membership(user=owner or make_user(), role=Role.OWNER.value))
        for user, role in (members or {}).items():
            team.memberships.append(Membership(user=user, role=Role(role).value))
        db_session.add(team)
        db_session.flush()
        return team

    return make


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    """Olga Owner, a user of no team yet."""
    return make_user(name="Olga Owner")


@pytest.fixture
def people(make_user: Callable[..., User], make_team: Callable[..., Team]) -> dict[str, Any]:
    """Owner Olga, editor Ed and viewer Vi of `team`; Sam, the stranger, owns `other_team`."""
    owner, editor, viewer, stranger = (make_user(name=n) for n in ("Olga", "Ed", "Vi", "Sam"))
    team = make_team(owner=owner, members={editor: "editor", viewer: "viewer"})
    other_team = make_team(name="Elsewhere", owner=stranger)
    return {"owner": owner, "editor": editor, "viewer": viewer, "stranger": stranger,
            "team": team, "other_team": other_team}


@pytest.fixture
def make_assessment(app: Flask, db_session: Session) -> Callable[..., Assessment]:
    """make_assessment(team, owner, name="Payments API") -> Assessment, started by the service."""

    def make(team: Team, owner: User, name: str = "Payments API") -> Assessment:
        with app.app_context():
            return assessment_service.start_assessment(db_session, team, owner, name=name,
                                                       content=get_content())

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., Any]:
    """login(user, password=PASSWORD): signs `client` in through the real sign-in form."""

    def sign_in(user: User, password: str = PASSWORD) -> Any:
        response = client.post("/signin", data={"email": user.email, "password": password})
        assert response.status_code == 302, f"sign-in failed with {response.status_code}"
        return response

    return sign_in


def _inputs(answers, notes) -> list[AnswerInput]:
    return [AnswerInput(qid, AnswerValue(tuple(a.choices), a.na, notes.get(qid, "")))
            for qid, a in answers.items()]


def fill_from_example(session, assessment, user, example_file: Path | None = None) -> None:
    """Save every answer and workflow of the payments example (`example`, default EXAMPLE, the
    version 2 file) through the services, on the questionnaire version the file answers.

    Needs an app context (the content is the app's)."""
    path = example_file or EXAMPLE
    example = parse_answers_text(path.read_text(encoding="utf-8"), get_content(), str(path))
    if example.version is not None:  # the assessment is on the example's questionnaire version
        assessment.questionnaire_version = example.version
        session.flush()
    save_answers(session, assessment, user, _inputs(example.answers, example.notes),
                 content=get_content())
    for own in example.workflows:
        workflow = workflow_service.add_workflow(session, assessment, name=own.name,
                                                 content=get_content())
        save_answers(session, assessment, user, _inputs(own.answers, own.notes),
                     workflow=workflow, content=get_content())


def store_their_answer(session, assessment, user, version: int,
                       question: str = "contain.circuit-breakers") -> Answer:
    """An answer ("all-critical", note "theirs") another member saved meanwhile, at `version`.

    Written straight to the table, as a concurrent save would leave it."""
    answer = Answer(assessment_id=assessment.id, scope="system", question_id=question,
                    choices=["all-critical"], note="theirs", version=version,
                    updated_by_id=user.id)
    session.add(answer)
    session.flush()
    return answer


def copy_workflow(session, assessment, user, source) -> None:
    """A new last workflow with the name and the answers of `source` (an app context)."""
    rows = session.scalars(select(Answer).where(Answer.assessment_id == assessment.id,
                                                Answer.scope == source.scope)).all()
    copy = workflow_service.add_workflow(session, assessment, name=source.name,
                                         content=get_content())
    inputs = [AnswerInput(r.question_id, AnswerValue(tuple(r.choices), r.na_reason, r.note))
              for r in rows]
    save_answers(session, assessment, user, inputs, workflow=copy, content=get_content())
