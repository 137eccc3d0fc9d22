"""A building's floors and a floor's rooms, each with its standing in the office-space
analyses, for the floor-plan viewer.

Nothing here defines "over standard", "vacant" or a data-quality problem again: the rows come
from `gis_app.analysis` run on the floor's or the building's scope, and are only joined to
the rooms and their drawings here. Areas are the recorded usable areas (m²) the analyses use.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from gis_app.analysis import explain
from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.data_quality import Check, data_quality
from gis_app.analysis.over_standard import over_standard
from gis_app.analysis.vacancy import vacancy
from gis_app.db.identity import sees_people
from gis_app.models import Building, Floor, Room
from gis_app.models.space import floor_label

StatusClass = Literal["over_standard", "vacant", "occupied", "service", "equipment", "ancillary"]
STATUS_CLASSES: tuple[StatusClass, ...] = StatusClass.__args__  # type: ignore[attr-defined]
"""How a room is coloured, in order of precedence: the analyses first (an office over the
standard, a vacant office or service room), then the room's category."""
STATUS_COLOURS: dict[StatusClass, str] = {
    "over_standard": "#e03131",
    "vacant": "#8ccf7e",
    "occupied": "#5b9bd5",
    "service": "#f2c45a",
    "equipment": "#b39ddb",
    "ancillary": "#cfcfcf",
}
"""Each class's colour: the floor plan page (web/js/floor_plan.js) and its print draw with it."""

_BY_CATEGORY: dict[str, StatusClass] = {
    "office": "occupied",
    "service": "service",
    "equipment": "equipment",
    "ancillary": "ancillary",
}

FLOOR_CHECKS: tuple[Check, ...] = (
    "area_mismatch",
    "room_outside_floor",
    "overlapping_rooms",
    "floor_outside_building",
    "staff_in_two_offices",
    "in_use_but_empty",
    "vacant_but_occupied",
    "leased_out_without_approval",
)
"""The checks that point at rooms or floors (staff above the establishment is a body's)."""

FLOORS_SQL = text(
    "SELECT f.id, f.ordinal, f.name, count(r.id) AS room_count, "
    "coalesce(sum(r.usable_area_m2), 0) AS usable_area_m2 "
    "FROM floor_at(:d) f LEFT JOIN room_at(:d) r ON r.floor_id = f.id "
    "WHERE f.building_id = :b GROUP BY f.id, f.ordinal, f.name ORDER BY f.ordinal"
)
"""A building's floors and their rooms as they were on :d (migration 0010's `_at`)."""
ROOMS_SQL = text(
    "SELECT r.id, r.number, r.name, r.category, r.subtype, r.usable_area_m2, "
    "r.status AS ledger_status, r.organisation_id, o.name AS organisation_name, "
    "ST_X(ST_PointOnSurface(r.geom)) AS label_lon, ST_Y(ST_PointOnSurface(r.geom)) AS label_lat, "
    "ST_AsGeoJSON(r.geom, 7, 0) AS geometry "
    "FROM room_at(:d) r LEFT JOIN organisation o ON o.id = r.organisation_id "
    "WHERE r.floor_id = :f ORDER BY r.number, r.id"
)
"""A floor's rooms as they were on :d."""

EVERY_ROW = 2**31 - 1
"""Analyses are paged; a floor or building wants all of its rows."""


def find_building(session: Session, building_id: int) -> dict[str, Any] | None:
    """A building's name, size and footprint extent (west, south, east, north), or None."""
    box = func.ST_Envelope(Building.geom)
    row = (
        session.execute(
            select(
                Building.id,
                Building.code,
                Building.name,
                Building.floors_above,
                Building.floors_below,
                Building.safety_grade,
                func.ST_XMin(box).label("west"),
                func.ST_YMin(box).label("south"),
                func.ST_XMax(box).label("east"),
                func.ST_YMax(box).label("north"),
            ).where(Building.id == building_id)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def count_buildings(session: Session) -> int:
    """How many buildings there are (the chooser lists them all only when they are few)."""
    return session.scalar(select(func.count()).select_from(Building)) or 0


def list_buildings(session: Session, limit: int) -> list[dict[str, Any]]:
    """Buildings by code with their floor counts, for the chooser."""
    rows = session.execute(
        select(Building.id, Building.code, Building.name, Building.floors_above)
        .order_by(Building.code)
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def find_floor(
    db: Session | Connection,
    floor_id: int | None = None,
    *,
    building_code: str | None = None,
    ordinal: int | None = None,
) -> dict[str, Any] | None:
    """A floor, by id or by its building's code and its ordinal, with the building's code and
    name and the outline as GeoJSON (lon/lat); None when there is none."""
    if floor_id is not None:
        where = Floor.id == floor_id
    else:
        where = (Building.code == building_code) & (Floor.ordinal == ordinal)
    row = (
        db.execute(
            select(
                Floor.id,
                Floor.building_id,
                Floor.ordinal,
                Floor.name,
                Building.code.label("building_code"),
                Building.name.label("building_name"),
                func.ST_AsGeoJSON(Floor.geom, 7, 0).label("outline"),
            )
            .join(Building, Building.id == Floor.building_id)
            .where(where)
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def floor_at(session: Session, building_id: int, ordinal: int) -> int | None:
    """The id of a building's floor at `ordinal`, or None."""
    return session.scalar(
        select(Floor.id).where(Floor.building_id == building_id, Floor.ordinal == ordinal)
    )


def _findings(
    session: Session, building_id: int, standard: Standard, floor_id: int | None = None
) -> list[dict[str, Any]]:
    """The building's room and floor findings, or one floor's. A person's offices are looked
    for in the whole building even for one floor, so that a second office upstairs is seen."""
    if floor_id is None:
        scope = Scope(building_id=building_id)
        return data_quality(session, scope, standard, checks=FLOOR_CHECKS, limit=EVERY_ROW).items
    local = tuple(c for c in FLOOR_CHECKS if c != "staff_in_two_offices")
    on_floor = data_quality(
        session, Scope(floor_id=floor_id), standard, checks=local, limit=EVERY_ROW
    ).items
    people = data_quality(
        session,
        Scope(building_id=building_id),
        standard,
        checks=("staff_in_two_offices",),
        limit=EVERY_ROW,
    ).items
    return on_floor + people


def _finding_rooms(finding: dict[str, Any]) -> list[int]:
    """The rooms a finding is about: one room, both rooms of an overlap, or every office of
    a person holding several."""
    details = finding["details"]
    if finding["check"] == "staff_in_two_offices":
        return [int(r) for r in details["room_ids"]]
    if finding["check"] == "overlapping_rooms":
        return [int(finding["room_id"]), int(details["other_room_id"])]
    return [int(finding["room_id"])] if finding["room_id"] is not None else []


def _problems_per_floor(session: Session, building_id: int, standard: Standard) -> Counter[int]:
    """How many findings touch each floor: a finding about rooms on two floors counts on both."""
    room_floor = dict(
        session.execute(
            select(Room.id, Room.floor_id)
            .join(Floor, Floor.id == Room.floor_id)
            .where(Floor.building_id == building_id)
        ).all()
    )
    problems: Counter[int] = Counter()
    for finding in _findings(session, building_id, standard):
        if finding["check"] == "floor_outside_building":
            problems[finding["floor_id"]] += 1
        else:
            problems.update({room_floor[r] for r in _finding_rooms(finding) if r in room_floor})
    return problems


def building_floors(session: Session, building_id: int, standard: Standard) -> list[dict[str, Any]]:
    """Each floor, lowest first: rooms, usable area, vacancy, offices over the standard and
    data-quality problems (findings touching a room on it, or the floor itself)."""
    floors = session.execute(FLOORS_SQL, {"b": building_id, "d": standard.as_of}).mappings().all()
    scope = Scope(building_id=building_id)
    rates = {
        r["floor_id"]: r for r in vacancy(session, "floor", scope, standard, limit=EVERY_ROW).items
    }
    over = Counter(
        r["floor_id"]
        for r in over_standard(session, "room", scope, standard, limit=EVERY_ROW).items
    )
    problems = _problems_per_floor(session, building_id, standard)
    out = []
    for floor in floors:
        rate = rates.get(floor["id"], {})
        out.append(
            {
                **floor,
                "label": floor_label(floor["ordinal"]),
                "allocatable_area_m2": rate.get("allocatable_area_m2", Decimal(0)),
                "vacant_area_m2": rate.get("vacant_area_m2", Decimal(0)),
                "vacancy_rate": rate.get("vacancy_rate"),
                "fully_idle": bool(rate.get("fully_idle", False)),
                "over_standard_rooms": over[floor["id"]],
                "data_quality_problems": problems[floor["id"]],
            }
        )
    return out


def _occupants_by_rank(occupants: list[dict[str, Any]] | None, lang: str) -> list[dict[str, Any]]:
    """[{rank, label, count, limit_m2}], highest limit first: who sits in an office, by rank."""
    groups: dict[str, dict[str, Any]] = {}
    for person in occupants or []:
        label = person["rank_en"] if lang == "en" and person.get("rank_en") else person["rank_zh"]
        group = groups.setdefault(
            person["rank"],
            {"rank": person["rank"], "label": label, "count": 0, "limit_m2": person["limit_m2"]},
        )
        group["count"] += 1
    return sorted(groups.values(), key=lambda g: (-(g["limit_m2"] or 0), g["rank"]))


def _room_rows(session: Session, floor_id: int, day: date) -> list[dict[str, Any]]:
    """The floor's rooms of `day` by number, with their body, drawing (lon/lat) and a point
    inside each for its label (an L-shaped room's centre can lie outside it)."""
    rows = session.execute(ROOMS_SQL, {"f": floor_id, "d": day}).mappings()
    return [dict(r) for r in rows]


def _other_rooms(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Number and level of rooms a problem refers to, which may lie on other floors."""
    if not ids:
        return {}
    rows = session.execute(
        select(Room.id, Room.number, Floor.ordinal)
        .join(Floor, Floor.id == Room.floor_id)
        .where(Room.id.in_(ids))
    ).mappings()
    return {
        r["id"]: {
            "room_id": r["id"],
            "number": r["number"],
            "ordinal": r["ordinal"],
            "label": floor_label(r["ordinal"]),
        }
        for r in rows
    }


def _problems(
    session: Session, floor: dict[str, Any], room_ids: set[int], standard: Standard, lang: str
) -> tuple[dict[int, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Findings per room of this floor, each explained and naming the other rooms involved,
    and the findings about the floor itself."""
    per_room: dict[int, list[dict[str, Any]]] = defaultdict(list)
    on_floor: list[dict[str, Any]] = []
    mentioned: list[tuple[dict[str, Any], list[int], list[int]]] = []
    for finding in _findings(session, floor["building_id"], standard, floor["id"]):
        problem = {"check": finding["check"], "explanation": explain.finding("", finding, lang)}
        if finding["check"] == "floor_outside_building":
            if finding["floor_id"] == floor["id"]:
                on_floor.append(problem)
            continue
        rooms = _finding_rooms(finding)
        here = [r for r in rooms if r in room_ids]
        if here:
            mentioned.append((problem, here, rooms))
    others = _other_rooms(session, {r for _, _, rooms in mentioned for r in rooms})
    for problem, here, rooms in mentioned:
        for room_id in here:
            other = [others[r] for r in rooms if r != room_id and r in others]
            per_room[room_id].append({**problem, "other_rooms": other})
    return per_room, on_floor


def floor_rooms(
    session: Session, floor: dict[str, Any], standard: Standard, lang: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The floor's rooms as feature rows (id, geometry, properties), and the floor's own
    problems. Explanations are in `lang`."""
    scope = Scope(floor_id=floor["id"])
    rooms = _room_rows(session, floor["id"], standard.as_of)
    offices = {
        r["room_id"]: r
        for r in over_standard(
            session, "room", scope, standard, only_over=False, limit=EVERY_ROW
        ).items
    }
    vacant = {
        r["room_id"]: r for r in vacancy(session, "room", scope, standard, limit=EVERY_ROW).items
    }
    attached_to = {
        attached: office
        for office in offices.values()
        for attached in office["attached_room_ids"] or []
    }
    per_room, on_floor = _problems(session, floor, {r["id"] for r in rooms}, standard, lang)
    people = sees_people()
    out = []
    for room in rooms:
        point = [room.pop("label_lon"), room.pop("label_lat")]
        office = offices.get(room["id"])
        suite = attached_to.get(room["id"])
        out.append(
            {
                **room,
                "room_id": room["id"],
                "status_class": _status_class(room, office, suite, room["id"] in vacant),
                "label_point": point,
                "occupants": _occupants_by_rank(
                    office["occupants"] if office and people else None, lang
                ),
                "problems": per_room.get(room["id"], []),
                **_standing(office, suite, vacant.get(room["id"]), lang),
                **({} if people else UNRANKED),
            }
        )
    return out, on_floor


UNRANKED = {"limit_m2": None, "excess_m2": None, "explanation": None}
"""What a room shows a role that does not manage its body in place of its limit: an
office's limit (and its excess, and the explanation naming both) is the sum of its
occupants' ranks, so a room with one occupant would say who sits there."""


def _status_class(
    room: dict[str, Any],
    office: dict[str, Any] | None,
    suite: dict[str, Any] | None,
    is_vacant: bool,
) -> StatusClass:
    """Over the standard (the office, or a rest room counted in it) before vacant before the
    room's category."""
    if (office and office["over_standard"]) or (suite and suite["over_standard"]):
        return "over_standard"
    if is_vacant:
        return "vacant"
    return _BY_CATEGORY[room["category"]]


def _standing(
    office: dict[str, Any] | None,
    suite: dict[str, Any] | None,
    vacant: dict[str, Any] | None,
    lang: str,
) -> dict[str, Any]:
    """The analysis figures of a room: an office's limit, counted area and excess, the office
    a rest room is counted in, or why a room is vacant."""
    standing: dict[str, Any] = {
        "occupant_count": 0,
        "limit_m2": None,
        "counted_area_m2": None,
        "attached_area_m2": None,
        "excess_m2": None,
        "over_standard": False,
        "attached_to": None,
        "reallocatable": None,
        "explanation": None,
    }
    if office is not None:
        standing |= {
            "occupant_count": office["occupant_count"],
            "limit_m2": office["limit_m2"],
            "counted_area_m2": office["counted_area_m2"],
            "attached_area_m2": office["attached_area_m2"],
            "excess_m2": office["excess_m2"],
            "over_standard": bool(office["over_standard"]),
            "explanation": explain.over_standard("room", office, lang),
        }
    elif suite is not None:
        standing |= {
            "attached_to": {"room_id": suite["room_id"], "number": suite["room_number"]},
            "over_standard": bool(suite["over_standard"]),
            "explanation": explain.over_standard("room", suite, lang),
        }
    elif vacant is not None:
        standing |= {
            "reallocatable": bool(vacant["reallocatable"]),
            "explanation": explain.vacancy("room", vacant, lang),
        }
    return standing
