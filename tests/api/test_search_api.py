"""GET /api/v1/search over the demo district: buildings by name or code, bodies with the
buildings they use, and refusals naming the parameter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gis_app.config import Settings
from tests.auth import app_client


@pytest.fixture(scope="module")
def client(sample_db: dict) -> Iterator[TestClient]:
    settings = Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


def test_a_building_by_code_and_a_body_with_its_buildings(client, sample_engine) -> None:
    items = client.get("/api/v1/search", params={"q": "HZ-B000005"}).json()["items"]
    assert [(i["kind"], i["name"]) for i in items if i["kind"] == "building"][:1]
    building = next(i for i in items if i["kind"] == "building")
    assert building["building_ids"] == [building["id"]]
    assert 120 < building["lon"] < 121 and 30 < building["lat"] < 31
    body = client.get("/api/v1/search", params={"q": "审计局"}).json()["items"]
    audit = next(i for i in body if i["kind"] == "body")
    with sample_engine.connect() as conn:
        used = conn.scalars(
            text(
                "SELECT DISTINCT f.building_id FROM room r JOIN floor f ON f.id = r.floor_id "
                "WHERE r.organisation_id = :o ORDER BY 1"
            ),
            {"o": audit["id"]},
        ).all()
    assert audit["building_ids"] == used and used


def test_wildcards_are_literal_and_nothing_found_is_empty(client) -> None:
    assert client.get("/api/v1/search", params={"q": "%"}).json() == {"items": []}
    assert client.get("/api/v1/search", params={"q": "没有这个名字"}).json() == {"items": []}


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 101}, {"q": "a", "limit": 0}])
def test_bad_query_names_the_parameter(client, params) -> None:
    response = client.get("/api/v1/search", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] in ("q", "limit")
