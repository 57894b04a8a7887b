"""Teams: list, create, and manage members. Every team URL checks membership first."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_login import current_user

from webapp.assessments import submissions
from webapp.core import links, mail
from webapp.core.db import get_session
from webapp.core.forms import EmptyForm
from webapp.core.services import ServiceError
from webapp.core.views import members_blueprint, render_form_error
from webapp.teams import invitations
from webapp.teams import services as team_service
from webapp.teams.forms import InviteForm, RoleForm, TeamForm
from webapp.teams.models import Role, Team
from webapp.teams.services import require_membership

bp = members_blueprint("teams", __name__, "/teams")


def load_team(team_id: int, min_role: Role = Role.VIEWER) -> Team:
    """The team, after checking the current user's role; sets `g.team` and `g.membership`.

    Other blueprints (assessments) use it too: 404 for non-members, 403 below `min_role`.
    """
    session = get_session()
    g.membership = require_membership(session, team_id, current_user, min_role)
    g.team = g.membership.team
    return g.team


@bp.get("/")
def index():
    memberships = team_service.teams_of(get_session(), current_user)
    return render_template("teams/index.html", memberships=memberships)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = TeamForm()
    if not form.validate_on_submit():
        if form.is_submitted():
            return render_form_error("teams/new.html", form)
        form.submit_token.data = submissions.new_token()
        return render_template("teams/new.html", form=form)
    if not submissions.claim(get_session(), form.submit_token.data, current_user):
        flash("This form was already sent; the team exists once.", "info")
        return redirect(url_for("teams.index"))
    team = team_service.create_team(get_session(), current_user, form.name.data)
    flash(f"Team “{team.name}” created. Invite the people who will answer the review.", "success")
    return redirect(url_for("teams.show", team_id=team.id))


def _show(team: Team, invite_form: InviteForm | None = None, status: int = 200,
          new_invitation=None):
    session = get_session()
    can_manage = g.membership.role_enum.at_least(Role.OWNER)
    body = render_template(
        "teams/show.html",
        team=team,
        members=team_service.members_of(session, team),
        invite_form=invite_form or InviteForm(formdata=None),
        pending=invitations.pending(session, team) if can_manage else [],
        new_invitation=new_invitation,
        invite_url=_invite_url(new_invitation.token) if new_invitation else None,
        mail_configured=mail.mail_configured(),
        role_form=RoleForm(formdata=None),
        action_form=EmptyForm(formdata=None),
        can_manage=can_manage,
    )
    response = current_app.make_response((body, status))
    if new_invitation is not None:
        response.headers["Cache-Control"] = "no-store"  # the link is shown once
    return response


def _invite_url(token: str) -> str:
    return links.public_url(url_for("invitations.show", token=token))


def _send_invitation(team: Team, new) -> None:
    """Mail the link when mail is configured; the page shows it for copying either way."""
    if not mail.mail_configured():
        return
    invitation = new.invitation
    mail.deliver_after_commit(mail.Mail(
        to=invitation.email, subject=f"{current_user.name} invites you to {team.name} on Faultline",
        body=f"Hello,\n\n{current_user.name} invites you to join the team {team.name} on "
             f"Faultline as {invitation.role}. Open this link within 7 days to accept:\n\n"
             f"{_invite_url(new.token)}\n\nIf you do not know what this is about, ignore this "
             "message: nothing happens until you accept.\n"))


@bp.get("/<int:team_id>")
def show(team_id: int):
    return _show(load_team(team_id))


@bp.post("/<int:team_id>/invitations")
def invite(team_id: int):
    team = load_team(team_id, Role.OWNER)
    form = InviteForm()
    if not form.validate_on_submit():
        return _show(team, form, 400)
    if links.base_url() is None:
        abort(503, "Invitation links need FAULTLINE_BASE_URL, the address people use to reach "
                   "Faultline. Ask the operator to set it.")
    try:
        new = invitations.invite(get_session(), team, current_user, form.email.data,
                                 Role(form.role.data))
    except ServiceError as error:
        form.email.errors = [*form.email.errors, error.message]
        return _show(team, form, 400)
    _send_invitation(team, new)
    return _show(team, new_invitation=new)


@bp.post("/<int:team_id>/invitations/<int:invitation_id>/resend")
def resend_invitation(team_id: int, invitation_id: int):
    team = load_team(team_id, Role.OWNER)
    if not EmptyForm().validate_on_submit():
        abort(400)
    new = invitations.resend(get_session(), team, invitation_id)
    _send_invitation(team, new)
    return _show(team, new_invitation=new)


@bp.post("/<int:team_id>/invitations/<int:invitation_id>/revoke")
def revoke_invitation(team_id: int, invitation_id: int):
    team = load_team(team_id, Role.OWNER)
    if not EmptyForm().validate_on_submit():
        abort(400)
    invitation = invitations.revoke(get_session(), team, invitation_id)
    flash(f"The invitation for {invitation.email} is revoked: its link no longer works.",
          "success")
    return redirect(url_for("teams.show", team_id=team.id))


@bp.post("/<int:team_id>/members/<int:user_id>/role")
def change_role(team_id: int, user_id: int):
    team = load_team(team_id, Role.OWNER)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400, "Choose one of the listed roles.")
    return _apply(
        lambda: team_service.change_role(get_session(), team, user_id, Role(form.role.data),
                                        current_user),
        team, "Role changed.",
    )


@bp.post("/<int:team_id>/members/<int:user_id>/remove")
def remove_member(team_id: int, user_id: int):
    team = load_team(team_id, Role.OWNER)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _apply(
        lambda: team_service.remove_member(get_session(), team, user_id, current_user), team,
        "Member removed.",
    )


def _apply(action, team: Team, success: str):
    """Run a member change; a refusal is flashed and nothing changes (status 400)."""
    try:
        action()
    except ServiceError as error:
        flash(error.message, "error")
        return _show(team, status=400)
    flash(success, "success")
    return redirect(url_for("teams.show", team_id=team.id))
