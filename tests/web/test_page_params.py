"""Pages refuse bad query parameters with a 4xx naming them, and ignore prefill values the
form does not offer, rather than failing."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gis_app.config import Settings
from tests.auth import app_client


@pytest.fixture(scope="module")
def client(sample_db: dict) -> Iterator[TestClient]:
    settings = Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("path", "status", "named"),
    [
        ("/map?building=abc", 422, "building"),
        ("/map?building=0", 422, "building"),
        ("/map?body=424242", 404, "424242"),
    ],
)
def test_map_page_parameters(client, path, status, named) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert named in json.dumps(response.json()["detail"], ensure_ascii=False)


def test_land_prefill_keeps_only_what_the_form_offers(client) -> None:
    page = client.get("/land", params={"district": "无此区", "status": "bogus"}).text
    assert '"prefill": null' in page
    page = client.get("/land", params={"district": "西湖区", "status": ["idle", "bogus"]}).text
    assert '"prefill": {"district": "西湖区", "status": ["idle"]}' in page


def test_root_goes_to_the_map(client) -> None:
    response = client.get("/?lang=en", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/map?lang=en"
