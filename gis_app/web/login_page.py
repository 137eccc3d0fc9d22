"""Signing in and out in a browser, and the account page.

A successful sign-in sets two cookies: `gis_session` (HttpOnly, SameSite=Lax, Secure over
HTTPS) names the server-side session; `gis_csrf` (readable by the pages' scripts,
SameSite=Strict) is echoed in `X-CSRF-Token` on every write.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from gis_app.accounts.rights import Right
from gis_app.accounts.signin import SignInRefused, check_password_of, close_session, open_session
from gis_app.http.auth import ANONYMOUS, CSRF_COOKIE, SESSION_COOKIE, CallerDep, needs
from gis_app.http.language import page_language
from gis_app.http.session import SessionDep
from gis_app.http.signin_redirect import local_path
from gis_app.i18n import t
from gis_app.models import AppUser, Organisation
from gis_app.web.page import plain_page

router = APIRouter(include_in_schema=False)

NextQuery = Annotated[str | None, Query(max_length=2000)]


def _login_form(
    request: Request, next_path: str, *, message: str = "", login: str = "", status: int = 200
) -> HTMLResponse:
    page = plain_page(
        request,
        page_id="login",
        template="login.html",
        context={"next": next_path, "message": message, "failed": status != 200, "login": login},
        scripts=(),
        data={},
    )
    page.status_code = status
    return page


@router.get("/login", dependencies=[needs(Right.PUBLIC)])
def login_form(request: Request, caller: CallerDep, next: NextQuery = None) -> Response:
    """The sign-in form; a signed-in browser goes straight on."""
    if caller.identity is not None:
        return RedirectResponse(local_path(next), status_code=303)
    return _login_form(request, local_path(next))


@router.post("/login", dependencies=[needs(Right.PUBLIC)])
def login(
    request: Request,
    session: SessionDep,
    login: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Check the password (failures count towards a lock) and open a session."""
    settings = request.app.state.settings
    lang = page_language(request)
    try:
        user = check_password_of(session, login, password, settings)
    except SignInRefused as refused:
        session.commit()
        key = "web.login.locked" if refused.locked else "web.login.failed"
        return _login_form(request, local_path(next), message=t(key, lang), login=login, status=401)
    opened = open_session(session, user, settings.session_hours)
    session.commit()
    response = RedirectResponse(local_path(next), status_code=303)
    secure = request.url.scheme == "https"
    max_age = int(settings.session_hours * 3600)
    response.set_cookie(
        SESSION_COOKIE, opened.cookie, max_age=max_age, httponly=True, samesite="lax", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE, opened.csrf, max_age=max_age, httponly=False, samesite="strict", secure=secure
    )
    return response


@router.post("/logout", dependencies=[needs(Right.PUBLIC)])
def logout(request: Request, session: SessionDep) -> Response:
    """End the session (the CSRF token was checked with the caller) and forget the cookies."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        close_session(session, cookie)
        session.commit()
    request.state.caller = ANONYMOUS
    lang = page_language(request)
    response = _login_form(request, "/map", message=t("web.login.signed_out", lang))
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/account", dependencies=[needs(Right.READ)])
def account(request: Request, caller: CallerDep, session: SessionDep) -> HTMLResponse:
    """Who is signed in, with what role over which bodies; password change; sign out."""
    identity = caller.identity
    assert identity is not None
    user = session.get(AppUser, identity.user_id)
    scope = (
        session.scalar(select(Organisation.name).where(Organisation.id == identity.org_id))
        if identity.org_id is not None
        else None
    )
    return plain_page(
        request,
        page_id="account",
        template="account.html",
        context={"user": user, "scope_name": scope, "csrf": caller.csrf or ""},
        scripts=("account",),
        data={},
        text_prefixes=("web.account.",),
    )
