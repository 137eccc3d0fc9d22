"""The land page in a browser: the form runs a site selection on the demo district and shows
the planted ideal parcels first, explains a parcel, lists why others were excluded; a search
with impossible criteria shows an empty result with a message; English works."""

from __future__ import annotations


def test_site_selection_from_the_form(web, manifest: dict) -> None:
    web.open("/land")
    page = web.page
    page.click("#land-run")
    page.wait_for_selector("#land-table tbody tr")
    codes = page.locator("#land-table tbody tr td:nth-child(2)").all_inner_texts()
    ideal = {c["parcel_code"] for c in manifest["ideal_parcels"]}
    assert set(codes[:2]) == ideal
    drawn = page.locator(".folium-map path.leaflet-interactive").count()
    assert drawn == len(codes)
    page.click("#land-table tbody tr:first-child")
    assert "综合得分" in page.inner_text("#land-detail")
    reasons = page.inner_text("#land-excluded")
    assert "洪涝风险区" in reasons
    web.shot("land_selection")


def test_an_impossible_search_is_an_empty_layer_with_a_message(web) -> None:
    web.open("/land")
    page = web.page
    page.check('[name="mode"][value="search"]')
    page.fill("#area-min", "900000000")
    page.click("#land-run")
    page.wait_for_selector("#land-summary .gis-message >> text=没有符合条件的地块")
    assert page.locator("#land-table").count() == 0
    assert page.locator(".folium-map path.leaflet-interactive").count() == 0


def test_english_and_a_mistake_caught_before_sending(web) -> None:
    web.open("/land?lang=en")
    page = web.page
    assert page.inner_text("nav a.current") == "Land search"
    page.check('[name="mode"][value="search"]')
    page.fill("#area-min", "5000")
    page.fill("#area-max", "100")
    page.click("#land-run")
    page.wait_for_selector(".land-field-error")
    assert "minimum area cannot exceed" in page.inner_text("#area-max + .land-field-error")
    assert page.is_hidden("#land-results-pane")
    web.shot("land_english")


def test_dashboard_link_runs_its_search(web, sample_engine) -> None:
    from sqlalchemy import text

    with sample_engine.connect() as conn:
        district, idle = conn.execute(
            text(
                "SELECT district, count(*) FROM land_parcel WHERE status = 'idle' "
                "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
            )
        ).one()
    web.open(f"/land?district={district}&status=idle")
    page = web.page
    page.wait_for_selector("#land-summary .gis-message >> text=找到")
    assert f"找到 {idle} 宗地块" in page.inner_text("#land-summary")
    assert page.locator("#land-table tbody tr").count() == idle
