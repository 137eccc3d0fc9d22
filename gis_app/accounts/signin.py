"""Signing in: passwords with a lock after repeated failures, browser sessions, and the
lookups that turn a cookie or token into an `Identity`.

These run as the app's role before any identity is set; the account tables carry no
row-level security for that reason, and the app never sends their rows to a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gis_app.accounts.credentials import (
    digest,
    hash_password,
    needs_rehash,
    new_secret,
    password_matches,
)
from gis_app.accounts.users import normal_login
from gis_app.config import Settings
from gis_app.db.identity import Identity
from gis_app.models import ApiToken, AppUser, UserCredential, UserSession

_DUMMY_HASH = hash_password("not a password of anyone")
"""Checked against when the login is unknown, so the answer takes as long either way."""


class SignInRefused(Exception):
    """Wrong login or password, a disabled account, or a locked one (`locked`)."""

    def __init__(self, locked: bool = False) -> None:
        super().__init__("locked" if locked else "refused")
        self.locked = locked


def identity_of(user: AppUser) -> Identity:
    """The database's view of `user`."""
    return Identity(user.id, user.login, user.role, user.organisation_id)


def check_password_of(session: Session, login: str, password: str, settings: Settings) -> AppUser:
    """The user whose password this is, counting failures: `login_max_failures` in a row
    lock the account for `login_lock_minutes` (a correct password does not open it early)."""
    max_failures, lock_minutes = settings.login_max_failures, settings.login_lock_minutes
    now = datetime.now(UTC)
    found = session.execute(
        select(AppUser, UserCredential)
        .join(UserCredential, UserCredential.user_id == AppUser.id)
        .where(AppUser.login == normal_login(login))
        .with_for_update(of=UserCredential)
    ).first()
    if found is None:
        password_matches(_DUMMY_HASH, password)
        raise SignInRefused()
    user, credential = found
    if credential.locked_until is not None and credential.locked_until > now:
        raise SignInRefused(locked=True)
    if not password_matches(credential.password_hash, password) or not user.active:
        credential.failed_logins += 1
        if credential.failed_logins >= max_failures:
            credential.locked_until = now + timedelta(minutes=lock_minutes)
            credential.failed_logins = 0
        raise SignInRefused(
            locked=credential.locked_until is not None and credential.locked_until > now
        )
    if needs_rehash(credential.password_hash):
        credential.password_hash = hash_password(password)
    credential.failed_logins = 0
    credential.locked_until = None
    credential.last_login_at = now
    return user


@dataclass(frozen=True)
class NewSession:
    """A browser session just opened: the cookie value and its CSRF token."""

    cookie: str
    csrf: str
    expires_at: datetime


def open_session(session: Session, user: AppUser, hours: float) -> NewSession:
    """A browser session for `user`; expired ones of anyone are cleared on the way."""
    now = datetime.now(UTC)
    session.execute(delete(UserSession).where(UserSession.expires_at < now))
    cookie, csrf = new_secret(), new_secret()
    expires = now + timedelta(hours=hours)
    session.add(
        UserSession(token_hash=digest(cookie), user_id=user.id, csrf_token=csrf, expires_at=expires)
    )
    session.flush()
    return NewSession(cookie, csrf, expires)


def close_session(session: Session, cookie: str) -> None:
    """Sign out: the session is gone at once."""
    session.execute(delete(UserSession).where(UserSession.token_hash == digest(cookie)))


def session_user(session: Session, cookie: str) -> tuple[AppUser, str] | None:
    """The active user of a live browser session, with its CSRF token."""
    row = session.execute(
        select(AppUser, UserSession.csrf_token)
        .join(UserSession, UserSession.user_id == AppUser.id)
        .where(
            UserSession.token_hash == digest(cookie),
            UserSession.expires_at > datetime.now(UTC),
            AppUser.active,
        )
    ).first()
    return (row[0], row[1]) if row else None


def token_user(session: Session, secret: str) -> AppUser | None:
    """The active user of a live (unexpired, unrevoked) token."""
    now = datetime.now(UTC)
    return session.scalar(
        select(AppUser)
        .join(ApiToken, ApiToken.user_id == AppUser.id)
        .where(
            ApiToken.token_hash == digest(secret),
            ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now),
            AppUser.active,
        )
    )
