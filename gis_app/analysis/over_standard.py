"""Over-standard use (超标准配备使用) at room, building, campus and body level.

Rooms: an office's usable area, plus a leader's rest room or private toilet, against the
sum of its current occupants' limits. Bodies: office, service and equipment rooms against
their quotas. Buildings and campuses roll the room results up. The SQL is in `sql/`.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from gis_app.analysis.common import Page, Scope, Standard, base_params, paged, run, statement

Level = Literal["room", "building", "campus", "body"]
LEVELS: tuple[Level, ...] = ("room", "building", "campus", "body")

_ROOMS = """
, page AS (
  SELECT rr.*, count(*) OVER () AS total
  FROM room_result rr
  WHERE NOT CAST(:only_over AS boolean) OR rr.over_standard
  ORDER BY rr.excess_m2 DESC, rr.room_id
  LIMIT :limit OFFSET :offset
)
SELECT p.room_id, p.room_number, p.floor_id, p.floor_name, p.building_id,
       p.building_name, p.campus_id, p.organisation_id, o.name AS organisation_name,
       p.usable_area_m2, p.attached_area_m2, p.attached_room_ids, p.counted_area_m2,
       p.occupant_count, occ.occupants, p.occupants_without_limit, p.limit_m2,
       p.excess_m2, p.over_standard, ST_AsGeoJSON(p.geom, 7, 0) AS geometry, p.total
FROM page p
LEFT JOIN organisation o ON o.id = p.organisation_id
CROSS JOIN LATERAL (
  SELECT jsonb_agg(jsonb_build_object(
           'staff_id', c.staff_id, 'rank', c.rank_code, 'rank_zh', c.rank_name_zh,
           'rank_en', c.rank_name_en, 'limit_m2', c.limit_m2) ORDER BY c.limit_m2 DESC, c.staff_id
         ) AS occupants
  FROM current_occupant c WHERE c.room_id = p.room_id
) occ
ORDER BY p.excess_m2 DESC, p.room_id
"""

PlaceKey = Literal["building_id", "campus_id"]

_PLACE = """
, place_over_standard AS (
  SELECT {key} AS id,
         count(*) AS occupied_offices,
         count(*) FILTER (WHERE over_standard) AS over_standard_rooms,
         sum(counted_area_m2) AS counted_area_m2,
         sum(limit_m2) AS limit_m2,
         coalesce(sum(excess_m2) FILTER (WHERE over_standard), 0) AS excess_m2,
         count(*) FILTER (WHERE over_standard) > 0 AS over_standard
  FROM room_result WHERE {key} IS NOT NULL GROUP BY {key}
)
"""

_ROLLUP = """
SELECT t.id AS {key}, t.code, t.name, {extra} r.occupied_offices, r.over_standard_rooms,
       r.counted_area_m2, r.limit_m2, r.excess_m2, r.over_standard,
       ST_AsGeoJSON(t.geom, 7, 0) AS geometry, count(*) OVER () AS total
FROM place_over_standard r JOIN {table} t ON t.id = r.id
WHERE NOT CAST(:only_over AS boolean) OR r.over_standard
ORDER BY r.excess_m2 DESC, t.id
LIMIT :limit OFFSET :offset
"""

_BODIES = """
SELECT br.*,
       br.office_over OR br.service_over OR br.equipment_over AS over_standard,
       NULL AS geometry, count(*) OVER () AS total
FROM body_result br
WHERE NOT CAST(:only_over AS boolean) OR br.office_over OR br.service_over OR br.equipment_over
ORDER BY br.office_excess_m2 DESC, br.organisation_id
LIMIT :limit OFFSET :offset
"""

_FINAL = {
    "room": (("over_standard_rooms.sql",), _ROOMS),
    "building": (
        ("over_standard_rooms.sql",),
        _PLACE.format(key="building_id")
        + _ROLLUP.format(key="building_id", table="building", extra="t.campus_id, t.safety_grade,"),
    ),
    "campus": (
        ("over_standard_rooms.sql",),
        _PLACE.format(key="campus_id") + _ROLLUP.format(key="campus_id", table="campus", extra=""),
    ),
    "body": (("over_standard_bodies.sql",), _BODIES),
}


def sql(level: Level) -> str:
    """The whole statement for `level` (parameters: base_params + only_over, limit, offset)."""
    parts, final = _FINAL[level]
    return statement(parts, final)


def place_sql(key: PlaceKey, final: str) -> str:
    """Each building's or campus's rollup as CTE `place_over_standard` (id, occupied_offices,
    over_standard_rooms, counted_area_m2, limit_m2, excess_m2, over_standard), followed by
    the caller's `final` (", more AS (...) SELECT ..."): how a map layer reads the same
    figures as the report (parameters: base_params)."""
    return statement(("over_standard_rooms.sql",), _PLACE.format(key=key) + final)


def over_standard(
    session: Session,
    level: Level,
    scope: Scope,
    standard: Standard,
    *,
    only_over: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> Page:
    """One page of over-standard results at `level`, worst first (largest excess)."""
    params = base_params(scope, standard) | {
        "only_over": only_over,
        "limit": limit,
        "offset": offset,
    }
    return paged(run(session, sql(level), params))
