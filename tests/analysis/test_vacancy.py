"""Vacancy on the hand-built world (see conftest.py); every number by hand.

Floor 10 allocatable (office + service): 40 + 20 + 20 + 17 + 28 + 50 + 12 + 15 + 16
= 218 m²; the equipment room 307 is left out, and so is the rest room 305-1 (8 m²: it
belongs to office 305, never space of its own). Vacant: 304 (17, unassigned, empty) and
308 (12, unassigned, its occupant left in 2024) = 29 m². 309 is under renovation; 310 is
assigned to A and marked in use, so it is A's unoccupied office, not in the pool.
Building Y (grade C): 101 (30 m²) vacant, the whole building idle. Building Z: two offices,
both in use.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.vacancy import vacancy

TODAY = Standard(as_of=date(2026, 11, 28))


@pytest.fixture
def session(office_engine):
    with Session(office_engine) as s:
        yield s


def test_vacant_rooms(session: Session) -> None:
    page = vacancy(session, "room", Scope(), TODAY)
    assert [r["room_number"] for r in page.items] == ["304", "308", "101"]


def test_idle_space_excludes_dangerous_buildings(session: Session) -> None:
    page = vacancy(session, "idle_space", Scope(), TODAY)
    assert [(r["room_number"], r["usable_area_m2"]) for r in page.items] == [
        ("304", 17),
        ("308", 12),
    ]
    assert all(r["reallocatable"] for r in page.items)


def test_rates_by_floor_building_and_campus(session: Session) -> None:
    floors = {f["floor_id"]: f for f in vacancy(session, "floor", Scope(), TODAY).items}
    assert (floors[10]["allocatable_area_m2"], floors[10]["vacant_area_m2"]) == (218, 29)
    assert floors[10]["vacancy_rate"] == Decimal("0.1330")  # 29 / 218
    assert floors[10]["fully_idle"] is False
    assert (floors[20]["vacancy_rate"], floors[20]["fully_idle"]) == (1, True)
    buildings = {b["code"]: b for b in vacancy(session, "building", Scope(), TODAY).items}
    assert buildings["X"]["vacancy_rate"] == Decimal("0.1330")
    assert buildings["Y"]["fully_idle"] is True and buildings["Y"]["safety_grade"] == "C"
    campus = vacancy(session, "campus", Scope(), TODAY).items
    # building Z's two offices are in use: (29 + 30 + 0) / (218 + 30 + 16) = 59 / 264
    assert campus[0]["vacancy_rate"] == Decimal("0.2235")


def test_only_fully_idle(session: Session) -> None:
    assert [
        b["code"] for b in vacancy(session, "building", Scope(), TODAY, only_idle=True).items
    ] == ["Y"]
    assert [
        f["floor_id"] for f in vacancy(session, "floor", Scope(), TODAY, only_idle=True).items
    ] == [20]


def test_bodies_unoccupied_offices(session: Session) -> None:
    bodies = {b["code"]: b for b in vacancy(session, "body", Scope(), TODAY).items}
    # A: offices 301, 302, 303, 310 = 96 m²; 310 (16 m²) has nobody: 16 / 96
    assert (bodies["A"]["office_area_m2"], bodies["A"]["unoccupied_area_m2"]) == (96, 16)
    assert bodies["A"]["vacancy_rate"] == Decimal("0.1667")
    # B: 305 and its rest room, both used by the county head
    assert bodies["B"]["unoccupied_area_m2"] == 0


def test_vacancy_on_an_earlier_date(session: Session) -> None:
    then = Standard(as_of=date(2023, 6, 1))
    # in 2023 b2 still sat in 308, and c1 had not yet moved into building Z's 201 and 202
    assert [r["room_number"] for r in vacancy(session, "room", Scope(), then).items] == [
        "304",
        "101",
        "201",
        "202",
    ]


def test_a_rest_room_is_never_vacant_space(office_engine) -> None:
    # 305-1 (rest room of 305) with its occupant b1's stay ended: still not a vacant room
    with office_engine.connect() as conn, conn.begin() as transaction:
        conn.exec_driver_sql(
            "UPDATE room_occupancy SET valid_to = DATE '2026-01-01' WHERE room_id = 6"
        )
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        rooms = [r["room_number"] for r in vacancy(session, "room", Scope(), TODAY).items]
        session.close()
        transaction.rollback()
    assert rooms == ["304", "308", "101"]


def test_how_long_a_room_has_been_idle(session: Session) -> None:
    # 308's last occupant left on 2024-01-01: 1,062 days before 2026-11-28, over a year;
    # on 2024-06-01 it had been idle 152 days. 304 and 101: nobody since records began.
    rooms = {r["room_number"]: r for r in vacancy(session, "room", Scope(), TODAY).items}
    assert (rooms["308"]["idle_since"], rooms["308"]["idle_days"]) == (date(2024, 1, 1), 1062)
    assert rooms["308"]["long_idle"] is True
    assert rooms["304"]["idle_since"] is None and rooms["304"]["long_idle"] is None
    earlier = vacancy(session, "room", Scope(), Standard(as_of=date(2024, 6, 1))).items
    [then] = [r for r in earlier if r["room_number"] == "308"]
    assert (then["idle_days"], then["long_idle"]) == (152, False)
    custom = vacancy(
        session, "room", Scope(), Standard(as_of=date(2024, 6, 1)), long_idle_days=100
    ).items
    assert [r["long_idle"] for r in custom if r["room_number"] == "308"] == [True]


def test_common_toilets_never_count_and_leased_out_rooms_stand_apart(session: Session) -> None:
    """306 (50 m² meeting room of A) made a common toilet, unassigned: it leaves the
    allocatable area (218 − 50 = 168) and is not vacant although nobody holds it; 304 (17 m²,
    vacant) leased out: no longer vacant (29 − 17 = 12 m²) and shown on its own. Floor 10:
    12 / 168 = 7.14 %. Read today: the changes are today's."""
    session.execute(text("UPDATE room SET subtype = 'toilet', organisation_id = NULL WHERE id = 7"))
    session.execute(text("UPDATE room SET status = 'leased_out' WHERE id = 4"))
    (floor,) = vacancy(session, "floor", Scope(floor_id=10), Standard()).items
    assert (floor["allocatable_area_m2"], floor["vacant_area_m2"]) == (168, 12)
    assert floor["leased_out_area_m2"] == 17
    assert floor["vacancy_rate"] == Decimal("0.0714")
