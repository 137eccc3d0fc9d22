"""The floor a drawing goes onto, and the database-side checks of its rooms: numbers
already taken on the floor and area outside the floor's outline (the validation trigger's
own test, so nothing that passes here fails at insert)."""

from __future__ import annotations

from dataclasses import dataclass

from gis_app.db.driver import Connectable, driver_connection
from gis_app.errors import InvalidParameter, NotFound


@dataclass(frozen=True, slots=True)
class Floor:
    id: int
    building_code: str
    ordinal: int


def find_floor(
    conn: Connectable,
    floor_id: int | None = None,
    building: str | None = None,
    ordinal: int | None = None,
) -> Floor:
    """The floor by id, or by building code and ordinal; 404 when there is none."""
    if floor_id is None and (building is None or ordinal is None):
        raise InvalidParameter(field="floor_id", reason="reason.dxf_floor")
    query = "SELECT f.id, b.code, f.ordinal FROM floor f JOIN building b ON b.id = f.building_id "
    with driver_connection(conn).cursor() as cur:
        if floor_id is not None:
            cur.execute(query + "WHERE f.id = %s", (floor_id,))
        else:
            cur.execute(query + "WHERE b.code = %s AND f.ordinal = %s", (building, ordinal))
        row = cur.fetchone()
    if row is None:
        key = floor_id if floor_id is not None else f"{building} {ordinal}"
        raise NotFound(resource="floor", id=key)
    return Floor(*row)


def taken_numbers(conn: Connectable, floor_id: int) -> set[str]:
    with driver_connection(conn).cursor() as cur:
        cur.execute("SELECT number FROM room WHERE floor_id = %s", (floor_id,))
        return {row[0] for row in cur.fetchall()}
