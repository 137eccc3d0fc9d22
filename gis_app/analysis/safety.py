"""Building safety (房屋安全鉴定, JGJ 125-2016): buildings by grade, who still works in C and
D buildings, overdue appraisals, and where the people of a dangerous building could go.

A D building (整幢危房) must not be used: its people are moved now (an error). A C building
(局部危房) is used with restrictions while it is strengthened or its people are moved (a
warning). The figures are `sql/safety.sql`; the relocation asks the idle-space match
(`idle_match.match`, which never offers C or D space) once per body in the building, for
the offices and area that body occupies there, from the building itself (and once per
floor of the body when nothing takes it whole).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.orm import Session

from gis_app.analysis.common import Page, Scope, Standard, base_params, paged, run, statement
from gis_app.analysis.idle_match import Need, match

APPRAISAL_YEARS = 5
"""An appraisal older than this (years) is overdue unless the caller sets another period."""
DANGEROUS = ("C", "D")
"""The grades whose buildings people should not be working in (JGJ 125-2016 危房)."""
Severity = Literal["error", "warning"]
SEVERITY: dict[str, Severity] = {"D": "error", "C": "warning"}
"""D: stop using, move now (error); C: restricted use, strengthen or move (warning)."""
RELOCATION_DISTANCE_M = 5_000.0
"""How far the relocation looks for idle space by default (metres on the ellipsoid)."""

_BUILDINGS = """
SELECT s.building_id, s.code, s.name, s.campus_id, s.safety_grade, s.safety_appraised_on,
       s.appraisal_overdue, CAST(:appraisal_years AS integer) AS appraisal_years, s.people,
       s.rooms, s.area_m2, s.bodies, ST_AsGeoJSON(s.geom, 7, 0) AS geometry,
       count(*) OVER () AS total
FROM safety_building s
WHERE NOT CAST(:only_flagged AS boolean)
   OR (s.safety_grade IN ('C', 'D') AND s.people > 0) OR s.appraisal_overdue
ORDER BY s.safety_grade = 'D' AND s.people > 0 DESC, s.safety_grade = 'C' AND s.people > 0 DESC,
         s.people DESC, s.appraisal_overdue DESC, s.safety_grade DESC NULLS LAST, s.building_id
LIMIT :limit OFFSET :offset
"""

_PLACE = """
, place_safety AS (
  SELECT s.building_id AS id, s.safety_grade, s.safety_appraised_on, s.appraisal_overdue,
         s.people, s.rooms, s.area_m2,
         (SELECT string_agg(x->>'name', '、') FROM jsonb_array_elements(s.bodies) x) AS bodies,
         CASE WHEN s.safety_grade IN ('C', 'D') THEN s.safety_grade ELSE 'overdue' END
           AS safety_class
  FROM safety_building s
  WHERE s.safety_grade IN ('C', 'D') OR s.appraisal_overdue
)"""

_ORIGIN = """
SELECT s.building_id, s.code, s.name, s.safety_grade, s.people, s.rooms, s.area_m2, s.bodies,
       ST_X(ST_PointOnSurface(s.geom)) AS lon, ST_Y(ST_PointOnSurface(s.geom)) AS lat
FROM safety_building s WHERE s.building_id = CAST(:building_id AS integer)
"""


def _params(scope: Scope, standard: Standard, appraisal_years: int) -> dict[str, Any]:
    return base_params(scope, standard) | {"appraisal_years": appraisal_years}


def severity(grade: str | None) -> Severity | None:
    """How grave people in a building of `grade` are (None: not a dangerous grade)."""
    return SEVERITY.get(grade or "")


def buildings(
    session: Session,
    scope: Scope,
    standard: Standard,
    *,
    appraisal_years: int = APPRAISAL_YEARS,
    only_flagged: bool = True,
    limit: int = 100,
    offset: int = 0,
) -> Page:
    """Buildings with their grade, appraisal, and people, rooms, m² and bodies in danger:
    occupied D buildings first, then occupied C, then overdue appraisals (`only_flagged`:
    only those; otherwise every building in scope after them)."""
    params = _params(scope, standard, appraisal_years) | {
        "only_flagged": only_flagged,
        "limit": limit,
        "offset": offset,
    }
    page = paged(run(session, statement(("safety.sql",), _BUILDINGS), params))
    for row in page.items:
        row["severity"] = severity(row["safety_grade"]) if row["people"] else None
    return page


def place_sql(final: str) -> str:
    """Each flagged building (C, D, or appraisal overdue on the default period) as CTE
    `place_safety` (id, safety_grade, safety_appraised_on, appraisal_overdue, people,
    rooms, area_m2, bodies as text, safety_class: C, D or overdue), then `final`: what the
    safety map layer draws (parameters: base_params)."""
    sql = statement(("safety.sql",), _PLACE + final)
    return sql.replace(":appraisal_years", str(APPRAISAL_YEARS))


@dataclass(frozen=True)
class Relocation:
    """Where the people of one dangerous building could go, body by body (and floor by
    floor when nothing takes a body whole)."""

    building: dict[str, Any]
    bodies: list[dict[str, Any]]


@dataclass
class _Offers:
    """Asks the idle-space match for groups of people of one building, one after another,
    never offering first a room an earlier group was offered first."""

    session: Session
    standard: Standard
    lon: float
    lat: float
    max_distance_m: float
    limit: int
    taken: set[int] = field(default_factory=set)
    asked: int = 0

    def __call__(self, organisation_id: int, group: dict[str, Any]) -> list[dict[str, Any]]:
        need = Need(
            organisation_id=organisation_id,
            area_m2=Decimal(str(group["area_m2"])),
            offices=group["offices"],
            lon=self.lon,
            lat=self.lat,
            max_distance_m=self.max_distance_m,
        )
        found = match(self.session, need, self.standard, limit=self.limit + self.asked)
        self.asked += 1
        free = [
            c for c in found["candidates"] if not self.taken & {r["room_id"] for r in c["rooms"]}
        ][: self.limit]
        if free:
            self.taken |= {r["room_id"] for r in free[0]["rooms"]}
        return free


def relocation(
    session: Session,
    building_id: int,
    standard: Standard,
    *,
    max_distance_m: float = RELOCATION_DISTANCE_M,
    limit: int = 3,
) -> Relocation:
    """For each body with people in the C or D building `building_id`: the idle floors or
    buildings nearest to it that hold as many offices and as much area as the body
    occupies there (the idle-space match, from the building's point on surface). When
    nothing takes a body spread over several floors whole, each of those floors is asked
    for (`by_floor`). The first offer of each group is kept from the later groups, so two
    groups are not sent to the same rooms first. A building of another grade, or with
    nobody in it, has no bodies to move."""
    params = _params(Scope(building_id=building_id), standard, APPRAISAL_YEARS)
    rows = run(session, statement(("safety.sql",), _ORIGIN), params)
    building = rows[0] if rows else {"building_id": building_id, "bodies": []}
    occupied = bool(building.get("people"))
    building["severity"] = severity(building.get("safety_grade")) if occupied else None
    moving = building.pop("bodies")  # only people in C and D buildings are in it
    if not moving:
        return Relocation(building=building, bodies=[])
    offers = _Offers(session, standard, building["lon"], building["lat"], max_distance_m, limit)
    bodies = []
    for body in moving:
        floors = body.pop("floors")
        candidates = offers(body["organisation_id"], body)
        by_floor = []
        if not candidates and len(floors) > 1:
            by_floor = [
                {**floor, "candidates": offers(body["organisation_id"], floor)} for floor in floors
            ]
        bodies.append({**body, "candidates": candidates, "by_floor": by_floor})
    return Relocation(building=building, bodies=bodies)
