"""What the browser tests share: signing up and in through the real forms, a seeded review."""

from __future__ import annotations

import re

from tests.factories import fill_from_example
from webapp.accounts import services as accounts
from webapp.assessments import services as assessment_service
from webapp.assessments.evaluation import evaluate_assessment
from webapp.assessments.models import Answer
from webapp.core.db import get_database, session_scope
from webapp.core.startup import get_content
from webapp.core.views import result_cache
from webapp.teams import services as teams
from webapp.teams.models import Membership, Role

#: The password of every account the browser tests make.
PASSWORD = "a long enough passphrase"
OWNER = "owner@example.com"


def fill_sign_up(page, name: str, email: str) -> None:
    """Fill in and send the sign-up form the page shows."""
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def sign_up(page, base: str, name: str, email: str) -> None:
    """A new account through /signup, landing on the new-team page."""
    page.goto(base + "/signup")
    fill_sign_up(page, name, email)
    page.wait_for_url(re.compile(r"/teams/new$"))


def fill_sign_in(page, email: str) -> None:
    """Fill in and send the sign-in form the page shows."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page, base_url: str, email: str = OWNER) -> None:
    page.goto(base_url + "/signin")
    fill_sign_in(page, email)
    page.wait_for_load_state()


def create_team_and_assessment(page, base: str) -> int:
    """From the new-team page: team "Payments", then an assessment; returns its id."""
    page.get_by_label("Team name").fill("Payments")
    page.get_by_role("button", name="Create team").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name="Start your first assessment").click()
    page.get_by_label("System name").fill("Checkout API")
    page.get_by_label("What it does").fill("Takes card payments.")
    page.get_by_role("button", name="Start the review").click()
    page.wait_for_url(re.compile(r"/assessments/\d+/steps/fit$"))
    return int(re.search(r"/assessments/(\d+)/", page.url).group(1))


def invite_and_join(owner, member, base: str, email: str, role: str = "editor",
                    team: str = "Payments") -> None:
    """The owner invites `email` from the team page; `member`, signed in as that person,
    opens the link and accepts (nobody joins a team without accepting)."""
    owner.goto(f"{base}/teams/")
    owner.get_by_role("link", name=team).click()
    owner.get_by_label("Their email").fill(email)
    owner.get_by_label("Role", exact=True).select_option(role)
    owner.get_by_role("button", name="Invite", exact=True).click()
    member.goto(owner.locator("#invite-url").input_value())
    member.get_by_role("button", name=f"Accept and join {team}").click()
    member.get_by_text(f"You joined {team} as {role}.").wait_for()


def add_member(session, team, email: str, role: Role) -> None:
    """Seed a membership directly (in the app, people join by accepting an invitation)."""
    user = accounts.find_user_by_email(session, email)
    session.add(Membership(team_id=team.id, user_id=user.id, role=role.value))
    session.flush()


def stored(live_server, **filters) -> list[Answer]:
    """The answers the live server has committed, filtered like `filter_by`."""
    session = get_database(live_server.app).sessionmaker()
    try:
        return list(session.query(Answer).filter_by(**filters))
    finally:
        session.close()


def seed_review(live_server, member: tuple[str, str, Role] | None = None) -> dict:
    """Olivia Owner's team "Payments platform" (plus `member`: email, name, role) whose
    assessment "Ledgerline Payments" holds the payments example's answers."""
    app = live_server.app
    with app.test_request_context(), session_scope(app) as session:
        owner = accounts.sign_up(session, email=OWNER, name="Olivia Owner", password=PASSWORD)
        team = teams.create_team(session, owner, "Payments platform")
        if member:
            email, name, role = member
            accounts.sign_up(session, email=email, name=name, password=PASSWORD)
            add_member(session, team, email, role)
        assessment = assessment_service.start_assessment(session, team, owner,
                                                         name="Ledgerline Payments",
                                                         content=get_content())
        fill_from_example(session, assessment, owner)
        overall = evaluate_assessment(session, assessment, result_cache()).overall
        return {"id": assessment.id, "base": live_server.url, "overall": f"{overall:.1f}"}
