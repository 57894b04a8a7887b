"""`faultline import ANSWERS.yaml --team NAME`: an answers file into the web app's database.

Without `--into` it starts a new assessment of the team; with `--into ID` it imports into that
assessment (the command's changes are checked against the current versions, so nothing typed
in the browser meanwhile is overwritten silently: it is reported as a conflict, and nothing is
imported). Automation files the workflows name (`file:`) are read next to the answers file.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from sqlalchemy import select

from webapp.accounts.models import User
from webapp.core.text import counted
from webapp.teams.models import Membership, Role, Team


class ImportRefused(Exception):
    """A one-line reason the command prints before exiting 1."""


def run(path: Path, team_name: str, email: str | None, into: int | None, app=None) -> str:
    """Import and commit; the line to print. Raises ImportRefused."""
    from webapp import server

    text = _read(path)
    with contextlib.ExitStack() as stack:
        app = app or stack.enter_context(server.command_app())
        return _import(path, text, team_name, email, into, app)


def _import(path: Path, text: str, team_name: str, email: str | None, into: int | None,
            app) -> str:
    from webapp.core import db
    from webapp.core.startup import get_content
    from webapp.interchange import answers_file as service

    with app.app_context(), db.session_scope(app) as session:
        content = get_content(app)
        team = _team(session, team_name)
        user = _user(session, team, email)
        files = _files(path, text)
        try:
            if into is None:
                assessment, plan = service.import_new(session, team, user, text, files,
                                                      content=content)
            else:
                assessment = _assessment(session, team, into)
                plan = service.apply_import(session, assessment, user, text, None, files,
                                            content=content)
        except service.ImportProblems as error:
            raise ImportRefused("\n".join(error.problems)) from None
        return (f"imported {path.name} into assessment {assessment.id} “{assessment.name}” of "
                f"team {team.name}: {counted(len(plan.changes), 'answer')} changed")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused(f"{path}: cannot read: {exc}") from None


def _team(session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise ImportRefused(f"there is no team named “{name}”")
    return team


def _user(session, team: Team, email: str | None) -> User:
    query = select(User).join(Membership).where(Membership.team_id == team.id)
    if email:
        user = session.scalar(query.where(User.email == email.strip().lower()))
        if user is None:
            raise ImportRefused(f"{email} is not a member of team {team.name}")
    else:
        owners = query.where(Membership.role == Role.OWNER.value).order_by(
            Membership.created_at, User.id)
        user = session.scalars(owners).first()
    if user is None:
        raise ImportRefused(f"team {team.name} has no owner: name a member with --user")
    return user


def _assessment(session, team: Team, assessment_id: int):
    from webapp.assessments.models import Assessment

    assessment = session.get(Assessment, assessment_id)
    if assessment is None or assessment.team_id != team.id:
        raise ImportRefused(f"team {team.name} has no assessment {assessment_id}")
    return assessment


def _files(path: Path, text: str) -> dict[str, str]:
    """The automation files the answers file names, read relative to its folder."""
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return {}
    named = [w.get("file") for w in data.get("workflows") or [] if isinstance(w, dict)]
    paths = [p for item in named for p in (item if isinstance(item, list) else [item]) if p]
    found = {}
    for name in paths:
        try:
            found[name] = (path.parent / str(name)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportRefused(f"{name}: cannot read the automation file: {exc}") from None
    return found
