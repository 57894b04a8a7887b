"""Accounts: sign up and sign in with argon2id password hashes, and what ends a session.

Every session cookie carries the account's `session_generation`; `end_sessions` bumps it, so
sign-out, a password change or an administrator's action refuses every cookie made before,
wherever it was copied to.
"""

from __future__ import annotations

import logging

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.accounts.passwords import password_problem
from webapp.core.db import utcnow
from webapp.core.services import ServiceError

logger = logging.getLogger(__name__)

_hasher = argon2.PasswordHasher()
#: Verified against when the email is unknown, so both failures take the same time.
_dummy_hash = _hasher.hash("faultline-timing-equalizer")
#: The hash of an account that signs in only through single sign-on: it matches no password.
NO_PASSWORD = "!"
EMAIL_TAKEN = "This email cannot be used for a new account. If it is yours, sign in instead."


def use_cheap_hashing() -> None:
    """Switch to the cheapest argon2 parameters. For test suites only."""
    global _hasher, _dummy_hash
    _hasher = argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)
    _dummy_hash = _hasher.hash("faultline-timing-equalizer")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def has_users(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User)))


def check_password(password: str, *, name: str, email: str, field: str = "password") -> None:
    """Raise a ServiceError on `field` when the policy refuses the password."""
    problem = password_problem(password, name=name, email=email)
    if problem:
        raise ServiceError(problem, field)


def sign_up(session: Session, *, email: str, name: str, password: str | None) -> User:
    """Create an account; the first account on an installation is its administrator.

    `password=None` makes an account that signs in only through single sign-on.
    """
    email = normalize_email(email)
    if password is not None:
        check_password(password, name=name, email=email)
    if find_user_by_email(session, email) is not None:
        raise ServiceError(EMAIL_TAKEN, "email")
    user = User(email=email, name=name.strip(),
                password_hash=hash_password(password) if password else NO_PASSWORD)
    user.is_admin = not has_users(session)
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ServiceError(EMAIL_TAKEN, "email") from None
    logger.info("account %s created (admin=%s)", user.id, user.is_admin)
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose email and password match, or None. Rehashes outdated hashes.

    A disabled account is returned too (the caller says it is disabled, which only someone
    who knows its password learns).
    """
    user = find_user_by_email(session, email)
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.flush()
    return user


def record_sign_in(session: Session, user: User) -> None:
    user.last_signin_at = utcnow()
    session.flush()
    logger.info("user %s signed in", user.id)


def end_sessions(session: Session, user: User) -> None:
    """Refuse every session cookie of `user` made until now (all browsers, all copies)."""
    user.session_generation = (user.session_generation or 0) + 1
    session.flush()
    logger.info("sessions of user %s ended", user.id)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(session: Session, user: User, password: str) -> None:
    """Set a new password (policy checked) and end every session of the account."""
    check_password(password, name=user.name, email=user.email)
    user.password_hash = hash_password(password)
    end_sessions(session, user)
    logger.info("password of user %s changed", user.id)


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user, current):
        raise ServiceError("This is not your current password.", "current")
    set_password(session, user, new)


def change_name(session: Session, user: User, name: str) -> None:
    name = name.strip()
    if not name:
        raise ServiceError("Enter your name.", "name")
    user.name = name
    session.flush()
