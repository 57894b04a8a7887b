"""Sign-up confirmed by email, so that the answer never tells whether an address has an
account: a new address gets a link that creates the account, a taken one a reminder to sign
in. The pending sign-up lives in the signed link itself (name, email, password hash), not in
the database; it expires after a day and creates the account once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from webapp.accounts.models import InstallationSetting, User
from webapp.accounts.services import (
    EMAIL_TAKEN,
    check_password,
    find_user_by_email,
    hash_password,
    normalize_email,
    sign_up,
)
from webapp.core.config import SIGNUP_MODES
from webapp.core.mail import Mail
from webapp.core.services import ServiceError

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 24 * 3600
#: The installation setting that stores the administrator's sign-up mode.
SIGNUP_KEY = "signup_mode"
SALT = "faultline-signup"


@dataclass(frozen=True)
class PendingSignUp:
    name: str
    email: str
    #: The link's token; empty when the address already has an account.
    token: str


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def start(session: Session, *, name: str, email: str, password: str, invite: str | None,
          secret_key: str) -> PendingSignUp:
    """A sign-up waiting for its link; `secret_key` (the app's) signs the link."""
    email = normalize_email(email)
    check_password(password, name=name, email=email)
    if find_user_by_email(session, email) is not None:
        logger.info("sign-up for a taken address: a reminder is mailed instead")
        return PendingSignUp(name=name.strip(), email=email, token="")
    payload = {"n": name.strip(), "e": email, "h": hash_password(password), "i": invite or ""}
    token = _serializer(secret_key).dumps(payload)
    return PendingSignUp(name=name.strip(), email=email, token=token)


def finish(session: Session, token: str, secret_key: str) -> tuple[User, str]:
    """Create the account of a sign-up link; returns it and the invitation token it carried."""
    try:
        payload = _serializer(secret_key).loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        raise ServiceError("This link has expired or is not valid.") from None
    if find_user_by_email(session, payload["e"]) is not None:
        raise ServiceError(EMAIL_TAKEN)
    user = sign_up(session, email=payload["e"], name=payload["n"], password=None)
    user.password_hash = payload["h"]
    session.flush()
    return user, payload["i"]


def confirmation_mail(pending: PendingSignUp, url: str) -> Mail:
    return Mail(to=pending.email, subject="Finish creating your Faultline account", body=(
        f"Hello {pending.name},\n\nOpen this link within 24 hours to finish creating your "
        f"Faultline account:\n\n{url}\n\nIf you did not sign up, ignore this message.\n"))


def existing_account_mail(pending: PendingSignUp, signin_url: str, forgot_url: str) -> Mail:
    return Mail(to=pending.email, subject="You already have a Faultline account", body=(
        "Hello,\n\nSomeone (we hope you) tried to create a Faultline account with this address, "
        f"which already has one. Sign in here:\n\n{signin_url}\n\nForgot the password? Choose "
        f"a new one here:\n\n{forgot_url}\n\nIf it was not you, ignore this message.\n"))


def signup_mode(session: Session, configured: str) -> str:
    """The sign-up mode: the admin page's choice, else `configured` (FAULTLINE_SIGNUP)."""
    stored = session.get(InstallationSetting, SIGNUP_KEY)
    if stored is not None and stored.value in SIGNUP_MODES:
        return stored.value
    return configured
