"""Opening and accepting an invitation link. The team side (invite, resend, revoke) lives in
`views/teams.py`. A dead link (unknown, used, expired, revoked) gets one answer, 404."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from webapp.accounts import signups
from webapp.core.db import get_session
from webapp.core.extensions import limiter
from webapp.core.forms import EmptyForm
from webapp.core.views import configured_signup
from webapp.teams import invitations

logger = logging.getLogger(__name__)

bp = Blueprint("invitations", __name__, url_prefix="/invitations")
#: Guessing is hopeless (256 bits), but a scan is still refused early.
GUESS_LIMIT = "30 per minute"


def _live(token: str):
    invitation = invitations.open_invitation(get_session(), token)
    if invitation is None:
        logger.info("refused invitation link: unknown, used, expired or revoked")
    return invitation


@bp.get("/<token>")
@limiter.limit(GUESS_LIMIT)
def show(token: str):
    invitation = _live(token)
    if invitation is None:
        return render_template("invitations/dead.html"), 404
    session = get_session()
    can_sign_up = signups.signup_mode(session, configured_signup()) != "closed"
    response = render_template("invitations/show.html", invitation=invitation, token=token,
                               can_sign_up=can_sign_up, accept_form=EmptyForm(formdata=None))
    return response, 200, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.post("/<token>/accept")
@login_required
def accept(token: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if _live(token) is None:
        return render_template("invitations/dead.html"), 404
    invitation, joined = invitations.accept(get_session(), token, current_user)
    team = invitation.team
    if joined:
        flash(f"You joined {team.name} as {invitation.role}.", "success")
    else:
        flash(f"You were already a member of {team.name}; your role stays as it was.", "info")
    return redirect(url_for("teams.show", team_id=team.id))
