"""The idle-space match page in a browser, on the demo district: the form asks for one
office of the size of a vacant office a body holds itself, so the first candidate is that
body's own (内部整合); the candidates are listed and drawn as the API ranks them, the rooms of
one are shown, the request is held against the body's office quota (over it in red); a
viewer gets no reallocation form; at 390 × 844 the panel sits below the map."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, text

from tests.web.conftest import Watched

API = "/api/v1/analysis/idle-space-match"
TIER_FILLS = ("#1a9850", "#1f5fa8", "#7b3294")
"""The candidates' fill colours on the map (own, system, other: web/js/match.js)."""
RED = "rgb(192, 57, 43)"
"""--warn of app.css."""


@pytest.fixture(scope="module")
def own_room(sample_engine: Engine) -> dict:
    """A vacant office a body holds itself (the ledger's vacant, nobody in it) in a building
    that may be offered (not C/D): the body, its code and name, the room's number and area."""
    with sample_engine.connect() as conn:
        row = (
            conn.execute(
                text(
                    "SELECT o.id AS body_id, o.code, o.name, r.number, r.usable_area_m2 AS area "
                    "FROM room r JOIN floor f ON f.id = r.floor_id "
                    "JOIN building b ON b.id = f.building_id "
                    "JOIN organisation o ON o.id = r.organisation_id "
                    "WHERE r.status = 'vacant' AND r.category = 'office' "
                    "AND coalesce(r.subtype NOT IN ('rest_room', 'private_toilet'), true) "
                    "AND coalesce(b.safety_grade, 'A') NOT IN ('C', 'D') "
                    "AND NOT EXISTS (SELECT 1 FROM room_occupancy p WHERE p.room_id = r.id "
                    "AND p.valid_to IS NULL) "
                    "ORDER BY r.usable_area_m2 DESC, r.id LIMIT 1"
                )
            )
            .mappings()
            .one()
        )
    return dict(row)


def _ask(web: Watched, body_id: int, area: Decimal | float, offices: int = 1) -> None:
    page = web.page
    page.select_option("#match-body", str(body_id))
    page.fill("#match-offices", str(offices))
    page.fill("#match-meetings", "0")
    page.fill("#match-area", str(area))
    page.click("#match-run")
    page.wait_for_selector("#match-quota table")


def _api(web: Watched, body_id: int, area: Decimal | float, offices: int = 1) -> dict:
    """The same request straight to the API, as the page's user."""
    response = web.page.request.post(
        web.base + API,
        data={"organisation_id": body_id, "area_m2": float(area), "rooms": {"office": offices}},
    )
    assert response.ok
    return response.json()


def _figure(value: float | Decimal) -> str:
    """A number as the page writes it in Chinese: grouped, at most one decimal."""
    return f"{Decimal(str(value)):,.1f}".removesuffix(".0")


def _drawn(web: Watched) -> int:
    """Candidate shapes on the map (by their tier fill)."""
    fills = ",".join(f'path.leaflet-interactive[fill="{c}"]' for c in TIER_FILLS)
    return web.page.locator(fills).count()


def test_own_rooms_first_drawn_with_their_rooms_and_the_quota(web_as, own_room: dict) -> None:
    web = web_as(width=1440, height=900)
    web.open("/match")
    page = web.page
    assert page.inner_text("nav a.current") == "调剂匹配"
    _ask(web, own_room["body_id"], own_room["area"])
    answer = _api(web, own_room["body_id"], own_room["area"])
    ranks = answer["candidates"]
    # the body's own vacant office of exactly the area asked fits by itself: some candidate
    # is 'own', and every 'own' one ranks before any other
    tiers = [c["tier"] for c in ranks]
    assert tiers[0] == "own" and tiers == sorted(tiers, key=("own", "system", "other").index)
    rows = page.locator("#match-table tbody tr")
    assert rows.count() == len(ranks)
    labels = page.locator("#match-table tbody tr td:nth-child(2)").all_inner_texts()
    names = {"own": "内部整合", "system": "系统内调剂", "other": "跨系统调剂"}
    assert labels == [names[t] for t in tiers]
    assert _drawn(web) == len(ranks)
    # the first candidate's rooms are shown at once: each number and area as the API picked
    first = ranks[0]
    shown = page.locator("#match-rooms tbody tr td:first-child").all_inner_texts()
    assert shown == [r["number"] for r in first["rooms"]]
    areas = page.locator("#match-rooms tbody tr td:nth-child(3)").all_inner_texts()
    assert areas == [_figure(r["usable_area_m2"]) for r in first["rooms"]]
    sources = page.locator("#match-rooms tbody tr td:nth-child(4)").all_inner_texts()
    assert sources == ["内部整合"] * len(shown)
    assert page.locator("#match-detail .match-tier").first.inner_text() == "内部整合"
    # a click on another row shows that one
    if len(ranks) > 1:
        rows.nth(1).click()
        second = page.locator("#match-rooms tbody tr td:first-child").all_inner_texts()
        assert second == [r["number"] for r in ranks[1]["rooms"]]
    # the quota table shows the API's figures: quota, held, asked, after
    quota = answer["quota"]
    cells = page.locator("#match-quota td").all_inner_texts()
    keys = ("office_quota_m2", "office_m2", "requested_m2", "after_m2")
    assert cells == [f"{_figure(quota[k])} m²" for k in keys]
    # the own candidate adds nothing the body does not hold already: after it, the body is
    # over its quota by exactly what it is over now (or within it)
    assert first["gained_m2"] == 0
    now_over = max(Decimal(str(quota["office_m2"])) - Decimal(str(quota["office_quota_m2"])), 0)
    assert Decimal(str(first["quota_over_by_m2"])) == now_over
    rows.first.click()
    told = page.inner_text("#match-candidate-quota")
    assert told.startswith("本候选新增面积 0 m²")
    assert (
        f"调剂后超出核定面积 {_figure(now_over)} m²" if now_over else "调剂后未超出核定面积"
    ) in told
    # the reallocation form is offered to an admin (edit right), with date and 文号
    assert page.locator("#match-realloc #realloc-date").count() == 1
    assert page.locator("#match-realloc #realloc-doc").count() == 1
    page.locator("#match-summary").evaluate("e => e.scrollIntoView()")
    web.shot("match_desktop")


def test_over_the_quota_is_said_in_red_by_how_much(web_as, own_room: dict) -> None:
    web = web_as(width=1440, height=900)
    web.open("/match")
    quota = _api(web, own_room["body_id"], 1)["quota"]
    held, allowed = Decimal(str(quota["office_m2"])), Decimal(str(quota["office_quota_m2"]))
    # ask what is left under the quota (or nothing when already over) plus 123.5 m²: the
    # answer is over by held + asked − quota = 123.5 m² (more when already over)
    asked = max(allowed - held, Decimal(0)) + Decimal("123.5")
    over = held + asked - allowed
    _ask(web, own_room["body_id"], asked)
    verdict = web.page.locator("#match-over")
    assert verdict.inner_text() == f"超出核定面积 {_figure(over)} m²"
    assert verdict.evaluate("e => getComputedStyle(e).color") == RED
    web.shot("match_over_quota")


def test_a_future_effective_date_is_refused_naming_it(web_as, own_room: dict) -> None:
    web = web_as(width=1440, height=900)
    web.open("/match")
    _ask(web, own_room["body_id"], own_room["area"])
    page = web.page
    page.fill("#realloc-date", "2999-01-01")
    page.fill("#realloc-doc", "杭机管〔2026〕1号")
    page.click("#realloc-run")
    page.wait_for_selector("#realloc-result .gis-message.error")
    # the API's 422 names the date; nothing is written
    assert "生效日期" in page.inner_text("#realloc-result") or "effective_date" in page.inner_text(
        "#realloc-result"
    )
    expected = [e for e in web.report.console_errors if "status of 422" in e]
    assert len(expected) == 1, web.report.console_errors
    web.report.console_errors.remove(expected[0])
    web.shot("match_refused_date")


def test_a_viewer_in_english_sees_the_match_but_no_reallocation(web_as, own_room: dict) -> None:
    web = web_as("viewer", own_room["code"], 1440, 900)
    web.open("/match?lang=en")
    page = web.page
    assert page.inner_text("nav a.current") == "Space match"
    options = page.locator("#match-body option").all_inner_texts()
    assert own_room["name"] in options
    _ask(web, own_room["body_id"], own_room["area"])
    assert page.locator("#match-table tbody tr:first-child td:nth-child(2)").inner_text() == (
        "Own rooms"
    )
    assert page.inner_text("#match-detail p").startswith("#1 (Own rooms): ")
    assert page.locator("#match-realloc").count() == 0
    web.shot("match_viewer_english")


def test_on_a_phone_the_panel_is_below_the_map(web_as, own_room: dict) -> None:
    web = web_as(width=390, height=844)
    web.open("/match")
    page = web.page
    _ask(web, own_room["body_id"], own_room["area"])
    map_box = page.locator(".folium-map").bounding_box()
    panel_box = page.locator("#panel").bounding_box()
    assert map_box["width"] == 390 and panel_box["width"] == 390
    # the map fills the top half below the bar, the panel the bottom half (50vh = 422 px)
    assert panel_box["y"] == pytest.approx(844 - 422, abs=1)
    assert map_box["y"] + map_box["height"] == pytest.approx(panel_box["y"], abs=1)
    assert page.locator("#match-table tbody tr").count() >= 1
    assert _drawn(web) >= 1
    web.shot("match_phone")
    page.locator("#match-detail").scroll_into_view_if_needed()
    web.shot("match_phone_rooms")


def test_recording_the_own_candidate_as_a_reallocation(web_as, own_room: dict) -> None:
    """The button writes the reallocation with its date and 文号. A reallocation cannot be
    undone (not_undoable), so the test sets the room back to vacant afterwards through the
    room's PATCH: later tests see the demo district's figures as they were."""
    web = web_as(width=1440, height=900)
    web.open("/match")
    page = web.page
    _ask(web, own_room["body_id"], own_room["area"])
    first = _api(web, own_room["body_id"], own_room["area"])["candidates"][0]
    room_id = first["rooms"][0]["room_id"]
    room_url = f"{web.base}/api/v1/rooms/{room_id}"
    page.fill("#realloc-doc", "杭机管调〔2026〕12号")
    page.click("#realloc-run")
    page.wait_for_selector("#realloc-result .gis-message")
    try:
        assert page.locator("#realloc-result .gis-message.error").count() == 0
        assert page.inner_text("#realloc-result").endswith(
            f"{len(first['rooms'])} 间房分配给申请单位。"
        )
        room = page.request.get(room_url).json()
        assert (room["organisation_id"], room["status"]) == (own_room["body_id"], "in_use")
        change = page.request.get(f"{room_url}/history").json()["items"][0]
        assert (change["document_no"], change["action"]) == ("杭机管调〔2026〕12号", "reallocation")
        assert page.locator("#realloc-run").is_disabled()
        web.shot("match_recorded")
    finally:
        for picked in first["rooms"]:
            url = f"{web.base}/api/v1/rooms/{picked['room_id']}"
            etag = page.request.get(url).headers["etag"]
            back = page.request.patch(url, data={"status": "vacant"}, headers={"If-Match": etag})
            assert back.ok, back.text()
    room = page.request.get(room_url).json()
    assert (room["organisation_id"], room["status"]) == (own_room["body_id"], "vacant")
