"""Georeferencing a floor plan: origin + rotation and control points checked against
pyproj's geodesic (an independent computation on the ellipsoid), and a drawing already in a
projected CRS against PROJ's own answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod
from sqlalchemy import text

from gis_app.dxf.georef import by_control_points, by_origin, parse_control
from gis_app.dxf.rooms import DxfOptions, import_dxf
from gis_app.ingest.report import ImportRefused
from tests.dxf.conftest import ORIGIN, box, insert_floor, new_drawing, plan, room, save

GEOD = Geod(ellps="GRS80")
GK_POINT = (514914.0, 3350498.0)
"""EPSG:4549 (CGCS2000 / 3-degree GK CM 120E) easting/northing near West Lake…"""
GK_LONLAT = (120.15499867930856, 30.27400206732694)
"""…and the same place in EPSG:4490, from PROJ 9 (cs2cs EPSG:4549 EPSG:4490)."""


def _ground(x: float, y: float, rotation_deg: float) -> tuple[float, float]:
    """Where drawing metres (x, y) lie when drawing +x points `rotation_deg` counter-clockwise
    from east of ORIGIN: along the geodesic at the matching azimuth."""
    distance = float(np.hypot(x, y))
    azimuth = 90.0 - rotation_deg - np.degrees(np.arctan2(y, x))
    lon, lat, _ = GEOD.fwd(*ORIGIN, azimuth, distance)
    return lon, lat


def test_origin_and_rotation_put_drawing_x_at_the_right_bearing() -> None:
    move = by_origin(*ORIGIN, 30.0, 0.001).move  # a drawing in mm
    (lon, lat), (lon2, lat2) = move(np.array([[20000.0, 0.0], [0.0, 10000.0]]))
    azimuth, _, distance = GEOD.inv(*ORIGIN, lon, lat)
    assert (round(azimuth, 6), round(distance, 4)) == (60.0, 20.0)
    azimuth, _, distance = GEOD.inv(*ORIGIN, lon2, lat2)
    assert (round(azimuth, 6), round(distance, 4)) == (-30.0, 10.0)


def test_control_points_fit_scale_rotation_and_report_residuals() -> None:
    drawing = [(0.0, 0.0), (60000.0, 0.0), (60000.0, 25000.0), (0.0, 25000.0)]  # mm
    points = [(x, y, *_ground(x / 1000, y / 1000, 12.5)) for x, y in drawing]
    fit = by_control_points(points, 0.001, tolerance_m=0.05)
    figures = fit.figures
    assert figures["points"] == 4 and figures["max_m"] < 0.005
    assert figures["scale"] == pytest.approx(1.0, abs=1e-5)
    assert figures["rotation_deg"] == pytest.approx(12.5, abs=1e-3)
    placed = fit.move(np.array([[30000.0, 12500.0]]))[0]
    _, _, error = GEOD.inv(*placed, *_ground(30.0, 12.5, 12.5))
    assert error < 0.005

    two = by_control_points(points[:2], 0.001, tolerance_m=0.0)
    assert two.figures["residuals_m"] == [0.0, 0.0]

    mistyped = [*points[:3], (0.0, 25000.0, *GEOD.fwd(*points[3][2:], 90, 3.0)[:2])]
    with pytest.raises(ImportRefused) as refused:
        by_control_points(mistyped, 0.001, tolerance_m=1.0)
    assert refused.value.context["field"] == "control" and refused.value.context["point"] in (
        1,
        2,
        3,
        4,
    )
    with pytest.raises(ImportRefused) as refused:
        by_control_points(points, 1.0, tolerance_m=1.0)  # the drawing said metres: 1000× off
    assert refused.value.context["reason"] == "dxf.reason.control_scale"
    assert "0.001 m" in refused.value.message("en")


def test_control_point_text_and_degenerate_sets() -> None:
    assert parse_control(" 1200.5, -30 = 120.1 , 30.25 ") == (1200.5, -30.0, 120.1, 30.25)
    for bad in ("1,2,3,4", "1,2=a,b", ""):
        with pytest.raises(ImportRefused):
            parse_control(bad)
    with pytest.raises(ImportRefused) as refused:
        by_control_points([(0, 0, 120.1, 30.2)], 1.0, 1.0)
    assert refused.value.context["reason"] == "dxf.reason.few_control"
    with pytest.raises(ImportRefused) as refused:
        by_control_points([(0, 0, 120.1, 30.2), (0, 0, 120.2, 30.2)], 1.0, 1.0)
    assert refused.value.context["reason"] == "dxf.reason.same_control"


def test_rooms_placed_by_control_points_match_the_origin_placement(
    conn, floor_id, tmp_path: Path
) -> None:
    path = plan(tmp_path, (box(0, 0, 8000, 5000), "301"), (box(8000, 0, 4000, 5000), "302"))
    control = tuple(
        (x, y, *_ground(x / 1000, y / 1000, 20.0)) for x, y in [(0, 0), (12000, 0), (12000, 5000)]
    )
    report = import_dxf(conn, path, floor_id=floor_id, options=DxfOptions(control=control))
    assert report.ok and report.written == 2 and report.crs_from == "control"
    assert report.georeference["max_m"] < 0.005
    by_control = (
        conn.execute(
            text("SELECT ST_AsBinary(geom) FROM room WHERE id = ANY(:ids) ORDER BY number"),
            {"ids": report.ids},
        )
        .scalars()
        .all()
    )
    origin = DxfOptions(origin=ORIGIN, rotation_deg=20.0)
    preview = import_dxf(conn, path, floor_id=floor_id, options=origin, dry_run=True)
    assert [p.code for p in preview.problems] == ["number_taken", "number_taken"]
    placed = by_origin(*ORIGIN, 20.0, 0.001).move(np.array([[8000.0, 5000.0]]))[0]
    corners = shapely.get_coordinates(shapely.from_wkb(by_control[0]))
    nearest = min(GEOD.inv(*placed, *c)[2] for c in corners)
    assert nearest < 0.005


def test_a_drawing_in_a_projected_crs(conn, tmp_path: Path) -> None:
    doc = new_drawing(insunits=6)
    x, y = GK_POINT
    room(doc, box(x, y, 10, 8), "ROOM", "101")
    lon, lat = GK_LONLAT
    floor = insert_floor(conn, "GK", 1, (lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001))
    report = import_dxf(
        conn, save(doc, tmp_path), floor_id=floor, options=DxfOptions(crs="EPSG:4549")
    )
    assert report.ok and report.crs == "EPSG:4549" and report.units_from == "crs"
    first = conn.execute(
        text(
            "SELECT ST_X(ST_PointN(ST_ExteriorRing(geom), 1)), ST_Y(ST_PointN(ST_ExteriorRing(geom), 1)), "
            "ST_AsText(ST_PointN(ST_ExteriorRing(local_geom), 1)) FROM room WHERE id = :id"
        ),
        {"id": report.ids[0]},
    ).one()
    assert first[0] == pytest.approx(GK_LONLAT[0], abs=1e-9) and first[1] == pytest.approx(
        GK_LONLAT[1], abs=1e-9
    )
    assert first[2] == "POINT(514914 3350498)"
    with pytest.raises(ImportRefused) as refused:
        import_dxf(conn, save(doc, tmp_path), floor_id=floor, options=DxfOptions(crs="EPSG:4326"))
    assert refused.value.context["field"] == "crs"
    with pytest.raises(ImportRefused) as refused:
        import_dxf(conn, save(doc, tmp_path), floor_id=floor, options=DxfOptions(crs="GCJ-02"))
    assert refused.value.context["field"] == "crs"
    with pytest.raises(ImportRefused) as refused:
        import_dxf(
            conn,
            save(doc, tmp_path),
            floor_id=floor,
            options=DxfOptions(crs="EPSG:4549", units="mm"),
        )
    assert refused.value.context["field"] == "units"


def test_outside_china_is_refused_unless_any_area_is_accepted(
    conn, floor_id, tmp_path: Path
) -> None:
    path = plan(tmp_path, (box(0, 0, 5000, 5000), "301"))
    paris = DxfOptions(origin=(2.3590, 48.8768))
    with pytest.raises(ImportRefused) as refused:
        import_dxf(conn, path, floor_id=floor_id, options=paris)
    assert refused.value.context["field"] == "origin"
    assert "--any-area" in refused.value.message("en")
    anywhere = DxfOptions(origin=(2.3590, 48.8768), check_area=False)
    report = import_dxf(conn, path, floor_id=floor_id, options=anywhere, dry_run=True)
    assert [p.code for p in report.problems] == ["outside_floor"]  # the floor is in Hangzhou
