"""Signing in with a browser that has no token: the map sends it to the sign-in page
(Chinese first, English one click away), a wrong password is refused on the page, a body's
asset officer lands on the map and its building tiles hold only that body's buildings
(where an admin's hold the district's), the account page and the navigation bar name the
user and role, and signing out ends it: the map sends the browser back to the sign-in page.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import mapbox_vector_tile
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.accounts.users import add_user
from gis_app.maps.export import BrowserReport, watched_page
from sample_geodata.accounts import SHARED_BODIES
from tests.auth import TEST_PASSWORD
from tests.web.conftest import Watched

BUILDING_TILES = "/tiles/buildings_vacancy/"
OTHER_BODY = text(
    "SELECT o.name FROM organisation o WHERE o.id <> ALL (gis_org_subtree(:id))"
    " AND EXISTS (SELECT 1 FROM room r WHERE r.organisation_id = o.id)"
    " AND o.level = 'municipal' ORDER BY o.id LIMIT 1"
)
"""A body with rooms outside A's subtree (B of the access tests when the building is shared)."""
REFUSED_FORM = "status of 401"
"""Chromium's console line for the sign-in form answered 401 (the refusal itself)."""


@pytest.fixture
def stranger(browser, live_url: str) -> Iterator[Watched]:
    """A Chinese browser with no credentials at all, watched like `web`; its cookies are
    its own. Only the refused sign-in's own 401 may show in the console."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 900},
        device_scale_factor=1,
        service_workers="block",
        locale="zh-CN",
    )
    context.set_default_timeout(20_000)
    report = BrowserReport()
    watched = Watched(watched_page(context, report), report, live_url)
    yield watched
    context.close()
    report.console_errors = [e for e in report.console_errors if REFUSED_FORM not in e]
    assert report.problems() == []


@pytest.fixture(scope="module")
def body(sample_engine) -> dict:
    """Body A of the access tests, the buildings its officer may see (title held or a room
    used by a body of its subtree), and the name of a body outside its scope."""
    with sample_engine.connect() as conn:
        code_a = conn.execute(SHARED_BODIES).scalars().first()
        org_id, name = conn.execute(
            text("SELECT id, name FROM organisation WHERE code = :c"), {"c": code_a}
        ).one()
        other = conn.execute(OTHER_BODY, {"id": org_id}).scalar_one()
        buildings = set(
            conn.execute(
                text(
                    "SELECT b.id FROM building b, (SELECT gis_org_subtree(:id) AS ids) s"
                    " WHERE b.title_holder_id = ANY (s.ids)"
                    " OR EXISTS (SELECT 1 FROM floor f JOIN room r ON r.floor_id = f.id"
                    "  WHERE f.building_id = b.id AND r.organisation_id = ANY (s.ids))"
                ),
                {"id": org_id},
            ).scalars()
        )
    assert buildings
    return {"code": code_a, "name": name, "other": other, "buildings": buildings}


@pytest.fixture(scope="module")
def officer(sample_engine, body: dict) -> str:
    """A unit_officer of body A with the test password (its own login: a wrong password
    here counts against no one else)."""
    login = f"officer-web-{uuid.uuid4().hex[:6]}"
    with Session(sample_engine) as session, session.begin():
        add_user(session, login, "unit_officer", org_code=body["code"], password=TEST_PASSWORD)
    return login


def _building_tiles(page) -> list:
    """Keep the building-layer tiles the page receives (responses, read later)."""
    seen: list = []
    page.on("response", lambda r: seen.append(r) if BUILDING_TILES in r.url else None)
    return seen


def _map_building_ids(page, responses: list) -> set[int]:
    """Wait for the map's building layer to settle, then decode every tile it loaded."""
    page.wait_for_function("window.GIS_LAYERS && window.GIS_LAYERS.buildings_vacancy")
    page.wait_for_load_state("networkidle")
    ids: set[int] = set()
    assert responses, "the map loaded no building tiles"
    for response in responses:
        assert response.status in (200, 204), response.url
        if response.status == 204:
            continue
        # The same tile again, with the page's cookies (Chromium does not keep the body of
        # a response read as an array buffer for Playwright).
        again = page.context.request.get(response.url)
        assert again.status == 200, response.url
        body = again.body()
        for name, layer in mapbox_vector_tile.decode(body).items():
            if name != "_tile":
                ids |= {int(f["properties"]["id"]) for f in layer["features"]}
    return ids


def _sent_to_sign_in(watched) -> None:
    """The map sends this browser, signed in as no one, to the sign-in page."""
    page = watched.page
    assert not [c for c in page.context.cookies() if c["name"] == "gis_session"]
    watched.open("/map")
    assert "/login?next=%2Fmap" in page.url
    assert page.inner_text("h1") == "登录"
    assert page.locator("#nav-account").count() == 0


def _search(page, q: str) -> str:
    page.fill("#map-search", q)
    page.wait_for_selector("#map-search-results li")
    return page.inner_text("#map-search-results")


def test_a_unit_officer_signs_in_sees_only_its_body_and_signs_out(
    stranger, web, officer: str, body: dict
) -> None:
    page = stranger.page
    _sent_to_sign_in(stranger)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("#nav-login").count() == 0
    stranger.shot("signin_zh")

    for lang, heading in (("en", "Sign in"), ("zh-CN", "登录")):
        page.click("[data-lang-switch]")
        page.wait_for_url(f"**lang={lang}*")
        assert page.inner_text("h1") == page.inner_text("form button[type=submit]") == heading
        assert page.input_value("input[name=next]") == "/map"

    page.fill("input[name=login]", officer)
    page.fill("input[name=password]", "not the password")
    page.click("form button[type=submit]")
    page.wait_for_selector(".gis-message.error")
    assert page.inner_text(".gis-message.error") == "用户名或密码错误。"
    assert page.input_value("input[name=login]") == officer
    assert not [c for c in page.context.cookies() if c["name"] == "gis_session"]

    tiles = _building_tiles(page)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/map")
    seen = _map_building_ids(page, tiles)
    assert seen and seen <= body["buildings"], seen - body["buildings"]
    assert page.inner_text("#nav-account") == officer
    stranger.shot("signin_map_officer")
    assert "没有" in _search(page, body["other"])

    admin_tiles = _building_tiles(web.page)
    web.open("/map")
    everything = _map_building_ids(web.page, admin_tiles)
    assert seen < everything and everything - body["buildings"]
    assert body["other"] in _search(web.page, body["other"])

    page.click("#nav-account")
    page.wait_for_url("**/account?lang=zh-CN")
    assert officer in page.inner_text("#account-login")
    facts = page.inner_text(".gis-account dl")
    assert "单位资产管理员" in facts and body["name"] in facts
    assert page.locator("#nav-account.current").count() == 1
    stranger.shot("signin_account")

    page.click("#sign-out")
    page.wait_for_selector(".gis-message")
    assert page.inner_text("h1") == "登录"
    assert page.inner_text(".gis-message") == "已退出登录。"
    _sent_to_sign_in(stranger)


def test_sign_in_and_account_pages_fit_a_phone(stranger, officer: str) -> None:
    page = stranger.page
    page.set_viewport_size({"width": 390, "height": 844})
    stranger.open("/login?next=%2Faccount")
    card = page.locator(".gis-login").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    stranger.shot("signin_phone")
    page.fill("input[name=login]", officer)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/account")
    card = page.locator(".gis-account").bounding_box()
    assert card["x"] >= 0 and card["x"] + card["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    stranger.shot("account_phone")
    page.click("#nav-toggle")  # on a phone the navigation folds behind its menu button
    page.click("#nav-sign-out")
    page.wait_for_selector(".gis-message")
    assert page.inner_text(".gis-message") == "已退出登录。"
