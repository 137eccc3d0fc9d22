"""Building safety in a browser over the demo district: the dashboard's safety block shows the
API's figures with the planted D building first, linking to the map; the map's building panel
of the planted D building says what to do and where its people could go; the safety layer
is switched on from the panel and draws the C and D buildings. Screenshots go to the
artifacts folder."""

from __future__ import annotations

from tests.artifacts import ARTIFACTS


def test_dashboard_safety_block(web, manifest: dict) -> None:
    [d] = manifest["dangerous_buildings"]["D"]
    [c] = manifest["dangerous_buildings"]["C"]
    web.open("/dashboard")
    page = web.page
    page.wait_for_selector("#dashboard[data-state=ready]")
    safety = page.evaluate("() => GIS.fetchJSON('/api/v1/dashboard')")["safety"]
    block = page.locator("#dash-safety")
    grades = block.locator(".dash-grade")
    assert grades.count() == 4 + ("none" in safety["grades"])
    assert grades.nth(3).inner_text() == f"D 级 {safety['grades']['D']}"
    occupied = safety["occupied"]
    assert block.locator('[data-safety="occupied"] .value').inner_text() == "2"
    assert f"{occupied['people']} 人" in block.locator('[data-safety="occupied"] .sub').inner_text()
    assert block.locator('[data-safety="overdue"] .value').inner_text() == str(safety["overdue"])
    assert "超过 5 年" in block.locator('[data-safety="overdue"] .label').inner_text()
    rows = block.locator('[data-safety="buildings"] tr')
    assert rows.count() == 3  # header, D, C
    first, second = rows.nth(1), rows.nth(2)
    assert f"building={d['building_id']}" in first.locator("a").get_attribute("href")
    assert "停止使用、立即搬迁" in first.inner_text()
    assert f"building={c['building_id']}" in second.locator("a").get_attribute("href")
    assert "限制使用、安排加固或搬迁" in second.inner_text()
    assert "format=xlsx" in block.locator('[data-safety="report"]').get_attribute("href")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    block.screenshot(path=str(ARTIFACTS / "web_dashboard_safety.png"))


def test_map_panel_and_layer_of_a_d_building(web, manifest: dict) -> None:
    [d] = manifest["dangerous_buildings"]["D"]
    web.open(f"/map?building={d['building_id']}")
    page = web.page
    # the relocation asks the idle-space match once per floor of the building (2 cores, shared)
    page.wait_for_selector("#building-relocation li", state="attached", timeout=60_000)
    danger = page.inner_text("#building-safety .gis-safety-error")
    assert danger.startswith("D 级危房：") and " 人在 " in danger
    assert "停止使用、立即搬迁" in page.inner_text("#building-safety-action")
    # nothing takes the whole body: its floors are offered space one by one
    offers = page.locator("#building-relocation > li > ul > li")
    assert offers.count() >= 2
    assert "距离" in offers.first.inner_text()
    page.wait_for_function("window.GIS_LAYERS && window.GIS_LAYERS.buildings_safety")
    assert page.evaluate("() => GIS.map().hasLayer(GIS_LAYERS.buildings_safety)") is False
    page.check('[name="safety-layer"]')
    assert page.evaluate("() => GIS.map().hasLayer(GIS_LAYERS.buildings_safety)") is True
    page.wait_for_timeout(1500)  # the tiles of the safety layer
    web.shot("map_safety")
