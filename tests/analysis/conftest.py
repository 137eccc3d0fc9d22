"""A small hand-built office world whose expected results are worked out in the tests.

Body A 杭州市甲局 (municipal, 编制 10): a1 bureau head (24 m²), a2 bureau deputy (18),
a3 and a4 staff (9 each). Body B 西湖区乙局 (county, 编制 150): b1 county head (30),
b2 staff (9). Building X (campus 1), floor 3F (id 10); building Y (campus 1, grade C),
floor 1F (id 20).

room  floor  category   subtype    m²   body  occupants (current)      status
r1    10     office     -          40   A     a1                       in_use
r2    10     office     -          20   A     a2                       in_use
r3    10     office     -          20   A     a3, a4                   in_use
r4    10     office     -          17   -     -                        vacant
r5    10     office     -          28   B     b1                       in_use
r6    10     office     rest_room   8   B     b1                       in_use
r7    10     service    meeting    50   A     -                        in_use
r8    10     equipment  hvac       10   A     -                        in_use
r9    10     office     -          12   -     (b2 until 2024-01-01)    vacant
r10   10     office     -          15   -     -                        renovation
r11   20     office     -          30   -     -                        vacant
r12   10     office     -          16   A     -                        in_use
r13   30     office     -           8   -     c1                       in_use
r14   30     office     -           8   -     c1                       in_use

Body C 杭州市丙中心 (municipal, 编制 1) has two staff, c1 and c2: one over its
establishment. c1 holds two offices (r13, r14) in building Z, whose floor 30 reaches
beyond the footprint. Data-quality plants: room 306 is drawn 40 m² but recorded 50 m²;
307 and 308 overlap in the drawing by 1.16 m × √10 m; r14 sticks out of floor 30 by a
sliver (under the 0.5 m² the database tolerates); 310 is "in use" in the ledger with
nobody in it. Every other room is drawn at its recorded area.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text

from gis_app.db import migrate
from gis_app.db.engine import make_engine


def _box(x: float, y: float, dx: float, dy: float | None = None) -> str:
    dy = dx if dy is None else dy
    return f"POLYGON(({x} {y},{x + dx} {y},{x + dx} {y + dy},{x} {y + dy},{x} {y}))"


ROOMS = [
    # id, floor, number, category, subtype, area, body, status
    (1, 10, "301", "office", None, 40, 1, "in_use"),
    (2, 10, "302", "office", None, 20, 1, "in_use"),
    (3, 10, "303", "office", None, 20, 1, "in_use"),
    (4, 10, "304", "office", None, 17, None, "vacant"),
    (5, 10, "305", "office", None, 28, 2, "in_use"),
    (6, 10, "305-1", "office", "rest_room", 8, 2, "in_use"),
    (7, 10, "306", "service", "meeting", 50, 1, "in_use"),
    (8, 10, "307", "equipment", "hvac", 10, 1, "in_use"),
    (9, 10, "308", "office", None, 12, None, "vacant"),
    (10, 10, "309", "office", None, 15, None, "renovation"),
    (11, 20, "101", "office", None, 30, None, "vacant"),
    (12, 10, "310", "office", None, 16, 1, "in_use"),
    (13, 30, "201", "office", None, 8, None, "in_use"),
    (14, 30, "202", "office", None, 8, None, "in_use"),
]
DRAWN_AREA = {7: 40.0}
"""Rooms drawn at another area than recorded (m²)."""
LOCAL_X = {8: 88.0}
"""Rooms drawn somewhere else than x = 10 × id (307 laps over 308)."""
GEO_BOX = {
    13: (120.1085, 30.2515, 0.0001),
    14: (120.1090, 30.2521, 0.00003, 0.000101),
}
"""Georeferenced boxes (x, y, dx[, dy]) for building Z's rooms; 202 pokes 0.000001° north
of floor 30 (about 0.3 m²)."""

SQL = [
    "INSERT INTO organisation (id, code, name, level, kind, authorised_staff, parent_id) VALUES "
    "(1, 'A', '杭州市甲局', 'municipal', 'government', 10, NULL), "
    "(2, 'B', '西湖区乙局', 'county', 'government', 150, 1), "
    "(3, 'C', '杭州市丙中心', 'municipal', 'public_institution', 1, NULL)",
    "INSERT INTO staff (id, organisation_id, rank_code, name) VALUES "
    "(1, 1, 'municipal_bureau_head', 'a1'), (2, 1, 'municipal_bureau_deputy', 'a2'), "
    "(3, 1, 'municipal_staff', 'a3'), (4, 1, 'municipal_staff', 'a4'), "
    "(5, 2, 'county_head', 'b1'), (6, 2, 'county_staff', 'b2'), "
    "(7, 3, 'municipal_staff', 'c1'), (8, 3, 'municipal_staff', 'c2')",
    f"INSERT INTO campus (id, code, name, geom) VALUES "
    f"(1, 'C1', '一号院', ST_Multi(ST_GeomFromText('{_box(120.1, 30.25, 0.01)}', 4490)))",
    f"INSERT INTO building (id, code, name, campus_id, floors_above, safety_grade, geom) VALUES "
    f"(1, 'X', 'X楼', 1, 5, 'A', ST_Multi(ST_GeomFromText('{_box(120.101, 30.251, 0.001)}', 4490))), "
    f"(2, 'Y', 'Y楼', 1, 2, 'C', ST_Multi(ST_GeomFromText('{_box(120.105, 30.251, 0.001)}', 4490))), "
    f"(3, 'Z', 'Z楼', 1, 3, 'B', ST_Multi(ST_GeomFromText('{_box(120.108, 30.251, 0.001)}', 4490)))",
    f"INSERT INTO floor (id, building_id, ordinal, name, geom) VALUES "
    f"(10, 1, 2, '3F', ST_GeomFromText('{_box(120.101, 30.251, 0.001)}', 4490)), "
    f"(20, 2, 0, '1F', ST_GeomFromText('{_box(120.105, 30.251, 0.001)}', 4490)), "
    f"(30, 3, 1, '2F', ST_GeomFromText('{_box(120.108, 30.251, 0.0012)}', 4490))",
]


@pytest.fixture(scope="session")
def office_world_url(new_database: Callable[..., str]) -> str:
    return build_office_world(new_database())


def build_office_world(url: str, then: tuple[str, ...] = ()) -> str:
    """The hand-built world in the empty database `url` (migrated here), with the
    statements `then` run after it in the same transaction; returns `url`."""
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        for statement in SQL:
            conn.execute(text(statement))
        for rid, floor, number, category, subtype, area, body, status in ROOMS:
            x0 = 120.101 if floor == 10 else 120.105
            x = x0 + 0.00005 + (rid % 11) * 0.00008
            geo = _box(*GEO_BOX[rid]) if rid in GEO_BOX else _box(x, 30.2511, 0.00007)
            side = DRAWN_AREA.get(rid, area) ** 0.5
            conn.execute(
                text(
                    "INSERT INTO room (id, floor_id, number, category, subtype, usable_area_m2, "
                    "organisation_id, status, local_geom, geom) VALUES (:id, :floor, :number, "
                    ":category, :subtype, :area, :body, :status, "
                    "ST_GeomFromText(:local, 0), ST_GeomFromText(:geo, 4490))"
                ),
                {
                    "id": rid,
                    "floor": floor,
                    "number": number,
                    "category": category,
                    "subtype": subtype,
                    "area": area,
                    "body": body,
                    "status": status,
                    "local": _box(LOCAL_X.get(rid, rid * 10.0), 0, side),
                    "geo": geo,
                },
            )
        conn.execute(
            text(
                "INSERT INTO room_occupancy (room_id, staff_id, valid_from, valid_to) VALUES "
                "(1, 1, '2020-01-01', NULL), (2, 2, '2020-01-01', NULL), "
                "(3, 3, '2021-03-01', NULL), (3, 4, '2022-05-01', NULL), "
                "(5, 5, '2019-01-01', NULL), (6, 5, '2019-01-01', NULL), "
                "(9, 6, '2018-01-01', '2024-01-01'), "
                "(13, 7, '2025-01-01', NULL), (14, 7, '2025-01-01', NULL)"
            )
        )
        for statement in then:
            conn.execute(text(statement))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def office_engine(office_world_url: str):
    engine = make_engine(office_world_url)
    yield engine
    engine.dispose()
