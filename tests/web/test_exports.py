"""The export and print links of the map, floor plan and dashboard pages in Chromium over the
demo district: each is pointed at what the page shows when clicked (the map's view, the floor
shown, the dashboard's scope), and what it fetches is checked against the API. The
dashboard's filter bar opens the dashboard of a district. Counts come from the API."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader

_HREF = """el => {
  el.addEventListener("click", event => event.preventDefault());
  el.click();
  return el.getAttribute("href");
}"""


def _href(page, selector: str) -> str:
    """Where the link leads once clicked (the navigation itself is held back)."""
    return page.eval_on_selector(selector, _HREF)


def _get(web, href: str):
    response = web.page.request.get(web.base + href)
    assert response.status == 200, response.text()
    return response


def _rows(body: bytes) -> int:
    """Data rows of a register workbook (under title, subtitle, blank line and header)."""
    return load_workbook(io.BytesIO(body)).active.max_row - 4


def test_map_view_exports(web) -> None:
    page = web.page
    web.open("/map")
    page.wait_for_selector('[data-exports="view"][data-ready="true"]')
    page.wait_for_timeout(500)
    href = _href(page, '[data-exports="view"] [data-export="xlsx"]')
    assert href.startswith("/api/v1/registers/buildings?format=xlsx&bbox=")
    bbox = href.split("bbox=")[1].split("&")[0]
    in_view = _get(web, f"/api/v1/registers/buildings?bbox={bbox}&limit=1").json()["total"]
    assert in_view > 0
    assert _rows(_get(web, href).body()) == in_view
    page.select_option('[data-exports="view"] [data-export-paper]', "A3")
    pdf_href = _href(page, '[data-exports="view"] [data-export="pdf"]')
    assert f"bbox={bbox}" in pdf_href and "paper=A3" in pdf_href
    pdf = PdfReader(io.BytesIO(_get(web, pdf_href).body()))
    assert len(pdf.pages) == 1
    assert round(float(pdf.pages[0].mediabox.width) / 72 * 25.4) == 420  # A3 landscape, mm


def test_floor_exports(web) -> None:
    page = web.page
    web.open("/floor-plan?building=3&level=1")
    page.wait_for_selector('[data-exports="floor"][data-ready="true"]')
    href = _href(page, '[data-exports="floor"] [data-export="xlsx"]')
    floor_id = href.split("floor_id=")[1].split("&")[0]
    floors = _get(web, "/api/v1/buildings/3/floors").json()["items"]
    assert floor_id == str(next(f["id"] for f in floors if f["ordinal"] == 1))
    rooms = _get(web, f"/api/v1/registers/rooms?floor_id={floor_id}&limit=1").json()["total"]
    assert (
        _rows(_get(web, href).body())
        == rooms
        == next(f["room_count"] for f in floors if f["ordinal"] == 1)
    )
    pdf_href = _href(page, '[data-exports="floor"] [data-export="pdf"]')
    assert pdf_href.startswith("/print/floor-plan?building=3&level=1")
    response = _get(web, pdf_href)
    assert response.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.body())).pages) == 1
    web.shot("floor_exports")


def test_dashboard_filter_bar_and_workbook(web) -> None:
    page = web.page
    web.open("/dashboard")
    page.wait_for_selector("#dashboard[data-quality=ready]")  # nothing left loading
    district = page.locator('#dash-filters select[name="district"] option').nth(1).inner_text()
    page.select_option('#dash-filters select[name="district"]', label=district)
    page.click("#dash-apply")
    page.wait_for_url("**/dashboard?*district=*")
    page.wait_for_selector("#dashboard[data-quality=ready]")
    figures = _get(web, f"/api/v1/dashboard?district={district}").json()
    shown = page.inner_text('[data-kpi="buildings"] .value').replace(",", "")
    assert int(shown) == figures["totals"]["buildings"]
    assert district in page.inner_text("#dash-district")
    href = _href(page, '[data-exports="dashboard"] [data-export="xlsx"]')
    assert href.startswith("/api/v1/dashboard/xlsx?district=")
    book = load_workbook(io.BytesIO(_get(web, href).body()))
    assert len(book.worksheets) == 7  # totals and the six charts
    web.shot("dashboard_district")
