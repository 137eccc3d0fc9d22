"""Small DXF drawings made with ezdxf in the test's folder, and a floor to import them onto:
a 0.004° square around ORIGIN (about 385 m × 445 m) in Hangzhou."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import ezdxf
import pytest
from ezdxf.document import Drawing
from sqlalchemy import Connection, text

ORIGIN = (120.15, 30.25)
"""Where drawing (0, 0) goes in the origin-placed tests (lon, lat)."""
REAL_DXF = (
    Path(__file__).parents[1] / "data" / "dxf_gare_de_l_est" / "gare_de_l_est_rooms_L93_m.dxf"
)


def box(x: float, y: float, w: float, h: float) -> list[tuple[float, float]]:
    return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


def new_drawing(insunits: int = 4) -> Drawing:
    """An empty R2010 drawing in mm ($INSUNITS 4) unless told otherwise."""
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = insunits
    return doc


def room(doc: Drawing, points, layer: str = "ROOM", *labels: str, closed: bool = True) -> str:
    """A closed LWPOLYLINE on `layer` with TEXT labels stacked at its centre; its handle."""
    msp = doc.modelspace()
    outline = msp.add_lwpolyline(points, close=closed, dxfattribs={"layer": layer})
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    for k, label in enumerate(labels):
        msp.add_text(label, height=1, dxfattribs={"layer": layer, "insert": (cx, cy - k * 2)})
    return outline.dxf.handle


def save(doc: Drawing, folder: Path, name: str = "plan.dxf") -> Path:
    path = folder / name
    doc.saveas(path)
    return path


def plan(folder: Path, *rooms: tuple, insunits: int = 4) -> Path:
    """A saved drawing of rooms on layer ROOM, each given as (points, label, …)."""
    doc = new_drawing(insunits)
    for points, *labels in rooms:
        room(doc, points, "ROOM", *labels)
    return save(doc, folder)


def insert_floor(
    conn: Connection, code: str, ordinal: int, square: tuple[float, float, float, float]
) -> int:
    """A floor at `ordinal` of building `code` (made when new), both with the outline west,
    south, east, north; the floor's id."""
    w, s, e, n = square
    ring = f"{w} {s},{e} {s},{e} {n},{w} {n},{w} {s}"
    building = conn.scalar(
        text(
            "INSERT INTO building (code, name, floors_above, floors_below, geom) VALUES "
            "(:code, :name, 3, 2, ST_GeomFromText(:wkt, 4490)) "
            "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name RETURNING id"
        ),
        {"code": code, "name": f"{code} 楼", "wkt": f"MULTIPOLYGON((({ring})))"},
    )
    return conn.scalar(
        text(
            "INSERT INTO floor (building_id, ordinal, name, geom) VALUES "
            "(:b, :o, :name, ST_GeomFromText(:wkt, 4490)) RETURNING id"
        ),
        {"b": building, "o": ordinal, "name": f"{ordinal}F", "wkt": f"POLYGON(({ring}))"},
    )


@pytest.fixture
def floor_id(conn: Connection) -> int:
    lon, lat = ORIGIN
    return insert_floor(conn, "DXF-TEST", 2, (lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002))


@pytest.fixture
def rooms_of(conn: Connection) -> Callable[[int], list[tuple]]:
    """A floor's rooms: number, name, category, status, area, drawn area, geodesic area."""

    def fetch(floor: int) -> list[tuple]:
        rows = conn.execute(
            text(
                "SELECT number, name, category, status, usable_area_m2::float, "
                "round(ST_Area(local_geom)::numeric, 2)::float, "
                "ST_Area(geography(geom)), ST_SRID(local_geom), ST_SRID(geom) "
                "FROM room WHERE floor_id = :f ORDER BY number"
            ),
            {"f": floor},
        ).all()
        return [tuple(r) for r in rows]

    return fetch
