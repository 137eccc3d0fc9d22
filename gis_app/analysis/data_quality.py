"""Data-quality checks (账实相符): the ledger against the drawings and the people.

Checks: recorded vs drawn area, rooms outside their floor, overlapping rooms, floors
outside their building, staff in two offices, staff in post above the establishment
(编制数), buildings below the standard's usable-area coefficient, ranks outside their
body's level, private toilets for ranks without the entitlement or above the size, C and D
buildings people still work in, safety appraisals older than `appraisal_years`, and
offices whose ledger status contradicts who sits there. The SQL is `sql/data_quality.sql`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from sqlalchemy.orm import Session

from gis_app.analysis.common import Page, Scope, Standard, base_params, paged, run, statement
from gis_app.analysis.safety import APPRAISAL_YEARS

Check = Literal[
    "area_mismatch",
    "room_outside_floor",
    "overlapping_rooms",
    "floor_outside_building",
    "staff_in_two_offices",
    "staff_over_establishment",
    "usable_coefficient_low",
    "rank_outside_level",
    "private_toilet_not_allowed",
    "occupied_dangerous_building",
    "appraisal_overdue",
    "in_use_but_empty",
    "vacant_but_occupied",
    "leased_out_without_approval",
]
CHECKS: tuple[Check, ...] = Check.__args__  # type: ignore[attr-defined]

_FINAL = """
SELECT f.check_code AS "check", f.entity, f.entity_id, f.room_id, f.floor_id, f.building_id,
       f.organisation_id, f.details, ST_AsGeoJSON(f.geom, 7, 0) AS geometry,
       count(*) OVER () AS total
FROM finding f
WHERE f.check_code = ANY(CAST(:checks AS text[]))
ORDER BY f.check_code, f.entity_id
LIMIT :limit OFFSET :offset
"""


def data_quality(
    session: Session,
    scope: Scope,
    standard: Standard,
    *,
    checks: tuple[Check, ...] = CHECKS,
    area_threshold: Decimal = Decimal("0.10"),
    sliver_m2: float = 0.01,
    appraisal_years: int = APPRAISAL_YEARS,
    limit: int = 100,
    offset: int = 0,
) -> Page:
    """One page of findings, grouped by check."""
    params = base_params(scope, standard) | {
        "checks": list(checks),
        "area_threshold": area_threshold,
        "sliver_m2": sliver_m2,
        "appraisal_years": appraisal_years,
        "limit": limit,
        "offset": offset,
    }
    return paged(run(session, statement(("safety.sql", "data_quality.sql"), _FINAL), params))
