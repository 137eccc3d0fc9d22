"""Every page at a desktop (1440 × 900) and a phone (390 × 844) size: nothing wider than the
screen, the map a real size, the side panel on screen (a bottom sheet on the phone), the
navigation folded behind its menu button on the phone; the legend's box clear of the layer
control's with the parcels by land use on; the map's URL round trip (open the address the
map wrote: same view, layers and selection); the map↔floor-plan links keep the building."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
PAGES = {
    "map": "/map",
    "floor_choose": "/floor-plan",
    "floor_plan": "/floor-plan?building={building}&level=0",
    "dashboard": "/dashboard",
    "land": "/land",
    "account": "/account",
}
LAND_LAYERS = "dem_hillshade,flood_depth,parcels_landuse,roads,buildings_vacancy,transit_stations"


def _building(sample_engine) -> int:
    with sample_engine.connect() as conn:
        return conn.execute(text("SELECT id FROM building WHERE code = 'HZ-B000017'")).scalar_one()


def _box(page, selector: str) -> dict[str, float] | None:
    return page.evaluate(
        """(s) => { const el = document.querySelector(s);
          if (!el || !el.getClientRects().length) { return null; }
          const r = el.getBoundingClientRect();
          return {x: r.left, y: r.top, right: r.right, bottom: r.bottom,
                  width: r.width, height: r.height}; }""",
        selector,
    )


def _fits(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    inner = page.evaluate("innerWidth")
    assert width <= inner, f"page is {width} px wide in a {inner} px window"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_fits_the_screen(web, sample_engine, name: str, size: str) -> None:
    width, height = SIZES[size]
    page = web.page
    page.set_viewport_size({"width": width, "height": height})
    web.open(PAGES[name].format(building=_building(sample_engine)))
    page.wait_for_load_state("networkidle")
    _fits(page)
    web.shot(f"layout_{name}_{size}")
    nav = _box(page, ".gis-nav")
    assert nav is not None and nav["height"] <= 48, f"the navigation wrapped: {nav}"
    if page.locator(".folium-map").count():
        map_box = _box(page, ".folium-map")
        assert map_box["width"] > 300 and map_box["height"] > 250, map_box
        panel = _box(page, "#panel")
        assert panel is not None and panel["height"] >= 200, panel
        assert panel["x"] >= 0 and panel["right"] <= width and panel["y"] < height - 150
        if size == "phone" and name == "land":
            # the land page stacks map, results and form and scrolls to the results
            assert panel["width"] == width and map_box["bottom"] <= panel["y"] + 1
        elif size == "phone":
            assert panel["width"] == width and panel["bottom"] == height  # a bottom sheet
            assert map_box["bottom"] <= panel["y"] + 1  # the map above it, not under it
            page.click("#sheet-handle")
            page.wait_for_timeout(300)
            assert _box(page, "#panel")["height"] > height * 0.7
    if size == "phone":
        assert _box(page, ".gis-nav-menu") is None  # folded
        page.click("#nav-toggle")
        links = page.locator(".gis-nav-menu a[data-page]")
        assert links.count() >= 4
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box["height"] >= 44 and box["x"] + box["width"] <= width
        _fits(page)
        web.shot(f"layout_{name}_{size}_open")


@pytest.mark.parametrize("size", SIZES)
def test_login_fits_the_screen(browser, live_url: str, size: str) -> None:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_url}/login", wait_until="load")
    _fits(page)
    form = page.locator("form").bounding_box()
    assert form["x"] >= 0 and form["x"] + form["width"] <= width
    from tests.artifacts import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web_layout_login_{size}.png"))
    context.close()


def _intersect(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["right"] <= b["x"]
        or b["right"] <= a["x"]
        or a["bottom"] <= b["y"]
        or b["bottom"] <= a["y"]
    )


@pytest.mark.parametrize("size", SIZES)
def test_legend_stays_clear_of_the_layer_control(web, size: str) -> None:
    width, height = SIZES[size]
    page = web.page
    page.set_viewport_size({"width": width, "height": height})
    web.open(f"/map?layers={LAND_LAYERS}")
    page.wait_for_function("GIS.map().hasLayer(GIS_LAYERS.parcels_landuse)")
    page.wait_for_load_state("networkidle")
    page.evaluate("GIS.map().gisLegend.setOpen(true)")
    page.wait_for_timeout(400)
    legend = _box(page, "#map-legend")
    control = _box(page, ".leaflet-control-layers")
    assert legend is not None and control is not None
    assert not _intersect(legend, control), (legend, control)
    body = page.evaluate(
        "(() => { const b = document.querySelector('#map-legend .gis-legend-body');"
        " return [b.scrollHeight, b.clientHeight, getComputedStyle(b).overflowY]; })()"
    )
    assert body[2] == "auto"
    visible = page.evaluate(
        "Array.from(document.querySelectorAll('#map-legend [data-value]'))"
        ".filter(r => r.getClientRects().length).map(r => r.dataset.value)"
    )
    in_view = page.evaluate("Array.from(GIS_LAYERS.parcels_landuse.gisValuesInView())")
    landuse = [v for v in visible if ":" in v]
    assert landuse and set(landuse) <= set(in_view)
    assert len(landuse) < 30  # the classes in view, not the whole catalogue of both schemes
    titles = page.locator("#map-legend .gis-legend-title").all_inner_texts()
    assert "洪水淹没深度" in titles and "地形晕渲" in titles
    # a click on the layer control lands on it, not on the legend
    cx, cy = control["x"] + control["width"] / 2, control["bottom"] - 8
    hit = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y).closest('.leaflet-control-layers')",
        [cx, cy],
    )
    assert hit
    web.shot(f"layout_legend_{size}")
    page.click("#map-legend .gis-legend-head")
    assert _box(page, "#map-legend .gis-legend-body") is None  # folded


def _settled(page) -> None:
    """Wait until the map's labels and tiles have come (wait_for_load_state would not: it
    answers at once for a state the page reached before)."""
    page.wait_for_function(
        "(() => { const d = GIS.map().getContainer().dataset;"
        " return d.labels === 'done' && d.tilesWaiting === '0'; })()"
    )
    page.wait_for_timeout(200)


def _state(page) -> dict:
    return page.evaluate(
        """() => { const m = GIS.map(), c = m.getCenter();
          return {lat: +c.lat.toFixed(5), lon: +c.lng.toFixed(5), zoom: m.getZoom(),
                  layers: Object.keys(GIS_LAYERS).filter(id => m.hasLayer(GIS_LAYERS[id])).sort(),
                  title: (document.querySelector('#group-name, #building-name') || {}).textContent};
        }"""
    )


def test_the_map_url_round_trip(web, browser, live_url, live_headers) -> None:
    page = web.page
    web.open("/map")
    page.fill("#map-search", "审计局")
    page.press("#map-search", "Enter")  # Enter opens the first match: a building first
    page.wait_for_selector("#building-facts")
    first = page.locator("#map-search-results a").first.inner_text()
    assert page.inner_text("#building-name") in first
    page.locator("#map-search-results a", has_text="杭州市审计局").filter(has_text="单位").click()
    page.wait_for_selector("#group-facts")
    assert "杭州市审计局" in page.inner_text("#group-name")
    assert page.locator("#group-buildings li").count() >= 1
    assert "/dashboard?body=" in page.get_attribute("#group-dashboard", "href")
    page.check('[name="colour"][value="over_standard"]')
    page.evaluate("GIS.map().addLayer(GIS_LAYERS.parcels_landuse)")
    page.evaluate("GIS.map().setView([30.262, 120.155], 16.5, {animate: false})")
    _settled(page)
    before = _state(page)
    url = page.url
    assert re.search(r"[?&]body=\d+", url) and "view=" in url and "parcels_landuse" in url
    other = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", extra_http_headers=live_headers
    )
    again = other.new_page()
    again.goto(url, wait_until="load")
    again.wait_for_selector("#group-facts")
    after = _state(again)
    other.close()
    assert after == before
    assert before["layers"].count("buildings_over_standard") == 1
    assert "buildings_vacancy" not in before["layers"]


def test_map_and_floor_plan_keep_the_building(web, sample_engine) -> None:
    building = _building(sample_engine)
    page = web.page
    web.open(f"/map?building={building}")
    page.wait_for_selector("#building-floors")
    _settled(page)  # a label request cut short by leaving the page would count as failed
    assert f"building={building}" in page.get_attribute('.gis-nav a[data-page="floors"]', "href")
    page.click('.gis-nav a[data-page="floors"]')
    page.wait_for_url("**/floor-plan?building=*")
    page.wait_for_selector('.gis-levels button[aria-pressed="true"]')
    page.wait_for_selector("#floor-summary h3")
    assert f"building={building}" in page.get_attribute('.gis-nav a[data-page="map"]', "href")
    page.click('.gis-nav a[data-page="map"]')
    page.wait_for_selector("#building-name")
    assert f"building={building}" in page.url


def test_parcel_click_campus_panel_tools(web) -> None:
    page = web.page
    web.open("/map?layers=parcels_landuse,buildings_vacancy&view=30.2400,120.1200,16")
    page.wait_for_load_state("networkidle")
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#parcel-facts")
    assert page.inner_text("#parcel-name").startswith("宗地")
    assert "m²" in page.inner_text("#parcel-facts")
    # home button: back to the configured home view
    page.click("#map-home")
    centre = page.evaluate("GIS.map().getCenter()")
    assert 120.13 < centre["lng"] < 120.175 and 30.25 < centre["lat"] < 30.275
    # building labels at district zoom, tile-loading note settles
    page.wait_for_selector(".gis-building-label span")
    page.wait_for_function("GIS.map().getContainer().dataset.tilesWaiting === '0'")
    # measuring: one degree of latitude on the sphere is 111.195 km
    metres = page.evaluate("GIS.mapTools.length([L.latLng(30, 120), L.latLng(31, 120)])")
    assert abs(metres - 111_195) < 1
    page.click("#measure-line")
    assert page.evaluate("GIS.map().pm.globalDrawModeEnabled()")
    # a campus from the search: its buildings and figures
    page.click("#measure-clear")
    page.fill("#map-search", "大院")
    page.wait_for_selector("#map-search-results a")
    page.locator("#map-search-results a", has_text="院落").first.click()
    page.wait_for_selector("#group-facts")
    assert page.inner_text("#group-name").startswith("院落")
    assert page.locator("#group-buildings li").count() >= 1
    assert "campus=" in page.url
    _settled(page)
    web.shot("layout_campus")


def test_floor_plan_chooser_searches_beyond_its_list(web, sample_engine, monkeypatch) -> None:
    """With more buildings than the chooser lists, it says how many and the search finds
    them (more than the map's 8 a kind); Enter opens the first building found."""
    from gis_app.web import floor_page

    monkeypatch.setattr(floor_page, "CHOOSER_LIST_MAX", 10)  # the app runs in this process
    page = web.page
    web.open("/floor-plan")
    assert page.locator("#floor-buildings").count() == 0
    with sample_engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM building")).scalar_one()
    assert f"共 {total} 栋" in page.inner_text("#panel")
    page.fill("#floor-search", "办公楼")
    page.wait_for_selector("#floor-search-results a")
    assert page.locator("#floor-search-results a").count() > 8
    first = page.locator("#floor-search-results a").first.inner_text()
    page.press("#floor-search", "Enter")
    page.wait_for_url("**/floor-plan?building=*")
    page.wait_for_selector("#floor-title")
    assert page.inner_text("#floor-title") == first


def test_home_view_must_be_a_box() -> None:
    from pydantic import ValidationError

    from gis_app.config import SAMPLE_DISTRICT_BBOX, Settings

    assert Settings().home_bbox == SAMPLE_DISTRICT_BBOX
    assert Settings(home_bbox=None).home_bbox is None
    with pytest.raises(ValidationError, match="GIS_HOME_BBOX"):
        Settings(home_bbox=(120.2, 30.2, 120.1, 30.3))
