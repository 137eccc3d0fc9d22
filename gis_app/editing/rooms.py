"""Room actions: read with its version, change its attributes, allocate and release,
draw, reshape, split and merge. Each runs inside the caller's edit transaction
(`gis_app.db.edit.editing`); the database keeps the versions and the audit rows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import shapely
from shapely.errors import GEOSException
from shapely.geometry import mapping, shape
from shapely.ops import split as split_polygon
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.over_standard import over_standard
from gis_app.db.identity import sees_people
from gis_app.editing.plan import floor_plan_map
from gis_app.editing.rows import check_version, lock_etag, update_columns
from gis_app.errors import BadRequest, Conflict, InvalidParameter, NotFound
from gis_app.geodesy.area import ground_area_m2

Crs = Literal["CRS84", "local"]
EDITABLE = ("number", "name", "category", "subtype", "status", "organisation_id", "serves_room_id")

ROOM_SQL = text(
    "SELECT r.id, r.floor_id, f.building_id, r.number, r.name, r.category, r.subtype, "
    "r.status, r.organisation_id, o.name AS organisation_name, r.usable_area_m2, "
    "r.serves_room_id, r.valid_from, ST_AsGeoJSON(r.geom, 7)::json AS geometry, "
    "'\"' || md5(CAST(r AS text)) || '\"' AS etag "
    "FROM room r JOIN floor f ON f.id = r.floor_id "
    "LEFT JOIN organisation o ON o.id = r.organisation_id WHERE r.id = :id"
)
OCCUPANTS_SQL = text(
    "SELECT o.id AS occupancy_id, o.staff_id, "
    "CASE WHEN :people THEN gis_staff_name(o.staff_id) END AS name, s.rank_code, "
    "k.name_zh AS rank_name_zh, k.name_en AS rank_name_en, o.valid_from "
    "FROM room_occupancy o JOIN staff s ON s.id = o.staff_id JOIN rank k ON k.code = s.rank_code "
    "WHERE o.room_id = :id AND o.valid_from <= :day AND (o.valid_to IS NULL OR o.valid_to > :day) "
    "ORDER BY k.sort_order, o.staff_id"
)


def room_detail(session: Session, room_id: int, day: date | None = None) -> dict[str, Any]:
    """The room with its ETag, how many sit in it, and who (the roles that manage people
    only: anyone else gets an empty list); 404 naming it."""
    row = session.execute(ROOM_SQL, {"id": room_id}).mappings().first()
    if row is None:
        raise NotFound(resource="room", id=room_id)
    room = dict(row)
    room["usable_area_m2"] = float(room["usable_area_m2"])
    occupants = [
        dict(o)
        for o in session.execute(
            OCCUPANTS_SQL, {"id": room_id, "people": True, "day": day or date.today()}
        ).mappings()
    ]
    room["occupant_count"] = len(occupants)
    room["occupants"] = occupants if sees_people() else []
    return room


def _locked(session: Session, room_id: int, if_match: str | None) -> dict[str, Any]:
    """Lock the room, check the caller's version, and return it as it is now."""
    etag = lock_etag(session, "room", room_id, "room")
    current = room_detail(session, room_id)
    check_version(if_match, etag, "room", room_id, current)
    return current


def _check_body(session: Session, organisation_id: int | None) -> None:
    if (
        organisation_id is not None
        and session.execute(
            text("SELECT 1 FROM organisation WHERE id = :id AND ended_on IS NULL"),
            {"id": organisation_id},
        ).scalar()
        is None
    ):
        raise NotFound(resource="organisation", id=organisation_id)


def _check_serves(session: Session, room_id: int, serves: int | None) -> None:
    if serves is None:
        return
    if serves == room_id:
        raise InvalidParameter(field="serves_room_id", reason="reason.same_room")
    if session.execute(text("SELECT 1 FROM room WHERE id = :id"), {"id": serves}).scalar() is None:
        raise NotFound(resource="room", id=serves)


def findings(session: Session, room_ids: Sequence[int], floor_ids: Sequence[int]) -> list[dict]:
    """Offices among `room_ids` that are over the standard after the change (the default
    standard, today): the answer to a move or allocation that is allowed but not right."""
    found: list[dict[str, Any]] = []
    for floor_id in sorted(set(floor_ids)):
        page = over_standard(
            session, "room", Scope(floor_id=floor_id), Standard(), only_over=True, limit=500
        )
        found += [
            {
                "room_id": r["room_id"],
                "room_number": r["room_number"],
                "counted_area_m2": float(r["counted_area_m2"]),
                "limit_m2": float(r["limit_m2"]),
                "excess_m2": float(r["excess_m2"]),
            }
            for r in page.items
            if r["room_id"] in room_ids
        ]
    return found


def update_room(
    session: Session, room_id: int, if_match: str | None, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change the room's attributes (only the given ones); answers the room and findings."""
    current = _locked(session, room_id, if_match)
    if "organisation_id" in changes:
        _check_body(session, changes["organisation_id"])
    if "serves_room_id" in changes:
        _check_serves(session, room_id, changes["serves_room_id"])
    update_columns(session, "room", room_id, changes, EDITABLE)
    room = room_detail(session, room_id)
    room["findings"] = findings(session, [room_id], [current["floor_id"]])
    return room


def _room_ids(session: Session, room_ids: Sequence[int] | None, floor_id: int | None) -> list[int]:
    """The rooms named, or every room of the floor, locked; 404 naming the first missing."""
    if floor_id is not None:
        if (
            session.execute(text("SELECT 1 FROM floor WHERE id = :id"), {"id": floor_id}).scalar()
            is None
        ):
            raise NotFound(resource="floor", id=floor_id)
        rows = session.execute(
            text("SELECT id FROM room WHERE floor_id = :f ORDER BY id FOR UPDATE"), {"f": floor_id}
        )
        return [r[0] for r in rows]
    wanted = sorted(set(room_ids or ()))
    if not wanted:
        raise InvalidParameter(field="room_ids", reason="reason.room_ids_or_floor")
    found = {
        r[0]
        for r in session.execute(
            text("SELECT id FROM room WHERE id IN :ids FOR UPDATE").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": wanted},
        )
    }
    for room_id in wanted:
        if room_id not in found:
            raise NotFound(resource="room", id=room_id)
    return wanted


def allocate(
    session: Session,
    organisation_id: int | None,
    room_ids: Sequence[int] | None = None,
    floor_id: int | None = None,
) -> list[dict[str, Any]]:
    """Give the rooms (or the whole floor) to a body, or release them (None). A room given
    is in use by its body (no longer in the idle pool); one released is vacant; rooms under
    renovation or leased out keep that status."""
    _check_body(session, organisation_id)
    ids = _room_ids(session, room_ids, floor_id)
    session.execute(
        text(
            "UPDATE room SET organisation_id = :org, status = CASE "
            "WHEN CAST(:org AS integer) IS NULL AND status = 'in_use' THEN 'vacant' "
            "WHEN CAST(:org AS integer) IS NOT NULL AND status = 'vacant' THEN 'in_use' "
            "ELSE status END WHERE id IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"org": organisation_id, "ids": ids},
    )
    return [room_detail(session, i) for i in ids]


def _parse(
    value: dict[str, Any], field: str, kinds: tuple[str, ...], crs: str = "CRS84"
) -> shapely.Geometry:
    """The GeoJSON geometry, of one of `kinds`, valid, with finite coordinates within range
    (lon/lat: ±180/±90; plan metres: ±100 km); 422 naming `field` otherwise."""
    limit = np.array([180.0, 90.0]) if crs != "local" else np.array([1e5, 1e5])
    try:
        geom = shape(value)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise InvalidParameter(field=field, reason=str(exc)[:200]) from exc
    if geom.geom_type not in kinds or geom.is_empty:
        raise InvalidParameter(field=field, reason="reason.not_polygon")
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all() or (np.abs(xy) > limit).any():
        raise InvalidParameter(field=field, reason="reason.coordinates")
    if not shapely.is_valid(geom):
        raise InvalidParameter(field=field, reason=shapely.is_valid_reason(geom)[:200])
    return geom


def served(crs: str) -> Crs:
    """The CRS an outline is drawn in; 400 naming `crs` for one not served."""
    if crs not in ("CRS84", "local"):
        raise BadRequest(field="crs", reason="reason.crs_not_served", crs=crs[:60])
    return crs  # type: ignore[return-value]


def _both(session: Session, floor_id: int, geom: shapely.Geometry, crs: str) -> tuple:
    """(lon/lat, local) of an outline given in `crs`."""
    crs = served(crs)
    plan = floor_plan_map(session, floor_id)
    if crs == "local":
        return plan.to_geo(geom), geom
    return geom, plan.to_local(geom)


def _area(geo: shapely.Geometry) -> float:
    """Ground area (m², ellipsoid) of a lon/lat outline."""
    return round(float(ground_area_m2(np.array([geo]))[0]), 2)


def _shape_params(geo: shapely.Geometry, local: shapely.Geometry) -> dict[str, Any]:
    return {"geom": json.dumps(mapping(geo)), "local": shapely.to_wkt(local)}


GEOM_SET = "ST_SetSRID(ST_GeomFromGeoJSON(:geom), 4490)"
LOCAL_SET = "ST_GeomFromText(:local, 0)"
RESHAPE_SQL = text(
    "UPDATE room SET number = coalesce(:number, number), "
    "geom = ST_SetSRID(ST_GeomFromGeoJSON(:geom), 4490), local_geom = ST_GeomFromText(:local, 0), "
    "usable_area_m2 = :area WHERE id = :id"
)


def create_room(
    session: Session, floor_id: int, fields: dict[str, Any], geometry: dict[str, Any], crs: str
) -> dict[str, Any]:
    """Draw a new room on the floor; its recorded usable area defaults to the outline's."""
    if (
        session.execute(text("SELECT 1 FROM floor WHERE id = :id"), {"id": floor_id}).scalar()
        is None
    ):
        raise NotFound(resource="floor", id=floor_id)
    _check_body(session, fields.get("organisation_id"))
    outline = _parse(geometry, "geometry", ("Polygon",), served(crs))
    geo, local = _both(session, floor_id, outline, crs)
    area = fields.get("usable_area_m2") or _area(geo)
    columns = {k: fields.get(k) for k in EDITABLE} | {"usable_area_m2": area}
    names = ", ".join(columns)
    values = ", ".join(f":{k}" for k in columns)
    room_id = session.execute(
        text(
            f"INSERT INTO room (floor_id, {names}, geom, local_geom) "  # noqa: S608 (EDITABLE)
            f"VALUES (:floor_id, {values}, {GEOM_SET}, {LOCAL_SET}) RETURNING id"
        ),
        columns | {"floor_id": floor_id} | _shape_params(geo, local),
    ).scalar_one()
    return room_detail(session, room_id)


def reshape(
    session: Session,
    room_id: int,
    if_match: str | None,
    geometry: dict[str, Any],
    crs: str,
    usable_area_m2: float | None = None,
) -> dict[str, Any]:
    """New outline for the room, in both systems; the recorded area follows the outline
    unless given."""
    current = _locked(session, room_id, if_match)
    geo, local = _both(
        session, current["floor_id"], _parse(geometry, "geometry", ("Polygon",), served(crs)), crs
    )
    session.execute(
        RESHAPE_SQL,
        _shape_params(geo, local)
        | {"id": room_id, "number": None, "area": usable_area_m2 or _area(geo)},
    )
    return room_detail(session, room_id)


LOCAL_SQL = text("SELECT ST_AsBinary(local_geom) FROM room WHERE id = :id")


def split(
    session: Session,
    room_id: int,
    if_match: str | None,
    line: dict[str, Any],
    crs: str,
    numbers: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Cut the room in two along the line (cut in plan metres, the drawing's own system).
    The first part keeps the room (its id, occupants and history); the second is a new
    room with the same body, category and status; the recorded area is shared in
    proportion."""
    current = _locked(session, room_id, if_match)
    floor_id = current["floor_id"]
    plan = floor_plan_map(session, floor_id)
    cut = _parse(line, "line", ("LineString",), served(crs))
    cut_local = cut if served(crs) == "local" else plan.to_local(cut)
    local = shapely.from_wkb(session.execute(LOCAL_SQL, {"id": room_id}).scalar_one())
    try:
        parts = [p for p in split_polygon(local, cut_local).geoms if p.area > 0.01]
    except (GEOSException, ValueError):
        parts = []
    if len(parts) != 2:
        raise InvalidParameter(field="line", reason="reason.split_line")
    parts.sort(key=lambda p: -p.area)
    first, second = parts
    names = list(numbers or ())
    keep_number = names[0] if names else current["number"]
    new_number = names[1] if len(names) > 1 else f"{current['number']}-2"
    total = first.area + second.area
    area = current["usable_area_m2"]
    first_area = round(area * first.area / total, 2)
    session.execute(
        RESHAPE_SQL,
        _shape_params(plan.to_geo(first), first)
        | {"id": room_id, "number": keep_number, "area": first_area},
    )
    fields = {k: current[k] for k in EDITABLE} | {"number": new_number, "serves_room_id": None}
    fields["usable_area_m2"] = round(area - first_area, 2)
    created = create_room(session, floor_id, fields, mapping(second), "local")
    return [room_detail(session, room_id), created]


def merge(session: Session, room_ids: Sequence[int], number: str | None) -> dict[str, Any]:
    """Join adjacent rooms of one floor into the first of them (lowest id): it keeps its
    history; the others' current occupants move into it on the date (a stay starting on or
    after it moves whole); the others are removed (their past versions stay in
    room_history)."""
    ids = _room_ids(session, room_ids, None)
    if len(ids) < 2:
        raise InvalidParameter(field="room_ids", reason="reason.too_few")
    rows = session.execute(
        text(
            "SELECT id, floor_id, number, usable_area_m2, ST_AsBinary(local_geom) AS local "
            "FROM room WHERE id IN :ids ORDER BY id"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids},
    ).all()
    if len({r.floor_id for r in rows}) != 1:
        raise InvalidParameter(field="room_ids", reason="reason.same_floor")
    union = (
        shapely.union_all([shapely.from_wkb(r.local) for r in rows]).buffer(0.001).buffer(-0.001)
    )
    if union.geom_type != "Polygon":
        raise InvalidParameter(field="room_ids", reason="reason.not_adjacent")
    keep, others = rows[0], [r.id for r in rows[1:]]
    plan = floor_plan_map(session, keep.floor_id)
    day = session.execute(text("SELECT gis_effective_date()")).scalar_one()
    session.execute(
        text(
            "UPDATE room_occupancy SET room_id = :keep WHERE room_id IN :ids AND valid_from >= :day"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": others, "day": day, "keep": keep.id},
    )
    movers = (
        session.execute(
            text(
                "UPDATE room_occupancy SET valid_to = :day WHERE room_id IN :ids "
                "AND valid_from < :day AND (valid_to IS NULL OR valid_to > :day) RETURNING staff_id"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": others, "day": day},
        )
        .scalars()
        .all()
    )
    session.execute(
        text("DELETE FROM room WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
        {"ids": others},
    )
    session.execute(
        RESHAPE_SQL,
        _shape_params(plan.to_geo(union), union)
        | {
            "id": keep.id,
            "number": number or keep.number,
            "area": round(sum(float(r.usable_area_m2) for r in rows), 2),
        },
    )
    for staff_id in movers:
        session.execute(
            text(
                "INSERT INTO room_occupancy (room_id, staff_id, valid_from) "
                "VALUES (:room, :staff, :day) ON CONFLICT DO NOTHING"
            ),
            {"room": keep.id, "staff": staff_id, "day": day},
        )
    return room_detail(session, keep.id)


def not_idle(session: Session, room_ids: Sequence[int]) -> None:
    """409 naming the first room a body holds in use (a reallocation takes idle rooms: no
    body, or the ledger's vacant), before it is given."""
    held = session.execute(
        text(
            "SELECT number FROM room WHERE id IN :ids AND organisation_id IS NOT NULL "
            "AND status <> 'vacant' ORDER BY number LIMIT 1"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": list(room_ids)},
    ).scalar()
    if held is not None:
        raise Conflict(field="room_ids", reason="reason.room_not_idle", room=held)


def room_taken(session: Session, room_ids: Sequence[int]) -> None:
    """409 naming the first room that someone sits in today (a reallocation takes idle
    rooms only)."""
    taken = session.execute(
        text(
            "SELECT r.number FROM room r JOIN room_occupancy o ON o.room_id = r.id "
            "WHERE r.id IN :ids AND o.valid_from <= gis_effective_date() "
            "AND (o.valid_to IS NULL OR o.valid_to > gis_effective_date()) "
            "ORDER BY r.number LIMIT 1"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": list(room_ids)},
    ).scalar()
    if taken is not None:
        raise Conflict(field="room_ids", reason="reason.room_taken", room=taken)
