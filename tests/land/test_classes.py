"""Land classes across schemes: the seeded lists, and a search by class that finds parcels
coded in any scheme, saying which matched through the crosswalk and from which code.

The world's P1, P4, P5, P6 are GB/T 21010 0801 (机关团体用地), P2 GB/T 1201, P3 GB/T 0101
(conftest). Each test adds parcels on P1's square under other codes (rolled back after)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gis_app.errors import InvalidParameter
from gis_app.land.criteria import LandSearch, SiteSelection
from gis_app.land.run import search, select_sites
from gis_app.layers.sources import TABLES, box_params, features_sql

GB, MNR, TD = "GB/T 21010-2017", "MNR-YDYH-2023", "TD/T 1055-2019"


def add(session, *parcels: tuple[str, str, str]) -> None:
    """(parcel code, scheme, land-use code) each on a copy of P1's square."""
    for n, (code, scheme, landuse) in enumerate(parcels, start=200):
        session.execute(
            text(
                "INSERT INTO land_parcel (id, parcel_code, landuse_scheme, landuse_code, area_m2, "
                "ownership, status, district, geom) SELECT :id, :code, :scheme, :landuse, "
                "area_m2, ownership, status, district, geom FROM land_parcel WHERE parcel_code = 'P1'"
            ),
            {"id": n, "code": code, "scheme": scheme, "landuse": landuse},
        )


def matches(session, world, scheme: str, codes: list[str], **extra) -> dict[str, dict]:
    """Parcel code → its `landuse_match`, for a search by class."""
    request = LandSearch(landuse={"scheme": scheme, "codes": codes, **extra})
    result = search(session, request, world["raster_dir"])
    return {r["parcel_code"]: r["landuse_match"] for r in result.items}


def via(code: str, linked: str | None, relation: str, scheme: str = MNR) -> dict:
    kind = "direct" if linked is None else "crosswalk"
    return {
        "via": kind,
        "scheme": scheme,
        "code": code,
        "crosswalk_code": linked,
        "relation": relation,
    }


def test_the_seed_holds_every_level_of_the_2023_guide_and_the_survey_codes(land_session) -> None:
    rows = land_session.execute(
        text(
            "SELECT scheme, count(*) FILTER (WHERE parent_code IS NULL), "
            "count(*) FILTER (WHERE length(code) = 4 AND parent_code IS NOT NULL), "
            "count(*) FILTER (WHERE length(code) = 6) FROM landuse_class GROUP BY scheme"
        )
    ).all()
    # 2023: 24 first-level, 111 second-level (01–24), 40 third-level (060101 … 120803);
    # GB/T 21010-2017: 12 and 73; 三调: 13 first-level (00–12), 55 four-character codes
    # (0101 …, 05H1, 08H1, 08H2), the 13 K/A extensions are five characters.
    assert sorted(tuple(r) for r in rows) == [(GB, 12, 73, 0), (MNR, 24, 111, 40), (TD, 13, 55, 0)]
    real = [(MNR, "0701"), (MNR, "1001"), (MNR, "1301"), (MNR, "080401"), (TD, "08H1")]
    found = land_session.execute(
        text(
            "SELECT scheme, code FROM landuse_class WHERE (scheme, code) IN (SELECT * FROM "
            "unnest(CAST(:s AS text[]), CAST(:c AS text[])))"
        ),
        {"s": [s for s, _ in real], "c": [c for _, c in real]},
    ).all()
    assert len(found) == 5
    # 三调 files 0303 红树林地 under 00 湿地, not under 03 林地
    assert (
        land_session.scalar(
            text(f"SELECT parent_code FROM landuse_class WHERE scheme = '{TD}' AND code = '0303'")
        )
        == "00"
    )


def test_crosswalk_relations_are_stored_once_and_read_both_ways(land_session) -> None:
    pairs = dict(
        land_session.execute(
            text("SELECT scheme_a || ' > ' || scheme_b, count(*) FROM landuse_crosswalk GROUP BY 1")
        ).all()
    )
    assert pairs == {f"{GB} > {MNR}": 88, f"{GB} > {TD}": 80, f"{TD} > {MNR}": 84}
    links = land_session.execute(
        text(
            "SELECT to_scheme, to_code, relation FROM landuse_link "
            f"WHERE from_scheme = '{MNR}' AND from_code = '0801' ORDER BY 1"
        )
    ).all()
    # GB/T 0801 is the same class; GB/T 0802 新闻出版 only partly; 三调 08H1 merges
    # 0801 and 0802, so it is broader than the 2023 0801.
    assert [tuple(r) for r in links] == [
        (GB, "0801", "same"),
        (GB, "0802", "partial"),
        (TD, "08H1", "broader"),
    ]
    # every GB/T second-level class has a 2023 counterpart except 0906 风景名胜设施用地
    unlinked = land_session.scalars(
        text(
            f"SELECT c.code FROM landuse_class c WHERE c.scheme = '{GB}' AND length(c.code) = 4 "
            f"AND NOT EXISTS (SELECT 1 FROM landuse_link x WHERE x.from_scheme = '{GB}' "
            f"AND x.from_code = c.code AND x.to_scheme = '{MNR}')"
        )
    ).all()
    assert unlinked == ["0906"]


def test_a_2023_search_finds_gb_parcels_through_the_crosswalk(land_session, land_world) -> None:
    add(land_session, ("Q1", MNR, "0801"), ("Q2", TD, "08H1"), ("Q3", MNR, "0802"))
    found = matches(land_session, land_world, MNR, ["0801"])
    same = via("0801", "0801", "same")
    assert found == {
        "P1": same,  # GB/T 0801 机关团体用地 = 2023 0801
        "P4": same,
        "P5": same,
        "P6": same,
        "Q1": via("0801", None, "same"),  # coded in the asked scheme
        "Q2": via("0801", "08H1", "broader"),  # 机关团体新闻出版用地: may be press
    }
    assert matches(land_session, land_world, MNR, ["0801"], crosswalk=[]) == {
        "Q1": via("0801", None, "same")
    }


def test_a_gb_search_finds_2023_and_survey_parcels(land_session, land_world) -> None:
    add(land_session, ("Q1", MNR, "0801"), ("Q2", TD, "08H1"), ("Q3", MNR, "0802"))
    found = matches(land_session, land_world, GB, ["0801"])
    # 2023 0802 is 科研 (research), not GB/T 0802 新闻出版: the same digits are not matched
    assert sorted(found) == ["P1", "P4", "P5", "P6", "Q1", "Q2"]
    assert found["Q1"] == via("0801", "0801", "same", GB)
    assert found["Q2"] == via("0801", "08H1", "broader", GB)
    assert found["P1"] == via("0801", None, "same", GB)


def test_a_first_level_class_crosses_only_where_its_content_stayed(
    land_session, land_world
) -> None:
    add(
        land_session,
        ("Q1", GB, "0810"),  # 公园与绿地: 2023 14, no longer 08
        ("Q2", TD, "0809"),  # 公用设施用地: 2023 13
        ("Q3", GB, "08"),  # coded at the first level only: partly 2023 08
        ("Q4", MNR, "080401"),  # 高等教育用地, third level under 0804
        ("Q5", TD, "08H2"),  # 科教文卫: broader than each of 2023 0802–0807
    )
    found = matches(land_session, land_world, MNR, ["08"])
    assert sorted(found) == ["P1", "P4", "P5", "P6", "Q4", "Q5"]
    assert found["Q4"] == via("08", None, "same")
    assert found["Q5"] == via("0802", "08H2", "broader")  # the first of 0802–0807 linked
    # partial links are crossed only when asked for
    every = ["same", "narrower", "broader", "partial"]
    found = matches(land_session, land_world, MNR, ["08"], crosswalk=every)
    assert sorted(found) == ["P1", "P4", "P5", "P6", "Q3", "Q4", "Q5"]
    assert found["Q3"] == via("08", "08", "partial")
    only_same = matches(land_session, land_world, MNR, ["08"], crosswalk=["same"])
    assert sorted(only_same) == ["P1", "P4", "P5", "P6", "Q4"]
    parks = matches(land_session, land_world, MNR, ["14"])
    assert parks == {"Q1": via("14", "0810", "same")}


def test_survey_wetland_and_its_extension_codes(land_session, land_world) -> None:
    add(
        land_session,
        ("W1", GB, "1105"),  # 沿海滩涂: 三调 00 湿地 keeps the code
        ("W2", MNR, "0505"),  # 沿海滩涂 in 2023 wetland 05
        ("W3", TD, "0603"),  # 盐田: 三调 wetland, 2023 1003 under 10 工矿用地
        ("W4", TD, "0810A"),  # 广场用地, under 三调 0810 公园与绿地
    )
    wet = matches(land_session, land_world, TD, ["00"])
    assert wet == {
        "W1": via("1105", "1105", "same", TD),
        "W2": via("1105", "0505", "same", TD),
        "W3": via("00", None, "same", TD),
    }
    # a 2023 search for wetland does not take salt pans: 三调 00 is broader than 2023 05
    assert sorted(matches(land_session, land_world, MNR, ["05"])) == ["W1", "W2"]
    # 2023 14 ← 三调 0810 (same) takes its refinement 0810A 广场用地 with it
    assert matches(land_session, land_world, MNR, ["14"]) == {"W4": via("14", "0810", "same")}


def test_a_code_of_another_scheme_is_named_as_unknown(land_session, land_world) -> None:
    with pytest.raises(InvalidParameter) as bad:
        matches(land_session, land_world, GB, ["0801", "08H1"])
    assert bad.value.context["field"] == "landuse.codes[1]"


def test_the_parcel_layer_colours_a_class_by_its_first_level_class(land_session) -> None:
    add(land_session, ("L1", TD, "0303"), ("L2", MNR, "060101"), ("L3", TD, "0201K"))
    source = TABLES["land_parcel"]
    statement = features_sql(source, ["parcel_code", "landuse_l1", "landuse_l1_name_zh"])
    rows = land_session.execute(
        text(f"{statement} WHERE parcel_code IN ('L1', 'L2', 'L3', 'P1') ORDER BY 2"),
        {**box_params(source, None), "limit": 10, "offset": 0},
    ).all()
    # 三调 0303 红树林地 is wetland (00), not forest (03); 060101 村道用地 → 0601 → 06
    assert [(r.parcel_code, r.landuse_l1, r.landuse_l1_name_zh) for r in rows] == [
        ("L1", f"{TD}:00", "湿地"),
        ("L2", f"{MNR}:06", "农业设施建设用地"),
        ("L3", f"{TD}:02", "种植园用地"),
        ("P1", f"{GB}:08", "公共管理与公共服务用地"),
    ]


def test_a_class_score_applies_to_the_classes_below_it(land_session, land_world) -> None:
    add(land_session, ("S1", TD, "0603"), ("S2", TD, "0303"), ("S3", TD, "0201K"))
    request = SiteSelection(
        exclude={"district": "西湖区"},
        scores=[
            {
                "name": "用地",
                "measure": "landuse",
                "scheme": TD,
                "normalise": {"shape": "classes", "classes": {"00": 0.8, "0303": 0.3, "02": 0.5}},
            }
        ],
        weights={"values": [1]},
    )
    result = select_sites(land_session, request, land_world["raster_dir"])
    scores = {r["parcel_code"]: r["score"] for r in result.ranked}
    # 0603 盐田 is under 00 湿地 (0.8); 0303 has its own score (0.3, deeper than 00);
    # 0201K 可调整果园 is under 0201 under 02 (0.5); GB/T parcels score the default 0
    assert (scores["S1"], scores["S2"], scores["S3"], scores["P1"]) == (0.8, 0.3, 0.5, 0)
