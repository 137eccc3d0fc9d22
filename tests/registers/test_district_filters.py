"""District (行政区) on the demo district: the registers and the dashboard keep the buildings
standing on that district's land parcels, counted here by plain SQL apart from the app; the
dashboard's tables download as one workbook."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.config import Settings
from tests.auth import app_client

DISTRICT_OF_BUILDING = (
    "SELECT b.id, (SELECT p.district FROM land_parcel p "
    "WHERE ST_Contains(p.geom, ST_PointOnSurface(b.geom)) ORDER BY p.id LIMIT 1) AS district "
    "FROM building b"
)


@pytest.fixture(scope="module")
def client(sample_db: dict) -> Iterator[TestClient]:
    settings = Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def by_district(sample_engine) -> dict[str, set[int]]:
    """Building ids per district, by SQL of its own."""
    with Session(sample_engine) as session:
        rows = session.execute(text(DISTRICT_OF_BUILDING)).all()
    found: dict[str, set[int]] = {}
    for building_id, district in rows:
        found.setdefault(district, set()).add(building_id)
    return found


def test_every_building_has_a_district(by_district: dict[str, set[int]]) -> None:
    assert None not in by_district
    assert len(by_district) >= 2


def test_registers_by_district(client: TestClient, by_district, sample_engine) -> None:
    for district, ids in by_district.items():
        answer = client.get(
            "/api/v1/registers/buildings", params={"district": district, "limit": 1000}
        ).json()
        assert {r["building_id"] for r in answer["items"]} == ids
        assert {r["district"] for r in answer["items"]} == {district}
        rooms = client.get("/api/v1/registers/rooms", params={"district": district}).json()
        with Session(sample_engine) as session:
            expected = session.scalar(
                text(
                    "SELECT count(*) FROM room r JOIN floor f ON f.id = r.floor_id "
                    "WHERE f.building_id = ANY(:ids)"
                ),
                {"ids": sorted(ids)},
            )
        assert rooms["total"] == expected


def test_dashboard_by_district(client: TestClient, by_district, sample_engine) -> None:
    district, ids = max(by_district.items(), key=lambda item: len(item[1]))
    answer = client.get("/api/v1/dashboard", params={"district": district}).json()
    assert answer["scope"]["district"] == district
    with Session(sample_engine) as session:
        rooms, parcels = session.execute(
            text(
                "SELECT (SELECT count(*) FROM room r JOIN floor f ON f.id = r.floor_id "
                "WHERE f.building_id = ANY(:ids)), "
                "(SELECT count(*) FROM land_parcel WHERE district = :d)"
            ),
            {"ids": sorted(ids), "d": district},
        ).one()
    assert answer["totals"]["buildings"] == len(ids)
    assert answer["totals"]["rooms"] == rooms
    assert answer["totals"]["parcels"] == parcels
    everything = client.get("/api/v1/dashboard").json()["totals"]
    assert everything["buildings"] > len(ids)


def test_dashboard_workbook(client: TestClient, by_district) -> None:
    district = sorted(by_district)[0]
    response = client.get("/api/v1/dashboard/xlsx", params={"district": district})
    assert response.status_code == 200, response.text
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 7  # the totals and six charts
    totals = book.worksheets[0]
    assert totals.title == "总览"
    assert f"行政区={district}" in totals["A2"].value
    labels = {row[0].value: row[1].value for row in totals.iter_rows(min_row=5)}
    answer = client.get("/api/v1/dashboard", params={"district": district}).json()
    assert labels["建筑数"] == answer["totals"]["buildings"]
    first_chart = book.worksheets[1]
    assert [c.value for c in first_chart[4]][-1] == "空置率（%）"
    assert client.get("/api/v1/dashboard/xlsx", params={"district": ""}).status_code == 422


def test_an_unknown_district(client: TestClient) -> None:
    page = client.get("/dashboard", params={"district": "火星区"})
    assert page.status_code == 422 and "district" in page.text
    empty = client.get("/api/v1/registers/buildings", params={"district": "火星区"}).json()
    assert empty["total"] == 0  # a filter naming no district's buildings keeps none
