"""Accounts: sign up and sign in, with argon2id password hashes."""

from __future__ import annotations

import logging

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.models import User
from webapp.services import ServiceError

logger = logging.getLogger(__name__)

_hasher = argon2.PasswordHasher()
#: Verified against when the email is unknown, so both failures take the same time.
_dummy_hash = _hasher.hash("faultline-timing-equalizer")


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


def sign_up(session: Session, *, email: str, name: str, password: str) -> User:
    """Create an account; the first account on an installation is its administrator."""
    email = normalize_email(email)
    if find_user_by_email(session, email) is not None:
        raise ServiceError("An account with this email already exists. Sign in instead.", "email")
    is_first = session.scalar(select(func.count()).select_from(User)) == 0
    user = User(email=email, name=name.strip(), password_hash=hash_password(password))
    user.is_admin = is_first
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise ServiceError(
            "An account with this email already exists. Sign in instead.", "email"
        ) from None
    logger.info("account %s created (admin=%s)", user.id, user.is_admin)
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user whose email and password match, or None. Rehashes outdated hashes."""
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
