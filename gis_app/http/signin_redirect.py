"""Answering a caller who is not signed in: a browser asking for a page is sent to the
sign-in page (and back afterwards); an API client gets 401 with the schemes it may use."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from gis_app.http.auth import BASIC_PATHS, NotSignedIn
from gis_app.i18n import language_of

API_PREFIXES = ("/api/", "/ogc", "/tiles/", "/metrics")
REALM = 'realm="gis-app"'


def challenge(path: str) -> str:
    """The WWW-Authenticate value: bearer everywhere, Basic too where it is accepted."""
    schemes = [f"Bearer {REALM}"]
    if path.startswith(BASIC_PATHS):
        schemes.append(f'Basic {REALM}, charset="UTF-8"')
    return ", ".join(schemes)


def local_path(target: str | None) -> str:
    """`target` if it is a path on this site, else the map (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/map"


async def _not_signed_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotSignedIn)
    path = request.url.path
    if request.method == "GET" and not path.startswith(API_PREFIXES):
        here = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)
    lang = language_of(request.headers)
    context = {k: v for k, v in exc.context.items() if isinstance(v, str)}
    return JSONResponse(
        {"detail": {"code": "NotSignedIn", "message": exc.message(lang), **context}},
        status_code=401,
        headers={"WWW-Authenticate": challenge(path)},
    )


def add_signin_handler(app: FastAPI) -> None:
    """Register the answer to `NotSignedIn` (more specific than the domain-error one)."""
    app.add_exception_handler(NotSignedIn, _not_signed_in)
