"""The real (derived) drawing: Gare de l'Est, Paris, rooms from OpenStreetMap re-encoded as
CAD in Lambert-93 metres (tests/data/dxf_gare_de_l_est/SOURCE.md). The level lives only in
the layer names (`ROOM_L-1`, `TEXT_L0`, `ROOM_LNA` for rooms with no level), holes are on
`<layer>_HOLE`, and one outline (AREA_L0) intersects itself: it is reported, not dropped."""

from __future__ import annotations

import ezdxf
import pytest
import shapely
from pyproj import Transformer
from sqlalchemy import Connection, text

from gis_app.dxf.rooms import DxfOptions, import_dxf
from gis_app.ingest.report import ImportRefused
from tests.dxf.conftest import REAL_DXF, insert_floor

L93_EXTENT = (652911.77, 6864188.51, 653129.32, 6864362.28)
"""The drawing's extent as SOURCE.md gives it."""
KINDS = {"CORRIDOR*": "ancillary", "AREA*": "ancillary"}


def _options(level: str, **extra) -> DxfOptions:
    return DxfOptions(
        layers=(f"*_{level}",),
        hole_layers=(f"*_{level}_HOLE",),
        crs="EPSG:2154",
        check_area=False,
        layer_categories=KINDS,
        **extra,
    )


@pytest.fixture
def station(conn: Connection) -> dict[int, int]:
    """Building GARE-EST with floors 0 and -1 covering the drawing (20 m margin)."""
    to_lonlat = Transformer.from_crs(2154, 4490, always_xy=True)
    x0, y0, x1, y1 = L93_EXTENT
    west, south = to_lonlat.transform(x0 - 20, y0 - 20)
    east, north = to_lonlat.transform(x1 + 20, y1 + 20)
    return {k: insert_floor(conn, "GARE-EST", k, (west, south, east, north)) for k in (0, -1)}


def _by_layer(report) -> dict[str, tuple[int, int, int, int]]:
    return {
        layer: (c.outlines, c.open, c.valid, c.rejected)
        for layer, c in report.layers.items()
        if c.outlines or c.open
    }


def test_lambert93_is_outside_china_unless_any_area(conn, station) -> None:
    with pytest.raises(ImportRefused) as refused:
        import_dxf(
            conn,
            REAL_DXF,
            floor_id=station[-1],
            options=DxfOptions(layers=("*_L-1",), crs="EPSG:2154"),
        )
    assert refused.value.context["field"] == "crs"
    assert "2.35" in refused.value.context["bounds"]


def test_basement_rooms_by_layer(conn, station) -> None:
    report = import_dxf(conn, REAL_DXF, floor_id=station[-1], options=_options("L-1"))
    assert report.ok, report.as_dict("en")["problems"]
    assert (report.units, report.units_from, report.crs) == ("m", "crs", "EPSG:2154")
    assert _by_layer(report) == {
        "AREA_L-1": (3, 0, 3, 0),
        "CORRIDOR_L-1": (12, 0, 12, 0),
        "ROOM_L-1": (20, 0, 20, 0),
    }
    assert report.labels_read == 14 and report.written == 35
    named = [line for line in report.rooms if line.name]
    assert len(named) == 14 and report.numbers_generated == 35  # shop names, no numbers
    assert [n.code for n in report.notices] == []
    rows = conn.execute(
        text(
            "SELECT category, count(*), sum(usable_area_m2)::float, "
            "sum(ST_Area(geography(geom))), sum(ST_Area(local_geom)) "
            "FROM room WHERE floor_id = :f GROUP BY category ORDER BY category"
        ),
        {"f": station[-1]},
    ).all()
    assert [(r[0], r[1]) for r in rows] == [("ancillary", 15), ("office", 20)]
    # Rooms 1,728.64 m², corridors and halls 3,067.67 m² (holes cut out). Lambert-93 at
    # 48.877°N shrinks areas by 0.999815 (pyproj get_factors: areal scale), so the ellipsoid
    # gives 1.000185 × the drawn area.
    assert [round(r[2], 2) for r in rows] == [3067.67, 1728.64]
    for _, _, usable, ellipsoid, drawn in rows:
        assert usable == pytest.approx(drawn, abs=0.005 * 35)
        assert ellipsoid == pytest.approx(drawn / 0.9998146, rel=1e-5)


def test_ground_floor_reports_the_self_intersecting_outline(conn, station) -> None:
    report = import_dxf(conn, REAL_DXF, floor_id=station[0], options=_options("L0"))
    assert [(p.code, report.rooms[p.index].layer) for p in report.problems] == [
        ("invalid_geometry", "AREA_L0")
    ]
    assert report.problems[0].detail.startswith("Self-intersection[653039.7")
    assert report.written == 0 and report.read == 73 and report.rejected == 1
    assert (
        conn.scalar(text("SELECT count(*) FROM room WHERE floor_id = :f"), {"f": station[0]}) == 0
    )

    written = import_dxf(
        conn, REAL_DXF, floor_id=station[0], options=_options("L0", skip_invalid=True)
    )
    assert written.written == 71 and written.rejected == 1 and written.holes == 1
    assert _by_layer(written) == {
        "AREA_L0": (8, 0, 7, 1),
        "CORRIDOR_L0": (12, 0, 12, 0),
        "ROOM_L0": (53, 0, 52, 0),
    }
    assert written.labels_read == 47 and written.numbers_generated == 72
    # OSM's nested rooms: of the three shops drawn on ROOM_L0 #8E one lies wholly inside it
    # and is taken as a hole, named with its text in the report; the other two, and a shop
    # in a hall with no hole for it, overlap: reported, written all the same.
    assert [(n.code, n.handle, n.detail) for n in written.notices] == [
        ("overlap", "37", "#E4 (ROOM_L0), 13.9 m²"),
        ("overlap", "8E", "#CA (ROOM_L0), 33.4 m²"),
        ("overlap", "8E", "#CC (ROOM_L0), 67.2 m²"),
        ("hole_of", "CD", "#8E (DXF-8E), 16.87 m²; Point Information - Paris & IdF"),
    ]


def test_a_shop_inside_a_hall_stays_a_room_with_nested_rooms(conn, station) -> None:
    options = _options("L0", skip_invalid=True, nested_rooms=True)
    report = import_dxf(conn, REAL_DXF, floor_id=station[0], options=options)
    assert (report.written, report.holes) == (72, 0)
    areas = dict(
        conn.execute(
            text("SELECT number, usable_area_m2::float FROM room WHERE floor_id = :f"),
            {"f": station[0]},
        ).all()
    )
    shop = next(line for line in report.rooms if line.handle == "CD")
    hall = next(line for line in report.rooms if line.handle == "8E")
    assert (shop.name, areas["DXF-CD"]) == ("Point Information - Paris & IdF", 16.87)
    drawn = shapely.Polygon(ezdxf.readfile(REAL_DXF).entitydb["8E"].get_points("xy")).area
    assert areas["DXF-8E"] == hall.area_m2 == pytest.approx(drawn - 16.87, abs=0.01)
    assert [n.code for n in report.notices].count("cut_from") == 1


def test_rooms_with_no_level_go_where_the_user_says(conn, station) -> None:
    report = import_dxf(conn, REAL_DXF, floor_id=station[0], options=_options("LNA"))
    assert report.ok and report.written == 8
    assert _by_layer(report) == {"ROOM_LNA": (8, 0, 8, 0)}
    assert sorted(line.name for line in report.rooms)[:3] == [
        "Factory & Co",
        "Image in'air",
        "Jeff de Bruges",
    ]


def test_all_layers_at_once_mixes_levels_and_says_so(conn, station) -> None:
    options = DxfOptions(hole_layers=("*_HOLE",), crs="EPSG:2154", check_area=False)
    report = import_dxf(conn, REAL_DXF, floor_id=station[0], options=options, dry_run=True)
    assert report.read == 116 and report.rejected == 1
    assert any(n.code == "overlap" for n in report.notices)
