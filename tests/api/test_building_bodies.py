"""GET /api/v1/buildings/{id}/bodies: who uses a building, checked against the rooms."""

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


def test_bodies_with_their_rooms_and_area(client, sample_engine) -> None:
    with sample_engine.connect() as conn:
        building, rooms, area = conn.execute(
            text(
                "SELECT f.building_id, count(*), round(sum(r.usable_area_m2), 1) FROM room r "
                "JOIN floor f ON f.id = r.floor_id WHERE r.organisation_id IS NOT NULL "
                "GROUP BY 1 ORDER BY count(DISTINCT r.organisation_id) DESC, 1 LIMIT 1"
            )
        ).one()
    items = client.get(f"/api/v1/buildings/{building}/bodies").json()["items"]
    assert items
    assert sum(i["rooms"] for i in items) == rooms
    assert sum(i["usable_area_m2"] for i in items) == pytest.approx(float(area), abs=0.5)
    areas = [i["usable_area_m2"] for i in items]
    assert areas == sorted(areas, reverse=True)
    assert all(isinstance(f, int) for i in items for f in i["floors"])


def test_unknown_building_is_a_404_naming_it(client) -> None:
    response = client.get("/api/v1/buildings/424242/bodies")
    assert response.status_code == 404
    assert "424242" in response.json()["detail"]["message"]
