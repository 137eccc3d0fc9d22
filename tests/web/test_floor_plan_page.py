"""The floor-plan page in a browser, on the demo district: the floor-plan view colours rooms
(every room of the level drawn, the planted over-standard office red), the level picker reads
top floor first, room numbers show once zoomed in, hover and click tell a room's area,
standard, occupants by rank and body, data-quality problems are outlined and listed and lead
to the other floor; English works; a wrong building or level, or an empty floor, is a message
on a working page."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

MAP = "window[document.querySelector('.folium-map').id]"


def _row(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).one()


@pytest.fixture(scope="module")
def case(manifest: dict, sample_engine: Engine) -> dict:
    """A building with a planted over-standard office and a person holding two offices."""
    (second,) = manifest["multiple_offices"]
    over = manifest["leaders_over_standard"] + manifest["shared_rooms_over_standard"]
    (red,) = [c for c in over if c["building"] == second["building"]]
    building_id = _row(sample_engine, "SELECT id FROM building WHERE code = :c", c=red["building"])[
        0
    ]

    def room(room_id: int) -> dict:
        number, floor_id, ordinal = _row(
            sample_engine,
            "SELECT r.number, f.id, f.ordinal FROM room r JOIN floor f ON f.id = r.floor_id "
            "WHERE r.id = :r",
            r=room_id,
        )
        label = f"{ordinal + 1}F" if ordinal >= 0 else f"B{-ordinal}"
        return {
            "id": room_id,
            "number": number,
            "floor_id": floor_id,
            "ordinal": ordinal,
            "label": label,
        }

    first, other = (room(r) for r in second["room_ids"])
    return {
        "building_id": building_id,
        "red": {**room(red["room_id"]), **red},
        "first_office": first,
        "second_office": other,
    }


def _wait_for_level(page, label: str) -> None:
    page.wait_for_selector(f"#floor-summary h3:has-text('{label}')")
    page.wait_for_selector("#floor-message:empty", state="attached")


def _api_room_count(web, floor_id: int) -> int:
    response = web.page.request.get(f"{web.base}/api/v1/floors/{floor_id}/rooms")
    assert response.ok
    return response.json()["numberMatched"]


def test_the_floor_plan_view_colours_rooms(web, case: dict) -> None:
    red, first, second = case["red"], case["first_office"], case["second_office"]
    web.open(f"/floor-plan?building={case['building_id']}")
    page = web.page
    page.wait_for_selector(".gis-levels button[aria-pressed='true']")
    ordinals = [
        int(v)
        for v in page.locator(".gis-levels button").evaluate_all(
            "buttons => buttons.map(b => b.dataset.ordinal)"
        )
    ]
    assert ordinals == sorted(ordinals, reverse=True)

    page.click(f".gis-levels button[data-ordinal='{second['ordinal']}']")
    _wait_for_level(page, second["label"])
    page.click(f".gis-levels button[data-ordinal='{red['ordinal']}']")
    _wait_for_level(page, red["label"])
    assert (
        page.get_attribute(f".gis-levels button[data-ordinal='{red['ordinal']}']", "aria-pressed")
        == "true"
    )
    assert f"level={red['ordinal']}" in page.url

    rooms = page.locator(".folium-map path.gis-room")
    assert rooms.count() == _api_room_count(web, red["floor_id"])
    reds = page.locator(".folium-map path.gis-room-over_standard")
    assert reds.count() >= 1
    assert reds.first.get_attribute("fill") == "#e03131"
    assert page.locator(".gis-room-label:not(.hidden)").count() > 0

    flagged = page.locator(".folium-map path.gis-room-problem")
    assert flagged.count() >= 1
    assert flagged.first.get_attribute("stroke-dasharray")
    flagged.first.hover()
    tip = page.locator(".leaflet-tooltip.gis-room-tip")
    tip.wait_for()
    assert first["number"] in tip.inner_text()

    reds.first.click()
    detail = page.inner_text("#floor-room")
    assert red["number"] in detail
    assert "县级正职 × 1" in detail
    assert "30 m²" in detail
    assert f"{red['recorded_m2'] - red['limit_sum_m2']:.2f} m²" in detail
    assert "西湖区人民政府" in detail
    assert first["number"] in page.inner_text("#floor-problem-list")
    web.shot("floor_plan")

    page.click(f"#floor-problem-list a.gis-other-room[data-room='{second['id']}']")
    _wait_for_level(page, second["label"])
    page.wait_for_selector(f"#floor-room-title:has-text('{second['number']}')")
    assert f"level={second['ordinal']}" in page.url


def test_room_numbers_only_when_zoomed_in(web, case: dict) -> None:
    red = case["red"]
    web.open(f"/floor-plan?building={case['building_id']}&level={red['ordinal']}")
    page = web.page
    _wait_for_level(page, red["label"])
    assert page.locator(".gis-room-label:not(.hidden)").count() > 0
    page.evaluate(f"{MAP}.setZoom(16, {{animate: false}})")
    page.wait_for_function("document.querySelectorAll('.gis-room-label:not(.hidden)').length === 0")


def test_english_through_the_language_switch_keeps_the_level(web, case: dict) -> None:
    red, second = case["red"], case["second_office"]
    web.open(f"/floor-plan?building={case['building_id']}&level={red['ordinal']}")
    page = web.page
    _wait_for_level(page, red["label"])
    page.click(f".gis-levels button[data-ordinal='{second['ordinal']}']")
    _wait_for_level(page, second["label"])
    page.click("[data-lang-switch]")
    page.wait_for_url("**lang=en**")
    assert f"level={second['ordinal']}" in page.url
    _wait_for_level(page, f"{second['label']} at a glance")
    assert page.inner_text("nav a.current") == "Floor plans"
    legend = page.inner_text("#floor-legend")
    assert "Over standard" in legend and "Vacant" in legend
    page.click(f".gis-levels button[data-ordinal='{red['ordinal']}']")
    _wait_for_level(page, f"{red['label']} at a glance")
    page.locator(".folium-map path.gis-room-over_standard").first.click()
    detail = page.inner_text("#floor-room")
    assert "County head × 1" in detail
    assert "Over the standard by" in detail
    web.shot("floor_plan_english")


def _expect_status_logged(web, status: int) -> None:
    """Chromium logs a page answered with a 4xx as a console error; that one is expected."""
    expected = [e for e in web.report.console_errors if f"status of {status}" in e]
    assert len(expected) == 1
    web.report.console_errors.remove(expected[0])


def test_an_unknown_building_is_a_message_and_a_chooser(web) -> None:
    response = web.page.goto(f"{web.base}/floor-plan?building=999999", wait_until="load")
    assert response.status == 404
    page = web.page
    assert "999999" in page.inner_text("#floor-message")
    assert page.locator("#floor-buildings li").count() > 0
    page.wait_for_selector(".folium-map path.gis-building")
    _expect_status_logged(web, 404)
    web.shot("floor_plan_unknown_building")


def test_a_malformed_building_is_a_message(web) -> None:
    response = web.page.goto(f"{web.base}/floor-plan?building=abc", wait_until="load")
    assert response.status == 422
    assert "abc" in web.page.inner_text("#floor-message")
    _expect_status_logged(web, 422)


@pytest.mark.parametrize(("level", "named"), [("40", "41F"), ("-2", "B2"), ("up", "up")])
def test_an_unknown_level_is_a_message_beside_the_levels(
    web, case: dict, level: str, named: str
) -> None:
    web.open(f"/floor-plan?building={case['building_id']}&level={level}")
    page = web.page
    page.wait_for_selector("#floor-message .gis-message.error")
    assert named in page.inner_text("#floor-message")
    assert page.locator(".gis-levels button").count() > 0
    assert page.locator(".folium-map path.gis-room").count() == 0


def test_an_empty_floor_is_an_empty_layer_with_a_message(web, case: dict) -> None:
    """The demo district has no floor without rooms: the answers are emptied on the way."""
    red = case["red"]

    def no_rooms(route) -> None:
        body = route.fetch().json()
        body["features"], body["numberMatched"], body["numberReturned"] = [], 0, 0
        body["summary"] = {k: {"rooms": 0, "area_m2": 0} for k in body["summary"]}
        route.fulfill(json=body, content_type="application/geo+json")

    def no_figures(route) -> None:
        body = route.fetch().json()
        for floor in body["items"]:
            if floor["ordinal"] == red["ordinal"]:
                floor.update(
                    room_count=0,
                    usable_area_m2=0,
                    allocatable_area_m2=0,
                    vacant_area_m2=0,
                    vacancy_rate=None,
                    over_standard_rooms=0,
                    data_quality_problems=0,
                )
        route.fulfill(json=body)

    web.page.route("**/api/v1/floors/*/rooms", no_rooms)
    web.page.route("**/api/v1/buildings/*/floors", no_figures)
    web.open(f"/floor-plan?building={case['building_id']}&level={red['ordinal']}")
    page = web.page
    page.wait_for_selector(f"#floor-message:has-text('{red['label']} 没有登记房间')")
    assert page.locator(".folium-map path.gis-room").count() == 0
    assert page.locator(".folium-map path.gis-floor-outline").count() == 1
    web.shot("floor_plan_empty")


def test_without_a_building_the_page_offers_them(web, sample_db: dict) -> None:
    web.open("/floor-plan")
    page = web.page
    listed = page.locator("#floor-buildings li")
    assert listed.count() == sample_db["result"]["counts"]["building"]
    page.wait_for_selector(".folium-map path.gis-building")
    page.fill("#floor-search", "西湖区人民政府")
    page.wait_for_selector("#floor-search-results a")
    page.locator("#floor-search-results a[href*='/floor-plan?building=']").first.click()
    page.wait_for_selector(".gis-levels button[aria-pressed='true']")
    assert "西湖区人民政府" in page.inner_text("#floor-title")
