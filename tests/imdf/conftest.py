"""A hand-made building of two floors (B1 and 1F) with four rooms near West Lake, a fresh
migrated database for each import, and IMDF archives written as folders or zips."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text

from gis_app.db import migrate
from gis_app.db.engine import make_engine

DATA = Path(__file__).resolve().parent.parent / "data"
X0, Y0 = 120.15, 30.27
D = 0.0002
"""A building 0.0004° square (≈ 38 m × 44 m); rooms are its quarters."""


def square(x: float, y: float, d: float) -> str:
    return f"POLYGON(({x} {y},{x + d} {y},{x + d} {y + d},{x} {y + d},{x} {y}))"


ROOMS = [
    # (ordinal, number, name, category, subtype, x, y)
    (0, "101", "办公室一", "office", "office", X0, Y0),
    (0, "102", "会议室", "service", "meeting", X0 + D, Y0),
    (0, "103", None, "ancillary", "corridor", X0, Y0 + D),
    (-1, "B01", "水泵房", "equipment", "pump", X0, Y0),
]


def add_building(conn: Connection, code: str = "T-IMDF") -> int:
    """The test building with its floors and rooms; its id."""
    building = conn.scalar(
        text(
            "INSERT INTO building (code, name, address, floors_above, floors_below, geom) "
            "VALUES (:code, '测试楼', '浙江省杭州市西湖区北山路 1 号', 1, 1, "
            "ST_Multi(ST_GeomFromText(:wkt, 4490))) RETURNING id"
        ),
        {"code": code, "wkt": square(X0, Y0, 2 * D)},
    )
    floors = {}
    for ordinal, name in ((0, "1F"), (-1, "B1")):
        floors[ordinal] = conn.scalar(
            text(
                "INSERT INTO floor (building_id, ordinal, name, geom) "
                "VALUES (:b, :o, :n, ST_GeomFromText(:wkt, 4490)) RETURNING id"
            ),
            {"b": building, "o": ordinal, "n": name, "wkt": square(X0, Y0, 2 * D)},
        )
    for ordinal, number, name, category, subtype, x, y in ROOMS:
        conn.execute(
            text(
                "INSERT INTO room (floor_id, number, name, category, subtype, usable_area_m2, "
                "status, geom, local_geom) VALUES (:f, :num, :name, :c, :s, 100, 'in_use', "
                "ST_GeomFromText(:wkt, 4490), ST_GeomFromText(:local, 0))"
            ),
            {
                "f": floors[ordinal],
                "num": number,
                "name": name,
                "c": category,
                "s": subtype,
                "wkt": square(x, y, D),
                "local": square(0, 0, 10),
            },
        )
    return building


@pytest.fixture
def fresh_engine(new_database: Callable[..., str]) -> Iterator[Engine]:
    """An empty migrated database of its own (imports into it are committed)."""
    url = new_database()
    migrate.upgrade(url)
    engine = make_engine(url, audit_user="pytest")
    yield engine
    engine.dispose()


def write_folder(folder: Path, files: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(json.dumps(content, ensure_ascii=False), "utf-8")
    return folder


def zip_bytes(files: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, json.dumps(content, ensure_ascii=False))
    return out.getvalue()


def unzip(data: bytes) -> dict[str, Any]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist()}
