"""`building_body` follows every change of rooms and floors in the same transaction
(migration 0008): row-level security finds a body's buildings through it."""

from __future__ import annotations

from sqlalchemy import text

SQUARE = "POLYGON((0 0,1 0,1 1,0 1,0 0))"
LONLAT = "ST_GeomFromText('POLYGON((120 30,120.001 30,120.001 30.001,120 30.001,120 30))', 4490)"


def _pairs(conn) -> set[tuple[int, int]]:
    return set(conn.execute(text("SELECT building_id, organisation_id FROM building_body")).all())


def _room(conn, room_id: int, floor_id: int, org: int | None) -> None:
    conn.execute(
        text(
            "INSERT INTO room (id, floor_id, number, category, usable_area_m2, organisation_id,"
            f" status, local_geom, geom) VALUES (:id, :floor, :number, 'office', 20, :org,"
            f" 'in_use', ST_GeomFromText('{SQUARE}', 0), {LONLAT})"
        ),
        {"id": room_id, "floor": floor_id, "number": str(room_id), "org": org},
    )


def test_pairs_follow_rooms_and_floors(conn) -> None:
    conn.execute(
        text(
            "INSERT INTO organisation (id, code, name, level, kind) VALUES"
            " (1, 'A', 'A', 'municipal', 'government'), (2, 'B', 'B', 'municipal', 'government')"
        )
    )
    for building in (1, 2):
        conn.execute(
            text(
                "INSERT INTO building (id, code, name, floors_above, geom) VALUES"
                f" (:id, :code, :name, 2, ST_Multi({LONLAT}))"
            ),
            {"id": building, "code": f"B{building}", "name": f"B{building}"},
        )
    conn.execute(
        text(
            "INSERT INTO floor (id, building_id, ordinal, name, geom) VALUES"
            f" (10, 1, 0, '1F', {LONLAT}), (11, 1, 1, '2F', {LONLAT}), (20, 2, 0, '1F', {LONLAT})"
        )
    )
    _room(conn, 100, 10, 1)
    _room(conn, 101, 11, 2)
    _room(conn, 102, 20, None)
    assert _pairs(conn) == {(1, 1), (1, 2)}
    conn.execute(text("UPDATE room SET organisation_id = 2 WHERE id = 102"))
    assert _pairs(conn) == {(1, 1), (1, 2), (2, 2)}
    conn.execute(text("UPDATE room SET floor_id = 20 WHERE id = 100"))
    assert _pairs(conn) == {(1, 2), (2, 1), (2, 2)}
    conn.execute(text("DELETE FROM floor WHERE id = 11"))
    assert _pairs(conn) == {(2, 1), (2, 2)}
    conn.execute(text("DELETE FROM room WHERE organisation_id = 2"))
    assert _pairs(conn) == {(2, 1)}
    conn.execute(text("DELETE FROM building WHERE id = 2"))
    assert _pairs(conn) == set()
