"""Idle-space matching (调剂优先): where can a body's new need be met from idle space?

Candidates are single floors first (a building whole only when none of its floors fits)
whose reallocatable vacant rooms hold the requested offices, meeting rooms and area within
the distance asked. Each carries a tier, the order in which the rules allocate: 'own'
(内部整合, the body's own vacant rooms fit by themselves), 'system' (系统内调剂, with rooms
of bodies of its system: the same-level subtree of its system head, see idle_match.sql),
'other' (跨系统调剂: other systems, other levels, rooms no body holds). They rank by tier,
then distance, then floor before building, then the smallest surplus, then safety grade.
For each, rooms are picked from its tier and the nearer ones: the requested offices and
meeting rooms, largest first, then more offices until the area is met; and it is held
against the body's office quota with only the rooms it would gain (not its own).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard, base_params, dated, sql_file
from gis_app.analysis.over_standard import over_standard
from gis_app.errors import InvalidParameter, NotFound
from gis_app.models import Organisation

_CANDIDATES = """
SELECT c.unit, c.unit_id, c.tier, c.building_id, c.building_code, c.building_name, c.safety_grade,
       c.offices, c.meetings, c.area_m2, round(c.distance_m::numeric, 1) AS distance_m,
       ST_X(o.geom) AS origin_lon, ST_Y(o.geom) AS origin_lat,
       ST_AsGeoJSON(b.geom, 7, 0) AS geometry
FROM candidate c JOIN building b ON b.id = c.building_id CROSS JOIN origin o
ORDER BY c.tier, c.distance_m, c.unit = 'building', c.area_m2 - CAST(:area AS numeric),
         c.safety_grade NULLS LAST, c.unit_id
LIMIT :limit
"""

_ROOMS = """
SELECT p.id AS room_id, p.number, p.floor_id, p.floor_name, p.building_id, p.usable_area_m2,
       p.is_office, p.is_meeting, p.tier
FROM pool p
WHERE (p.is_office OR p.is_meeting)
  AND (p.floor_id = ANY(CAST(:floors AS integer[]))
       OR p.building_id = ANY(CAST(:buildings AS integer[])))
"""

_ORIGIN = "SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM origin"

TIERS = ("own", "system", "other")
"""The tiers by their number in idle_match.sql: 内部整合, 系统内调剂, 跨系统调剂."""


@dataclass(frozen=True)
class Need:
    """What the requesting body asks for."""

    organisation_id: int
    area_m2: Decimal
    offices: int = 0
    meetings: int = 0
    lon: float | None = None
    lat: float | None = None
    max_distance_m: float = 5_000


def _pick(rooms: list[dict[str, Any]], need: Need) -> list[dict[str, Any]]:
    """The requested offices and meeting rooms (largest first; of equal rooms, the nearer
    tier's, then the first by id), then offices until the area is met."""
    order = sorted(rooms, key=lambda r: (-r["usable_area_m2"], r.get("tier", 0), r["room_id"]))
    offices = [r for r in order if r["is_office"]]
    meetings = [r for r in order if r["is_meeting"]]
    chosen = offices[: need.offices] + meetings[: need.meetings]
    spare = offices[need.offices :] + meetings[need.meetings :]
    area = sum(r["usable_area_m2"] for r in chosen)
    for room in spare:
        if area >= need.area_m2:
            break
        chosen.append(room)
        area += room["usable_area_m2"]
    return chosen


def match(session: Session, need: Need, standard: Standard, limit: int = 10) -> dict[str, Any]:
    """Ranked candidates with the rooms picked in each; the origin used, for the map."""
    if (
        session.scalar(select(Organisation.id).where(Organisation.id == need.organisation_id))
        is None
    ):
        raise NotFound(resource="organisation", id=need.organisation_id)
    params = base_params(Scope(), standard) | {
        "organisation_id": need.organisation_id,
        "lon": need.lon,
        "lat": need.lat,
        "offices": need.offices,
        "meetings": need.meetings,
        "area": need.area_m2,
        "max_distance_m": need.max_distance_m,
        "limit": limit,
    }
    head = "\n".join(sql_file(n) for n in ("scope.sql", "vacancy.sql", "idle_match.sql"))
    head = dated(head, standard.as_of)
    origin = session.execute(text(head + _ORIGIN), params).mappings().one()
    if origin["lon"] is None:
        raise InvalidParameter(field="location", reason="reason.location_needed")
    candidates = [dict(r) for r in session.execute(text(head + _CANDIDATES), params).mappings()]
    floors = [c["unit_id"] for c in candidates if c["unit"] == "floor"]
    buildings = [c["unit_id"] for c in candidates if c["unit"] == "building"]
    rooms = [
        dict(r)
        for r in session.execute(
            text(head + _ROOMS), params | {"floors": floors, "buildings": buildings}
        ).mappings()
    ]
    quota = quota_check(session, need, standard)
    for rank, candidate in enumerate(candidates, start=1):
        key = "floor_id" if candidate["unit"] == "floor" else "building_id"
        tier = candidate["tier"]
        chosen = _pick(
            [r for r in rooms if r[key] == candidate["unit_id"] and r["tier"] <= tier], need
        )
        picked_area = sum(r["usable_area_m2"] for r in chosen)
        candidate.update(
            rank=rank,
            tier=TIERS[tier - 1],
            rooms=[
                {k: r[k] for k in ("room_id", "number", "floor_name", "usable_area_m2")}
                | {"tier": TIERS[r["tier"] - 1]}
                for r in chosen
            ],
            picked_area_m2=picked_area,
            surplus_m2=picked_area - need.area_m2,
            **_against_quota(chosen, quota),
        )
    return {
        "origin": {"lon": origin["lon"], "lat": origin["lat"]},
        "candidates": candidates,
        "quota": quota,
    }


def _against_quota(chosen: list[dict[str, Any]], quota: dict[str, Any]) -> dict[str, Any]:
    """One candidate against the body's office quota: its own rooms are already counted in
    what the body holds, so only the rooms it gains add (内部整合 adds nothing)."""
    gained = sum((r["usable_area_m2"] for r in chosen if r["tier"] != 1), Decimal(0))
    after = quota["office_m2"] + gained
    return {
        "gained_m2": gained,
        "quota_after_m2": after,
        "quota_over_by_m2": max(after - quota["office_quota_m2"], Decimal(0)),
    }


def quota_check(session: Session, need: Need, standard: Standard) -> dict[str, Any]:
    """The request against the body's office quota (Σ its staff's limits): the office
    area it holds, that plus the area asked, and how much that would be over (0: within).
    The area asked may include meeting rooms; it is held against the office quota, the
    stricter reading."""
    rows = over_standard(
        session,
        "body",
        Scope(body_id=need.organisation_id),
        standard,
        only_over=False,
        limit=2**31 - 1,
    ).items
    body = next((r for r in rows if r["organisation_id"] == need.organisation_id), None)
    quota = Decimal(body["office_quota_m2"]) if body else Decimal(0)
    held = Decimal(body["office_m2"]) if body else Decimal(0)
    after = held + Decimal(need.area_m2)
    return {
        "office_quota_m2": quota,
        "office_m2": held,
        "requested_m2": Decimal(need.area_m2),
        "after_m2": after,
        "over_by_m2": max(after - quota, Decimal(0)),
    }
