"""Building safety on the sample district: the planted C and D buildings (the generator's
manifest) are the occupied dangerous ones, their people and area agree with plain SQL over
the tables, and the relocation offers only safe space near enough and large enough."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.safety import buildings, relocation

TIERS = ("own", "system", "other")
TODAY = Standard(as_of=date(2026, 11, 28))
EVERYTHING = 100_000
IN_DANGER = """
SELECT count(DISTINCT o.staff_id) AS people, count(DISTINCT r.id) AS rooms,
       (SELECT sum(x.usable_area_m2) FROM room x WHERE x.id IN (
          SELECT o2.room_id FROM room_occupancy o2 JOIN staff s2 ON s2.id = o2.staff_id
          JOIN room r2 ON r2.id = o2.room_id JOIN floor f2 ON f2.id = r2.floor_id
          WHERE f2.building_id = :b AND o2.valid_from <= :d
            AND (o2.valid_to IS NULL OR o2.valid_to > :d)
            AND (s2.left_on IS NULL OR s2.left_on > :d))) AS area_m2
FROM room_occupancy o JOIN staff s ON s.id = o.staff_id
JOIN room r ON r.id = o.room_id JOIN floor f ON f.id = r.floor_id
WHERE f.building_id = :b AND o.valid_from <= :d AND (o.valid_to IS NULL OR o.valid_to > :d)
  AND (s.left_on IS NULL OR s.left_on > :d)
"""
"""Who works in building :b on :d, straight from the tables (the same rule, other SQL)."""


@pytest.fixture(scope="module")
def session(sample_engine):
    with Session(sample_engine) as s:
        yield s


@pytest.fixture(scope="module")
def dangerous(manifest: dict) -> dict[int, str]:
    return {
        c["building_id"]: grade
        for grade, cases in manifest["dangerous_buildings"].items()
        for c in cases
    }


def test_the_planted_c_and_d_buildings_are_found_with_their_people(
    session: Session, dangerous: dict[int, str]
) -> None:
    rows = buildings(session, Scope(), TODAY, limit=EVERYTHING).items
    occupied = {r["building_id"]: r for r in rows if r["severity"]}
    assert set(occupied) == set(dangerous)  # the planted buildings are bodies' own: occupied
    for building_id, row in occupied.items():
        grade = dangerous[building_id]
        assert (row["safety_grade"], row["severity"]) == (
            grade,
            "error" if grade == "D" else "warning",
        )
        plain = session.execute(text(IN_DANGER), {"b": building_id, "d": TODAY.as_of}).one()
        assert (row["people"], row["rooms"]) == (plain.people, plain.rooms) != (0, 0)
        assert row["area_m2"] == plain.area_m2
        assert sum(b["people"] for b in row["bodies"]) >= row["people"]


def test_the_grades_add_up_to_every_building(session: Session) -> None:
    rows = buildings(session, Scope(), TODAY, only_flagged=False, limit=EVERYTHING).items
    count = session.scalar(text("SELECT count(*) FROM building"))
    assert len(rows) == count
    overdue = session.scalar(
        text(
            "SELECT count(*) FROM building "
            "WHERE safety_appraised_on < DATE '2026-11-28' - interval '5 years'"
        )
    )
    assert sum(r["appraisal_overdue"] for r in rows) == overdue


def test_relocation_offers_safe_space_that_fits(
    session: Session, dangerous: dict[int, str]
) -> None:
    for building_id in dangerous:
        found = relocation(session, building_id, TODAY)
        assert found.bodies
        first_offers: list[set[int]] = []
        for body in found.bodies:
            # no idle floor or building takes a whole body of the sample (58 and 37 offices);
            # each of its floors is offered space (1F of the C building: 6 offices, 118 m²)
            groups = [body] if body["candidates"] else body["by_floor"]
            assert groups and all(g["candidates"] for g in groups)
            for group in groups:
                # the match's order: tier (own, system, other), then distance
                order = [
                    (TIERS.index(c["tier"]), float(c["distance_m"])) for c in group["candidates"]
                ]
                assert order == sorted(order) and all(d <= 5_000 for _, d in order)
                for candidate in group["candidates"]:
                    assert candidate["building_id"] not in dangerous
                    assert candidate["safety_grade"] not in ("C", "D")
                    assert candidate["offices"] >= group["offices"]
                    assert candidate["picked_area_m2"] >= group["area_m2"]
                first_offers.append({r["room_id"] for r in group["candidates"][0]["rooms"]})
        # two groups are never sent to the same rooms first
        every = [room for offer in first_offers for room in offer]
        assert len(every) == len(set(every))
