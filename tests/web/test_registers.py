"""The registers page in Chromium over the demo district, at a desktop (1440 × 900) and a phone
(390 × 844) size: the table shows what the API answers, a click on a column name sorts, the
filter bar narrows, the pager pages, and the export link downloads exactly the filtered
register as XLSX. Counts are compared with the API, not with sample figures."""

from __future__ import annotations

import io

from openpyxl import load_workbook

RATE = '#reg-table td[data-key="vacancy_rate"]'


def _ready(page) -> None:
    page.wait_for_selector("#registers[data-state=ready]")


def _api(web, kind: str, **params: object) -> dict:
    """The API's answer, asked by the page's own (signed-in) browser context."""
    response = web.page.request.get(f"{web.base}/api/v1/registers/{kind}", params=params)
    assert response.status == 200, response.text()
    return response.json()


def _rates(page) -> list[float]:
    return [float(text.rstrip("%") or "nan") for text in page.locator(RATE).all_inner_texts()]


def test_sort_filter_page_export(web) -> None:
    page = web.page
    page.set_viewport_size({"width": 1440, "height": 900})
    web.open("/registers")
    _ready(page)
    everything = _api(web, "buildings", limit=1)
    assert page.locator("#reg-table tbody tr").count() == min(everything["total"], 50)
    assert str(everything["total"]) in page.inner_text("#reg-range")

    page.click('th[data-key="vacancy_rate"] button')
    page.wait_for_selector('th[data-key="vacancy_rate"][aria-sort="ascending"]')
    _ready(page)
    page.click('th[data-key="vacancy_rate"] button')
    page.wait_for_selector('th[data-key="vacancy_rate"][aria-sort="descending"]')
    _ready(page)
    rates = _rates(page)
    assert rates == sorted(rates, reverse=True) and rates[0] > rates[-1]
    web.shot("registers_sorted_1440")

    district = page.locator('select[name="district"] option').nth(1).get_attribute("value")
    page.select_option('select[name="district"]', district)
    page.check('input[name="safety_grade"][value="A"]')
    page.click("#reg-apply")
    page.wait_for_function(
        "() => location.search.includes('district=') && "
        "document.getElementById('registers').dataset.state === 'ready'"
    )
    narrowed = _api(web, "buildings", district=district, safety_grade="A")
    assert 0 < narrowed["total"] < everything["total"]
    assert page.locator("#reg-table tbody tr").count() == narrowed["total"]
    assert set(page.locator('td[data-key="district"]').all_inner_texts()) == {district}
    assert set(page.locator('td[data-key="safety_grade"]').all_inner_texts()) == {"A"}

    href = page.get_attribute("#reg-export", "href")
    assert "format=xlsx" in href and "safety_grade=A" in href and "limit" not in href
    download = page.request.get(web.base + href)
    assert download.status == 200
    sheet = load_workbook(io.BytesIO(download.body())).active
    assert sheet["A1"].value == "建筑台账"
    assert sheet.max_row - 4 == narrowed["total"]  # title, subtitle, blank line, header
    web.shot("registers_filtered_1440")


def test_rooms_tab_pages(web) -> None:
    page = web.page
    web.open("/registers?tab=rooms")
    _ready(page)
    total = _api(web, "rooms", limit=1)["total"]
    assert total > 100
    assert page.get_attribute("#tab-rooms", "aria-selected") == "true"
    first = page.inner_text('#reg-table tbody tr:first-child td[data-key="room_id"]')
    page.click("#reg-next")
    page.wait_for_function("() => location.search.includes('offset=50')")
    _ready(page)
    assert page.inner_text("#reg-range").startswith("第 51–100 条")
    assert page.inner_text('#reg-table tbody tr:first-child td[data-key="room_id"]') != first
    assert page.is_disabled("#reg-prev") is False
    assert page.locator('[data-only="rate"]').is_hidden()
    assert page.locator('select[name="status"]').is_visible()


def test_phone_size(web) -> None:
    page = web.page
    page.set_viewport_size({"width": 390, "height": 844})
    web.open("/registers?tab=bodies&sort=usable_area_m2&order=desc")
    _ready(page)
    assert page.get_attribute('th[data-key="usable_area_m2"]', "aria-sort") == "descending"
    wrap = page.evaluate(
        "() => { const w = document.querySelector('.reg-table-wrap');"
        " return [w.clientWidth, w.scrollWidth, document.documentElement.scrollWidth]; }"
    )
    assert wrap[0] <= 390 and wrap[1] > wrap[0]  # the table scrolls inside its frame
    assert wrap[2] <= 390  # the page itself does not
    assert page.locator("#reg-export").is_visible()
    web.shot("registers_bodies_390")
