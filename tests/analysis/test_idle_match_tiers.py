"""Idle-space match tiers (内部整合 → 系统内调剂 → 跨系统调剂) on the hand-built world.

Each test adds bodies, floors and vacant rooms in a transaction rolled back at its end and
calls the Python entry point. Systems (see idle_match.sql): A (杭州市甲局, municipal, no
parent) heads its system; D (杭州市丁局, municipal, under A) is in it; B (西湖区乙局,
county, under A) is of another level and C (杭州市丙中心, municipal, no parent) another
system. Already in the world: floor 10 of X holds 304 (17 m²) and 308 (12 m²), vacant
and held by no body, so 'other' for everyone.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Standard
from gis_app.analysis.idle_match import Need, match

X_CENTRE = (120.1015, 30.2515)
"""Centre of building X's footprint, the origin asked for."""


@pytest.fixture
def conn(office_engine: Engine) -> Iterator[Connection]:
    with office_engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(
            text(
                "INSERT INTO organisation (id, code, name, level, kind, authorised_staff, "
                "parent_id) VALUES (4, 'D', '杭州市丁局', 'municipal', 'government', 5, 1)"
            )
        )
        yield connection
        transaction.rollback()


def _floor(conn: Connection, floor_id: int, building_id: int, name: str) -> None:
    """A floor the size of its building's footprint."""
    conn.execute(
        text(
            "INSERT INTO floor (id, building_id, ordinal, name, geom) "
            "SELECT :id, :building, :id, :name, ST_GeometryN(geom, 1) FROM building "
            "WHERE id = :building"
        ),
        {"id": floor_id, "building": building_id, "name": name},
    )


def _rooms(conn: Connection, rows: list[tuple[int, int, str, int, int | None]]) -> None:
    """Vacant offices (id, floor, number, m², holder) side by side on their floor."""
    for rid, floor, number, area, body in rows:
        conn.execute(
            text(
                "INSERT INTO room (id, floor_id, number, category, usable_area_m2, "
                "organisation_id, status, local_geom, geom) "
                "SELECT :id, :floor, :number, 'office', :area, :body, 'vacant', "
                "ST_MakeEnvelope(:x, 0, :x + 3, 3, 0), "
                "ST_MakeEnvelope(ST_XMin(f.geom) + :dx, ST_YMin(f.geom) + 0.0001, "
                "ST_XMin(f.geom) + :dx + 0.00003, ST_YMin(f.geom) + 0.00013, 4490) "
                "FROM floor f WHERE f.id = :floor"
            ),
            {
                "id": rid,
                "floor": floor,
                "number": number,
                "area": area,
                "body": body,
                "x": rid * 10.0,
                "dx": 0.00005 * (rid % 15),
            },
        )


def _need(body: int) -> Need:
    return Need(
        organisation_id=body,
        area_m2=Decimal(25),
        offices=2,
        lon=X_CENTRE[0],
        lat=X_CENTRE[1],
    )


def _summary(conn: Connection, body: int) -> list[tuple]:
    """(tier, unit, unit id, rooms picked, m² picked) of each candidate, in rank order."""
    answer = match(Session(bind=conn), _need(body), Standard())
    return [
        (
            c["tier"],
            c["unit"],
            c["unit_id"],
            [(r["number"], r["tier"]) for r in c["rooms"]],
            c["picked_area_m2"],
        )
        for c in answer["candidates"]
    ]


def _three_floors(conn: Connection) -> None:
    """Floors 4F, 5F, 6F of X: one the body's own, one shared with its system, one other."""
    for floor_id, name in ((11, "4F"), (12, "5F"), (13, "6F")):
        _floor(conn, floor_id, 1, name)
    _rooms(
        conn,
        [
            (101, 11, "401", 15, 1),
            (102, 11, "402", 14, 1),
            (103, 12, "501", 20, 4),
            (104, 12, "502", 10, 1),
            (105, 13, "601", 30, 3),
            (106, 13, "602", 30, 2),
        ],
    )


def test_own_rooms_first_then_the_system_then_others(conn: Connection) -> None:
    _three_floors(conn)
    # A asks for 2 offices, 25 m², all in building X (distance 0 for each floor):
    # 4F: A's own 401 (15) + 402 (14) = 29 m², 2 offices → fits by itself: own.
    # 5F: A's own 502 (10) alone is 1 office; with D's 501 (20): 30 m² → system.
    # 3F: 304 (17) + 308 (12) = 29 m², no holder → other, surplus 4.
    # 6F: C's 601 (30) + B's 602 (30) = 60 m², another system and another level → other,
    #     surplus 35, so after 3F.
    # Building X whole is not offered: 4F fits at the best tier already.
    assert _summary(conn, 1) == [
        ("own", "floor", 11, [("401", "own"), ("402", "own")], Decimal(29)),
        ("system", "floor", 12, [("501", "system"), ("502", "own")], Decimal(30)),
        ("other", "floor", 10, [("304", "other"), ("308", "other")], Decimal(29)),
        ("other", "floor", 13, [("601", "other"), ("602", "other")], Decimal(60)),
    ]


def test_the_system_is_seen_from_below_as_well(conn: Connection) -> None:
    _three_floors(conn)
    # D asks the same. D climbs to A (same level, municipal): its system is A and D.
    # 4F: A's 401 + 402 = 29 m² → system, surplus 4. 5F: D's own 501 (20) is 1 office;
    # with A's 502: 30 m² → system too, surplus 5, so after 4F.
    assert [(tier, unit_id) for tier, _, unit_id, _, _ in _summary(conn, 4)] == [
        ("system", 11),
        ("system", 12),
        ("other", 10),
        ("other", 13),
    ]


def test_a_county_body_under_a_city_body_is_its_own_system(conn: Connection) -> None:
    _three_floors(conn)
    # B is county level under A (municipal): its system stops at itself. Its own 602 (30)
    # is one office; 6F with C's 601 → other. A's and D's rooms are other for B.
    assert {tier for tier, *_ in _summary(conn, 2)} == {"other"}


def test_a_building_is_offered_as_own_when_its_floors_are_not(conn: Connection) -> None:
    # Building Z (grade B, about 670 m east of X): A holds 701 (13) on 3F and 801 (13) on
    # 4F; 802 (20) on 4F has no holder.
    # 3F alone: 1 office. 4F: own 801 is 1 office; with 802: 2 offices, 33 m² → 4F other.
    # Z whole, own rooms only: 701 + 801 = 2 offices, 26 m² → Z offered as own (802 not
    # picked: it is not A's), first despite being farther than X's 3F (0 m).
    _floor(conn, 31, 3, "3F")
    _floor(conn, 32, 3, "4F")
    _rooms(conn, [(201, 31, "701", 13, 1), (202, 32, "801", 13, 1), (203, 32, "802", 20, None)])
    summary = _summary(conn, 1)
    assert summary == [
        ("own", "building", 3, [("701", "own"), ("801", "own")], Decimal(26)),
        ("other", "floor", 10, [("304", "other"), ("308", "other")], Decimal(29)),
        ("other", "floor", 32, [("802", "other"), ("801", "own")], Decimal(33)),
    ]


def test_each_candidate_against_the_quota_counts_only_the_rooms_it_gains(
    conn: Connection,
) -> None:
    _three_floors(conn)
    # A's office quota on its establishment (编制 10): 24 + 18 for its two leaders and
    # 8 × 9 for the other posts = 114 m². It holds 301 (40), 302 (20), 303 (20), 310 (16)
    # and now its vacant 401 (15), 402 (14), 502 (10): 135 m².
    answer = match(Session(bind=conn), _need(1), Standard())
    assert (answer["quota"]["office_m2"], answer["quota"]["over_by_m2"]) == (135, 135 + 25 - 114)
    figures = [
        (c["unit_id"], c["gained_m2"], c["quota_after_m2"], c["quota_over_by_m2"])
        for c in answer["candidates"]
    ]
    assert figures == [
        (11, 0, 135, 21),  # 4F, own: 401 and 402 are A's already
        (12, 20, 155, 41),  # 5F: D's 501 (20) is gained, A's 502 is not
        (10, 29, 164, 50),  # 3F: 304 (17) + 308 (12)
        (13, 60, 195, 81),  # 6F: 601 (30) + 602 (30)
    ]
