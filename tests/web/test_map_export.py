"""GET /api/v1/maps/export: a chosen view of catalog layers as a standalone HTML file with
the features in it (no remote URL, no tile URL) or as a PNG; bad requests name the field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gis_app.config import Settings
from gis_app.maps.export import CHROMIUM, remote_urls
from tests.artifacts import ARTIFACTS
from tests.auth import app_client

VIEW = {"layers": "parcels_landuse,buildings_vacancy,roads", "bbox": "120.13,30.24,120.17,30.28"}


@pytest.fixture(scope="module")
def client(sample_db: dict) -> Iterator[TestClient]:
    settings = Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


def test_standalone_html_carries_its_features(client) -> None:
    response = client.get("/api/v1/maps/export", params=VIEW)
    assert response.status_code == 200
    page = response.text
    assert remote_urls(page) == [] and "/tiles/" not in page
    assert page.count('"type": "Feature"') > 50


def test_png_of_the_view(client) -> None:
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    response = client.get("/api/v1/maps/export", params=VIEW | {"format": "png", "width": 800})
    assert response.status_code == 200 and response.content[:8] == b"\x89PNG\r\n\x1a\n"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "map_export.png").write_bytes(response.content)


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"layers": "roads"}, 422, "bbox"),
        (VIEW | {"format": "gif"}, 422, "format"),
        (VIEW | {"width": 50}, 422, "width"),
        (VIEW | {"layers": "no_such_layer"}, 404, None),
    ],
)
def test_bad_requests(client, params, status, field) -> None:
    response = client.get("/api/v1/maps/export", params=params)
    assert response.status_code == status
    if field:
        assert response.json()["detail"]["field"] == field
