"""The words of land results, from the user trial of /land (issue 17): ranges written out
(0–500 m, never "—–500 m"), one name for the transit criterion in the form and the reason,
units on every value, no "overlaps 0 m²" exclusion, coded values in the reader's language."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text

from gis_app.i18n import t
from gis_app.land.criteria import SiteSelection
from gis_app.land.explain import contributions, failures, ranked_text
from gis_app.land.run import select_sites
from gis_app.queries.land_form import raster_labels
from gis_app.reports.land_results import to_csv
from tests.land.conftest import polygon_wkt
from tests.land.test_selection import REQUEST


def _why(session, world, exclude: dict, lang: str = "zh-CN") -> dict[str, list[str]]:
    request = SiteSelection(**REQUEST | {"exclude": exclude})
    result = select_sites(session, request, world["raster_dir"])
    rasters = raster_labels(session)
    return {r["parcel_code"]: failures(r, request.exclude, lang, rasters) for r in result.excluded}


def test_an_open_lower_end_is_written_from_zero(land_session, land_world) -> None:
    metro = {"to": "station", "station_modes": ["metro"], "within_m": 500}
    why = _why(land_session, land_world, {"status": ["idle"], "distances": [metro]})
    # P6 lies 850 m from the metro station S1 (the bus stop S2 does not count).
    assert why["P6"] == ["距最近地铁站 850 m，要求 0–500 m"]
    assert not any("—" in reason for reasons in why.values() for reason in reasons)
    english = _why(land_session, land_world, {"status": ["idle"], "distances": [metro]}, "en")
    assert english["P6"] == ["nearest metro station is 850 m away; required 0–500 m"]


def test_the_reason_names_the_criterion_as_the_form_does(land_session, land_world) -> None:
    metro = {"to": "station", "station_modes": ["metro"], "within_m": 500}
    reason = _why(land_session, land_world, {"status": ["idle"], "distances": [metro]})["P6"][0]
    form_label = t("web.land.metro_within", "zh-CN")  # 距地铁站不超过 (m)
    station = t("land.station_mode.metro", "zh-CN")
    assert station in form_label and station in reason
    assert t("land.target.station", "zh-CN") not in reason  # not 公交/轨道站点


def test_area_and_raster_ranges_carry_their_units(land_session, land_world) -> None:
    exclude = {
        "status": ["idle"],
        "area_m2": {"min": 15000},
        "rasters": [{"raster": "dem_slope", "stat": "mean", "max": 3}],
    }
    why = _why(land_session, land_world, exclude)
    # P1 and P6 are 10 000 m²; P2 (20 000 m²) lies on the 5.71° slope.
    assert why["P1"] == ["面积 10,000 m²，要求 ≥ 15,000 m²"]
    slope = raster_labels(land_session)["dem_slope"]
    assert slope.units == "degree"
    assert why["P2"] == [f"{slope.name_zh}平均值为 5.71°，要求 ≤ 3°"]


def test_ranked_values_carry_units(land_session, land_world) -> None:
    request = SiteSelection(**REQUEST)
    result = select_sites(land_session, request, land_world["raster_dir"])
    rasters = raster_labels(land_session)
    second = result.ranked[1]  # P2: 150 m from S1, slope 5.71°, 20 000 m²
    parts = contributions(second, request.scores, result.weights, rasters=rasters, lang="zh-CN")
    assert [p["value_text"] for p in parts] == ["150 m", "5.7°", "20,000 m²"]
    assert [p["unit"] for p in parts] == ["m", "°", "m²"]
    sentence = ranked_text(second, parts, "zh-CN")
    assert "坡度：5.7° → 得分 0.43" in sentence and "；面积：20,000 m²" in sentence


def test_a_sliver_along_a_shared_line_is_no_overlap(land_session, land_world) -> None:
    # A heritage zone east of P1 (x 0–100) that reaches 0.05 mm into it: a drawing artefact
    # of about 0.005 m², which the explanation would write as "overlaps 0 m²".
    land_session.execute(
        text(
            "INSERT INTO constraint_zone (kind, name, geom) VALUES ('heritage', '缝隙', "
            "ST_Multi(ST_GeomFromText(:wkt, 4490)))"
        ),
        {"wkt": polygon_wkt(100 - 0.00005, 0, 200, 100, steps=1)},
    )
    sliver = land_session.scalar(
        text(
            "SELECT ST_Area(ST_Intersection(z.geom, p.geom)::geography) FROM constraint_zone z, "
            "land_parcel p WHERE z.name = '缝隙' AND p.parcel_code = 'P1'"
        )
    )
    assert 0 < sliver < 0.05
    avoid = {"status": ["idle"], "constraints": [{"kinds": ["heritage"], "mode": "avoid"}]}
    assert "P1" not in _why(land_session, land_world, avoid)
    # A real overlap of 5 m × 100 m is still an exclusion, with its area.
    land_session.execute(
        text(
            "INSERT INTO constraint_zone (kind, name, geom) VALUES ('heritage', '五米', "
            "ST_Multi(ST_GeomFromText(:wkt, 4490)))"
        ),
        {"wkt": polygon_wkt(95, 0, 200, 100, steps=1)},
    )
    assert _why(land_session, land_world, avoid)["P1"] == ["与历史文化保护线重叠 500 m²"]


def test_csv_writes_status_and_scheme_as_names(land_session, land_world) -> None:
    request = SiteSelection(**REQUEST)
    result = select_sites(land_session, request, land_world["raster_dir"])
    rasters = raster_labels(land_session)
    for row in result.ranked:
        row["criteria"] = contributions(row, request.scores, result.weights, rasters=rasters)
    table = list(csv.DictReader(io.StringIO(to_csv(result.ranked, "zh-CN").decode("utf-8-sig"))))
    assert {r["状态"] for r in table} == {"闲置"}
    assert {r["分类体系"] for r in table} == {"GB/T 21010-2017 土地利用现状分类"}
    assert float(table[0]["近地铁 (m)"]) == pytest.approx(50, abs=0.5)  # P1: 50 m from S1
    english = list(csv.DictReader(io.StringIO(to_csv(result.ranked, "en").decode("utf-8-sig"))))
    assert {r["status"] for r in english} == {"idle"}
