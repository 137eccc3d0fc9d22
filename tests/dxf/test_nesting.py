"""Rings drawn inside a room on its own layer (a courtyard, a column block, a kiosk in the
courtyard): holes of that room by default, separate rooms cut out of it on request; either
way a floor's rooms never add up to more than the floor.

The drawing, in metres, on layer ROOM (areas by hand):

    hall   101  20 × 10 at (0, 0)    200 m²
      column    1 × 1 at (2, 2)        1 m²   (no text)
      court     4 × 3 at (10, 4)      12 m²   text 天井
        kiosk 102  1 × 1 at (11, 5)    1 m²
    office 103  5 × 10 at (20, 0)     50 m²

The floor's outline is the drawing's 25 m × 10 m: 250 m².
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from sqlalchemy import Connection, text

from gis_app.dxf.georef import by_origin
from gis_app.dxf.rooms import DxfOptions, import_dxf
from tests.dxf.conftest import ORIGIN, box, new_drawing, room, save

FLOOR_M2 = 25 * 10


@pytest.fixture
def nested_plan(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The drawing and the DXF handle of each ring by its role."""
    doc = new_drawing(insunits=6)
    handles = {
        "hall": room(doc, box(0, 0, 20, 10), "ROOM", "101"),
        "column": room(doc, box(2, 2, 1, 1), "ROOM"),
        "court": room(doc, box(10, 4, 4, 3), "ROOM"),
        "kiosk": room(doc, box(11, 5, 1, 1), "ROOM", "102"),
        "office": room(doc, box(20, 0, 5, 10), "ROOM", "103"),
    }
    # the courtyard's name sits beside the kiosk, inside the courtyard ring only
    doc.modelspace().add_text("天井", height=0.3, dxfattribs={"layer": "ROOM", "insert": (13, 6)})
    return save(doc, tmp_path), handles


@pytest.fixture
def floor_of_the_plan(conn: Connection) -> int:
    """A floor whose outline is the drawing's 25 m × 10 m, placed as the import places it."""
    move = by_origin(*ORIGIN, 0.0, 1.0).move
    outline = shapely.transform(shapely.Polygon(box(0, 0, 25, 10)), move)
    building = conn.scalar(
        text(
            "INSERT INTO building (code, name, floors_above, floors_below, geom) VALUES "
            "('NEST', '嵌套楼', 1, 0, ST_Multi(ST_GeomFromText(:wkt, 4490))) RETURNING id"
        ),
        {"wkt": outline.wkt},
    )
    return conn.scalar(
        text(
            "INSERT INTO floor (building_id, ordinal, name, geom) "
            "VALUES (:b, 0, '1F', ST_GeomFromText(:wkt, 4490)) RETURNING id"
        ),
        {"b": building, "wkt": outline.wkt},
    )


def _rooms(conn: Connection, floor: int) -> dict[str, float]:
    rows = conn.execute(
        text("SELECT number, usable_area_m2::float FROM room WHERE floor_id = :f"), {"f": floor}
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def _sums(conn: Connection, floor: int) -> tuple[float, float]:
    """The rooms' summed ellipsoidal area and the floor outline's, m²."""
    return conn.execute(
        text(
            "SELECT (SELECT sum(ST_Area(geography(r.geom))) FROM room r WHERE r.floor_id = f.id),"
            " ST_Area(geography(f.geom)) FROM floor f WHERE f.id = :f"
        ),
        {"f": floor},
    ).one()  # type: ignore[return-value]


def test_rings_inside_a_room_are_its_holes_and_the_report_says_whose(
    conn: Connection, floor_of_the_plan: int, nested_plan
) -> None:
    path, handles = nested_plan
    options = DxfOptions(origin=ORIGIN, layers=("ROOM",))
    report = import_dxf(conn, path, floor_id=floor_of_the_plan, options=options)
    assert report.ok, report.as_dict("en")["problems"]
    assert (report.read, report.holes, report.valid, report.written) == (5, 2, 3, 3)
    assert report.layers["ROOM"].holes == 2 and report.layers["ROOM"].valid == 3
    assert _rooms(conn, floor_of_the_plan) == {"101": 200 - 1 - 12, "102": 1.0, "103": 50.0}
    hall = handles["hall"]
    holes = {line.handle: (line.hole_of, line.number, line.area_m2) for line in report.rooms}
    assert holes[handles["column"]] == (hall, None, 1.0)
    assert holes[handles["court"]] == (hall, None, 12.0)
    assert holes[handles["kiosk"]][0] is None
    notices = [(n.code, n.handle, n.detail) for n in report.notices]
    assert notices == [
        ("hole_of", handles["column"], f"#{hall} (101), 1.00 m²"),
        ("hole_of", handles["court"], f"#{hall} (101), 12.00 m²; 天井"),
    ]
    assert "cut out of it as a hole: #" in report.as_dict("en")["notices"][0]["message"]
    rooms_m2, floor_m2 = _sums(conn, floor_of_the_plan)
    assert floor_m2 == pytest.approx(FLOOR_M2, rel=1e-6)
    assert rooms_m2 == pytest.approx(FLOOR_M2 - 12 - 1 + 1, rel=1e-6)


def test_nested_rooms_stay_rooms_cut_out_of_the_room_around_them(
    conn: Connection, floor_of_the_plan: int, nested_plan
) -> None:
    path, handles = nested_plan
    options = DxfOptions(origin=ORIGIN, layers=("ROOM",), nested_rooms=True)
    report = import_dxf(conn, path, floor_id=floor_of_the_plan, options=options)
    assert report.ok and (report.holes, report.written) == (0, 5)
    areas = _rooms(conn, floor_of_the_plan)
    assert areas == {
        "101": 200 - 1 - 12,
        f"DXF-{handles['column']}": 1.0,
        f"DXF-{handles['court']}": 12 - 1,
        "102": 1.0,
        "103": 50.0,
    }
    assert [(n.code, n.handle) for n in report.notices] == [
        ("cut_from", handles["column"]),
        ("cut_from", handles["court"]),
        ("cut_from", handles["kiosk"]),
    ]
    assert not any(n.code == "overlap" for n in report.notices)
    rooms_m2, floor_m2 = _sums(conn, floor_of_the_plan)
    assert rooms_m2 == pytest.approx(floor_m2, rel=1e-6)


def test_only_rings_of_the_same_layer_nest(
    conn: Connection, floor_of_the_plan: int, tmp_path: Path
) -> None:
    """A desk drawn on FURNITURE inside a room on ROOM is neither a hole nor cut out."""
    doc = new_drawing(insunits=6)
    room(doc, box(0, 0, 10, 10), "ROOM", "201")
    room(doc, box(2, 2, 2, 1), "ROOM_DESK", "202")
    report = import_dxf(
        conn,
        save(doc, tmp_path),
        floor_id=floor_of_the_plan,
        options=DxfOptions(origin=ORIGIN, layers=("ROOM*",)),
    )
    assert report.holes == 0 and report.written == 2
    assert _rooms(conn, floor_of_the_plan) == {"201": 100.0, "202": 2.0}
    assert [n.code for n in report.notices] == ["overlap"]


def test_a_hole_touching_the_wall_leaves_a_valid_room() -> None:
    """A light well against the hall's wall: the hall keeps one valid polygon."""
    from gis_app.dxf.nesting import cut, nest

    polygons = np.array(
        [shapely.Polygon(box(0, 0, 10, 10)), shapely.Polygon(box(0, 4, 2, 2))], dtype=object
    )
    nesting = nest(polygons, np.array([True, True]), ["ROOM", "ROOM"], nested_rooms=False)
    cut(polygons, nesting)
    assert nesting.holes == {1: 0}
    assert polygons[0].is_valid and polygons[0].area == pytest.approx(96.0)
