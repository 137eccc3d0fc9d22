"""Editing on the floor plan, in a browser, on the demo district: an editing user changes a
room's status and sees its colour and the legend change, moves a person into a room, draws a
room, and is told (with the current values) when someone else changed the room first; a viewer
gets no editing controls at all; the as_of date picker of the floor plan, the map and the
dashboard puts the date in the URL and shows that date's figures. Every page is watched (no
console error, no request off 127.0.0.1: tests/web/conftest.py).

Tests needing an editing endpoint that the app does not have yet are skipped by name of that
endpoint (docs/editing.md describes them); they run once it lands."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import Engine, text

from gis_app.app import ROUTERS
from tests.web.conftest import Watched

MAP = "window[document.querySelector('.folium-map').id]"
VACANT_FILL = "#8ccf7e"


def _route_key(method: str, path: str) -> tuple[str, str]:
    return method, re.sub(r"\{[^}]*\}", "{}", path)


ROUTES = {
    _route_key(method, route.path)
    for router in ROUTERS
    for route in router.routes
    if isinstance(route, APIRoute)
    for method in route.methods
}


def needs_api(*routes: str) -> pytest.MarkDecorator:
    """Skip while any of `routes` ("PATCH /api/v1/rooms/{id}") is not a route of the app."""
    missing = [r for r in routes if _route_key(*r.split(" ", 1)) not in ROUTES]
    return pytest.mark.skipif(bool(missing), reason=f"not in the app yet: {', '.join(missing)}")


GET_ROOM = "GET /api/v1/rooms/{id}"
PATCH_ROOM = "PATCH /api/v1/rooms/{id}"


def _one(engine: Engine, sql: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).one()


@pytest.fixture(scope="module")
def plan(manifest: dict, sample_engine: Engine) -> dict:
    """A floor with the planted over-standard office: its building, level and main body."""
    over = manifest["leaders_over_standard"] + manifest["shared_rooms_over_standard"]
    red = over[0]
    building_id, floor_id, ordinal = _one(
        sample_engine,
        "SELECT f.building_id, f.id, f.ordinal FROM room r JOIN floor f ON f.id = r.floor_id "
        "WHERE r.id = :r",
        r=red["room_id"],
    )
    (body_code,) = _one(
        sample_engine,
        "SELECT o.code FROM room r JOIN organisation o ON o.id = r.organisation_id WHERE r.id = :r",
        r=red["room_id"],
    )
    (first_stay,) = _one(sample_engine, "SELECT min(valid_from) FROM room_occupancy")
    label = f"{ordinal + 1}F" if ordinal >= 0 else f"B{-ordinal}"
    return {
        "building_id": building_id,
        "floor_id": floor_id,
        "ordinal": ordinal,
        "label": label,
        "room_id": red["room_id"],
        "body_code": body_code,
        "before_anyone": (first_stay - timedelta(days=1)).isoformat(),
        "url": f"/floor-plan?building={building_id}&level={ordinal}",
    }


def _wait_for_plan(page, label: str) -> None:
    page.wait_for_selector(f"#floor-summary h3:has-text('{label}')")
    page.wait_for_selector("#floor-message:empty", state="attached")


def _rooms(web: Watched, floor_id: int, as_of: str | None = None) -> dict:
    query = f"?as_of={as_of}" if as_of else ""
    response = web.page.request.get(f"{web.base}/api/v1/floors/{floor_id}/rooms{query}")
    assert response.ok
    return response.json()


def _click_room(page, room_id: int) -> None:
    """Click a room on the map by its id (the page's layer of that feature)."""
    page.evaluate(
        "id => " + MAP + ".eachLayer(l => {"
        " if (l.feature && String(l.feature.id) === String(id)) { l.fire('click'); } })",
        room_id,
    )


def _expect_status_logged(web: Watched, status: int) -> None:
    """Chromium logs a 4xx answer as a console error; that one is expected."""
    expected = [e for e in web.report.console_errors if f"status of {status}" in e]
    assert len(expected) == 1, web.report.console_errors
    web.report.console_errors.remove(expected[0])


# ---- read only -----------------------------------------------------------------------------


def test_a_viewer_sees_no_edit_controls(web_as, plan: dict) -> None:
    web = web_as("viewer", plan["body_code"])
    web.open(plan["url"])
    page = web.page
    _wait_for_plan(page, plan["label"])
    assert page.locator("script[src*='leaflet-geoman'], script[src*='room_edit']").count() == 0
    assert page.locator("#edit-tools, #room-edit").count() == 0
    page.locator(".folium-map path.gis-room").first.click()
    page.wait_for_selector("#floor-room-title")
    assert (
        page.locator("#room-edit-form, #tool-draw-room, button")
        .filter(has_text=re.compile("保存|绘制房间|分割房间|调入"))
        .count()
        == 0
    )
    assert page.locator("#as-of-date").count() == 1
    web.shot("floor_edit_viewer")


@needs_api(GET_ROOM, PATCH_ROOM)
def test_an_editor_gets_the_tools(web_as, plan: dict) -> None:
    web = web_as("office_manager")
    web.open(plan["url"])
    page = web.page
    _wait_for_plan(page, plan["label"])
    page.wait_for_selector("#tool-draw-room")
    assert page.is_disabled("#tool-split-room")
    assert page.evaluate(f"Boolean({MAP}.pm)")
    web.shot("floor_edit_tools")


# ---- as_of -----------------------------------------------------------------------------------


def test_the_date_picker_changes_the_url_and_the_floor(web_as, plan: dict) -> None:
    web = web_as("office_manager")
    web.open(plan["url"])
    page = web.page
    _wait_for_plan(page, plan["label"])
    assert page.input_value("#as-of-date") == date.today().isoformat()
    today = _rooms(web, plan["floor_id"])
    before = _rooms(web, plan["floor_id"], plan["before_anyone"])
    assert today["summary"]["over_standard"]["rooms"] >= 1
    assert before["summary"] != today["summary"]

    with page.expect_response(lambda r: f"as_of={plan['before_anyone']}" in r.url):
        page.fill("#as-of-date", plan["before_anyone"])
        page.dispatch_event("#as-of-date", "change")
    page.wait_for_selector(f"#floor-summary :text('{plan['before_anyone']}')")
    assert f"as_of={plan['before_anyone']}" in page.url
    assert f"level={plan['ordinal']}" in page.url
    over = page.locator(".folium-map path.gis-room-over_standard")
    assert over.count() == before["summary"]["over_standard"]["rooms"]
    vacant = page.locator(".folium-map path.gis-room-vacant")
    assert vacant.count() == before["summary"]["vacant"]["rooms"]
    assert page.get_attribute("[data-lang-switch]", "href").count("as_of=") == 1
    if page.locator("#edit-tools").count():  # editing is offered once the app serves it
        page.wait_for_selector("#tool-draw-room:disabled")
    web.shot("floor_edit_as_of")

    # the URL is shareable: opened as is, it shows that date again
    web.open(page.url.replace(web.base, ""))
    _wait_for_plan(page, plan["label"])
    assert page.input_value("#as-of-date") == plan["before_anyone"]
    assert over.count() == before["summary"]["over_standard"]["rooms"]

    page.click("#as-of-today")
    page.wait_for_function("!location.search.includes('as_of=')")
    page.wait_for_function(
        "n => document.querySelectorAll('.folium-map path.gis-room-over_standard').length === n",
        arg=today["summary"]["over_standard"]["rooms"],
    )


def test_a_future_date_is_a_message(web_as, plan: dict) -> None:
    web = web_as("office_manager")
    future = (date.today() + timedelta(days=30)).isoformat()
    web.open(plan["url"] + f"&as_of={future}")
    page = web.page
    _wait_for_plan(page, plan["label"])
    assert future in page.inner_text("#as-of-problem")
    assert "as_of=" not in page.url


def test_the_date_picker_on_the_map_and_the_dashboard(web_as, plan: dict) -> None:
    web = web_as("office_manager")
    day = plan["before_anyone"]
    web.open(f"/map?building={plan['building_id']}")
    page = web.page
    page.wait_for_selector("#building-as-of")
    assert date.today().isoformat() in page.inner_text("#building-as-of")
    with page.expect_response(lambda r: "/summary" in r.url and f"as_of={day}" in r.url):
        page.fill("#as-of-date", day)
        page.dispatch_event("#as-of-date", "change")
    page.wait_for_selector(f"#building-as-of:has-text('{day}')")
    assert f"as_of={day}" in page.url
    assert f"as_of={day}" in page.get_attribute("#building-floors a", "href")
    web.shot("map_as_of")

    figures = {
        when: page.request.get(f"{web.base}/api/v1/dashboard{query}").json()["totals"]
        for when, query in (("today", ""), ("then", f"?as_of={day}"))
    }
    assert figures["today"]["over_standard_rooms"] != figures["then"]["over_standard_rooms"]
    web.open("/dashboard")
    page.wait_for_selector("#dashboard[data-state='ready']")
    over = "[data-kpi='over_standard_rooms'] .value"
    assert page.inner_text(over) == str(figures["today"]["over_standard_rooms"])
    page.fill("#as-of-date", day)
    page.dispatch_event("#as-of-date", "change")
    page.wait_for_selector(f"#dash-as-of:has-text('{day}')")
    page.wait_for_selector("#dashboard[data-state='ready']")
    assert f"as_of={day}" in page.url
    assert page.inner_text(over) == str(figures["then"]["over_standard_rooms"])
    web.shot("dashboard_as_of")


# ---- edits (need the editing API) ---------------------------------------------------------


@pytest.fixture(scope="module")
def service_room(sample_engine: Engine, plan: dict) -> dict:
    """A service room in use by a body, nobody in it: marking it vacant turns it green."""
    room_id, floor_id, ordinal, building_id, number = _one(
        sample_engine,
        "SELECT r.id, f.id, f.ordinal, f.building_id, r.number FROM room r "
        "JOIN floor f ON f.id = r.floor_id "
        "WHERE r.category = 'service' AND r.status = 'in_use' AND r.organisation_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM room_occupancy o WHERE o.room_id = r.id) "
        "ORDER BY (f.building_id = :b) DESC, r.id LIMIT 1",
        b=plan["building_id"],
    )
    label = f"{ordinal + 1}F" if ordinal >= 0 else f"B{-ordinal}"
    return {
        "id": room_id,
        "floor_id": floor_id,
        "label": label,
        "number": number,
        "url": f"/floor-plan?building={building_id}&level={ordinal}",
    }


@needs_api(GET_ROOM, PATCH_ROOM)
def test_changing_a_rooms_status_recolours_it(web_as, service_room: dict) -> None:
    web = web_as("office_manager")
    web.open(service_room["url"])
    page = web.page
    _wait_for_plan(page, service_room["label"])
    vacant_before = _rooms(web, service_room["floor_id"])["summary"]["vacant"]["rooms"]
    _click_room(page, service_room["id"])
    page.wait_for_selector("#room-edit-form #edit-save:enabled")
    page.select_option("#edit-status", "vacant")
    page.fill("#edit-doc", "测试〔2024〕1号")
    page.fill("#edit-note", "browser test")
    page.click("#edit-save")
    page.wait_for_selector("#room-edit-message :text('已保存')")
    page.locator(".folium-map path.gis-room-vacant").first.wait_for()
    fill = page.evaluate(
        "id => { let fill = null; " + MAP + ".eachLayer(l => {"
        " if (l.feature && String(l.feature.id) === String(id)) { fill = l.options.fillColor; } });"
        " return fill; }",
        service_room["id"],
    )
    assert fill == VACANT_FILL
    legend = page.inner_text("#floor-legend [data-status='vacant']")
    assert str(vacant_before + 1) in legend
    assert page.input_value("#edit-status") == "vacant"
    web.shot("floor_edit_status")


@needs_api(GET_ROOM, PATCH_ROOM, "GET /api/v1/rooms/{id}/history")
def test_the_room_history_is_one_click_away(web_as, service_room: dict) -> None:
    web = web_as("office_manager")
    web.open(service_room["url"])
    page = web.page
    _wait_for_plan(page, service_room["label"])
    _click_room(page, service_room["id"])
    page.wait_for_selector("#room-history-link")
    page.click("#room-history-link")
    page.wait_for_selector("#room-history .gis-history-table, #room-history .gis-muted")
    web.shot("floor_edit_history")


@needs_api(GET_ROOM, PATCH_ROOM)
def test_a_stale_edit_says_someone_else_changed_the_room(web_as, plan: dict) -> None:
    web = web_as("office_manager")
    web.open(plan["url"])
    page = web.page
    _wait_for_plan(page, plan["label"])
    _click_room(page, plan["room_id"])
    page.wait_for_selector("#room-edit-form #edit-save:enabled")
    # someone else changes the room's subtype meanwhile
    url = f"{web.base}/api/v1/rooms/{plan['room_id']}"
    fresh = page.request.get(url)
    other = "meeting" if fresh.json().get("subtype") != "meeting" else "reception"
    changed = page.request.patch(
        url, headers={"If-Match": fresh.headers["etag"]}, data={"subtype": other}
    )
    assert changed.ok, changed.text()
    page.select_option("#edit-status", "renovation")
    page.click("#edit-save")
    page.wait_for_selector("#room-edit-message .error")
    assert "别人已修改" in page.inner_text("#room-edit-message")
    assert page.locator("#room-edit-current").count() == 1
    page.wait_for_function(f"document.querySelector('#edit-subtype').value === '{other}'")
    page.wait_for_selector("#edit-save:enabled")
    _expect_status_logged(web, 412)
    web.shot("floor_edit_stale")


@needs_api(GET_ROOM, "GET /api/v1/staff", "POST /api/v1/staff/{id}/move")
def test_moving_a_person_into_a_room(web_as, sample_engine: Engine) -> None:
    room_id, number, building_id, ordinal, organisation_id = _one(
        sample_engine,
        "SELECT r.id, r.number, f.building_id, f.ordinal, r.organisation_id FROM room r "
        "JOIN floor f ON f.id = r.floor_id WHERE r.category = 'office' "
        "AND r.organisation_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM room_occupancy o "
        "WHERE o.room_id = r.id AND o.valid_to IS NULL) ORDER BY r.id LIMIT 1",
    )
    staff_id, name = _one(
        sample_engine,
        "SELECT s.id, s.name FROM staff s JOIN room_occupancy o ON o.staff_id = s.id "
        "AND o.valid_to IS NULL WHERE s.organisation_id = :org ORDER BY s.id LIMIT 1",
        org=organisation_id,
    )
    label = f"{ordinal + 1}F" if ordinal >= 0 else f"B{-ordinal}"
    web = web_as("office_manager")
    web.open(f"/floor-plan?building={building_id}&level={ordinal}")
    page = web.page
    _wait_for_plan(page, label)
    _click_room(page, room_id)
    page.wait_for_selector("#edit-staff-search")
    page.fill("#edit-staff-search", name)
    page.locator(f"#edit-staff-results button.edit-move[data-staff='{staff_id}']").click()
    page.wait_for_selector(f"#edit-occupants li[data-staff='{staff_id}']")
    assert name in page.inner_text("#edit-occupants")
    assert number in page.inner_text("#floor-room-title")
    web.shot("floor_edit_move")


@needs_api("POST /api/v1/floors/{id}/rooms")
def test_drawing_a_room(web_as, plan: dict) -> None:
    web = web_as("office_manager")
    web.open(plan["url"])
    page = web.page
    _wait_for_plan(page, plan["label"])
    count = page.locator(".folium-map path.gis-room").count()
    # zoomed out a little, a square left of every room (edits may not overlap rooms)
    page.evaluate(f"{MAP}.setZoom({MAP}.getZoom() - 2, {{animate: false}})")
    west, middle = page.evaluate(
        "() => { const m = " + MAP + "; let b = null;"
        " m.eachLayer(l => { if (l.feature && l.getBounds) {"
        "   b = b ? b.extend(l.getBounds()) : L.latLngBounds(l.getBounds().getSouthWest(),"
        "   l.getBounds().getNorthEast()); } });"
        " const p = m.latLngToContainerPoint(b.getSouthWest());"
        " const q = m.latLngToContainerPoint(b.getNorthEast());"
        " return [p.x, (p.y + q.y) / 2]; }"
    )
    page.click("#tool-draw-room")
    box = page.locator(".folium-map").bounding_box()
    x, y = box["x"] + west - 70, box["y"] + middle
    for dx, dy in ((0, 0), (40, 0), (40, 30), (0, 30)):
        page.mouse.click(x + dx, y + dy)
    page.click("#tool-finish")
    page.wait_for_selector("#draw-room-form")
    page.fill("#draw-number", "T901")
    page.select_option("#draw-category", "service")
    page.fill("#draw-doc", "测试〔2024〕2号")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/rooms")) as sent:
        page.click("#draw-save")
    body = sent.value.post_data_json
    assert body["number"] == "T901" and body["geometry"]["type"] == "Polygon"
    assert body["document_no"] == "测试〔2024〕2号"
    # The demo floors are covered by their rooms, and a room may neither overlap another nor
    # leave its floor: the answer (422) is shown in the form, which stays open.
    page.wait_for_selector("#draw-message .error")
    assert "T901" in page.inner_text("#draw-message")
    assert page.locator(".folium-map path.gis-room").count() == count
    _expect_status_logged(web, 422)
    web.shot("floor_edit_draw")


@needs_api(GET_ROOM, "POST /api/v1/rooms/{id}/split")
def test_splitting_a_room(web_as, service_room: dict) -> None:
    web = web_as("office_manager")
    web.open(service_room["url"])
    page = web.page
    _wait_for_plan(page, service_room["label"])
    before = _rooms(web, service_room["floor_id"])["features"]
    _click_room(page, service_room["id"])
    page.wait_for_selector("#tool-split-room:enabled")
    page.click("#tool-split-room")
    left, right, middle = page.evaluate(
        "id => { let b = null; " + MAP + ".eachLayer(l => {"
        " if (l.feature && String(l.feature.id) === String(id)) { b = l.getBounds(); } });"
        " const m = " + MAP + "; const p = m.latLngToContainerPoint(b.getSouthWest());"
        " const q = m.latLngToContainerPoint(b.getNorthEast());"
        " return [p.x, q.x, (p.y + q.y) / 2]; }",
        service_room["id"],
    )
    box = page.locator(".folium-map").bounding_box()
    # a line across the room, from outside its west side to outside its east side
    page.mouse.click(box["x"] + left - 15, box["y"] + middle)
    page.mouse.click(box["x"] + right + 15, box["y"] + middle)
    page.click("#tool-finish")
    page.wait_for_selector("#split-form")
    page.fill("#split-number-b", f"{service_room['number']}B")
    page.fill("#split-form input[id$='doc']", "测试〔2024〕3号")
    with page.expect_response(lambda r: r.url.endswith("/split")) as answer:
        page.click("#split-save")
    assert answer.value.status == 200, answer.value.text()
    page.wait_for_selector(f"#tool-message :text('{service_room['number']}')")
    page.wait_for_function(
        "n => { let found = false; " + MAP + ".eachLayer(l => {"
        " if (l.feature && l.feature.properties.number === n) { found = true; } });"
        " return found; }",
        arg=f"{service_room['number']}B",
    )
    _wait_for_plan(page, service_room["label"])
    after = _rooms(web, service_room["floor_id"])["features"]
    assert len(after) == len(before) + 1
    numbers = {f["properties"]["number"] for f in after}
    assert {service_room["number"], f"{service_room['number']}B"} <= numbers
    web.shot("floor_edit_split")
