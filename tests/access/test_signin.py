"""Signing in and out: the page, the cookies, CSRF on cookie writes, the lock after
repeated failures, password change, tokens that expire or are revoked, and Basic on /ogc
only."""

from __future__ import annotations

import base64
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.accounts.users import add_user, create_token, find_user, revoke_token
from tests.auth import TEST_PASSWORD


def _new_user(access_engine, role: str = "auditor", org: str | None = None) -> str:
    login = f"u{uuid.uuid4().hex[:10]}"
    with Session(access_engine) as session, session.begin():
        add_user(session, login, role, org_code=org, password=TEST_PASSWORD)
    return login


@pytest.fixture
def browser(access_app) -> TestClient:
    """A client with its own cookie jar, like one browser."""
    return TestClient(access_app[0], follow_redirects=False)


def _sign_in(browser: TestClient, login: str, password: str = TEST_PASSWORD, next_: str = "/map"):
    return browser.post("/login", data={"login": login, "password": password, "next": next_})


def test_pages_send_a_stranger_to_the_sign_in_page_and_back(browser, access_engine):
    page = browser.get("/dashboard?lang=en")
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=%2Fdashboard%3Flang%3Den"
    form = browser.get(page.headers["location"])
    assert form.status_code == 200 and "用户名" in form.text and 'type="password"' in form.text
    login = _new_user(access_engine, "office_manager")
    signed = _sign_in(browser, login, next_="/dashboard?lang=en")
    assert signed.status_code == 303 and signed.headers["location"] == "/dashboard?lang=en"
    cookies = signed.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("gis_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert "Secure" not in session_cookie
    assert any(c.startswith("gis_csrf=") and "HttpOnly" not in c for c in cookies)
    assert browser.get("/dashboard").status_code == 200
    assert browser.get("/api/v1/me").json()["login"] == login


def test_an_open_redirect_is_not_followed(browser, access_engine):
    login = _new_user(access_engine)
    assert _sign_in(browser, login, next_="//evil.example/x").headers["location"] == "/map"


def test_cookie_writes_need_the_csrf_token(browser, access_engine):
    login = _new_user(access_engine, "office_manager")
    _sign_in(browser, login)
    body = {"name": "csrf", "kind": "search", "criteria": {}}
    refused = browser.post("/api/v1/land/presets", json=body)
    assert refused.status_code == 403 and refused.json()["detail"]["right"] == "csrf"
    token = browser.cookies.get("gis_csrf")
    made = browser.post("/api/v1/land/presets", json=body, headers={"X-CSRF-Token": token})
    assert made.status_code == 201, made.text
    gone = browser.delete(
        f"/api/v1/land/presets/{made.json()['id']}", headers={"X-CSRF-Token": token}
    )
    assert gone.status_code == 204


def test_sign_out_ends_the_session(browser, access_engine):
    login = _new_user(access_engine)
    _sign_in(browser, login)
    cookie = browser.cookies.get("gis_session")
    out = browser.post("/logout", data={"csrf_token": browser.cookies.get("gis_csrf")})
    assert out.status_code == 200
    stale = TestClient(browser.app, follow_redirects=False, cookies={"gis_session": cookie})
    assert stale.get("/api/v1/me").status_code == 401
    assert stale.get("/map").status_code == 303


def test_repeated_failures_lock_the_account(browser, access_engine, access_app):
    login = _new_user(access_engine)
    limit = access_app[0].state.settings.login_max_failures
    for _ in range(limit):
        failed = _sign_in(browser, login, "wrong password!")
        assert failed.status_code == 401
    locked = _sign_in(browser, login)
    assert locked.status_code == 401 and "锁定" in locked.text
    with access_engine.connect() as conn:
        until = conn.execute(
            text(
                "SELECT c.locked_until > now() FROM user_credential c JOIN app_user u"
                " ON u.id = c.user_id WHERE u.login = :l"
            ),
            {"l": login},
        ).scalar_one()
    assert until is True


def test_password_change_needs_the_current_one(client, access_engine, as_role):
    login = _new_user(access_engine)
    with Session(access_engine) as session, session.begin():
        secret = create_token(session, find_user(session, login), "t", None).secret
    headers = {"Authorization": f"Bearer {secret}"}
    wrong = client.post(
        "/api/v1/me/password",
        json={"current_password": "nope", "new_password": "a new long password"},
        headers=headers,
    )
    assert wrong.status_code == 422 and wrong.json()["detail"]["field"] == "current_password"
    short = client.post(
        "/api/v1/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "short"},
        headers=headers,
    )
    assert short.status_code == 422 and short.json()["detail"]["field"] == "password"
    done = client.post(
        "/api/v1/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "a new long password"},
        headers=headers,
    )
    assert done.status_code == 204


def test_bad_expired_and_revoked_tokens_get_401_with_a_challenge(client, access_engine):
    login = _new_user(access_engine)
    with Session(access_engine) as session, session.begin():
        user = find_user(session, login)
        live = create_token(session, user, "live", None)
        expired = create_token(session, user, "old", 1)
        session.execute(
            text("UPDATE api_token SET expires_at = now() - interval '1 day' WHERE id = :i"),
            {"i": expired.id},
        )
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {live.secret}"})
    assert ok.status_code == 200
    with Session(access_engine) as session, session.begin():
        revoke_token(session, live.id)
    for secret in (live.secret, expired.secret, "gis_made-up"):
        answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["detail"]["code"] == "NotSignedIn"
    anonymous = client.get("/api/v1/buildings")
    assert anonymous.status_code == 401 and "Bearer" in anonymous.headers["www-authenticate"]


def test_basic_works_on_ogc_only(client, access_engine):
    login = _new_user(access_engine)
    basic = "Basic " + base64.b64encode(f"{login}:{TEST_PASSWORD}".encode()).decode()
    assert client.get("/ogc/collections", headers={"Authorization": basic}).status_code == 200
    elsewhere = client.get("/api/v1/buildings", headers={"Authorization": basic})
    assert elsewhere.status_code == 401
    wrong = "Basic " + base64.b64encode(f"{login}:wrong".encode()).decode()
    refused = client.get("/ogc/collections", headers={"Authorization": wrong})
    assert refused.status_code == 401 and "Basic" in refused.headers["www-authenticate"]


def test_a_disabled_user_is_out_at_once(client, access_engine):
    login = _new_user(access_engine)
    with Session(access_engine) as session, session.begin():
        secret = create_token(session, find_user(session, login), "t", None).secret
        session.execute(text("UPDATE app_user SET active = false WHERE login = :l"), {"l": login})
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )
