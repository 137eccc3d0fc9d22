"""Site selection on the demo district as `make run` serves it: the generator planted two
ideal idle parcels by metro stations and one idle parcel in each exclusion zone; a request a
planner would make must rank the first on top and exclude the others, saying why. The
result is also saved as the offline folium map and screenshot for people to look at."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gis_app.config import Settings
from gis_app.maps.export import remote_urls
from tests.artifacts import save_map_screenshot
from tests.auth import app_client

EXCLUSIONS = ["basic_farmland", "ecological_redline", "flood_zone"]
ZONE_REASON = {
    "basic_farmland": "永久基本农田",
    "ecological_redline": "生态保护红线",
    "flood_zone": "洪涝",
}


REQUEST = {
    "exclude": {
        "status": ["idle", "reserved"],
        "constraints": [
            {"kinds": EXCLUSIONS, "mode": "avoid"},
            {"kinds": ["urban_boundary"], "mode": "intersect"},
        ],
        "rasters": [{"raster": "dem_slope", "stat": "mean", "max": 15}],
    },
    "scores": [
        {
            "name": "近地铁",
            "measure": "distance",
            "distance": {"to": "station", "station_modes": ["metro"]},
            "normalise": {"shape": "linear_down", "low": 0, "high": 2000},
        },
        {
            "name": "坡度平缓",
            "measure": "raster",
            "raster": "dem_slope",
            "normalise": {"shape": "linear_down", "low": 0, "high": 15},
        },
        {
            "name": "洪水浅",
            "measure": "raster",
            "raster": "flood_depth",
            "stat": "max",
            "normalise": {"shape": "linear_down", "low": 0, "high": 1},
        },
        {
            "name": "面积适中",
            "measure": "area",
            "normalise": {"shape": "ideal", "ideal": 60000, "tolerance": 50000},
        },
    ],
    "weights": {
        "ahp": [
            [1, 3, 3, 5],
            [1 / 3, 1, 1, 3],
            [1 / 3, 1, 1, 3],
            [1 / 5, 1 / 3, 1 / 3, 1],
        ]
    },
    "limit": 20,
    "excluded_limit": 40,
}
"""Idle or reserved land for a new office block: outside farmland, red line and flood zones,
inside the town, flat; scored on the metro, slope, flood depth and area."""


@pytest.fixture(scope="module")
def client(sample_db: dict) -> Iterator[TestClient]:
    settings = Settings(database_url=sample_db["url"], raster_dir=sample_db["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


def test_the_demo_rasters_are_registered_with_parcel_statistics(sample_engine) -> None:
    with sample_engine.connect() as conn:
        layers = dict(conn.execute(text("SELECT code, kind FROM raster_layer")).all())
        parcels = conn.scalar(text("SELECT count(*) FROM land_parcel"))
        stats = dict(
            conn.execute(
                text(
                    "SELECT r.code, count(s.parcel_id) FROM raster_layer r "
                    "LEFT JOIN parcel_raster_stat s ON s.raster_code = r.code GROUP BY r.code"
                )
            ).all()
        )
    assert layers == {"dem": "dem", "dem_slope": "slope", "flood_depth": "flood_depth"}
    assert stats == dict.fromkeys(layers, parcels)


def test_ideal_parcels_rank_first_and_planted_ones_are_excluded_with_why(
    client: TestClient, manifest: dict
) -> None:
    response = client.post("/api/v1/land/site-selection", json=REQUEST)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["weights"]["consistency_ratio"] < 0.1
    ideal = {c["parcel_id"] for c in manifest["ideal_parcels"]}
    top = [item["id"] for item in body["items"][:2]]
    assert set(top) == ideal
    for item in body["items"][:2]:
        metro = item["criteria"][0]
        assert metro["value"] < 25 and metro["score"] > 0.98
    reasons = {e["id"]: e["explanation"] for e in body["excluded"]}
    for kind, cases in manifest["constrained_parcels"].items():
        for case in cases:
            assert ZONE_REASON[kind] in reasons[case["parcel_id"]], (kind, reasons)
    ranked_ids = {item["id"] for item in body["items"]}
    planted_out = {c["parcel_id"] for cs in manifest["constrained_parcels"].values() for c in cs}
    assert not ranked_ids & planted_out


def test_the_run_as_an_offline_map_and_screenshot(client: TestClient, manifest: dict) -> None:
    response = client.post("/api/v1/land/site-selection", params={"format": "html"}, json=REQUEST)
    assert response.status_code == 200
    page = response.text
    assert remote_urls(page) == []
    first = next(c for c in manifest["ideal_parcels"])
    assert any(t in page or json.dumps(t)[1:-1] in page for t in ("第 1 名", "排除地块"))
    assert str(first["parcel_id"]) in page
    png = save_map_screenshot(page, "sample_site_selection", 1100, 800)
    assert png.stat().st_size > 20_000
