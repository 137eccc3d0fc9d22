"""The floor a drawing goes onto, and the database-side checks of its rooms: numbers
already taken on the floor and area outside the floor's outline (the validation trigger's
own test, so nothing that passes here fails at insert)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from gis_app.db.driver import Connectable, driver_connection
from gis_app.errors import InvalidParameter, NotFound
from gis_app.queries.floors import find_floor


@dataclass(frozen=True, slots=True)
class Floor:
    id: int
    building_code: str
    ordinal: int


def target_floor(
    conn: Connection | Session,
    floor_id: int | None = None,
    building: str | None = None,
    ordinal: int | None = None,
) -> Floor:
    """The floor a drawing goes onto, by id or by building code and ordinal; 422 when neither
    is given, 404 when there is no such floor."""
    if floor_id is None and (building is None or ordinal is None):
        raise InvalidParameter(field="floor_id", reason="reason.dxf_floor")
    row = find_floor(conn, floor_id, building_code=building, ordinal=ordinal)
    if row is None:
        key = floor_id if floor_id is not None else f"{building} {ordinal}"
        raise NotFound(resource="floor", id=key)
    return Floor(row["id"], row["building_code"], row["ordinal"])


def taken_numbers(conn: Connectable, floor_id: int) -> set[str]:
    with driver_connection(conn).cursor() as cur:
        cur.execute("SELECT number FROM room WHERE floor_id = %s", (floor_id,))
        return {row[0] for row in cur.fetchall()}
