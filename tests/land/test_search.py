"""Land search over the hand-built land world (see conftest for the layout)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gis_app.errors import InvalidParameter
from gis_app.land.criteria import LandSearch
from gis_app.land.run import search
from tests.land.conftest import SLOPE, lonlat


def codes(session, world, **criteria) -> list[str]:
    result = search(session, LandSearch(**criteria), world["raster_dir"])
    assert result.total == len(result.items)
    return sorted(r["parcel_code"] for r in result.items)


def test_no_criteria_returns_every_parcel_largest_first(land_session, land_world) -> None:
    result = search(land_session, LandSearch(), land_world["raster_dir"])
    assert result.total == 6
    assert result.items[0]["parcel_code"] == "P2"  # 200 m × 100 m, the only 20 000 m²
    assert result.items[0]["measured_m2"] == pytest.approx(20_000, rel=1e-4)


def test_first_level_code_takes_its_children(land_session, land_world) -> None:
    landuse = {"scheme": "GB/T 21010-2017", "codes": ["08"]}
    assert codes(land_session, land_world, landuse=landuse) == ["P1", "P4", "P5", "P6"]


def test_status_and_area(land_session, land_world) -> None:
    assert codes(land_session, land_world, status=["reserved", "in_use"]) == ["P4", "P5"]
    # Only P2 measures 20 000 m²; the 10 000 m² squares fall below 15 000.
    assert codes(land_session, land_world, area_m2={"min": 15_000}) == ["P2"]
    assert codes(land_session, land_world, area_m2={"max": 10_001}) == [
        "P1",
        "P3",
        "P4",
        "P5",
        "P6",
    ]


def test_distance_to_road_station_office_and_point(land_session, land_world) -> None:
    # The road runs 20 m south of the southern row and 320 m from the northern one.
    road = {"to": "road", "road_classes": ["arterial"], "within_m": 25}
    assert codes(land_session, land_world, distances=[road]) == ["P1", "P2", "P5", "P6"]
    # S1 (metro) at x=150: P1 50 m, P2 150 m, P5 450 m; P6 850 m.
    metro = {"to": "station", "station_modes": ["metro"], "within_m": 160}
    assert codes(land_session, land_world, distances=[metro]) == ["P1", "P2"]
    beyond = {"to": "station", "station_modes": ["metro"], "beyond_m": 800}
    assert codes(land_session, land_world, distances=[beyond]) == ["P6"]
    # The office B1 sits 200 m north of P3 (y 400 → 600).
    office = {"to": "office", "within_m": 201}
    assert codes(land_session, land_world, distances=[office]) == ["P3"]
    lon, lat = lonlat(1050, 50)
    point = {"to": "point", "point": {"lon": lon, "lat": lat}, "within_m": 1}
    assert codes(land_session, land_world, distances=[point]) == ["P6"]


def test_distances_are_metres_on_the_ellipsoid(land_session, land_world) -> None:
    metro = {"to": "station", "station_modes": ["metro"], "within_m": 10_000}
    rows = search(land_session, LandSearch(distances=[metro]), land_world["raster_dir"]).items
    measured = {r["parcel_code"]: r["dist_0"] for r in rows}
    # Gauss-Krüger on its central meridian keeps lengths to ~1e-6: 50, 150, 450, 850 m,
    # and P3/P4 by Pythagoras: P3 nearest corner (100, 300) → √(50² + 250²).
    expected = {"P1": 50, "P2": 150, "P5": 450, "P6": 850, "P3": (50**2 + 250**2) ** 0.5}
    for code, metres in expected.items():
        assert measured[code] == pytest.approx(metres, abs=0.05)


def test_constraint_zones_avoided_or_required(land_session, land_world) -> None:
    avoid = {"kinds": ["basic_farmland", "ecological_redline"], "mode": "avoid"}
    assert codes(land_session, land_world, constraints=[avoid]) == ["P1", "P2", "P5", "P6"]
    inside = {"kinds": ["flood_zone"], "mode": "intersect"}
    assert codes(land_session, land_world, constraints=[inside]) == ["P6"]
    rows = search(
        land_session,
        LandSearch(constraints=[avoid | {"mode": "intersect"}]),
        land_world["raster_dir"],
    ).items
    overlap = {r["parcel_code"]: r["zone_0"] for r in rows}
    # P3 lies wholly in the farmland (100 × 100); half of P4 is in the red line (50 × 100).
    assert overlap == {"P3": pytest.approx(10_000, rel=1e-4), "P4": pytest.approx(5_000, rel=1e-4)}


def test_raster_thresholds(land_session, land_world) -> None:
    flat = {"raster": "dem_slope", "stat": "mean", "max": 1}
    assert codes(land_session, land_world, rasters=[flat]) == ["P1", "P3"]
    rows = search(
        land_session, LandSearch(rasters=[flat | {"max": 90}]), land_world["raster_dir"]
    ).items
    slope = {r["parcel_code"]: r["raster_0"] for r in rows}
    assert slope["P2"] == pytest.approx(SLOPE, abs=1e-3)  # every cell on the 0.1 plane
    assert slope["P1"] == pytest.approx(0, abs=1e-6)
    # Elevation: P2 spans x 300–500, z = 0.1·(x − 250), mean over the parcel = 0.1·150 = 15.
    high = {"raster": "dem", "stat": "mean", "min": 14.99, "max": 15.01}
    assert codes(land_session, land_world, rasters=[high]) == ["P2"]


def test_drawn_polygon_and_district(land_session, land_world) -> None:
    corners = [(-10, -10), (120, -10), (120, 120), (-10, 120), (-10, -10)]
    ring = [list(lonlat(x, y)) for x, y in corners]
    within = {"type": "Polygon", "coordinates": [ring], "crs": "EPSG:4490"}
    assert codes(land_session, land_world, within=within) == ["P1"]
    assert codes(land_session, land_world, district="上城区") == []


def test_changed_parcel_gets_new_statistics(land_session, land_world) -> None:
    # Move P1 300 m east onto the slope: its statistics are dropped, then recomputed.
    land_session.execute(
        text("UPDATE land_parcel SET geom = ST_Translate(geom, 0.0031, 0) WHERE parcel_code = 'P1'")
    )
    left = land_session.scalar(text("SELECT count(*) FROM parcel_raster_stat WHERE parcel_id = 1"))
    assert left == 0
    queued = land_session.scalars(text("SELECT parcel_id FROM parcel_stat_pending")).all()
    assert queued == [1]
    slope = {"raster": "dem_slope", "stat": "mean", "min": 5, "max": 6}
    assert "P1" in codes(land_session, land_world, rasters=[slope])


def test_new_parcel_is_queued_and_only_it_is_computed(land_session, land_world) -> None:
    # A copy of P2 (on the slope) under a new code: the insert trigger queues it; the next
    # query with a raster criterion computes its row of every raster, and nothing else.
    land_session.execute(
        text(
            "INSERT INTO land_parcel (id, parcel_code, landuse_scheme, landuse_code, area_m2, "
            "ownership, status, district, geom) SELECT 100, 'P2b', landuse_scheme, landuse_code, "
            "area_m2, ownership, status, district, geom FROM land_parcel WHERE parcel_code = 'P2'"
        )
    )
    queued = "SELECT count(*) FROM parcel_stat_pending"
    stats = "SELECT count(*) FROM parcel_raster_stat"
    assert land_session.scalar(text(queued)) == 1
    before = land_session.scalar(text(stats))
    slope = {"raster": "dem_slope", "stat": "mean", "min": 5, "max": 6}
    assert {"P2", "P2b"} <= set(codes(land_session, land_world, rasters=[slope]))
    assert land_session.scalar(text(queued)) == 0
    rasters = land_session.scalar(text("SELECT count(*) FROM raster_layer"))
    assert land_session.scalar(text(stats)) == before + rasters


def test_unknown_code_and_raster_name_the_field(land_session, land_world) -> None:
    with pytest.raises(InvalidParameter) as bad:
        codes(
            land_session,
            land_world,
            landuse={"scheme": "GB/T 21010-2017", "codes": ["0801", "9999"]},
        )
    assert bad.value.context["field"] == "landuse.codes[1]"
    with pytest.raises(InvalidParameter) as bad:
        codes(land_session, land_world, rasters=[{"raster": "rainfall", "max": 3}])
    assert bad.value.context["field"] == "rasters[0].raster"
