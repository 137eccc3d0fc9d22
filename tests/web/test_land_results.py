"""The land page after the user trial (issue 17): the results stand beside the map on a
desktop and below it on a phone, scrolled to; a legend gives each score colour its band and
ranks; AHP weights from pairwise judgements; the form's own messages in Chinese, none left
over from an earlier run; every preset value marked as a default; scheme names in words."""

from __future__ import annotations

import re

import pytest

from gis_app.land.weights import ahp

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _written(value: float) -> str:
    """A weight as the page writes it: three decimals at most, no trailing zeros."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _in_viewport(page, selector: str) -> dict:
    """The element's box in the viewport, asserting its top part is on screen."""
    box = page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
           return {x: r.x, y: r.y, right: r.right, bottom: r.bottom, h: innerHeight, w: innerWidth}; }""",
        selector,
    )
    assert 0 <= box["y"] < box["h"] - 100, box
    assert box["x"] >= 0 and box["right"] <= box["w"] + 0.5, box
    return box


def _run(page) -> None:
    page.click("#land-run")
    page.wait_for_selector("#land-table tbody tr")


def test_results_beside_the_map_on_a_desktop(web) -> None:
    page = web.page
    page.set_viewport_size(DESKTOP)
    web.open("/land")
    assert page.is_hidden("#land-results-pane")  # nothing to show yet: the map is wide
    _run(page)
    pane = _in_viewport(page, "#land-results-pane")
    _in_viewport(page, "#land-table")
    panel = page.locator("#panel").bounding_box()
    map_box = page.locator(".folium-map").bounding_box()
    assert map_box["x"] + map_box["width"] <= pane["x"] + 0.5  # map | results | form
    assert pane["right"] <= panel["x"] + 0.5
    assert page.evaluate("scrollY") == 0
    # The legend: five score bands, best first, each with the ranks drawn in its colour.
    bands = page.locator("#land-legend-table tr").all_inner_texts()
    assert len(bands) == 5
    assert bands[0].split("\t")[1] == "得分 0.8–1"
    scores = [float(s) for s in page.locator("#land-table tbody td:nth-child(5)").all_inner_texts()]
    top_band = [r for r, s in enumerate(scores, start=1) if s >= 0.8]
    expected = (
        "无"
        if not top_band
        else (
            f"第 {top_band[0]} 名" if len(top_band) == 1 else f"第 {top_band[0]}–{top_band[-1]} 名"
        )
    )
    assert bands[0].split("\t")[2] == expected
    ranks_named = re.findall(r"\d+", " ".join(b.split("\t")[2] for b in bands))
    assert "1" in ranks_named and str(len(scores)) in ranks_named
    # The area and score columns say what they are and of when.
    note = page.get_attribute("#land-table th.gis-note:last-child", "title")
    assert note.startswith("各评分指标的得分") and re.search(r"\d{4}-\d{2}-\d{2}", note)
    # A parcel's criteria carry their units.
    page.click("#land-table tbody tr:first-child")
    raw = page.locator("#land-criteria tbody td:nth-child(2)").all_inner_texts()
    assert raw and all(re.search(r"(m|m²|°)$", value) for value in raw), raw
    web.shot("land_desktop_results")


def test_results_below_the_map_on_a_phone_scrolled_to(web) -> None:
    page = web.page
    page.set_viewport_size(PHONE)
    web.open("/land")
    page.locator("#land-run").scroll_into_view_if_needed()
    assert page.evaluate("scrollY") > 0  # the form lies below the map
    web.shot("land_phone_form")
    _run(page)
    page.wait_for_timeout(300)
    pane = _in_viewport(page, "#land-results-pane")
    map_box = page.evaluate("document.querySelector('.folium-map').getBoundingClientRect().bottom")
    assert map_box <= pane["y"] + 0.5  # below the map
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    web.shot("land_phone_results")


def test_ahp_judgements_give_the_weights_shown(web) -> None:
    page = web.page
    page.set_viewport_size(DESKTOP)
    web.open("/land")
    page.check('[name="weighting"][value="ahp"]')
    assert page.is_visible("#land-ahp") and page.is_hidden("#land-direct")
    keys = page.evaluate("GIS.data().criteria")
    assert keys[0] == "metro" and keys[-1] == "area"
    n = len(keys)

    def judged(pairs: dict[int, str]) -> list[float]:
        """Metro over criterion j as given, every other pair equal; the weights shown."""
        matrix = [[1.0] * n for _ in range(n)]
        for j, value in pairs.items():
            page.select_option(f"#ahp-metro-{keys[j]}", value)
            matrix[0][j] = 1 / int(value[2:]) if value.startswith("1/") else int(value)
            matrix[j][0] = 1 / matrix[0][j]
        expected = ahp(matrix)
        _run(page)
        text = page.inner_text("#land-weights")
        assert "权重（层次分析法）" in text
        shown = [float(w) for w in re.findall(r"(?:站|缓|浅|中) (0\.\d+)", text)]
        assert shown == pytest.approx(expected.values, abs=6e-4)
        cr = f"{expected.consistency_ratio:.3f}".rstrip("0").rstrip(".")
        assert f"CR = {cr}" in text
        return text

    # Metro far above area but level with the rest: judgements that contradict each other.
    assert "判断前后矛盾" in judged({n - 1: "9"})
    web.shot("land_ahp_inconsistent")
    # Metro three times as important as each other criterion: consistent, CR 0.
    text = judged(dict.fromkeys(range(1, n), "3"))
    assert "CR = 0（≤ 0.1，判断一致）" in text
    assert f"近地铁站 {_written(3 / (n + 2))}" in text
    web.shot("land_ahp")


def test_validation_in_chinese_and_no_stale_message(web) -> None:
    page = web.page
    page.set_viewport_size(DESKTOP)
    web.open("/land")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/land/" in r.url else None)
    page.check('[name="mode"][value="search"]')
    page.fill("#area-min", "-5")
    page.click("#land-run")
    error = page.locator(".land-field-error")
    assert error.all_inner_texts() == ["最小面积 (m²)：不能小于 0"]
    assert page.evaluate("document.getElementById('area-min').validationMessage") == (
        "最小面积 (m²)：不能小于 0"
    )
    assert page.evaluate("document.activeElement.id") == "area-min"
    web.shot("land_validation")
    page.fill("#area-min", "5000")
    page.fill("#area-max", "100")
    page.click("#land-run")
    assert error.all_inner_texts() == ["最小面积不能大于最大面积。"]
    assert requests == []  # nothing was sent while the form was wrong
    # No weight above 0: nothing to score by, said next to the first weight.
    page.fill("#area-max", "")
    page.check('[name="mode"][value="selection"]')
    for key in page.evaluate("GIS.data().criteria"):
        page.fill(f"#w-{key}", "0")
    page.click("#land-run")
    assert error.all_inner_texts() == ["至少一项权重须大于 0，否则无从评分"]
    assert requests == []
    # Corrected, the next run leaves no message of the earlier ones on the page.
    page.fill("#w-metro", "5")
    _run(page)
    assert page.locator(".gis-message.error, .land-field-error, [aria-invalid]").count() == 0
    assert page.inner_text("#land-form-message") == ""
    assert page.evaluate("document.getElementById('land-form').checkValidity()")


def test_every_preset_value_is_marked_as_a_default(web) -> None:
    page = web.page
    web.open("/land")
    unmarked = page.evaluate(
        """() => Array.from(document.querySelectorAll('#land-form input')).filter(i =>
             i.name !== 'mode' && (i.type === 'checkbox' || i.type === 'radio' ? i.checked
               : i.value !== '')
           ).filter(i => {
             const label = i.closest('label') || document.querySelector(`label[for="${i.id}"]`);
             const mark = label && label.querySelector('.land-default');
             return !(mark && mark.offsetParent !== null) && i.offsetParent !== null;
           }).map(i => i.name)"""
    )
    assert unmarked == []
    marked = page.locator("#land-form .land-default:visible").count()
    assert marked >= 6  # two statuses, three zones, the urban boundary, weights …
    page.uncheck('[name="status"][value="idle"]')  # changed: no longer the default
    assert page.is_hidden('label:has([name="status"][value="idle"]) .land-default')
    page.check('[name="status"][value="idle"]')
    assert page.is_visible('label:has([name="status"][value="idle"]) .land-default')
    assert page.input_value("#slope-max") == ""  # no slope limit unless asked
    assert page.get_attribute("#slope-max", "placeholder") == "不限"
    options = page.locator("#land-scheme option").all_inner_texts()
    assert options == [
        "GB/T 21010-2017 土地利用现状分类",
        "国土空间调查、规划、用途管制用地用海分类（2023）",
        "国土调查工作分类（三调，TD/T 1055-2019）",
    ]
