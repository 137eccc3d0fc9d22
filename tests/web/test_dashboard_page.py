"""The dashboard in a browser over the demo district: every chart is drawn (Chart.js holds its
data and the canvas has paint on it), the KPI cards show the API's figures, a bar and a table
row open the map on their building or body, a body's subtree can be shown, and English works.
Any console error or request leaving 127.0.0.1 fails the test (tests/web/conftest.py)."""

from __future__ import annotations

import re

from tests.artifacts import ARTIFACTS

CHARTS = (
    "vacancy_by_building",
    "over_standard_by_body",
    "vacancy_by_body",
    "over_standard_by_building",
    "parcels_by_district",
    "parcels_by_status",
)

_DRAWN = """() => [...document.querySelectorAll("[data-chart]")].map(figure => {
  const canvas = figure.querySelector("canvas");
  const chart = canvas && Chart.getChart(canvas);
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { painted += 1; } }
  return {
    name: figure.dataset.chart,
    datasets: chart ? chart.data.datasets.length : 0,
    points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0,
    painted: painted / (canvas.width * canvas.height),
  };
})"""

_FIRST_BAR = """(name) => {
  const chart = Chart.getChart(document.getElementById("chart-" + name));
  const bar = chart.getDatasetMeta(0).data[0];
  const box = chart.canvas.getBoundingClientRect();
  return {x: box.left + (bar.base + bar.x) / 2, y: box.top + bar.y};
}"""


def _ready(page) -> None:
    page.wait_for_selector("#dashboard[data-state=ready]")
    page.wait_for_selector("#dashboard[data-quality=ready]")


def _kpi(page, name: str) -> str:
    return page.inner_text(f'[data-kpi="{name}"] .value')


def _stub_map(page) -> None:
    """The map page stands in as a stub: these tests are about where the dashboard leads."""
    page.route(
        re.compile(r".*/map\?.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>map</p>"),
    )


def test_dashboard_charts_render(web) -> None:
    web.open("/dashboard")
    page = web.page
    _ready(page)
    drawn = {c["name"]: c for c in page.evaluate(_DRAWN)}
    assert set(drawn) == set(CHARTS)
    for name, chart in drawn.items():
        assert chart["datasets"] >= 1 and chart["points"] >= 1, name
        assert chart["painted"] > 0.01, name
    figures = page.evaluate("() => GIS.fetchJSON('/api/v1/dashboard')")
    totals = figures["totals"]
    assert _kpi(page, "buildings") == str(totals["buildings"]) == "60"
    assert _kpi(page, "over_standard_rooms") == str(totals["over_standard_rooms"])
    assert _kpi(page, "bodies_over_quota") == str(totals["bodies_over_office_quota"])
    assert _kpi(page, "idle_parcels") == "12"
    assert _kpi(page, "vacancy_rate") == f"{100 * totals['vacancy_rate']:.1f}%"
    assert _kpi(page, "data_quality") not in ("…", "–")
    assert "统计日期" in page.inner_text("#dash-as-of")
    web.shot("dashboard")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web_dashboard_full.png"), full_page=True)


def test_a_bar_opens_its_building_on_the_map(web) -> None:
    web.open("/dashboard")
    page = web.page
    _ready(page)
    _stub_map(page)
    page.locator("#chart-vacancy_by_building").scroll_into_view_if_needed()
    first = page.evaluate("() => GIS.fetchJSON('/api/v1/dashboard?top=1')")
    building = first["charts"]["vacancy_by_building"]["rows"][0]
    assert building["code"] == "HZ-B000005"
    point = page.evaluate(_FIRST_BAR, "vacancy_by_building")
    with page.expect_navigation(url=re.compile(r"/map\?building=\d+")):
        page.mouse.click(point["x"], point["y"])
    assert page.url.endswith(f"/map?building={building['building_id']}&lang=zh-CN")


def test_a_table_row_opens_its_body_on_the_map(web) -> None:
    web.open("/dashboard")
    page = web.page
    _ready(page)
    _stub_map(page)
    figure = page.locator('[data-chart="over_standard_by_body"]')
    figure.locator("summary").click()
    link = figure.locator("table a").first
    # the bodies over their office quota come first: the two keeping a planted empty floor
    assert link.inner_text() in ("杭州市审计局", "杭州市统计局")
    with page.expect_navigation(url=re.compile(r"/map\?body=\d+")):
        link.click()
    assert re.search(r"/map\?body=\d+&lang=zh-CN$", page.url)


def test_a_body_subtree(web) -> None:
    web.open("/dashboard?body=28")
    page = web.page
    _ready(page)
    assert "西湖区人民政府" in page.inner_text(".dash-scope")
    assert _kpi(page, "bodies") == "11"
    assert page.get_attribute(".dash-scope a", "href") == "/map?body=28&lang=zh-CN"
    web.shot("dashboard_body")


def test_english(web) -> None:
    web.open("/dashboard")
    page = web.page
    _ready(page)
    page.click("[data-lang-switch]")
    page.wait_for_url(re.compile(r"lang=en"))
    _ready(page)
    assert page.inner_text("h1") == "Office space and land dashboard"
    assert page.inner_text("nav a.current") == "Dashboard"
    assert page.inner_text('[data-kpi="buildings"] .label') == "Buildings"
    assert page.inner_text("#dash-as-of").startswith("As of")
    labels = page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-over_standard_by_body'))"
        ".data.datasets.map(d => d.label)"
    )
    assert labels == ["Offices", "Service rooms", "Equipment rooms"]
    web.shot("dashboard_english")
