"""The analyses on the sample district find exactly the cases the generator planted."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.data_quality import data_quality
from gis_app.analysis.over_standard import over_standard
from gis_app.analysis.vacancy import vacancy

TODAY = Standard(as_of=date(2026, 11, 28))
EVERYTHING = 100_000


@pytest.fixture(scope="module")
def session(sample_engine):
    with Session(sample_engine) as s:
        yield s


def test_over_standard_rooms_are_the_planted_ones(session: Session, manifest: dict) -> None:
    page = over_standard(session, "room", Scope(), TODAY, limit=EVERYTHING)
    planted = {
        c["room_id"]: c
        for c in manifest["leaders_over_standard"] + manifest["shared_rooms_over_standard"]
    }
    assert {r["room_id"] for r in page.items} == set(planted)
    for row in page.items:
        case = planted[row["room_id"]]
        assert float(row["limit_m2"]) == case["limit_sum_m2"]
        assert float(row["usable_area_m2"]) == pytest.approx(case["recorded_m2"])


def test_over_standard_buildings_hold_the_planted_rooms(session: Session, manifest: dict) -> None:
    page = over_standard(session, "building", Scope(), TODAY, limit=EVERYTHING)
    planted = {
        c["building"]
        for c in manifest["leaders_over_standard"] + manifest["shared_rooms_over_standard"]
    }
    assert {b["code"] for b in page.items} == planted


def test_fully_idle_floors_and_buildings_include_the_planted(
    session: Session, manifest: dict
) -> None:
    floors = vacancy(session, "floor", Scope(), TODAY, only_idle=True, limit=EVERYTHING).items
    idle_floor_ids = {f["floor_id"] for f in floors}
    assert {c["floor_id"] for c in manifest["vacant_floors"]} <= idle_floor_ids
    buildings = vacancy(session, "building", Scope(), TODAY, only_idle=True, limit=EVERYTHING).items
    assert {b["building_id"] for b in buildings} == {
        c["building_id"] for c in manifest["idle_buildings"]
    }


def test_idle_space_leaves_out_dangerous_buildings(session: Session, manifest: dict) -> None:
    dangerous = {
        c["building_id"] for cases in manifest["dangerous_buildings"].values() for c in cases
    }
    vacant = vacancy(session, "room", Scope(), TODAY, limit=EVERYTHING).items
    pool = vacancy(session, "idle_space", Scope(), TODAY, limit=EVERYTHING).items
    assert {r["building_id"] for r in pool}.isdisjoint(dangerous)
    assert {r["room_id"] for r in pool} == {
        r["room_id"] for r in vacant if r["building_id"] not in dangerous
    }
    idle_building = manifest["idle_buildings"][0]["building_id"]
    assert idle_building in {r["building_id"] for r in pool}


def test_every_building_gets_a_vacancy_rate(session: Session, sample_db: dict) -> None:
    rows = vacancy(session, "building", Scope(), TODAY, limit=EVERYTHING).items
    assert len(rows) == sample_db["result"]["counts"]["building"]
    assert all(0 <= r["vacancy_rate"] <= 1 for r in rows)


def test_data_quality_finds_the_planted_problems(session: Session, manifest: dict) -> None:
    page = data_quality(session, Scope(), TODAY, limit=EVERYTHING)
    found: dict[str, set] = {}
    for f in page.items:
        found.setdefault(f["check"], set()).add(f["entity_id"])
    assert found.get("area_mismatch") == {c["room_id"] for c in manifest["area_mismatch_rooms"]}
    assert found.get("staff_in_two_offices") == {
        c["staff_id"] for c in manifest["multiple_offices"]
    }
    assert found.get("staff_over_establishment") == {
        c["organisation_id"] for c in manifest["over_authorised_bodies"]
    }
    dangerous = {
        c["building_id"] for cases in manifest["dangerous_buildings"].values() for c in cases
    }
    assert found.get("occupied_dangerous_building", set()) <= dangerous
    for clean in (
        "overlapping_rooms",
        "room_outside_floor",
        "floor_outside_building",
        "rank_outside_level",
        "private_toilet_not_allowed",
    ):
        assert clean not in found, clean


def test_only_a_body_keeping_a_whole_empty_floor_is_over_its_office_quota(
    session: Session, manifest: dict
) -> None:
    bodies = over_standard(session, "body", Scope(), TODAY, only_over=False, limit=EVERYTHING).items
    over = {b["organisation_id"] for b in bodies if b["office_over"]}
    with session.bind.connect() as conn:
        holders = set(
            conn.scalars(
                text(
                    "SELECT DISTINCT r.organisation_id FROM room r WHERE r.floor_id = ANY(:f) "
                    "AND r.organisation_id IS NOT NULL"
                ),
                {"f": [c["floor_id"] for c in manifest["vacant_floors"]]},
            )
        )
    assert over and over <= holders
    # 审计局 (fully staffed) and 统计局 (8 people beyond its establishment, whose quota
    # counts only the authorised posts) both keep a planted empty floor
    names = {b["name"] for b in bodies if b["office_over"]}
    assert names == {"杭州市审计局", "杭州市统计局"}


def test_hangzhou_is_a_sub_provincial_city(session: Session) -> None:
    """The demo's municipal bodies are Hangzhou's, a 副省级城市: their department heads and
    deputies hold the provincial department ranks (30/24 m²), none the municipal bureau ones
    (24/18), and each is under the sub-provincial note; its district's bodies are not."""
    with session.bind.connect() as conn:
        ranks = dict(
            conn.execute(
                text(
                    "SELECT s.rank_code, count(*) FROM staff s JOIN organisation o "
                    "ON o.id = s.organisation_id WHERE o.level = 'municipal' GROUP BY 1"
                )
            ).all()
        )
        notes = dict(
            conn.execute(
                text(
                    "SELECT o.level, count(e.equivalence) FROM organisation o "
                    "LEFT JOIN gis_body_equivalence() e ON e.organisation_id = o.id GROUP BY 1"
                )
            ).all()
        )
        municipal = conn.scalar(text("SELECT count(*) FROM organisation WHERE level = 'municipal'"))
    assert "municipal_bureau_head" not in ranks and "municipal_bureau_deputy" not in ranks
    assert ranks["provincial_dept_head"] > 0 and ranks["provincial_dept_deputy"] > 0
    assert notes == {"municipal": municipal, "county": 0}
