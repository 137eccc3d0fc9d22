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


EFFECTIVE = "SELECT set_config('gis_app.effective_date', '{day}', true)"
"""Changes made in a test take effect on that day (the tables keep their past versions)."""


def _findings_with(office_engine, statements: list[str], as_of: date) -> list[dict]:
    """The findings of the hand-built world after `statements`, rolled back afterwards."""
    with office_engine.connect() as conn, conn.begin() as transaction:
        for statement in statements:
            conn.exec_driver_sql(statement)
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        found = data_quality(session, Scope(), Standard(as_of=as_of)).items
        session.close()
        transaction.rollback()
    return found


def test_usable_coefficient_against_the_standard(office_engine) -> None:
    # X: 5 floors, no height: multi-storey, minimum 65 %: 0.64 is below (finding), 0.65 not.
    # Z: 3 floors but 25 m high: high-rise (GB 50352: above 24 m), minimum 60 %: 0.61 passes,
    # 0.59 does not.
    found = _findings_with(
        office_engine,
        [
            EFFECTIVE.format(day="2026-11-01"),
            "UPDATE building SET usable_coefficient = 0.64 WHERE id = 1",
            "UPDATE building SET usable_coefficient = 0.61, height_m = 25 WHERE id = 3",
        ],
        TODAY.as_of,
    )
    [low] = by_check(found, "usable_coefficient_low")
    assert low["building_id"] == 1
    assert (low["details"]["coefficient"], low["details"]["minimum"]) == (0.64, 0.65)
    assert low["details"]["high_rise"] is False
    found = _findings_with(
        office_engine,
        [
            EFFECTIVE.format(day="2026-11-01"),
            "UPDATE building SET usable_coefficient = 0.65 WHERE id = 1",
            "UPDATE building SET usable_coefficient = 0.59, height_m = 25 WHERE id = 3",
        ],
        TODAY.as_of,
    )
    [low] = by_check(found, "usable_coefficient_low")
    assert (low["building_id"], low["details"]["minimum"], low["details"]["high_rise"]) == (
        3,
        0.60,
        True,
    )


def test_staff_who_left_stop_counting_against_the_establishment(office_engine) -> None:
    # body 3 has an establishment of 1 and two staff (7, 8); 8 leaves on 2026-11-20: over
    # on 2026-11-19 (2 > 1), not on 2026-11-28 (1 = 1)
    left = [
        EFFECTIVE.format(day="2026-11-20"),
        "UPDATE staff SET left_on = DATE '2026-11-20' WHERE id = 8",
    ]
    before = _findings_with(office_engine, left, date(2026, 11, 19))
    after = _findings_with(office_engine, left, TODAY.as_of)
    assert [f["organisation_id"] for f in by_check(before, "staff_over_establishment")] == [3]
    assert by_check(after, "staff_over_establishment") == []


def test_a_rank_outside_its_body_s_level(office_engine) -> None:
    # body 1 (A) is municipal: a provincial head (54 m²) there is a finding; in a
    # sub-provincial city a provincial deputy is not, a provincial head still is
    add = [
        EFFECTIVE.format(day="2026-11-01"),
        "INSERT INTO staff (id, organisation_id, rank_code, name) VALUES "
        "(90, 1, 'provincial_head', 'p1'), (91, 1, 'provincial_deputy', 'p2')",
    ]
    plain = _findings_with(office_engine, add, TODAY.as_of)
    assert sorted(f["entity_id"] for f in by_check(plain, "rank_outside_level")) == [90, 91]
    [head, _] = by_check(plain, "rank_outside_level")
    assert (head["details"]["rank_level"], head["details"]["level"]) == ("provincial", "municipal")
    sub = _findings_with(
        office_engine,
        [*add, "UPDATE organisation SET sub_provincial = true WHERE id = 1"],
        TODAY.as_of,
    )
    assert [f["entity_id"] for f in by_check(sub, "rank_outside_level")] == [90]


def test_a_private_toilet_for_whom_and_how_large(office_engine) -> None:
    # 304 made an 8 m² private toilet of office 301, where a1 (正局级, no entitlement) sits:
    # not allowed, and over the 6 m² of the 2014 standard
    toilet = [
        EFFECTIVE.format(day="2026-11-01"),
        "UPDATE room SET subtype = 'private_toilet', usable_area_m2 = 8, serves_room_id = 1,"
        " organisation_id = 1, status = 'in_use' WHERE id = 4",
    ]
    [found] = by_check(
        _findings_with(office_engine, toilet, TODAY.as_of), "private_toilet_not_allowed"
    )
    assert found["room_id"] == 4 and found["details"]["office_number"] == "301"
    assert found["details"]["entitled"] is False and found["details"]["too_large"] is True
    # a1 made 市级正职 (entitled): the 8 m² is still over 6; at 6 m² nothing is found
    head = [*toilet, "UPDATE staff SET rank_code = 'municipal_head' WHERE id = 1"]
    [found] = by_check(
        _findings_with(office_engine, head, TODAY.as_of), "private_toilet_not_allowed"
    )
    assert found["details"]["entitled"] is True and found["details"]["too_large"] is True
    small = [*head, "UPDATE room SET usable_area_m2 = 6 WHERE id = 4"]
    assert (
        by_check(_findings_with(office_engine, small, TODAY.as_of), "private_toilet_not_allowed")
        == []
    )


def test_people_in_a_dangerous_building_and_an_old_appraisal(office_engine) -> None:
    # Y (grade C) has only 101, vacant; b2 moving in makes it occupied: 1 person, 1 room,
    # 30 m². Z appraised on 2021-11-27 is more than 5 years before 2026-11-28; X on
    # 2021-11-29 is not.
    changes = [
        EFFECTIVE.format(day="2026-11-01"),
        "INSERT INTO room_occupancy (room_id, staff_id, valid_from) VALUES (11, 6, '2026-11-01')",
        "UPDATE building SET safety_appraised_on = DATE '2021-11-27' WHERE id = 3",
        "UPDATE building SET safety_appraised_on = DATE '2021-11-29' WHERE id = 1",
    ]
    found = _findings_with(office_engine, changes, TODAY.as_of)
    [danger] = by_check(found, "occupied_dangerous_building")
    assert danger["building_id"] == 2
    assert danger["details"] == {
        "name": "Y楼",
        "grade": "C",
        "severity": "warning",
        "people": 1,
        "rooms": 1,
        "area_m2": 30,
        "bodies": ["西湖区乙局"],
        "by_body": [
            {
                "organisation_id": 2,
                "name": "西湖区乙局",
                "people": 1,
                "rooms": 1,
                "offices": 1,
                "area_m2": 30,
                "floors": [
                    {
                        "floor_id": 20,
                        "floor_name": "1F",
                        "people": 1,
                        "rooms": 1,
                        "offices": 1,
                        "area_m2": 30,
                    }
                ],
            }
        ],
    }
    [old] = by_check(found, "appraisal_overdue")
    assert (old["building_id"], old["details"]["years"]) == (3, 5)


def test_an_equivalence_note_decides_the_ranks_a_body_may_hold(office_engine) -> None:
    # body 1 (A) made a municipal section-level dispatched body (rank_equivalence
    # municipal_section_dispatched: the county section figures instead of its own level's):
    # its bureau head a1 and deputy a2 (municipal leader ranks) are now findings, its two
    # municipal staff (9 m²) too, as the note replaces the municipal ranks; a county section
    # head added there is not
    dispatched = [
        EFFECTIVE.format(day="2026-11-01"),
        "UPDATE organisation SET equivalence = 'municipal_section_dispatched' WHERE id = 1",
        "INSERT INTO staff (id, organisation_id, rank_code, name) VALUES "
        "(92, 1, 'county_section_head', 'k1')",
    ]
    found = by_check(_findings_with(office_engine, dispatched, TODAY.as_of), "rank_outside_level")
    assert sorted(f["entity_id"] for f in found) == [1, 2, 3, 4]
    assert {f["details"]["equivalence"] for f in found} == {"municipal_section_dispatched"}


def test_a_room_leased_out_needs_an_approval_number(office_engine) -> None:
    # 304 (vacant, unassigned) leased out: set without a 文号 it is a finding; set in an
    # edit that carries the approval's 文号 it is not; leased-out area is not vacant
    leased = "UPDATE room SET status = 'leased_out' WHERE id = 4"
    bare = _findings_with(office_engine, [EFFECTIVE.format(day="2026-11-01"), leased], TODAY.as_of)
    [found] = by_check(bare, "leased_out_without_approval")
    assert (found["room_id"], found["details"]["area_m2"]) == (4, 17)
    approved = [
        "SELECT set_config('gis_app.effective_date', '2026-11-01', true),"
        " set_config('gis_app.document_no', '杭机管〔2026〕12号', true),"
        " set_config('gis_app.action', 'room.edit', true)",
        leased,
    ]
    assert (
        by_check(
            _findings_with(office_engine, approved, TODAY.as_of), "leased_out_without_approval"
        )
        == []
    )
