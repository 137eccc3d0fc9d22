"""Building safety on the hand-built world (tests/analysis/conftest.py): who still works in C
and D buildings, how many and on how much area, the relocation the idle pool offers, and
overdue appraisals.

The changes below (effective 2026-11-01, seen on 2026-11-28) make Z a D building, give 101
in Y to body B and seat:
- in Y (grade C): a3 (body A) and b2 (body B), both in 101 (30 m²);
- in Z (grade D): c1 (body C) as before in 201 and 202 (8 m² each), and c2 (body C) in 202,
  who left on 2026-11-10 (her stay was never closed: she must not count).
Hand-computed: Y has 2 people in 1 room, 30 m² (the shared room once), each body 1 person
in 1 room of 30 m²; Z has 1 person in 2 rooms, 16 m², all of body C.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.data_quality import data_quality
from gis_app.analysis.explain import finding
from gis_app.analysis.safety import buildings, relocation

DAY = Standard(as_of=date(2026, 11, 28))
CHANGES = [
    "SELECT set_config('gis_app.effective_date', '2026-11-01', true)",
    "UPDATE building SET safety_grade = 'D' WHERE id = 3",
    "UPDATE room SET organisation_id = 2, status = 'in_use' WHERE id = 11",
    "INSERT INTO room_occupancy (room_id, staff_id, valid_from) VALUES "
    "(11, 3, '2026-11-01'), (11, 6, '2026-11-01'), (14, 8, '2026-11-01')",
    "SELECT set_config('gis_app.effective_date', '2026-11-10', true)",
    "UPDATE staff SET left_on = DATE '2026-11-10' WHERE id = 8",
    # Z appraised 2021-11-27: more than 5 years before 2026-11-28; X 2021-11-29: not
    "UPDATE building SET safety_appraised_on = DATE '2021-11-27' WHERE id = 3",
    "UPDATE building SET safety_appraised_on = DATE '2021-11-29' WHERE id = 1",
]


@contextmanager
def changed(office_engine) -> Iterator[Session]:
    """A session on the hand-built world after CHANGES, rolled back afterwards."""
    with office_engine.connect() as conn, conn.begin() as transaction:
        for sql in CHANGES:
            conn.exec_driver_sql(sql)
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


def by_check(findings: list[dict], check: str) -> dict[int, dict]:
    return {f["building_id"]: f for f in findings if f["check"] == check}


def test_occupied_c_and_d_buildings_say_who_how_many_and_how_much(office_engine) -> None:
    with changed(office_engine) as session:
        found = by_check(data_quality(session, Scope(), DAY).items, "occupied_dangerous_building")
    assert sorted(found) == [2, 3]
    y, z = found[2]["details"], found[3]["details"]
    # D: not to be used (error); C: restricted use (warning)
    assert (z["grade"], z["severity"], y["grade"], y["severity"]) == ("D", "error", "C", "warning")
    # Z: c1 only (c2 left on 2026-11-10), in 201 and 202: 8 + 8 = 16 m²
    assert (z["people"], z["rooms"], z["area_m2"]) == (1, 2, 16)
    assert z["bodies"] == ["杭州市丙中心"]
    # Y: a3 and b2 share 101: 2 people, 1 room, 30 m² counted once
    assert (y["people"], y["rooms"], y["area_m2"]) == (2, 1, 30)
    assert sorted(y["bodies"]) == ["杭州市甲局", "西湖区乙局"]
    assert sorted((b["organisation_id"], b["people"], b["area_m2"]) for b in y["by_body"]) == [
        (1, 1, 30),
        (2, 1, 30),
    ]


def test_the_explanation_tells_d_from_c(office_engine) -> None:
    with changed(office_engine) as session:
        found = by_check(data_quality(session, Scope(), DAY).items, "occupied_dangerous_building")
    assert "停止使用、立即搬迁" in finding("finding", found[3], "zh-CN")
    assert "杭州市丙中心" in finding("finding", found[3], "zh-CN")
    assert "限制使用、安排加固或搬迁" in finding("finding", found[2], "zh-CN")
    assert "stop using it" in finding("finding", found[3], "en")


def test_overdue_appraisal_on_a_settable_period(office_engine) -> None:
    with changed(office_engine) as session:
        five = data_quality(session, Scope(), DAY, checks=("appraisal_overdue",)).items
        six = data_quality(
            session, Scope(), DAY, checks=("appraisal_overdue",), appraisal_years=6
        ).items
    # 2021-11-27 is 5 years and 1 day before 2026-11-28: overdue at 5 years, not at 6
    assert [(f["building_id"], f["details"]["years"]) for f in five] == [(3, 5)]
    assert six == []


def test_buildings_by_safety_worst_first(office_engine) -> None:
    with changed(office_engine) as session:
        page = buildings(session, Scope(), DAY)
        every = buildings(session, Scope(), DAY, only_flagged=False)
    # occupied D (Z, also overdue) first, then occupied C (Y); X (A, appraised in time) is
    # not flagged
    assert [(r["building_id"], r["severity"]) for r in page.items] == [(3, "error"), (2, "warning")]
    assert page.items[0]["appraisal_overdue"] is True
    assert [r["building_id"] for r in every.items] == [3, 2, 1]
    assert every.items[2]["people"] == 0 and every.items[2]["severity"] is None


def test_a_body_scope_sees_the_buildings_of_its_rooms(office_engine) -> None:
    with changed(office_engine) as session:
        b = buildings(session, Scope(body_id=2), DAY).items
        c = buildings(session, Scope(body_id=3), DAY).items
    # B's rooms are 305, 305-1 (X) and 101 (Y): Y is flagged with everyone in 101 (a3 of A
    # too); X is not flagged. C holds no room (201, 202 are unassigned): nothing.
    assert [(r["building_id"], r["people"]) for r in b] == [(2, 2)]
    assert c == []


def test_relocation_from_the_idle_pool(office_engine) -> None:
    with changed(office_engine) as session:
        z = relocation(session, 3, DAY)
        y = relocation(session, 2, DAY)
        x = relocation(session, 1, DAY)
    assert (z.building["safety_grade"], z.building["severity"]) == ("D", "error")
    [body] = z.bodies
    # body C occupies 201 and 202 in Z: 2 offices, 16 m². The pool outside C and D
    # buildings: 304 (17 m²) and 308 (12 m²) on X 3F (309 is under renovation, 101 is in
    # Y, grade C): 2 offices, 29 m² ≥ 16 → floor 10 fits (so X is not offered whole)
    assert (body["organisation_id"], body["offices"], body["area_m2"]) == (3, 2, 16)
    [candidate] = body["candidates"]
    assert (candidate["unit"], candidate["unit_id"], candidate["offices"]) == ("floor", 10, 2)
    assert [r["number"] for r in candidate["rooms"]] == ["304", "308"]
    assert (candidate["picked_area_m2"], candidate["surplus_m2"]) == (29, 13)
    # from Z's centre (120.1085, 30.2515) to X's (120.1015, same latitude): 0.007° of
    # longitude at 30.2515°N, N·cos φ·π/180 = 6 383 563 m × 0.86383 × 0.0174533 ≈ 96 244 m
    # a degree → ≈ 673.7 m
    assert float(candidate["distance_m"]) == pytest.approx(673.7, abs=2)
    # Y: each body occupies the shared 101, 30 m²; the pool holds 29 m² at most: none fits
    assert sorted((b["organisation_id"], b["area_m2"]) for b in y.bodies) == [(1, 30), (2, 30)]
    assert all(b["candidates"] == [] for b in y.bodies)
    # X is grade A: nobody to move
    assert (x.building["safety_grade"], x.bodies, x.building["severity"]) == ("A", [], None)
