"""Data-quality checks on the hand-built world: each plant found, nothing else."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.data_quality import data_quality

TODAY = Standard(as_of=date(2026, 11, 28))


@pytest.fixture
def findings(office_engine) -> list[dict]:
    with Session(office_engine) as session:
        return data_quality(session, Scope(), TODAY).items


def by_check(findings: list[dict], check: str) -> list[dict]:
    return [f for f in findings if f["check"] == check]


def test_recorded_area_against_drawn(findings: list[dict]) -> None:
    [found] = by_check(findings, "area_mismatch")
    # 306: recorded 50 m², drawn 40 m²: 25 % more in the ledger
    assert found["room_id"] == 7
    assert found["details"]["recorded_m2"] == 50 and found["details"]["drawn_m2"] == 40
    assert found["details"]["difference_ratio"] == 0.25


def test_a_looser_threshold_lets_it_pass(office_engine) -> None:
    with Session(office_engine) as session:
        page = data_quality(
            session, Scope(), TODAY, checks=("area_mismatch",), area_threshold=Decimal("0.3")
        )
    assert page.total == 0


def test_overlapping_rooms_in_the_drawing(findings: list[dict]) -> None:
    [found] = by_check(findings, "overlapping_rooms")
    # 307 drawn from x = 88 (side √10 ≈ 3.162) laps over 308 drawn from x = 90 (side √12)
    assert (found["room_id"], found["details"]["other_room_id"]) == (8, 9)
    assert found["details"]["overlap_m2"] == pytest.approx(1.162 * 10**0.5, abs=0.01)


def test_room_sticking_out_of_its_floor(findings: list[dict]) -> None:
    [found] = by_check(findings, "room_outside_floor")
    assert found["room_id"] == 14
    assert 0.01 < found["details"]["outside_m2"] < 0.5


def test_floor_outside_its_building(findings: list[dict]) -> None:
    [found] = by_check(findings, "floor_outside_building")
    assert (found["floor_id"], found["building_id"]) == (30, 3)
    # floor 30 is 0.0012° square, the footprint 0.001°: the L-shaped rest is about
    # 115.5 × 133.1 − 96.2 × 110.9 ≈ 4,700 m² at 30.25°N
    assert 4_000 < found["details"]["outside_m2"] < 5_500


def test_two_offices_and_over_establishment(findings: list[dict]) -> None:
    [two] = by_check(findings, "staff_in_two_offices")
    assert (two["entity_id"], two["details"]["room_ids"]) == (7, [13, 14])
    [over] = by_check(findings, "staff_over_establishment")
    assert over["organisation_id"] == 3
    assert (over["details"]["authorised_staff"], over["details"]["staff"]) == (1, 2)


def test_ledger_status_against_people(findings: list[dict]) -> None:
    assert [f["room_id"] for f in by_check(findings, "in_use_but_empty")] == [12]
    assert by_check(findings, "vacant_but_occupied") == []


def test_nothing_else_is_reported(findings: list[dict]) -> None:
    assert len(findings) == 7
