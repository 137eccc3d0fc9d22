"""Figures that seemed to contradict each other (issue 17): a building panel's data-quality
count now counts only findings about that building, and each vacancy figure names its
basis and date in its label and tooltip, so the dashboard's body figure and the panel's
building figure say why they differ."""

from __future__ import annotations

FIND = """async () => {
  const chart = (await GIS.fetchJSON("/api/v1/dashboard?top=50")).charts.vacancy_by_building;
  for (const b of chart.rows) {
    const found = await GIS.fetchJSON(
      `/api/v1/analysis/data-quality?building_id=${b.building_id}&limit=1000`);
    const here = found.items.filter(f => f.building_id === b.building_id).length;
    const bodies = found.items.length - here;
    if (bodies > 0) {
      const summary = await GIS.fetchJSON(`/api/v1/analysis/buildings/${b.building_id}/summary`);
      return {id: b.building_id, here, bodies, rate: b.vacancy_rate, summary};
    }
  }
  return null;
}"""


def test_building_panel_counts_its_own_findings_and_names_its_bases(web) -> None:
    web.open("/map")
    page = web.page
    found = page.evaluate(FIND)
    assert found is not None, "a building used by a body with a finding of its own"
    summary = found["summary"]
    # Findings about the body (staff above 编制数 …) are no longer charged to its building.
    assert summary["data_quality_findings"] == found["here"]
    assert summary["data_quality_findings_of_bodies"] == found["bodies"] > 0
    # The dashboard's building chart and the panel share one basis, hence one figure.
    assert summary["vacancy"]["vacancy_rate"] == found["rate"]
    web.open(f"/map?building={found['id']}")
    page.wait_for_selector("#building-facts")
    cells = {th.inner_text(): th for th in page.locator("#building-facts th").all()}
    findings = cells["账实不符问题（本楼）"]
    assert findings.evaluate("th => th.nextElementSibling.textContent") == str(found["here"])
    note = findings.get_attribute("title")
    assert f"另有 {found['bodies']} 条" in note and summary["as_of"] in note
    vacancy = cells["空置率（空置 ÷ 可分配使用面积）"].get_attribute("title")
    assert "可分配使用面积" in vacancy and "口径不同" in vacancy and summary["as_of"] in vacancy
    web.shot("figure_notes_panel")


def test_dashboard_vacancies_name_their_bases_and_date(web) -> None:
    web.open("/dashboard")
    page = web.page
    page.wait_for_function("document.getElementById('dash-as-of').textContent !== ''")
    as_of = page.evaluate("GIS.fetchJSON('/api/v1/dashboard').then(d => d.as_of)")
    building = page.locator("#title-vacancy_by_building")
    body = page.locator("#title-vacancy_by_body")
    assert "空置 ÷ 可分配使用面积" in building.inner_text()
    assert "无人办公室 ÷ 办公室面积" in body.inner_text()
    assert "与地图建筑面板" in building.get_attribute("title")
    assert "口径不同" in body.get_attribute("title")
    kpi = page.locator('[data-kpi="vacancy_rate"] .label').get_attribute("title")
    for note in (kpi, building.get_attribute("title"), body.get_attribute("title")):
        assert f"统计日期 {as_of}" in note
    web.shot("figure_notes_dashboard")
