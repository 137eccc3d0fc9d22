"""Signed-in test clients: a user of a given role (and scope) made in the test database by
its owner, and a bearer token for them. The app under test connects as its own login role,
so these tests go through the same authentication and row-level security as anyone."""

from __future__ import annotations

from functools import cache

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gis_app.accounts.users import add_user, create_token
from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db.engine import make_engine

TEST_PASSWORD = "correct horse battery staple"


@cache
def user_token(url: str, role: str = "admin", org_code: str | None = None) -> str:
    """A token of a user `test-<role>-<org>` (made once per database)."""
    login = f"test-{role}-{(org_code or 'all').lower()}"
    engine = make_engine(url, audit_user="pytest")
    with Session(engine) as session, session.begin():
        user = add_user(session, login, role, org_code=org_code, password=TEST_PASSWORD)
        secret = create_token(session, user, "pytest", None).secret
    engine.dispose()
    return secret


def auth_headers(url: str, role: str = "admin", org_code: str | None = None) -> dict[str, str]:
    """The Authorization header of that user."""
    return {"Authorization": f"Bearer {user_token(url, role, org_code)}"}


def app_client(
    target: Settings | FastAPI, role: str = "admin", org_code: str | None = None
) -> TestClient:
    """A TestClient of the app (or of an app made from `target` settings) signed in as a
    `role` user scoped to `org_code` (None: everything)."""
    app = target if isinstance(target, FastAPI) else create_app(target)
    url = app.state.settings.database_url
    return TestClient(app, headers=auth_headers(url, role, org_code))
