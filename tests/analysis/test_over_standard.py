"""Over-standard use on the hand-built world (see conftest.py); every number by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.over_standard import over_standard

TODAY = Standard(as_of=date(2026, 11, 28))
NOW = Standard()
"""Today: the tests that change a row in their session read it as it is now (an edit made
today is not yet valid on 2026-11-28)."""


@pytest.fixture
def session(office_engine):
    with Session(office_engine) as s:
        yield s


def rooms(session: Session, standard: Standard = TODAY, **scope) -> dict[str, dict]:
    page = over_standard(session, "room", Scope(**scope), standard, only_over=False)
    return {r["room_number"]: r for r in page.items}


def test_a_single_leader_is_over_by_area_minus_limit(session: Session) -> None:
    r1 = rooms(session)["301"]
    # bureau head alone in 40 m² at a 24 m² limit: 16 m² over
    assert (r1["limit_m2"], r1["excess_m2"], r1["over_standard"]) == (24, 16, True)
    assert r1["occupant_count"] == 1 and r1["occupants"][0]["rank"] == "municipal_bureau_head"


def test_a_shared_room_compares_with_the_sum_of_limits(session: Session) -> None:
    r3 = rooms(session)["303"]
    # two staff at 9 m² each share 20 m²: 18 m² allowed, 2 m² over
    assert (r3["occupant_count"], r3["limit_m2"], r3["excess_m2"]) == (2, 18, 2)


def test_a_leaders_rest_room_counts_inside_the_limit(session: Session) -> None:
    result = rooms(session)
    r5 = result["305"]
    # county head: 28 m² office + 8 m² rest room = 36 m² against 30 m²: 6 m² over
    assert r5["attached_room_ids"] == [6]
    assert (r5["counted_area_m2"], r5["limit_m2"], r5["excess_m2"]) == (36, 30, 6)
    assert "305-1" not in result, "the rest room is not judged on its own"


def test_rooms_without_current_occupants_are_not_judged(session: Session) -> None:
    result = rooms(session)
    # 304, 309 and 310 are empty today (308's occupant left on 2024-01-01); 306 is a meeting room
    assert {"304", "306", "308", "309", "310"}.isdisjoint(result)


def test_occupancy_is_taken_on_the_date_asked(session: Session) -> None:
    then = Standard(as_of=date(2023, 6, 1))
    r9 = rooms(session, then)["308"]
    # b2 (county staff, 9 m²) sat alone in 12 m² until 2024: 3 m² over then
    assert (r9["limit_m2"], r9["excess_m2"]) == (9, 3)
    assert "303" in rooms(session, Standard(as_of=date(2022, 6, 1)))
    assert rooms(session, Standard(as_of=date(2021, 6, 1)))["303"]["limit_m2"] == 9


def test_tolerance_spares_small_excesses(session: Session) -> None:
    lenient = Standard(as_of=TODAY.as_of, tolerance_m2=Decimal("2.5"))
    page = over_standard(session, "room", Scope(), lenient)
    # 302 (20 vs 18) and 303 (20 vs 18) are 2 m² over: within 2.5; 301 (16) and 305 (6) are not
    assert [r["room_number"] for r in page.items] == ["301", "305"]
    assert page.total == 2


def test_over_standard_rooms_by_default_worst_first(session: Session) -> None:
    page = over_standard(session, "room", Scope(), TODAY)
    assert [(r["room_number"], r["excess_m2"]) for r in page.items] == [
        ("301", 16),
        ("305", 6),
        ("302", 2),
        ("303", 2),
    ]


def test_building_and_campus_roll_up_the_rooms(session: Session) -> None:
    building = over_standard(session, "building", Scope(), TODAY).items
    # building X: 4 occupied offices (301, 302, 303, 305), all over: 16 + 2 + 2 + 6 = 26 m²
    assert [
        (b["code"], b["occupied_offices"], b["over_standard_rooms"], b["excess_m2"])
        for b in building
    ] == [("X", 4, 4, 26)]
    # counted 40 + 20 + 20 + 36 = 116 m² against 24 + 18 + 18 + 30 = 90 m²
    assert (building[0]["counted_area_m2"], building[0]["limit_m2"]) == (116, 90)
    campus = over_standard(session, "campus", Scope(), TODAY).items
    assert [(c["code"], c["over_standard_rooms"], c["excess_m2"]) for c in campus] == [
        ("C1", 4, 26)
    ]


def test_body_office_service_and_equipment_quotas(session: Session) -> None:
    bodies = {
        b["code"]: b for b in over_standard(session, "body", Scope(), TODAY, only_over=False).items
    }
    a = bodies["A"]
    # office: 301 + 302 + 303 + 310 = 96 m² assigned; quota on the establishment (编制 10):
    # the two leader posts filled at their ranks, 24 + 18, and the other 10 − 2 = 8 posts at
    # the municipal non-leader 9 m² = 42 + 72 = 114 m² → 18 under
    assert (a["office_m2"], a["office_quota_m2"], a["office_excess_m2"]) == (96, 114, -18)
    assert (a["quota_basis"], a["leader_count"], a["other_posts"], a["other_limit_m2"]) == (
        "establishment",
        2,
        8,
        9,
    )
    # service: municipal, 编制 10 ≤ 200 → 8 m² each = 80 m²; 50 m² used → 30 under
    assert (a["service_rate_m2"], a["service_allowance_m2"], a["service_excess_m2"]) == (8, 80, -30)
    # equipment: 9 % × (114 + 80) = 17.46 m²; 10 m² used → 7.46 under
    assert (a["equipment_allowance_m2"], a["equipment_excess_m2"]) == (
        Decimal("17.46"),
        Decimal("-7.46"),
    )
    assert (a["office_over"], a["service_over"], a["equipment_over"]) == (False, False, False)
    b = bodies["B"]
    # office: 305 + 305-1 = 36 m²; quota b1's 30 + (150 − 1) × 9 = 1371 → 1335 under
    assert (b["office_m2"], b["office_quota_m2"], b["office_excess_m2"]) == (36, 1371, -1335)
    # service: county, 编制 150 in (100, 200] → (500 − 150) / 50 = 7 m² each = 1050 m²
    assert (b["service_rate_m2"], b["service_allowance_m2"]) == (7, 1050)
    assert b["over_standard"] is False
    c = bodies["C"]
    # 编制 1, two staff in post (c1, c2, 9 m² each), no leader: 1 × 9 = 9 m², not 18
    assert (c["office_quota_m2"], c["staff_count"]) == (9, 2)


def test_a_body_over_its_establishment_quota_and_the_in_post_fallback(session: Session) -> None:
    """A with 编制 4 (its four people): 24 + 18 + (4 − 2) × 9 = 60 m² against 96 → 36 over;
    with no authorised number recorded the staff in post decide: 24 + 18 + 9 + 9 = 60 too,
    and the explanation says which basis it used."""
    from gis_app.analysis.explain import over_standard as explain

    session.execute(text("UPDATE organisation SET authorised_staff = 4 WHERE code = 'A'"))
    (a,) = [
        b
        for b in over_standard(session, "body", Scope(), NOW, only_over=False).items
        if b["code"] == "A"
    ]
    assert (a["office_quota_m2"], a["office_excess_m2"], a["office_over"]) == (60, 36, True)
    assert "按编制 4 人核定：领导职数 2 人按各自职级标准，其余 2 人按每人 9.0 m²" in explain(
        "body", a, "zh-CN"
    )
    session.execute(text("UPDATE organisation SET authorised_staff = 0 WHERE code = 'A'"))
    (a,) = [
        b
        for b in over_standard(session, "body", Scope(), NOW, only_over=False).items
        if b["code"] == "A"
    ]
    assert (a["quota_basis"], a["office_quota_m2"], a["office_excess_m2"]) == ("in_post", 60, 36)
    assert "未登记编制数，按实有在岗 4 人的职级标准核定" in explain("body", a, "zh-CN")


def test_an_unverified_band_is_reported_but_flags_only_on_request(session: Session) -> None:
    """B (county: band unverified) with a 1,100 m² meeting room: service 1,100 against
    1,050 → 50 m² over, said but not flagged; with unverified_bands it flags."""
    from gis_app.analysis.explain import over_standard as explain

    session.execute(text("UPDATE room SET organisation_id = 2, usable_area_m2 = 1100 WHERE id = 7"))
    (b,) = over_standard(session, "body", Scope(body_id=2), NOW, only_over=False).items
    assert (b["service_excess_m2"], b["service_rule_verified"], b["service_over"]) == (
        50,
        False,
        False,
    )
    assert "超出 50.0 m²，但该级别服务用房标准未经核实，不计入超标" in explain("body", b, "zh-CN")
    strict = Standard(unverified_bands=True)
    (b,) = over_standard(session, "body", Scope(body_id=2), strict, only_over=False).items
    assert b["service_over"] is True and b["over_standard"] is True


def test_common_toilets_are_apportioned_by_office_area_only_on_request(session: Session) -> None:
    """Room 306 made a 50 m² toilet (unassigned, building common space). By default no body
    counts it; with common_service it is shared by the office area held on floor 10 of X:
    A 96 m², B 36 m² → A 50 × 96 / 132 = 36.36 m², B 50 × 36 / 132 = 13.64 m²."""
    session.execute(text("UPDATE room SET subtype = 'toilet', organisation_id = NULL WHERE id = 7"))
    plain = {
        b["code"]: b for b in over_standard(session, "body", Scope(), NOW, only_over=False).items
    }
    assert (plain["A"]["service_m2"], plain["A"]["common_service_m2"]) == (0, 0)
    shared = Standard(common_service=True)
    bodies = {
        b["code"]: b for b in over_standard(session, "body", Scope(), shared, only_over=False).items
    }
    assert bodies["A"]["common_service_m2"] == Decimal("36.36")
    assert bodies["B"]["common_service_m2"] == Decimal("13.64")
    assert bodies["A"]["service_m2"] == Decimal("36.36")


def test_scope_by_body_subtree(session: Session) -> None:
    # B is A's child: A's subtree holds both bodies' rooms
    assert set(rooms(session, body_id=1)) == {"301", "302", "303", "305"}
    assert set(rooms(session, body_id=2)) == {"305"}
    bodies = over_standard(session, "body", Scope(body_id=2), TODAY, only_over=False).items
    assert [b["code"] for b in bodies] == ["B"]


def test_scope_by_place(session: Session) -> None:
    assert rooms(session, building_id=2) == {}
    assert set(rooms(session, floor_id=10)) == {"301", "302", "303", "305"}


def test_a_person_who_has_left_sits_nowhere(session: Session) -> None:
    """a1 (301's only occupant) recorded as left on 2026-12-01 while the loaded stay stays
    open: 301 has no occupant today, so it is no longer over the standard (16 m² before)."""
    session.execute(text("UPDATE staff SET left_on = DATE '2026-12-01' WHERE id = 1"))
    r1 = rooms(session, NOW).get("301")
    assert r1 is None or r1["occupant_count"] == 0
