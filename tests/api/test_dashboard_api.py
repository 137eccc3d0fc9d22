"""GET /api/v1/dashboard over the demo district: every figure agrees with plain SQL or with
the analyses it summarises, rows link to the map, a body's subtree can be asked for, and
bad input is refused naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.data_quality import data_quality
from gis_app.analysis.over_standard import over_standard
from gis_app.analysis.vacancy import vacancy
from gis_app.config import Settings
from tests.auth import app_client

AS_OF = date(2026, 11, 28)
TODAY = Standard(as_of=AS_OF)
EVERYTHING = 100_000
WESTLAKE_GOVERNMENT = 28
"""西湖区人民政府: a body with ten bodies under it in the demo district."""


@pytest.fixture(scope="module")
def client(sample_db: dict) -> Iterator[TestClient]:
    settings = Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def session(sample_engine) -> Iterator[Session]:
    with Session(sample_engine) as s:
        yield s


@pytest.fixture(scope="module")
def whole(client: TestClient) -> dict:
    response = client.get("/api/v1/dashboard", params={"as_of": AS_OF.isoformat()})
    assert response.status_code == 200, response.text
    return response.json()


def _sql(session: Session, sql: str, **params: object):
    return session.execute(text(sql), params).one()


def test_totals_match_plain_sql(whole: dict, session: Session, sample_db: dict) -> None:
    totals = whole["totals"]
    counts = sample_db["result"]["counts"]
    assert totals["buildings"] == counts["building"]
    assert totals["bodies"] == counts["organisation"]
    places = _sql(
        session,
        "SELECT count(DISTINCT campus_id), sum(gross_floor_area_m2) FROM building",
    )
    assert totals["campuses"] == places[0]
    assert totals["floor_area_m2"] == pytest.approx(float(places[1]))
    rooms = _sql(
        session,
        "SELECT count(*), sum(usable_area_m2), "
        "sum(usable_area_m2) FILTER (WHERE category = 'office') FROM room",
    )
    assert totals["rooms"] == rooms[0]
    assert totals["usable_area_m2"] == pytest.approx(float(rooms[1]))
    assert totals["office_area_m2"] == pytest.approx(float(rooms[2]))
    idle = _sql(session, "SELECT count(*), sum(area_m2) FROM land_parcel WHERE status = 'idle'")
    assert totals["idle_parcels"] == idle[0] == 12
    assert totals["idle_parcel_area_m2"] == pytest.approx(float(idle[1]))
    assert totals["parcels"] == counts["land_parcel"]


def test_vacancy_is_the_vacancy_analysis(whole: dict, session: Session) -> None:
    buildings = vacancy(session, "building", Scope(), TODAY, limit=EVERYTHING).items
    vacant = sum(float(b["vacant_area_m2"]) for b in buildings)
    allocatable = sum(float(b["allocatable_area_m2"]) for b in buildings)
    totals = whole["totals"]
    assert totals["vacant_area_m2"] == pytest.approx(vacant)
    assert totals["allocatable_area_m2"] == pytest.approx(allocatable)
    assert totals["vacancy_rate"] == pytest.approx(vacant / allocatable, abs=1e-4)
    assert totals["vacant_rooms"] == sum(b["vacant_rooms"] for b in buildings)

    rows = whole["charts"]["vacancy_by_building"]["rows"]
    expected = [b for b in buildings if b["vacant_area_m2"] > 0][:15]
    assert [(r["building_id"], r["vacancy_rate"]) for r in rows] == [
        (b["building_id"], float(b["vacancy_rate"])) for b in expected
    ]
    assert rows[0]["code"] == "HZ-B000005" and rows[0]["vacancy_rate"] == 1.0
    assert rows[0]["map_url"] == f"/map?building={rows[0]['building_id']}"

    bodies = vacancy(session, "body", Scope(), TODAY, limit=EVERYTHING).items
    expected_bodies = [b for b in bodies if b["unoccupied_area_m2"] > 0][:15]
    by_body = whole["charts"]["vacancy_by_body"]["rows"]
    assert [(r["organisation_id"], r["vacancy_rate"]) for r in by_body] == [
        (b["organisation_id"], float(b["vacancy_rate"])) for b in expected_bodies
    ]
    assert by_body and all(r["map_url"] == f"/map?body={r['organisation_id']}" for r in by_body)
    assert totals["unoccupied_office_area_m2"] == pytest.approx(
        sum(float(b["unoccupied_area_m2"]) for b in bodies)
    )


def test_over_standard_is_the_over_standard_analysis(
    whole: dict, session: Session, manifest: dict
) -> None:
    rooms = over_standard(session, "room", Scope(), TODAY, limit=EVERYTHING).items
    planted = manifest["leaders_over_standard"] + manifest["shared_rooms_over_standard"]
    totals = whole["totals"]
    assert totals["over_standard_rooms"] == len(rooms) == len(planted) == 3
    assert totals["over_standard_area_m2"] == pytest.approx(
        sum(float(r["excess_m2"]) for r in rooms)
    )
    buildings = over_standard(session, "building", Scope(), TODAY, limit=EVERYTHING).items
    rows = whole["charts"]["over_standard_by_building"]["rows"]
    assert [(r["building_id"], r["excess_m2"]) for r in rows] == [
        (b["building_id"], float(b["excess_m2"])) for b in buildings
    ]
    assert all(r["map_url"] == f"/map?building={r['building_id']}" for r in rows)


def test_bodies_over_quota_are_the_analysis_bodies(whole: dict, session: Session) -> None:
    bodies = over_standard(session, "body", Scope(), TODAY, limit=EVERYTHING).items
    office = [b for b in bodies if b["office_over"]]
    totals = whole["totals"]
    assert totals["bodies_over_quota"] == len(bodies)
    # the two bodies that keep a planted empty floor (审计局, fully staffed, and 统计局, also
    # staffed beyond its establishment, whose quota counts only the authorised posts)
    assert totals["bodies_over_office_quota"] == len(office) == 2
    assert {b["name"] for b in office} == {"杭州市审计局", "杭州市统计局"}
    rows = whole["charts"]["over_standard_by_body"]["rows"]
    assert rows[0]["office_over"] and rows[1]["office_over"] and not rows[2]["office_over"]
    assert rows[0]["map_url"] == f"/map?body={rows[0]['organisation_id']}"
    # bodies flagged on service rooms are all under a verified band (municipal); the
    # county bands are unverified and flag nobody by default
    assert all(b["service_rule_verified"] for b in bodies if b["service_over"])
    over = {b["organisation_id"]: b for b in bodies}
    for row in rows:
        body = over[row["organisation_id"]]
        counted = sum(
            float(body[f"{kind}_excess_m2"])
            for kind in ("office", "service", "equipment")
            if body[f"{kind}_over"]
        )
        assert row["over_standard_area_m2"] == pytest.approx(counted)
    rest = [r["over_standard_area_m2"] for r in rows[2:]]
    assert rest == sorted(rest, reverse=True)


def test_parcels_by_district_and_status(whole: dict, session: Session) -> None:
    statuses = {r["status"]: r for r in whole["charts"]["parcels_by_status"]["rows"]}
    assert set(statuses) == {"idle", "reserved", "in_use"}
    assert statuses["idle"]["label"] == "闲置"
    districts = whole["charts"]["parcels_by_district"]["rows"]
    expected = session.execute(
        text(
            "SELECT district, count(*) FILTER (WHERE status = 'idle') AS idle, "
            "coalesce(sum(area_m2) FILTER (WHERE status = 'idle'), 0) AS area "
            "FROM land_parcel WHERE status IN ('idle', 'reserved') GROUP BY district "
            "ORDER BY area DESC"
        )
    ).all()
    assert [(d["district"], d["idle_parcels"]) for d in districts] == [
        (e.district, e.idle) for e in expected
    ]
    assert sum(d["idle_parcels"] for d in districts) == statuses["idle"]["parcels"] == 12


def test_a_body_subtree(client: TestClient, session: Session) -> None:
    response = client.get(
        "/api/v1/dashboard",
        params={"body_id": WESTLAKE_GOVERNMENT, "as_of": AS_OF.isoformat(), "top": 5},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scope"] == {
        "body_id": WESTLAKE_GOVERNMENT,
        "body_name": "西湖区人民政府",
        "map_url": f"/map?body={WESTLAKE_GOVERNMENT}",
        "district": None,
    }
    tree = session.scalars(
        text(
            "WITH RECURSIVE t(id) AS (SELECT CAST(:b AS integer) UNION ALL "
            "SELECT o.id FROM organisation o JOIN t ON o.parent_id = t.id) SELECT id FROM t"
        ),
        {"b": WESTLAKE_GOVERNMENT},
    ).all()
    used = _sql(
        session,
        "SELECT count(DISTINCT f.building_id), sum(r.usable_area_m2) FROM room r "
        "JOIN floor f ON f.id = r.floor_id WHERE r.organisation_id = ANY(:t)",
        t=list(tree),
    )
    totals = body["totals"]
    assert totals["bodies"] == len(tree) == 11
    assert totals["buildings"] == used[0]
    assert totals["usable_area_m2"] == pytest.approx(float(used[1]))
    scope = Scope(body_id=WESTLAKE_GOVERNMENT)
    rooms = over_standard(session, "room", scope, TODAY, limit=EVERYTHING)
    assert totals["over_standard_rooms"] == rooms.total
    assert all(len(c["rows"]) <= 5 for c in body["charts"].values())
    assert {r["organisation_id"] for r in body["charts"]["over_standard_by_body"]["rows"]} <= set(
        tree
    )
    assert body["data_quality_url"] == (
        f"/api/v1/dashboard/data-quality?body_id={WESTLAKE_GOVERNMENT}&as_of={AS_OF}"
    )


def test_data_quality_count_is_the_analysis_count(client: TestClient, session: Session) -> None:
    response = client.get("/api/v1/dashboard/data-quality", params={"as_of": AS_OF.isoformat()})
    assert response.status_code == 200, response.text
    found = data_quality(session, Scope(), TODAY, limit=1).total
    assert response.json()["data_quality_findings"] == found > 0
    assert response.json()["report_url"] == f"/api/v1/analysis/data-quality?as_of={AS_OF}"


def test_labels_follow_the_language(client: TestClient, whole: dict) -> None:
    assert whole["labels"]["vacancy_rate"].startswith("空置率")
    assert whole["charts"]["vacancy_by_building"]["title"] == (
        "空置率最高的建筑（空置 ÷ 可分配使用面积）"
    )
    english = client.get(
        "/api/v1/dashboard", params={"top": 1}, headers={"Accept-Language": "en"}
    ).json()
    assert english["charts"]["vacancy_by_building"]["title"] == (
        "Buildings with the highest vacancy rate (vacant ÷ allocatable usable area)"
    )
    assert english["labels"]["idle_parcels"] == "Idle parcels"
    assert set(english["labels"]) == set(english["totals"])


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"body_id": 999_999}, 404, None),
        ({"body_id": 0}, 422, "body_id"),
        ({"body_id": "abc"}, 422, "body_id"),
        ({"body_id": 2**40}, 422, "body_id"),
        ({"top": 0}, 422, "top"),
        ({"top": 101}, 422, "top"),
        ({"standard": "NO-SUCH"}, 422, "standard"),
        ({"as_of": "yesterday"}, 422, "as_of"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    client: TestClient, params: dict, status: int, field: str | None
) -> None:
    for path in ("/api/v1/dashboard", "/api/v1/dashboard/data-quality"):
        if "top" in params and path.endswith("data-quality"):
            continue
        response = client.get(path, params=params)
        assert response.status_code == status, (path, response.text)
        detail = response.json()["detail"]
        if status == 404:
            assert "999999" in detail["message"] and detail["resource"] == "organisation"
        else:
            assert detail["field"] == field


@pytest.fixture(scope="module")
def bare_client(api_db_url: str) -> Iterator[TestClient]:
    """The small API database: three buildings, no rooms, no parcels."""
    with app_client(Settings(database_url=api_db_url)) as test_client:
        yield test_client


def test_nothing_to_show_is_zeros_and_empty_rows(bare_client: TestClient) -> None:
    response = bare_client.get("/api/v1/dashboard")
    assert response.status_code == 200, response.text
    body = response.json()
    totals = body["totals"]
    assert totals["buildings"] == 3 and totals["rooms"] == 0 and totals["parcels"] == 0
    assert totals["vacancy_rate"] is None and totals["over_standard_area_m2"] == 0
    assert all(
        chart["rows"] == [] for name, chart in body["charts"].items() if name != "parcels_by_status"
    )
    assert [r["parcels"] for r in body["charts"]["parcels_by_status"]["rows"]] == [0, 0, 0]


def test_the_page_serves_vendored_chartjs_and_refuses_an_unknown_body(client: TestClient) -> None:
    page = client.get("/dashboard", params={"body": WESTLAKE_GOVERNMENT})
    assert page.status_code == 200
    assert '<script defer src="/static/vendor/chartjs/chart.umd.js"></script>' in page.text
    assert page.text.index("chartjs/chart.umd.js") < page.text.index("/static/js/dashboard.js")
    assert "西湖区人民政府" in page.text
    assert client.get("/static/vendor/chartjs/chart.umd.js").status_code == 200
    missing = client.get("/dashboard", params={"body": 999_999})
    assert missing.status_code == 404 and "999999" in missing.json()["detail"]["message"]
    assert client.get("/dashboard", params={"body": "x"}).json()["detail"]["field"] == "body"
