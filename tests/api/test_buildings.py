"""GET /api/v1/buildings: GeoJSON, bbox filter, paging, and clear 4xx on bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pyproj import Geod


def test_buildings_are_a_geojson_feature_collection(client: TestClient) -> None:
    response = client.get("/api/v1/buildings", params={"limit": 10})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == 3 and body["numberReturned"] == 3
    first = body["features"][0]
    assert first["id"] == 1 and first["geometry"]["type"] == "MultiPolygon"
    assert "crs" not in first["geometry"], "RFC 7946: CRS84 is implied, no crs member"
    assert first["geometry"]["coordinates"][0][0][0] == [120.1, 30.25]
    assert first["properties"]["title_holder_name"] == "杭州市机关事务管理局"


def test_footprint_area_is_in_square_metres_on_the_ellipsoid(client: TestClient) -> None:
    props = client.get("/api/v1/buildings/1").json()["properties"]
    # CGCS2000's ellipsoid is GRS80 to within 0.1 mm of the semi-minor axis.
    lons, lats = [120.1, 120.101, 120.101, 120.1], [30.25, 30.25, 30.251, 30.251]
    expected, _ = Geod(ellps="GRS80").polygon_area_perimeter(lons, lats)
    assert props["footprint_area_m2"] == pytest.approx(abs(expected), abs=0.1)
    assert 10_000 < props["footprint_area_m2"] < 11_000


@pytest.mark.parametrize(
    ("bbox", "codes"),
    [
        ("120.09,30.24,120.12,30.26", ["B-WEST"]),
        ("120.12,30.24,120.21,30.26", ["B-MID", "B-EAST"]),
        ("120.3,30.24,120.4,30.26", []),
    ],
)
def test_bbox_filter(client: TestClient, bbox: str, codes: list[str]) -> None:
    body = client.get("/api/v1/buildings", params={"bbox": bbox}).json()
    assert [f["properties"]["code"] for f in body["features"]] == codes
    assert body["numberMatched"] == len(codes)


def test_paging_follows_next_links(client: TestClient) -> None:
    first = client.get("/api/v1/buildings").json()
    assert [f["id"] for f in first["features"]] == [1, 2]
    next_link = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(next_link).json()
    assert [f["id"] for f in second["features"]] == [3]
    assert not [link for link in second["links"] if link["rel"] == "next"]
    assert [link for link in second["links"] if link["rel"] == "prev"]


def test_page_size_is_capped(client: TestClient) -> None:
    body = client.get("/api/v1/buildings", params={"limit": 10_000}).json()
    assert body["numberReturned"] == 3


@pytest.mark.parametrize(
    "bbox",
    ["1,2,3", "a,b,c,d", "120.2,30.2,120.1,30.3", "120,95,121,96", "nan,30,121,31"],
)
def test_bad_bbox_is_a_422_naming_bbox(client: TestClient, bbox: str) -> None:
    response = client.get("/api/v1/buildings", params={"bbox": bbox})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["field"] == "bbox"
    assert "bbox" in detail["message"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"offset": -1}, {"campus_id": "x"}])
def test_bad_paging_is_a_422_naming_the_parameter(client: TestClient, params: dict) -> None:
    response = client.get("/api/v1/buildings", params=params)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == next(iter(params))


def test_unknown_building_is_a_404_naming_the_id(client: TestClient) -> None:
    response = client.get("/api/v1/buildings/4242")
    assert response.status_code == 404
    assert response.json()["detail"]["message"] == "建筑 4242 不存在"
    english = client.get("/api/v1/buildings/4242", headers={"Accept-Language": "en"})
    assert english.json()["detail"]["message"] == "building 4242 not found"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/buildings/3000000000", {}, "building_id"),
        ("/api/v1/buildings/0", {}, "building_id"),
        ("/api/v1/buildings", {"campus_id": 3_000_000_000}, "campus_id"),
        ("/api/v1/buildings", {"offset": 10**20}, "offset"),
        ("/api/v1/buildings", {"limit": 10**12}, "limit"),
    ],
)
def test_out_of_range_numbers_are_a_422_not_a_500(
    client: TestClient, path: str, params: dict, field: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == field
