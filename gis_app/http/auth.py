"""Who is asking: a browser session cookie, a bearer token, or (on /ogc, for QGIS and
GDAL) HTTP Basic; and what each route needs (`needs(Right.X)`).

The caller is worked out once per request, before any database session of the request
is opened, and set as the context's identity (`gis_app.db.identity`): every transaction
the request begins then runs as that user, within their scope.

Cookie-authenticated writes carry the session's CSRF token in `X-CSRF-Token` (pages'
scripts send it from the `gis_csrf` cookie) or, for plain forms, in a `csrf_token` field.
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass
from typing import Annotated, Any

from cachetools import TTLCache
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis_app.accounts.credentials import digest, same
from gis_app.accounts.rights import Right, may
from gis_app.accounts.signin import (
    SignInRefused,
    check_password_of,
    identity_of,
    session_user,
    token_user,
)
from gis_app.db.identity import Identity, set_identity
from gis_app.errors import Forbidden, GisAppError
from gis_app.models import AppUser

SESSION_COOKIE = "gis_session"
CSRF_COOKIE = "gis_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BASIC_PATHS = ("/ogc",)
"""Where HTTP Basic is accepted: the OGC API, for clients that only know user/password."""


class NotSignedIn(GisAppError):
    """No usable credentials: 401 for the API, the sign-in page for a browser."""

    status_code = 401
    key = "error.not_signed_in"


@dataclass(frozen=True)
class Caller:
    """The identity of a request and how it was proved (`session`, `token`, `basic`)."""

    identity: Identity | None
    via: str | None = None
    csrf: str | None = None
    refused: NotSignedIn | None = None
    """Credentials that were sent but did not work: public routes go on without them,
    every other route answers 401 with this reason."""


ANONYMOUS = Caller(None)

_basic_checked: TTLCache[str, int] = TTLCache(maxsize=1024, ttl=300)
_basic_lock = threading.Lock()
"""Basic credentials already checked, by digest, for five minutes: QGIS sends them with
every tile, and argon2 is slow on purpose. The user's state is still read every time."""


def _basic(session: Session, request: Request, value: str) -> AppUser:
    try:
        login, _, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise NotSignedIn(reason="reason.credentials_unreadable") from None
    key = digest(f"{login}\0{password}")
    with _basic_lock:
        user_id = _basic_checked.get(key)
    if user_id is not None:
        user = session.scalar(select(AppUser).where(AppUser.id == user_id, AppUser.active))
        if user is not None:
            return user
    settings = request.app.state.settings
    try:
        user = check_password_of(session, login, password, settings)
    except SignInRefused as refused:
        session.commit()
        raise NotSignedIn(
            reason="reason.account_locked" if refused.locked else "reason.bad_credentials"
        ) from None
    with _basic_lock:
        _basic_checked[key] = user.id
    return user


def _from_header(session: Session, request: Request, header: str) -> Caller:
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer":
        user = token_user(session, value.strip())
        if user is None:
            raise NotSignedIn(reason="reason.token_invalid")
        return Caller(identity_of(user), "token")
    if scheme == "basic" and request.url.path.startswith(BASIC_PATHS):
        return Caller(identity_of(_basic(session, request, value.strip())), "basic")
    raise NotSignedIn(reason="reason.auth_scheme")


def _authenticate(request: Request) -> Caller:
    """The caller, from the Authorization header first, else the session cookie."""
    header = request.headers.get("authorization")
    cookie = request.cookies.get(SESSION_COOKIE)
    if not header and not cookie:
        return ANONYMOUS
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        if header:
            caller = _from_header(session, request, header)
        else:
            found = session_user(session, cookie or "")
            caller = (
                ANONYMOUS if found is None else Caller(identity_of(found[0]), "session", found[1])
            )
        session.commit()
    return caller


async def _csrf_sent(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    return sent


async def current_caller(request: Request) -> Caller:
    """Authenticate once per request and act as the caller from here on."""
    cached: Caller | None = getattr(request.state, "caller", None)
    if cached is not None:
        set_identity(cached.identity)
        return cached
    try:
        caller = await run_in_threadpool(_authenticate, request)
    except NotSignedIn as refused:
        caller = Caller(None, refused=refused)
    if caller.via == "session" and request.method not in SAFE_METHODS:
        sent = await _csrf_sent(request)
        if not (sent and caller.csrf and same(sent, caller.csrf)):
            raise Forbidden(right="csrf")
    request.state.caller = caller
    set_identity(caller.identity)
    return caller


CallerDep = Annotated[Caller, Depends(current_caller)]


def needs(right: Right) -> Any:
    """A route dependency: the caller must be signed in with a role that has `right`
    (`Right.PUBLIC`: anyone). The authorisation-matrix test reads `.right` off it."""

    async def check(caller: CallerDep) -> None:
        if right is Right.PUBLIC:
            return
        if caller.refused is not None:
            raise caller.refused
        if caller.identity is None:
            raise NotSignedIn(reason="reason.no_credentials")
        if not may(caller.identity.role, right):
            raise Forbidden(right=right.value)

    check.right = right  # type: ignore[attr-defined]
    return Depends(check)


def route_rights(dependant: Any) -> set[Right]:
    """Every right a route's dependencies ask for (the matrix test and OpenAPI use it)."""
    found: set[Right] = set()
    right = getattr(dependant.call, "right", None)
    if isinstance(right, Right):
        found.add(right)
    for sub in dependant.dependencies:
        found |= route_rights(sub)
    return found
