"""The online basemap is off unless configured; when it is, only its tile host appears."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from gis_app.config import Settings
from gis_app.maps.export import remote_urls
from tests.auth import app_client


def _page(sample_db: dict, **settings: object) -> str:
    config = Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"], **settings)
    with app_client(config) as client:
        response = client.get("/land")
    assert response.status_code == 200
    return response.text


def test_no_basemap_by_default(sample_db: dict) -> None:
    assert remote_urls(_page(sample_db)) == []


def test_osm_when_asked(sample_db: dict) -> None:
    hosts = {url.split("/")[2] for _, url in remote_urls(_page(sample_db, basemap="osm"))}
    assert hosts == {"tile.openstreetmap.org"}


def test_tianditu_key_from_settings(sample_db: dict) -> None:
    page = _page(sample_db, basemap="tianditu", tianditu_key="KEY123")
    hosts = {url.split("/")[2] for _, url in remote_urls(page)}
    assert hosts == {"t{s}.tianditu.gov.cn"} and "tk=KEY123" in page
    with pytest.raises(ValidationError, match="TIANDITU_KEY"):
        Settings(basemap="tianditu")


def test_home_view_from_settings(sample_db: dict) -> None:
    page = _page(sample_db, home_bbox=(120.14, 30.25, 120.16, 30.27))
    assert "[[30.25, 120.14], [30.27, 120.16]]" in page
