"""The map browser in a browser: it loads with its catalog layers and no request off the
machine; clicking a building opens its facts and floors; a floor opens the floor plan; the
search finds a body; the colour switch changes the building layer."""

from __future__ import annotations

from sqlalchemy import text


def _building(sample_engine) -> tuple[int, str]:
    with sample_engine.connect() as conn:
        row = conn.execute(text("SELECT id, name FROM building WHERE code = 'HZ-B000017'")).one()
    return row[0], row[1]


def test_map_loads_with_tiles_and_a_building_click_opens_its_floors(web, sample_engine) -> None:
    building_id, name = _building(sample_engine)
    tiles: list[str] = []
    web.page.on("response", lambda r: tiles.append(r.url) if "/tiles/" in r.url else None)
    web.open(f"/map?building={building_id}")
    page = web.page
    page.wait_for_selector("#building-name")
    assert page.inner_text("#building-name") == name
    page.evaluate("document.getElementById('building-panel').innerHTML = ''")
    page.wait_for_function("window.GIS_LAYERS && window.GIS_LAYERS.buildings_vacancy")
    page.wait_for_timeout(500)
    x, y = page.evaluate(
        """async (id) => {
          const found = await GIS.fetchJSON("/api/v1/search?q=HZ-B000017");
          const b = found.items.find(i => i.kind === "building" && i.id === id);
          const p = GIS.map().latLngToContainerPoint([b.lat, b.lon]);
          return [p.x, p.y];
        }""",
        building_id,
    )
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector("#building-floors a.gis-floor-link")
    assert page.inner_text("#building-name") == name
    assert any("/tiles/buildings_vacancy/" in url for url in tiles)
    web.shot("map_building")
    floors = page.locator("#building-floors a.gis-floor-link")
    assert floors.count() >= 3
    floors.last.click()
    page.wait_for_url("**/floor-plan?building=*")
    page.wait_for_selector(".folium-map path.leaflet-interactive")


def test_search_a_body_and_switch_colouring(web) -> None:
    web.open("/map")
    page = web.page
    page.fill("#map-search", "审计局")
    page.wait_for_selector("#map-search-results a")
    page.locator("#map-search-results a", has_text="杭州市审计局").first.click()
    page.wait_for_selector("#building-panel h3")
    assert "杭州市审计局" in page.inner_text("#building-panel h3")
    page.check('[name="colour"][value="over_standard"]')
    shown = page.evaluate(
        "() => [GIS.map().hasLayer(GIS_LAYERS.buildings_over_standard),"
        " GIS.map().hasLayer(GIS_LAYERS.buildings_vacancy)]"
    )
    assert shown == [True, False]
    web.shot("map_body")
