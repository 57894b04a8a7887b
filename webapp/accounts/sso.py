"""Single sign-on: the account for an OpenID Connect identity.

The provider's verified email decides: an account using it signs in; without one, an
account is made when sign-up allows it (open, or invitation-only with a live invitation).
An unverified email is never trusted: anyone could claim any address at some providers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.accounts.services import find_user_by_email, has_users, sign_up
from webapp.accounts.signups import signup_mode
from webapp.core.services import ServiceError

logger = logging.getLogger(__name__)


def account_for(session: Session, claims: Mapping[str, object], *, signup: str,
                invited: bool = False) -> User:
    """The account of a verified email; a new one when `signup` (FAULTLINE_SIGNUP, unless an
    administrator chose a mode) lets this person in."""
    email = str(claims.get("email") or "").strip()
    if not email or claims.get("email_verified") is not True:
        logger.info("refused single sign-on: no verified email")
        raise ServiceError("Your identity provider did not confirm an email address, so "
                           "Faultline cannot tell which account is yours.")
    user = find_user_by_email(session, email)
    if user is not None:
        return _usable(user)
    mode = signup_mode(session, signup)
    if has_users(session) and not (mode == "open" or (mode == "invite" and invited)):
        logger.info("refused single sign-on: no account and sign-up is %s", mode)
        raise ServiceError("No Faultline account uses your email, and new accounts need "
                           "an invitation here. Ask someone in your team to invite you.")
    name = str(claims.get("name") or claims.get("preferred_username") or email.split("@")[0])
    logger.info("account created on first single sign-on")
    return sign_up(session, email=email, name=name[:120], password=None)


def _usable(user: User) -> User:
    if user.is_disabled:
        raise ServiceError("This account is disabled. Ask an administrator of this Faultline.")
    return user
