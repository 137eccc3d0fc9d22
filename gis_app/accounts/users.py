"""Managing users and their tokens (the CLI and the admin API share these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gis_app.accounts.credentials import (
    MIN_PASSWORD_LENGTH,
    TOKEN_PREFIX,
    digest,
    hash_password,
    new_secret,
)
from gis_app.errors import InvalidParameter, NotFound
from gis_app.models import ApiToken, AppUser, Organisation, UserCredential, UserSession
from gis_app.models.base import ROLES


def normal_login(login: str) -> str:
    """Logins are compared without case and surrounding spaces."""
    return login.strip().lower()


def check_password(password: str) -> None:
    """The password policy: long enough (length beats composition rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidParameter(
            field="password", reason="reason.password_short", n=MIN_PASSWORD_LENGTH
        )


UNSCOPED_ROLES = frozenset({"admin", "office_manager", "auditor"})
"""Roles that may have the whole system as scope (no organisation)."""


def _check_role(role: str, org_id: int | None) -> None:
    if role not in ROLES:
        raise InvalidParameter(field="role", reason="reason.unknown_role", value=role)
    if org_id is None and role not in UNSCOPED_ROLES:
        raise InvalidParameter(field="org", reason="reason.role_needs_org", role=role)


def organisation_id(session: Session, code: str | None) -> int | None:
    """The id of the body with `code` (None for none)."""
    if code is None:
        return None
    found = session.scalar(select(Organisation.id).where(Organisation.code == code))
    if found is None:
        raise NotFound(resource="organisation", id=code)
    return found


def find_user(session: Session, login: str) -> AppUser:
    """The user called `login`, or 404."""
    user = session.scalar(select(AppUser).where(AppUser.login == normal_login(login)))
    if user is None:
        raise NotFound(resource="user", id=login)
    return user


def add_user(
    session: Session,
    login: str,
    role: str,
    *,
    org_code: str | None = None,
    display_name: str | None = None,
    password: str | None = None,
) -> AppUser:
    """A new active user; with no password they can only use tokens until one is set."""
    org_id = organisation_id(session, org_code)
    _check_role(role, org_id)
    user = AppUser(
        login=normal_login(login),
        display_name=display_name or login,
        role=role,
        organisation_id=org_id,
    )
    session.add(user)
    session.flush()
    if password is not None:
        set_password(session, user, password)
    return user


def set_password(session: Session, user: AppUser, password: str) -> None:
    """Replace the password, clear the lock, and end the user's browser sessions."""
    check_password(password)
    credential = session.get(UserCredential, user.id)
    if credential is None:
        credential = UserCredential(user_id=user.id, password_hash="")
        session.add(credential)
    credential.password_hash = hash_password(password)
    credential.failed_logins = 0
    credential.locked_until = None
    credential.changed_at = datetime.now(UTC)
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.flush()


def set_role(session: Session, user: AppUser, role: str, org_code: str | None = None) -> None:
    """Change role (and scope, when `org_code` is given); open sessions end."""
    org_id = organisation_id(session, org_code) if org_code is not None else user.organisation_id
    _check_role(role, org_id)
    user.role = role
    user.organisation_id = org_id
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.flush()


def set_active(session: Session, user: AppUser, active: bool) -> None:
    """Disable (sessions end, tokens stop working) or enable again."""
    user.active = active
    if not active:
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session.flush()


def describe(user: AppUser, org_code: str | None) -> dict[str, Any]:
    """A user as listed (never the password hash)."""
    return {
        "id": user.id,
        "login": user.login,
        "display_name": user.display_name,
        "role": user.role,
        "organisation": org_code,
        "active": user.active,
    }


def list_users(session: Session) -> list[dict[str, Any]]:
    """Every user, by login."""
    rows = session.execute(
        select(AppUser, Organisation.code)
        .outerjoin(Organisation, Organisation.id == AppUser.organisation_id)
        .order_by(AppUser.login)
    )
    return [describe(user, code) for user, code in rows]


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is shown once and never stored."""

    id: int
    secret: str
    expires_at: datetime | None


def create_token(session: Session, user: AppUser, name: str, days: float | None) -> NewToken:
    """A bearer token for scripts and GIS clients."""
    secret = new_secret(TOKEN_PREFIX)
    expires = datetime.now(UTC) + timedelta(days=days) if days else None
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(secret), expires_at=expires)
    session.add(token)
    session.flush()
    return NewToken(token.id, secret, expires)


def revoke_token(session: Session, token_id: int) -> None:
    """Stop a token from working (kept, revoked, for the audit log)."""
    done = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    if done.rowcount == 0:
        raise NotFound(resource="token", id=token_id)
