"""The dashboard's figures (驾驶舱): totals and the worst buildings and bodies, for one body's
subtree or for everything.

Each analysis runs once over the whole scope and is grouped several ways in that one pass
(GROUPING SETS), because on a province (2M rooms) each pass costs seconds. The definitions
are the analyses' own CTEs (`room_state` of `sql/vacancy.sql`, `room_result` of
`sql/over_standard_rooms.sql`, `body_result` of `sql/over_standard_bodies.sql`); only the
final SELECTs here are new, and they compute rates and flags the way `vacancy.py` and
`over_standard.py` do (tests/api/test_dashboard_api.py holds them to the same rows).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard, base_params, run, statement
from gis_app.analysis.safety import APPRAISAL_YEARS
from gis_app.db.identity import in_context

_VACANCY = """
, grouped AS (
  SELECT building_id, organisation_id,
         GROUPING(building_id, organisation_id) AS grouping_set,
         count(*) AS rooms,
         coalesce(sum(usable_area_m2), 0) AS usable_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE category = 'office'), 0) AS office_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE allocatable), 0) AS allocatable_area_m2,
         coalesce(sum(usable_area_m2) FILTER (WHERE vacant), 0) AS vacant_area_m2,
         count(*) FILTER (WHERE vacant) AS vacant_rooms,
         coalesce(sum(usable_area_m2) FILTER (WHERE unoccupied), 0) AS unoccupied_area_m2
  FROM room_state
  GROUP BY GROUPING SETS ((building_id), (organisation_id), ())
),
place AS (
  SELECT b.id, b.campus_id, b.gross_floor_area_m2 FROM building b
  WHERE (CAST(:body_id AS integer) IS NULL
         OR b.id IN (SELECT building_id FROM grouped WHERE grouping_set = 1))
    AND (CAST(:district AS text) IS NULL OR b.id IN (
         SELECT building_id FROM building_district WHERE district = CAST(:district AS text)))
)
SELECT
  (SELECT jsonb_build_object(
     'buildings', count(*), 'campuses', count(DISTINCT campus_id),
     'floor_area_m2', coalesce(sum(gross_floor_area_m2), 0)) FROM place) AS places,
  (SELECT to_jsonb(g) - 'building_id' - 'organisation_id' - 'grouping_set'
   FROM grouped g WHERE grouping_set = 3) AS rooms,
  (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.vacancy_rate DESC, x.building_id), '[]')
   FROM (
     SELECT b.id AS building_id, b.code, b.name, g.allocatable_area_m2, g.vacant_area_m2,
            g.vacant_rooms,
            round(g.vacant_area_m2 / nullif(g.allocatable_area_m2, 0), 4) AS vacancy_rate
     FROM grouped g JOIN building b ON b.id = g.building_id
     WHERE g.grouping_set = 1 AND g.vacant_area_m2 > 0
     ORDER BY vacancy_rate DESC NULLS LAST, b.id
     LIMIT :top) x) AS buildings,
  (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.vacancy_rate DESC, x.organisation_id), '[]')
   FROM (
     SELECT o.id AS organisation_id, o.code, o.name, g.office_area_m2, g.unoccupied_area_m2,
            round(g.unoccupied_area_m2 / nullif(g.office_area_m2, 0), 4) AS vacancy_rate
     FROM grouped g JOIN organisation o ON o.id = g.organisation_id
     WHERE g.grouping_set = 2 AND g.unoccupied_area_m2 > 0
     ORDER BY vacancy_rate DESC NULLS LAST, o.id
     LIMIT :top) x) AS bodies
"""
"""Vacancy: allocatable and vacant area per building (rate as `vacancy.py`'s building
level), each body's unoccupied offices (as its body level), totals of the whole scope, and
the buildings counted: every building, or with a body the buildings its subtree uses."""

_OVER_ROOMS = """
, grouped AS (
  SELECT building_id, GROUPING(building_id) AS grouping_set,
         count(*) AS occupied_offices,
         count(*) FILTER (WHERE over_standard) AS over_standard_rooms,
         coalesce(sum(excess_m2) FILTER (WHERE over_standard), 0) AS excess_m2
  FROM room_result
  GROUP BY GROUPING SETS ((building_id), ())
)
SELECT
  (SELECT to_jsonb(g) - 'building_id' - 'grouping_set'
   FROM grouped g WHERE grouping_set = 1) AS rooms,
  (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.excess_m2 DESC, x.building_id), '[]')
   FROM (
     SELECT b.id AS building_id, b.code, b.name, g.over_standard_rooms, g.excess_m2
     FROM grouped g JOIN building b ON b.id = g.building_id
     WHERE g.grouping_set = 0 AND g.over_standard_rooms > 0
     ORDER BY g.excess_m2 DESC, b.id
     LIMIT :top) x) AS buildings
"""
"""Over-standard offices: how many and by how much in all, and per building (as
`over_standard.py`'s building level)."""

_OVER_BODIES = """
, flagged AS (
  SELECT br.organisation_id, br.code, br.name,
         br.office_excess_m2, br.service_excess_m2, br.equipment_excess_m2,
         br.office_over, br.service_over, br.equipment_over, br.service_rule_verified
  FROM body_result br
),
over AS (
  SELECT f.*,
         CASE WHEN f.office_over THEN f.office_excess_m2 ELSE 0 END
         + CASE WHEN f.service_over THEN f.service_excess_m2 ELSE 0 END
         + CASE WHEN f.equipment_over THEN f.equipment_excess_m2 ELSE 0 END
           AS over_standard_area_m2
  FROM flagged f WHERE f.office_over OR f.service_over OR f.equipment_over
)
SELECT
  (SELECT count(*) FROM flagged) AS bodies,
  (SELECT count(*) FROM over) AS bodies_over_quota,
  (SELECT count(*) FROM over WHERE office_over) AS bodies_over_office_quota,
  (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.office_over DESC,
                                    x.over_standard_area_m2 DESC, x.organisation_id), '[]')
   FROM (
     SELECT * FROM over
     ORDER BY office_over DESC, over_standard_area_m2 DESC, organisation_id
     LIMIT :top
   ) x) AS rows
"""
"""Bodies against their quotas (flags as `over_standard.py`'s body level): how many bodies,
how many over any quota and over the office quota, and the worst: bodies over their office
quota first (the standard's main rule; the service-room bands are partly unverified and put
many bodies over), then by the area over their quotas, each category counted when over."""

_PARCELS = """
SELECT p.district, p.status, count(*) AS parcels, sum(p.area_m2) AS area_m2
FROM land_parcel p
WHERE (CAST(:body_id AS integer) IS NULL OR p.owner_id IN (SELECT id FROM body_tree))
  AND (CAST(:district AS text) IS NULL OR p.district = CAST(:district AS text))
GROUP BY p.district, p.status
"""
"""Land parcels by district and status (with a body: the parcels its subtree owns; with a
district: that district's)."""

_SAFETY = """
SELECT
  (SELECT coalesce(jsonb_object_agg(g.grade, g.buildings), '{}') FROM (
     SELECT coalesce(safety_grade, 'none') AS grade, count(*) AS buildings
     FROM safety_building GROUP BY 1) g) AS grades,
  (SELECT jsonb_build_object(
     'buildings', count(DISTINCT building_id),
     'd_buildings', count(DISTINCT building_id) FILTER (WHERE safety_grade = 'D'),
     'c_buildings', count(DISTINCT building_id) FILTER (WHERE safety_grade = 'C'),
     'people', count(DISTINCT staff_id),
     'area_m2', coalesce(sum(usable_area_m2) FILTER (WHERE room_first), 0))
   FROM danger_room) AS occupied,
  (SELECT count(*) FROM safety_building WHERE appraisal_overdue) AS overdue,
  (SELECT coalesce(jsonb_agg(to_jsonb(x) ORDER BY x.safety_grade DESC, x.people DESC,
                                                  x.building_id), '[]')
   FROM (
     SELECT building_id, code, name, safety_grade, people, rooms, area_m2, bodies,
            appraisal_overdue
     FROM safety_building WHERE safety_grade IN ('C', 'D') AND people > 0
     ORDER BY safety_grade DESC, people DESC, building_id
     LIMIT :top) x) AS buildings
"""
"""Building safety (as `safety.py`): buildings by grade, the people in post and the usable
area in occupied C and D buildings (each person and room once), overdue appraisals, and the
occupied C and D buildings, D first, then by people."""

PARCEL_STATUSES = ("idle", "reserved", "in_use")


@dataclass(frozen=True)
class Figures:
    """What the dashboard shows: totals, and rows (worst first) for its charts."""

    totals: dict[str, Any]
    vacancy_by_building: list[dict[str, Any]]
    vacancy_by_body: list[dict[str, Any]]
    over_standard_by_building: list[dict[str, Any]]
    over_standard_by_body: list[dict[str, Any]]
    parcels_by_district: list[dict[str, Any]]
    parcels_by_status: list[dict[str, Any]]
    safety: dict[str, Any]


_PASSES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("vacancy.sql",), _VACANCY),
    (("over_standard_rooms.sql",), _OVER_ROOMS),
    (("over_standard_bodies.sql",), _OVER_BODIES),
    ((), _PARCELS),
    (("safety.sql",), _SAFETY),
)


def _pass(engine: Engine, parts: tuple[str, ...], final: str, params: dict) -> list[dict]:
    with Session(engine) as session:
        return run(session, statement(parts, final), params)


def _rate(part: Any, whole: Any) -> float | None:
    return round(float(part) / float(whole), 4) if whole else None


def _new_status(status: str) -> dict[str, Any]:
    return {"status": status, "parcels": 0, "area_m2": Decimal(0)}


def _new_district(district: str | None) -> dict[str, Any]:
    return {
        "district": district,
        "idle_parcels": 0,
        "idle_area_m2": Decimal(0),
        "reserved_parcels": 0,
        "reserved_area_m2": Decimal(0),
    }


def _parcels(rows: list[dict[str, Any]], top: int) -> tuple[dict, list[dict], list[dict]]:
    """Totals by status, and the districts with the most idle land (then reserved land)."""
    by_status = {s: _new_status(s) for s in PARCEL_STATUSES}
    districts: dict[str | None, dict[str, Any]] = {}
    for row in rows:
        status = by_status.setdefault(row["status"], _new_status(row["status"]))
        status["parcels"] += row["parcels"]
        status["area_m2"] += row["area_m2"]
        if row["status"] in ("idle", "reserved"):
            district = districts.setdefault(row["district"], _new_district(row["district"]))
            district[f"{row['status']}_parcels"] += row["parcels"]
            district[f"{row['status']}_area_m2"] += row["area_m2"]
    worst = sorted(
        districts.values(),
        key=lambda d: (-d["idle_area_m2"], -d["reserved_area_m2"], d["district"] or ""),
    )
    totals = {
        "parcels": sum(s["parcels"] for s in by_status.values()),
        "idle_parcels": by_status["idle"]["parcels"],
        "idle_parcel_area_m2": by_status["idle"]["area_m2"],
        "reserved_parcels": by_status["reserved"]["parcels"],
        "reserved_parcel_area_m2": by_status["reserved"]["area_m2"],
    }
    return totals, worst[:top], list(by_status.values())


def dashboard(
    engine: Engine,
    scope: Scope,
    standard: Standard,
    *,
    top: int = 15,
    appraisal_years: int = APPRAISAL_YEARS,
) -> Figures:
    """Every figure of the dashboard for `scope` (a body's subtree and/or a district, or
    everything).

    The passes share nothing, so they run side by side, each on its own connection: on a
    province the two room passes take seconds each, and one waiting for the other doubled
    the answer time. Each thread acts as the caller (`in_context`): the passes see what the
    caller's scope shows."""
    params = base_params(scope, standard) | {"top": top, "appraisal_years": appraisal_years}
    with ThreadPoolExecutor(max_workers=len(_PASSES)) as pool:
        answers = [
            pool.submit(in_context(_pass), engine, parts, final, params) for parts, final in _PASSES
        ]
        vacancy_rows, room_rows, body_rows, parcel_rows, safety_rows = (a.result() for a in answers)
    vacancy, rooms, bodies = vacancy_rows[0], room_rows[0], body_rows[0]
    parcels, districts, statuses = _parcels(parcel_rows, top)
    space = vacancy["rooms"]
    totals = {
        **vacancy["places"],
        "bodies": bodies["bodies"],
        "rooms": space["rooms"],
        "usable_area_m2": space["usable_area_m2"],
        "office_area_m2": space["office_area_m2"],
        "allocatable_area_m2": space["allocatable_area_m2"],
        "vacant_area_m2": space["vacant_area_m2"],
        "vacant_rooms": space["vacant_rooms"],
        "vacancy_rate": _rate(space["vacant_area_m2"], space["allocatable_area_m2"]),
        "unoccupied_office_area_m2": space["unoccupied_area_m2"],
        "occupied_offices": rooms["rooms"]["occupied_offices"],
        "over_standard_rooms": rooms["rooms"]["over_standard_rooms"],
        "over_standard_area_m2": rooms["rooms"]["excess_m2"],
        "bodies_over_quota": bodies["bodies_over_quota"],
        "bodies_over_office_quota": bodies["bodies_over_office_quota"],
        **parcels,
    }
    return Figures(
        totals=totals,
        vacancy_by_building=vacancy["buildings"],
        vacancy_by_body=vacancy["bodies"],
        over_standard_by_building=rooms["buildings"],
        over_standard_by_body=bodies["rows"],
        parcels_by_district=districts,
        parcels_by_status=statuses,
        safety={**safety_rows[0], "appraisal_years": appraisal_years},
    )
