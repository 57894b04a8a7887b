"""Single sign-on through an OpenID Connect provider (Authlib's Flask client).

Configured by FAULTLINE_OIDC_ISSUER, FAULTLINE_OIDC_CLIENT_ID and FAULTLINE_OIDC_CLIENT_SECRET;
the provider's discovery document gives the rest. The redirect address is built from the
public address (FAULTLINE_BASE_URL or where `faultline serve` listens), never the Host header:
register `<that address>/sso/callback` with the provider.
"""

from __future__ import annotations

import logging
import re

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, flash, redirect, session, url_for
from flask_login import login_user

from webapp.accounts import services as accounts
from webapp.accounts import sso as service
from webapp.accounts.views import safe_next
from webapp.core import links
from webapp.core.db import get_session
from webapp.core.services import ServiceError
from webapp.core.views import configured_signup
from webapp.teams import invitations

logger = logging.getLogger(__name__)

bp = Blueprint("sso", __name__, url_prefix="/sso")
CLIENT_KEY = "faultline.oidc"
INVITATION_PATH = re.compile(r"^/invitations/([A-Za-z0-9_-]{43})$")


def init_app(app: Flask) -> None:
    if not app.config.get("FAULTLINE_OIDC_ISSUER"):
        return
    oauth = OAuth(app)
    app.extensions[CLIENT_KEY] = oauth.register(
        "faultline",
        client_id=app.config["FAULTLINE_OIDC_CLIENT_ID"],
        client_secret=app.config["FAULTLINE_OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["FAULTLINE_OIDC_ISSUER"]
        + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile"},
    )


def _client():
    client = current_app.extensions.get(CLIENT_KEY)
    if client is None:
        abort(404)
    return client


@bp.get("/start")
def start():
    client = _client()
    if links.base_url() is None:
        abort(503, "Single sign-on needs FAULTLINE_BASE_URL. Ask the operator to set it.")
    session["sso_next"] = safe_next(url_for("main.index"))
    return client.authorize_redirect(links.public_url(url_for("sso.callback")))


@bp.get("/callback")
def callback():
    client = _client()
    try:
        token = client.authorize_access_token()
    except OAuthError as error:
        logger.info("refused single sign-on: %s", error.error)
        return _refused("Single sign-on did not complete. Try again.")
    target = session.pop("sso_next", None) or url_for("main.index")
    db = get_session()
    try:
        user = service.account_for(db, token.get("userinfo") or {}, signup=configured_signup(),
                                   invited=_invited(target))
    except ServiceError as error:
        return _refused(error.message)
    accounts.record_sign_in(db, user)
    login_user(user)
    return redirect(target)


def _invited(target: str) -> bool:
    match = INVITATION_PATH.match(target)
    return bool(match and invitations.open_invitation(get_session(), match.group(1)))


def _refused(message: str):
    flash(message, "error")
    return redirect(url_for("auth.signin"))
