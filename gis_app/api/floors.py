"""Floors and their rooms for the floor-plan viewer: a building's levels with their figures,
and a level's rooms as GeoJSON, each room with the class it is coloured by, its standard,
occupants by rank, body and data-quality problems."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from gis_app.accounts.rights import Right
from gis_app.analysis.common import Scope, Standard, check_scope
from gis_app.api.analysis import StandardDep
from gis_app.api.features import GeoJSONResponse, plain, row_to_feature
from gis_app.errors import NotFound
from gis_app.http.auth import needs
from gis_app.http.language import api_language
from gis_app.http.params import IdPath
from gis_app.http.session import SessionDep
from gis_app.models.space import floor_label
from gis_app.queries.floors import (
    STATUS_CLASSES,
    building_floors,
    find_building,
    find_floor,
    floor_at,
    floor_rooms,
)
from gis_app.schemas.geojson import FeatureCollection

router = APIRouter(prefix="/api/v1", tags=["floors"], dependencies=[needs(Right.READ)])

OrdinalPath = Annotated[
    int, Path(ge=-100, le=500, description="Level: 0 is the ground floor (1F), -1 is B1")
]


class LevelNotFound(NotFound):
    """The building exists but has no floor at that level."""

    key = "web.floor.api.no_level"


class BuildingRef(BaseModel):
    """The building the floors belong to."""

    id: int
    code: str
    name: str
    floors_above: int
    floors_below: int
    safety_grade: str | None


class FloorSummary(BaseModel):
    """One level: rooms and usable area (m², as recorded), vacancy by usable area, offices
    over the standard, and data-quality problems touching it."""

    id: int
    ordinal: int
    label: str
    name: str
    room_count: int
    usable_area_m2: float
    allocatable_area_m2: float
    vacant_area_m2: float
    vacancy_rate: float | None
    fully_idle: bool
    over_standard_rooms: int
    data_quality_problems: int


class BuildingFloors(BaseModel):
    """A building's floors, lowest first."""

    building: BuildingRef
    standard: str
    as_of: str
    items: list[FloorSummary]


class FloorProblem(BaseModel):
    """A data-quality finding about the floor itself."""

    check: str
    explanation: str


class FloorInfo(BaseModel):
    """The floor the rooms are on, with its outline (lon/lat)."""

    id: int
    building_id: int
    building_code: str
    building_name: str
    ordinal: int
    label: str
    name: str
    outline: dict[str, Any] | None
    problems: list[FloorProblem]


class StatusCount(BaseModel):
    """Rooms of one colour class and their recorded usable area (m²)."""

    rooms: int
    area_m2: float


class FloorRooms(FeatureCollection):
    """The floor's rooms (every one, not paged) and what the legend needs."""

    floor: FloorInfo
    summary: dict[str, StatusCount]
    standard: str
    as_of: str


def _building_or_404(session: SessionDep, building_id: int, standard: Standard) -> BuildingRef:
    """404 naming the building, or 422 naming the standard, before any analysis runs."""
    check_scope(session, Scope(building_id=building_id), standard)
    row = find_building(session, building_id)
    if row is None:
        raise NotFound(resource="building", id=building_id)
    return BuildingRef(**{k: row[k] for k in BuildingRef.model_fields})


@router.get(
    "/buildings/{building_id}/floors",
    operation_id="building_floors",
    response_model=BuildingFloors,
    summary="建筑楼层 / A building's floors",
)
def building_floors_route(
    building_id: IdPath, session: SessionDep, standard: StandardDep
) -> BuildingFloors:
    """Floors lowest first with rooms, usable area, vacancy rate, offices over the standard
    and data-quality problems; 404 naming the building when it does not exist."""
    building = _building_or_404(session, building_id, standard)
    floors = building_floors(session, building_id, standard)
    return BuildingFloors(
        building=building,
        standard=standard.code,
        as_of=standard.as_of.isoformat(),
        items=[FloorSummary(**{k: plain(v) for k, v in f.items()}) for f in floors],
    )


def _rooms(request: Request, session: SessionDep, floor_id: int, standard: Standard) -> FloorRooms:
    """The floor's rooms with the legend's counts; 404 naming the floor."""
    check_scope(session, Scope(floor_id=floor_id), standard)
    floor = find_floor(session, floor_id)
    if floor is None:
        raise NotFound(resource="floor", id=floor_id)
    lang = api_language(request)
    rows, problems = floor_rooms(session, floor, standard, lang)
    summary = {c: StatusCount(rooms=0, area_m2=0) for c in STATUS_CLASSES}
    for row in rows:
        count = summary[row["status_class"]]
        count.rooms += 1
        count.area_m2 = round(count.area_m2 + float(row["usable_area_m2"]), 2)
    outline = floor.pop("outline")
    return FloorRooms(
        features=[row_to_feature(r) for r in rows],
        number_matched=len(rows),
        number_returned=len(rows),
        floor=FloorInfo(
            **floor,
            label=floor_label(floor["ordinal"]),
            outline=json.loads(outline) if outline else None,
            problems=[FloorProblem(**p) for p in problems],
        ),
        summary=summary,
        standard=standard.code,
        as_of=standard.as_of.isoformat(),
    )


ROOMS_DESCRIPTION = """Every room of the floor as a GeoJSON feature in lon/lat (CGCS2000),
id = room id. Properties: `number`, `name`, `category`, `subtype`, `usable_area_m2` (recorded),
`ledger_status`, `status_class` (the colour: over_standard, vacant, occupied, service,
equipment or ancillary), `organisation_id` and `organisation_name` (the body), `occupants` by
rank (`[{rank, label, count, limit_m2}]`), `occupant_count`; for an office with occupants
`limit_m2`, `counted_area_m2` (a rest room or toilet counted in), `excess_m2`, `over_standard`;
`attached_to` for a rest room counted in another office; `reallocatable` for a vacant room;
`explanation`; `problems` (`[{check, explanation, other_rooms}]`); `label_point` ([lon, lat]
inside the room). `occupants` is empty, and an office's `limit_m2`, `excess_m2` and
`explanation` null, for roles that do not manage the room's body. Foreign members: `floor`
(its outline and its own problems) and `summary` (rooms and area per status class)."""


@router.get(
    "/floors/{floor_id}/rooms",
    operation_id="floor_rooms",
    response_model=FloorRooms,
    response_model_by_alias=True,
    response_class=GeoJSONResponse,
    summary="楼层房间 / A floor's rooms",
    description=ROOMS_DESCRIPTION,
)
def floor_rooms_route(
    request: Request, floor_id: IdPath, session: SessionDep, standard: StandardDep
) -> FloorRooms:
    """The floor's rooms coloured by the analyses; 404 naming the floor when it does not
    exist."""
    return _rooms(request, session, floor_id, standard)


@router.get(
    "/buildings/{building_id}/floors/{ordinal}/rooms",
    operation_id="building_level_rooms",
    response_model=FloorRooms,
    response_model_by_alias=True,
    response_class=GeoJSONResponse,
    summary="按楼层序号取房间 / A floor's rooms by building and level",
    description=ROOMS_DESCRIPTION,
)
def building_level_rooms_route(
    request: Request,
    building_id: IdPath,
    ordinal: OrdinalPath,
    session: SessionDep,
    standard: StandardDep,
) -> FloorRooms:
    """The same as /floors/{id}/rooms, addressed as the floor-plan page links do; 404 naming
    the building, or the building and level, when either does not exist."""
    _building_or_404(session, building_id, standard)
    floor_id = floor_at(session, building_id, ordinal)
    if floor_id is None:
        raise LevelNotFound(building_id=building_id, ordinal=ordinal, level=floor_label(ordinal))
    return _rooms(request, session, floor_id, standard)
