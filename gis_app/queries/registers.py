"""The registers (台账): buildings, rooms and bodies with their space figures, filtered,
sorted and paged in one statement each.

Each register is the vacancy analysis's `room_state` (sql/vacancy.sql, opened by scope.sql, so
the body, campus, building, floor, bbox, district and date filters are the analyses' own and
the figures agree with them) grouped to its rows, then the register's own filters (safety
grade, vacancy rate, room status and category). Sorting names a column of the register: the
key is looked up in the register's column list, so no text from the request reaches the SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard, base_params, run, statement
from gis_app.reports.columns import COLUMNS

Kind = Literal["buildings", "rooms", "bodies"]
KINDS: tuple[Kind, ...] = ("buildings", "rooms", "bodies")
Order = Literal["asc", "desc"]

_BUILDINGS = """
, figures AS (
  SELECT building_id, count(*) AS rooms, count(DISTINCT organisation_id) AS bodies,
         sum(usable_area_m2) AS usable_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE allocatable), 0) AS allocatable_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE vacant), 0) AS vacant_area_m2,
         count(*) FILTER (WHERE vacant) AS vacant_rooms
  FROM room_state GROUP BY building_id
),
register AS (
  SELECT b.id AS building_id, b.code, b.name, c.name AS campus_name, d.district,
         b.safety_grade, b.floors_above, b.year_built, b.gross_floor_area_m2,
         coalesce(g.bodies, 0) AS bodies, coalesce(g.rooms, 0) AS rooms,
         coalesce(g.usable_area_m2, 0) AS usable_area_m2,
         coalesce(g.allocatable_area_m2, 0) AS allocatable_area_m2,
         coalesce(g.vacant_area_m2, 0) AS vacant_area_m2,
         coalesce(g.vacant_rooms, 0) AS vacant_rooms,
         round(g.vacant_area_m2 / nullif(g.allocatable_area_m2, 0), 4) AS vacancy_rate
  FROM building_at(CAST(:as_of AS date)) b
  LEFT JOIN campus c ON c.id = b.campus_id
  LEFT JOIN building_district d ON d.building_id = b.id
  LEFT JOIN figures g ON g.building_id = b.id
  WHERE (CAST(:body_id AS integer) IS NULL OR g.building_id IS NOT NULL)
    AND (CAST(:campus_id AS integer) IS NULL OR b.campus_id = CAST(:campus_id AS integer))
    AND (CAST(:building_id AS integer) IS NULL OR b.id = CAST(:building_id AS integer))
    AND (CAST(:floor_id AS integer) IS NULL OR g.building_id IS NOT NULL)
    AND (CAST(:district AS text) IS NULL OR d.district = CAST(:district AS text))
    AND (CAST(:bbox_west AS float8) IS NULL OR b.geom && ST_MakeEnvelope(
      CAST(:bbox_west AS float8), CAST(:bbox_south AS float8),
      CAST(:bbox_east AS float8), CAST(:bbox_north AS float8), 4490))
    AND (CAST(:grades AS text[]) IS NULL OR b.safety_grade = ANY(CAST(:grades AS text[])))
)
"""
"""Each building (of the date) with its rooms' figures; the rate is `vacancy.py`'s building
level: vacant ÷ allocatable usable area."""

_ROOMS = """
, register AS (
  SELECT r.id AS room_id, r.building_name, r.floor_name, r.number AS room_number, r.category,
         r.status, o.name AS organisation_name, r.usable_area_m2, c.name AS campus_name,
         d.district, r.safety_grade, r.vacant, r.floor_id, r.building_id
  FROM room_state r
  LEFT JOIN organisation_at(CAST(:as_of AS date)) o ON o.id = r.organisation_id
  LEFT JOIN campus c ON c.id = r.campus_id
  LEFT JOIN building_district d ON d.building_id = r.building_id
  WHERE (CAST(:grades AS text[]) IS NULL OR r.safety_grade = ANY(CAST(:grades AS text[])))
    AND (CAST(:status AS text) IS NULL OR r.status = CAST(:status AS text))
    AND (CAST(:category AS text) IS NULL OR r.category = CAST(:category AS text))
    AND (CAST(:vacant AS boolean) IS NULL OR r.vacant = CAST(:vacant AS boolean))
)
"""
"""Each room in scope; `vacant` as the vacancy analysis decides it."""

_BODIES = """
, figures AS (
  SELECT organisation_id, count(*) AS rooms, count(DISTINCT building_id) AS buildings,
         sum(usable_area_m2) AS usable_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE category = 'office'), 0) AS office_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE unoccupied), 0) AS unoccupied_area_m2
  FROM room_state
  WHERE organisation_id IS NOT NULL
    AND (CAST(:grades AS text[]) IS NULL OR safety_grade = ANY(CAST(:grades AS text[])))
  GROUP BY organisation_id
),
headcount AS (
  SELECT s.organisation_id, count(*) AS staff_count
  FROM in_post s
  GROUP BY s.organisation_id
),
register AS (
  SELECT o.id AS organisation_id, o.code, o.name, p.name AS parent_name, o.level,
         o.authorised_staff, coalesce(h.staff_count, 0) AS staff_count,
         coalesce(g.buildings, 0) AS buildings, coalesce(g.rooms, 0) AS rooms,
         coalesce(g.usable_area_m2, 0) AS usable_area_m2,
         coalesce(g.office_area_m2, 0) AS office_area_m2,
         coalesce(g.unoccupied_area_m2, 0) AS unoccupied_area_m2,
         round(g.unoccupied_area_m2 / nullif(g.office_area_m2, 0), 4) AS vacancy_rate
  FROM organisation_at(CAST(:as_of AS date)) o
  LEFT JOIN organisation_at(CAST(:as_of AS date)) p ON p.id = o.parent_id
  LEFT JOIN figures g ON g.organisation_id = o.id
  LEFT JOIN headcount h ON h.organisation_id = o.id
  WHERE (o.ended_on IS NULL OR o.ended_on > CAST(:as_of AS date))
    AND (CAST(:body_id AS integer) IS NULL OR o.id IN (SELECT id FROM body_tree))
    AND (NOT CAST(:by_place AS boolean) OR g.organisation_id IS NOT NULL)
)
"""
"""Each body (of the date) with the rooms assigned to it; the rate is `vacancy.py`'s body
level: its offices with nobody in them ÷ its office area. A place or grade filter keeps the
bodies with rooms there, counting only those rooms."""

_SQL: dict[Kind, tuple[str, str]] = {
    "buildings": (_BUILDINGS, "building_id"),
    "rooms": (_ROOMS, "room_id"),
    "bodies": (_BODIES, "organisation_id"),
}
"""Each register's CTEs and the id column that breaks ties in every sort."""

_KEPT = """
, kept AS (SELECT * FROM register WHERE {rate})
"""
_RATE = (
    "(CAST(:rate_min AS numeric) IS NULL OR vacancy_rate >= CAST(:rate_min AS numeric)) AND "
    "(CAST(:rate_max AS numeric) IS NULL OR vacancy_rate <= CAST(:rate_max AS numeric))"
)
_PAGE = (
    "SELECT k.*, count(*) OVER () AS total FROM kept k ORDER BY {order} LIMIT :limit OFFSET :offset"
)
_COUNT = "SELECT count(*) AS total FROM kept"
HAS_RATE: frozenset[Kind] = frozenset({"buildings", "bodies"})
"""The registers with a vacancy rate to filter on."""


@dataclass(frozen=True)
class Filters:
    """What a register is narrowed to beyond its scope; None is no limit."""

    grades: tuple[str, ...] | None = None
    rate_min: Decimal | None = None
    """Lowest vacancy rate kept, as a fraction (0.25 = 25 %)."""
    rate_max: Decimal | None = None
    status: str | None = None
    category: str | None = None
    vacant: bool | None = None


@dataclass(frozen=True)
class Sorting:
    """A column of the register (one of `columns(kind)`) and its direction."""

    key: str
    order: Order = "asc"


def columns(kind: Kind) -> tuple[str, ...]:
    """The register's columns, in order: what it shows, exports and may be sorted by."""
    return COLUMNS[("register", kind)]


def _order(kind: Kind, sorting: Sorting) -> str:
    if sorting.key not in columns(kind):
        raise ValueError(f"{sorting.key} is not a column of the {kind} register")
    direction = "DESC" if sorting.order == "desc" else "ASC"
    return f'"{sorting.key}" {direction} NULLS LAST, "{_SQL[kind][1]}"'


def _params(kind: Kind, scope: Scope, standard: Standard, filters: Filters) -> dict[str, Any]:
    by_place = any(
        v is not None
        for v in (scope.campus_id, scope.building_id, scope.floor_id, scope.bbox, scope.district)
    )
    return base_params(scope, standard) | {
        "grades": list(filters.grades) if filters.grades else None,
        "rate_min": filters.rate_min if kind in HAS_RATE else None,
        "rate_max": filters.rate_max if kind in HAS_RATE else None,
        "status": filters.status,
        "category": filters.category,
        "vacant": filters.vacant,
        "by_place": by_place or bool(filters.grades),
    }


def register(
    session: Session,
    kind: Kind,
    scope: Scope,
    standard: Standard,
    filters: Filters,
    sorting: Sorting,
    *,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the register (rows with every column of `columns(kind)` and the ids the
    pages link by) and how many rows the filters keep in all."""
    body, _ = _SQL[kind]
    kept = body + _KEPT.format(rate=_RATE if kind in HAS_RATE else "true")
    params = _params(kind, scope, standard, filters) | {"limit": limit, "offset": offset}
    page = kept + _PAGE.format(order=_order(kind, sorting))
    rows = run(session, statement(("vacancy.sql",), page), params)
    if rows:
        total = int(rows[0]["total"])
    elif offset:
        total = int(run(session, statement(("vacancy.sql",), kept + _COUNT), params)[0]["total"])
    else:
        total = 0
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], total
