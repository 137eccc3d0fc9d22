"""Vacancy: vacant rooms, vacancy rates by usable area, fully idle floors and buildings,
each body's unoccupied offices, and the idle space (闲置房源) open for reallocation.

The definitions are in `sql/vacancy.sql`. Rates are vacant ÷ allocatable usable area
(office and service rooms; equipment rooms, circulation and the common toilets and
boiled-water rooms are left out). Rooms leased out (出租) are neither vacant nor idle: their
area is given on its own (`leased_out_area_m2`), and data quality finds those with no
approval recorded.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from gis_app.analysis.common import Page, Scope, Standard, base_params, paged, run, statement

Level = Literal["room", "idle_space", "floor", "building", "campus", "body"]
LEVELS: tuple[Level, ...] = ("room", "idle_space", "floor", "building", "campus", "body")
UNSAFE_GRADES = ("C", "D")
"""Buildings graded C or D (JGJ 125-2016 危房) never offer space for reallocation."""

_ROOMS = """
SELECT s.id AS room_id, s.number AS room_number, s.category, s.subtype, s.usable_area_m2,
       s.status, s.organisation_id, o.name AS organisation_name, s.floor_id, s.floor_name,
       s.building_id, s.building_name, s.campus_id, s.safety_grade,
       s.safety_grade IS NULL OR s.safety_grade NOT IN ('C', 'D') AS reallocatable,
       i.idle_since, CAST(:as_of AS date) - i.idle_since AS idle_days,
       CAST(:as_of AS date) - i.idle_since >= CAST(:long_idle_days AS integer) AS long_idle,
       ST_AsGeoJSON(s.geom, 7, 0) AS geometry, count(*) OVER () AS total
FROM room_state s LEFT JOIN organisation o ON o.id = s.organisation_id
-- idle since the last stay in it ended (NULL: nobody has sat in it since records began)
LEFT JOIN LATERAL (
  SELECT max(c.valid_to) AS idle_since FROM room_occupancy c
  WHERE c.room_id = s.id AND c.valid_to <= CAST(:as_of AS date)
) i ON true
WHERE s.vacant {extra}
ORDER BY s.building_id, s.floor_id, s.number
LIMIT :limit OFFSET :offset
"""

LONG_IDLE_DAYS = 365
"""A room idle this long (长期闲置) is flagged `long_idle`: a year, unless the caller says."""

PlaceKey = Literal["floor_id", "building_id", "campus_id"]

_PLACE = """
, rollup AS (
  SELECT {key} AS id,
         coalesce(sum(usable_area_m2) FILTER (WHERE allocatable), 0) AS allocatable_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE vacant), 0) AS vacant_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE allocatable AND status = 'leased_out'), 0)
           AS leased_out_area_m2,
         count(*) FILTER (WHERE allocatable) AS allocatable_rooms,
         count(*) FILTER (WHERE vacant) AS vacant_rooms
  FROM room_state WHERE {key} IS NOT NULL GROUP BY {key}
),
place_vacancy AS (
  SELECT r.*,
         round(r.vacant_area_m2 / nullif(r.allocatable_area_m2, 0), 4) AS vacancy_rate,
         r.allocatable_area_m2 > 0 AND r.vacant_area_m2 = r.allocatable_area_m2 AS fully_idle
  FROM rollup r
)
"""

_ROLLUP = """
SELECT t.id AS {key}, {columns}
       r.allocatable_rooms, r.vacant_rooms, r.allocatable_area_m2, r.vacant_area_m2,
       r.leased_out_area_m2, r.vacancy_rate, r.fully_idle,
       ST_AsGeoJSON(t.geom, 7, 0) AS geometry, count(*) OVER () AS total
FROM place_vacancy r JOIN {table} t ON t.id = r.id
WHERE NOT CAST(:only_idle AS boolean) OR r.fully_idle
ORDER BY vacancy_rate DESC NULLS LAST, t.id
LIMIT :limit OFFSET :offset
"""

_BODIES = """
, rollup AS (
  SELECT organisation_id AS id,
         coalesce(sum(usable_area_m2) FILTER (WHERE category = 'office'), 0) AS office_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE unoccupied), 0) AS unoccupied_area_m2,
         count(*) FILTER (WHERE category = 'office') AS office_rooms,
         count(*) FILTER (WHERE unoccupied) AS unoccupied_rooms
  FROM room_state WHERE organisation_id IS NOT NULL GROUP BY organisation_id
)
SELECT o.id AS organisation_id, o.code, o.name, r.office_rooms, r.unoccupied_rooms,
       r.office_area_m2, r.unoccupied_area_m2,
       round(r.unoccupied_area_m2 / nullif(r.office_area_m2, 0), 4) AS vacancy_rate,
       r.office_area_m2 > 0 AND r.unoccupied_area_m2 = r.office_area_m2 AS fully_idle,
       NULL AS geometry, count(*) OVER () AS total
FROM rollup r JOIN organisation o ON o.id = r.id
WHERE NOT CAST(:only_idle AS boolean)
   OR (r.office_area_m2 > 0 AND r.unoccupied_area_m2 = r.office_area_m2)
ORDER BY vacancy_rate DESC NULLS LAST, o.id
LIMIT :limit OFFSET :offset
"""

_FINAL = {
    "room": _ROOMS.format(extra=""),
    "idle_space": _ROOMS.format(
        extra="AND (s.safety_grade IS NULL OR s.safety_grade NOT IN ('C', 'D'))"
    ),
    "floor": _PLACE.format(key="floor_id")
    + _ROLLUP.format(key="floor_id", table="floor", columns="t.name, t.building_id, t.ordinal,"),
    "building": _PLACE.format(key="building_id")
    + _ROLLUP.format(
        key="building_id",
        table="building",
        columns="t.code, t.name, t.campus_id, t.safety_grade,",
    ),
    "campus": _PLACE.format(key="campus_id")
    + _ROLLUP.format(key="campus_id", table="campus", columns="t.code, t.name,"),
    "body": _BODIES,
}


def sql(level: Level) -> str:
    """The whole statement for `level` (parameters: base_params + only_idle, limit, offset)."""
    return statement(("vacancy.sql",), _FINAL[level])


def place_sql(key: PlaceKey, final: str) -> str:
    """The vacancy of each floor, building or campus as CTE `place_vacancy` (id,
    allocatable_area_m2, vacant_area_m2, allocatable_rooms, vacant_rooms, vacancy_rate,
    fully_idle), followed by the caller's `final` (", more AS (...) SELECT ..."): how a map
    layer reads the same rates as the report (parameters: base_params)."""
    return statement(("vacancy.sql",), _PLACE.format(key=key) + final)


def vacancy(
    session: Session,
    level: Level,
    scope: Scope,
    standard: Standard,
    *,
    only_idle: bool = False,
    long_idle_days: int = LONG_IDLE_DAYS,
    limit: int = 100,
    offset: int = 0,
) -> Page:
    """One page of vacancy results at `level` (rooms and idle space: the vacant rooms)."""
    params = base_params(scope, standard) | {
        "only_idle": only_idle,
        "long_idle_days": long_idle_days,
        "limit": limit,
        "offset": offset,
    }
    return paged(run(session, sql(level), params))
