"""Buildings, floors and rooms to write, as any indoor reader (IMDF, IMDF-like, OSM indoor)
makes them, and the one place they are checked against the database and written.

Readers fill a `Plan` with rows keyed by the source feature that gave them, and with the
problems found; `write_plan` inserts buildings, then floors, then rooms (three statements,
in the caller's transaction) and returns the new ids.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from gis_app.db.driver import Connectable, driver_connection
from gis_app.i18n import DEFAULT_LANGUAGE
from gis_app.imdf.archive import Feature
from gis_app.imdf.problems import ImdfProblem
from gis_app.ingest.geodesy import area_m2
from gis_app.ingest.local import plan_coordinates
from gis_app.ingest.read import CHINA_BOUNDS
from gis_app.ingest.write import insert_rows
from gis_app.models.base import LOCAL_SRID, SRID
from gis_app.models.space import floor_label

NAMESPACE = uuid.UUID("4f1c7d0e-3b8a-5e2c-9a61-6d2f0b9c8e47")
"""Namespace of the ids we derive (rows never imported from IMDF, features without an id)."""
NUMBER_MAX = 24
Bounds = tuple[float, float, float, float]
FLOOR_NAME_MAX = 16


def derived_id(*parts: object) -> uuid.UUID:
    """A stable UUID for something that has none (same input, same id, every time)."""
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


@dataclass(slots=True)
class BuildingRow:
    key: str
    imdf_id: uuid.UUID
    code: str
    name: str
    address: str | None
    geom: shapely.Geometry | None = None
    source: Feature | None = None
    imdf_source: dict[str, Any] | None = None


@dataclass(slots=True)
class FloorRow:
    key: str
    building: str
    ordinal: int
    name: str
    imdf_id: uuid.UUID
    geom: shapely.Geometry | None = None
    source: Feature | None = None
    imdf_source: dict[str, Any] | None = None


@dataclass(slots=True)
class RoomRow:
    floor: str
    number: str | None
    name: str | None
    category: str
    subtype: str | None
    imdf_id: uuid.UUID
    geom: shapely.Geometry
    source: Feature
    imdf_source: dict[str, Any] | None = None


@dataclass(slots=True)
class Plan:
    """What a reader made of a source: rows, problems (each rejects its feature), warnings
    (reported, nothing rejected) and the features it left out on purpose, by reason."""

    source: str
    form: str
    read: dict[str, int] = field(default_factory=dict)
    buildings: list[BuildingRow] = field(default_factory=list)
    floors: list[FloorRow] = field(default_factory=list)
    rooms: list[RoomRow] = field(default_factory=list)
    problems: list[ImdfProblem] = field(default_factory=list)
    warnings: list[ImdfProblem] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)

    def rejected(self) -> set[tuple[str, int]]:
        return {(p.file, p.index) for p in self.problems if p.index >= 0}


def polygon_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    """A Polygon, or the only part of a one-part MultiPolygon; None otherwise."""
    if geom.geom_type == "Polygon":
        return geom
    if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1:
        return geom.geoms[0]
    return None


def as_multipolygon(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    if geom.geom_type == "MultiPolygon":
        return geom
    hull = geom.convex_hull
    return shapely.MultiPolygon([hull]) if hull.geom_type == "Polygon" else hull


def outline(geoms: list[shapely.Geometry]) -> shapely.Geometry:
    """A floor outline holding `geoms`: their convex hull."""
    return shapely.union_all(np.array(geoms, dtype=object)).convex_hull


BUILDING = "building"
"""Key of the one building of a source that has no building features (IMDF-like, OSM)."""


def floor_key(ordinal: int) -> str:
    return f"{BUILDING}/{ordinal}"


def add_one_building(plan: Plan, *, kind: str, stem: str, ordinals: set[int]) -> None:
    """The one building of a single-file source named `stem` (its code `<KIND>-<stem>`),
    with a floor for each ordinal its rooms use; ids derived from kind, stem and ordinal."""
    plan.buildings.append(
        BuildingRow(
            key=BUILDING,
            imdf_id=derived_id(kind, "building", stem),
            code=f"{kind.upper()}-{stem}"[:40],
            name=stem,
            address=None,
        )
    )
    for ordinal in sorted(ordinals):
        plan.floors.append(
            FloorRow(
                key=floor_key(ordinal),
                building=BUILDING,
                ordinal=ordinal,
                name=floor_label(ordinal),
                imdf_id=derived_id(kind, "level", stem, ordinal),
            )
        )


def reject_outside_china(plan: Plan, features: list[Feature], area: Bounds = CHINA_BOUNDS) -> None:
    """Features with coordinates outside `area` (west, south, east, north), rejected
    (out_of_area, as in every import)."""
    west, south, east, north = area
    for feature in features:
        if feature.geom is None or feature.geom.is_empty:
            continue
        w, s, e, n = feature.geom.bounds
        if w < west or e > east or s < south or n > north:
            plan.problems.append(
                feature.problem("geometry", "out_of_area", f"{w:.6f}, {s:.6f}, {e:.6f}, {n:.6f}")
            )


def number_rooms(plan: Plan) -> None:
    """Give every room a number unique on its floor: its own when it has one that fits
    (≤ 24 characters, not yet taken), else `U-` and the start of its id."""
    taken: dict[str, set[str]] = {}
    for room in plan.rooms:
        used = taken.setdefault(room.floor, set())
        number = (room.number or "").strip()
        if not number or len(number) > NUMBER_MAX or number in used:
            hexed = room.imdf_id.hex
            length = 8
            number = f"U-{hexed[:length]}"
            while number in used:
                length += 2
                number = f"U-{hexed[:length]}"
        used.add(number)
        room.number = number


def drop_rejected(plan: Plan) -> None:
    """Leave out rooms whose feature was rejected, floors of rejected levels and what
    hangs on them (reported as `imdf_parent_rejected`), and buildings left with no floor."""
    rejected = plan.rejected()
    floors = []
    for floor in plan.floors:
        if floor.source is not None and (floor.source.file, floor.source.index) in rejected:
            continue
        floors.append(floor)
    alive_buildings = {
        b.key
        for b in plan.buildings
        if b.source is None or (b.source.file, b.source.index) not in rejected
    }
    plan.floors = [f for f in floors if f.building in alive_buildings]
    alive_floors = {f.key for f in plan.floors}
    rooms = []
    for room in plan.rooms:
        where = (room.source.file, room.source.index)
        if where in rejected:
            continue
        if room.floor not in alive_floors:
            plan.problems.append(
                room.source.problem("level_id", "imdf_parent_rejected", room.floor)
            )
            continue
        rooms.append(room)
    plan.rooms = rooms
    used = {f.building for f in plan.floors}
    plan.buildings = [b for b in plan.buildings if b.key in alive_buildings and b.key in used]


def fill_outlines(plan: Plan) -> None:
    """Floors without an outline get the hull of their rooms, buildings without one the
    hull of their floors; floors_above/below follow from the ordinals."""
    by_floor: dict[str, list[shapely.Geometry]] = {}
    for room in plan.rooms:
        by_floor.setdefault(room.floor, []).append(room.geom)
    for floor in plan.floors:
        rooms = by_floor.get(floor.key, [])
        if floor.geom is None:
            floor.geom = outline(rooms) if rooms else None
    plan.floors = [f for f in plan.floors if f.geom is not None and f.geom.geom_type == "Polygon"]
    by_building: dict[str, list[shapely.Geometry]] = {}
    for floor in plan.floors:
        by_building.setdefault(floor.building, []).append(floor.geom)
    for building in plan.buildings:
        if building.geom is None and building.key in by_building:
            building.geom = as_multipolygon(outline(by_building[building.key]))
    plan.buildings = [b for b in plan.buildings if b.geom is not None]


def _existing(conn: Connectable, table: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    with driver_connection(conn).cursor() as cur:
        cur.execute(f"SELECT imdf_id FROM {table} WHERE imdf_id = ANY(%s)", (ids,))  # noqa: S608
        return {row[0] for row in cur.fetchall()}


def check_existing(conn: Connectable, plan: Plan) -> None:
    """Features already in the database (same IMDF id, or building code) are rejected."""
    for table, rows in (("building", plan.buildings), ("floor", plan.floors), ("room", plan.rooms)):
        found = _existing(conn, table, [r.imdf_id for r in rows])
        for row in rows:
            if row.imdf_id in found and row.source is not None:
                plan.problems.append(row.source.problem("id", "imdf_already_imported", row.imdf_id))
    with driver_connection(conn).cursor() as cur:
        cur.execute(
            "SELECT code FROM building WHERE code = ANY(%s)", ([b.code for b in plan.buildings],)
        )
        codes = {row[0] for row in cur.fetchall()}
    for building in plan.buildings:
        if building.code in codes and building.source is not None:
            plan.problems.append(
                building.source.problem("id", "imdf_already_imported", building.code)
            )


@dataclass(slots=True)
class Written:
    buildings: list[int]
    floors: list[int]
    rooms: list[int]


def _json(value: dict[str, Any] | None) -> str | None:
    """The source features as the jsonb text a row keeps (`imdf_source`)."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


def write_plan(conn: Connectable, plan: Plan, status: str) -> Written:
    """Insert the plan's buildings, floors and rooms; their new ids in plan order."""
    floors_of: dict[str, list[int]] = {}
    for floor in plan.floors:
        floors_of.setdefault(floor.building, []).append(floor.ordinal)
    building_ids = insert_rows(
        conn,
        "building",
        {
            "code": [b.code for b in plan.buildings],
            "name": [b.name for b in plan.buildings],
            "address": [b.address for b in plan.buildings],
            "floors_above": [
                str(max(1, sum(o >= 0 for o in floors_of[b.key]))) for b in plan.buildings
            ],
            "floors_below": [str(sum(o < 0 for o in floors_of[b.key])) for b in plan.buildings],
            "imdf_id": [str(b.imdf_id) for b in plan.buildings],
            "imdf_source": [_json(b.imdf_source) for b in plan.buildings],
        },
        shapely.to_wkb(np.array([b.geom for b in plan.buildings], dtype=object)).tolist(),
    )
    building_id = dict(zip((b.key for b in plan.buildings), building_ids, strict=True))
    floor_ids = insert_rows(
        conn,
        "floor",
        {
            "building_id": [str(building_id[f.building]) for f in plan.floors],
            "ordinal": [str(f.ordinal) for f in plan.floors],
            "name": [f.name[:FLOOR_NAME_MAX] for f in plan.floors],
            "imdf_id": [str(f.imdf_id) for f in plan.floors],
            "imdf_source": [_json(f.imdf_source) for f in plan.floors],
        },
        shapely.to_wkb(np.array([f.geom for f in plan.floors], dtype=object)).tolist(),
    )
    floor_id = dict(zip((f.key for f in plan.floors), floor_ids, strict=True))
    floor_building = {f.key: f.building for f in plan.floors}
    building_geom = {b.key: b.geom for b in plan.buildings}
    geoms = np.array([r.geom for r in plan.rooms], dtype=object)
    local = np.empty(len(plan.rooms), dtype=object)
    for key, geom in building_geom.items():
        members = np.array([floor_building[r.floor] == key for r in plan.rooms], dtype=bool)
        if members.any():
            local[members] = plan_coordinates(geoms[members], geom)
    room_ids = insert_rows(
        conn,
        "room",
        {
            "floor_id": [str(floor_id[r.floor]) for r in plan.rooms],
            "number": [r.number for r in plan.rooms],
            "name": [r.name for r in plan.rooms],
            "category": [r.category for r in plan.rooms],
            "subtype": [r.subtype for r in plan.rooms],
            "usable_area_m2": [f"{area_m2(r.geom):.2f}" for r in plan.rooms],
            "status": [status] * len(plan.rooms),
            "imdf_id": [str(r.imdf_id) for r in plan.rooms],
            "imdf_source": [_json(r.imdf_source) for r in plan.rooms],
        },
        {
            "geom": (shapely.to_wkb(geoms).tolist(), SRID),
            "local_geom": (shapely.to_wkb(local).tolist(), LOCAL_SRID),
        },
    )
    return Written(building_ids, floor_ids, room_ids)


def by_code(problems: list[ImdfProblem]) -> dict[str, int]:
    return dict(Counter(p.code for p in problems))


def report_problems(
    problems: list[ImdfProblem], lang: str = DEFAULT_LANGUAGE
) -> list[dict[str, Any]]:
    return [
        p.as_dict(lang) for p in sorted(problems, key=lambda p: (p.file, p.index, p.field, p.code))
    ]
