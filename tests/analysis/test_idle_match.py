"""Idle-space matching on the hand-built world.

Reallocatable vacant rooms today: 304 (office, 17 m²) and 308 (office, 12 m²), both on
floor 10 of building X (grade A). 101 in building Y is vacant too, but Y is grade C.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pyproj import Geod

from gis_app.config import Settings
from tests.auth import app_client

URL = "/api/v1/analysis/idle-space-match"
NEED = {"organisation_id": 1, "area_m2": 25, "rooms": {"office": 2}, "as_of": "2026-11-28"}


@pytest.fixture(scope="module")
def client(office_world_url: str) -> Iterator[TestClient]:
    with app_client(Settings(database_url=office_world_url)) as test_client:
        yield test_client


def test_one_floor_holds_the_need(client: TestClient) -> None:
    body = client.post(URL, json=NEED).json()
    [candidate] = body["candidates"]
    assert (candidate["unit"], candidate["unit_id"], candidate["building_id"]) == ("floor", 10, 1)
    # 304 (17) + 308 (12) = 29 m² for 25 m²: 4 m² surplus
    assert [r["number"] for r in candidate["rooms"]] == ["304", "308"]
    assert (candidate["picked_area_m2"], candidate["surplus_m2"]) == (29.0, 4.0)
    # no location given: the origin is the centre of the body's building X itself
    assert candidate["distance_m"] == pytest.approx(0, abs=1)
    assert candidate["explanation"].startswith("第 1 位（跨系统调剂）：X楼 3F 一层即可满足")


def test_a_bigger_need_or_a_meeting_room_finds_nothing(client: TestClient) -> None:
    assert client.post(URL, json={**NEED, "area_m2": 30}).json()["candidates"] == []
    assert (
        client.post(URL, json={**NEED, "rooms": {"office": 1, "meeting": 1}}).json()["candidates"]
        == []
    )


def test_distance_in_metres_from_a_given_point(client: TestClient) -> None:
    at_y = {"lon": 120.1055, "lat": 30.2515}
    near = client.post(URL, json={**NEED, "location": at_y, "max_distance_m": 500}).json()
    [candidate] = near["candidates"]
    # X's footprint centre (120.1015, 30.2515) to the point, on the ellipsoid
    _, _, expected = Geod(ellps="GRS80").inv(120.1015, 30.2515, 120.1055, 30.2515)
    assert candidate["distance_m"] == pytest.approx(expected, abs=1)
    assert near["origin"] == at_y
    far = client.post(URL, json={**NEED, "location": at_y, "max_distance_m": 300}).json()
    assert far["candidates"] == []


def test_dangerous_buildings_are_never_offered(client: TestClient) -> None:
    body = client.post(URL, json={**NEED, "area_m2": 1, "rooms": {"office": 0}}).json()
    assert {c["building_id"] for c in body["candidates"]} == {1}


def test_as_geojson(client: TestClient) -> None:
    body = client.post(URL, params={"format": "geojson"}, json=NEED).json()
    assert body["type"] == "FeatureCollection"
    assert (
        body["features"][0]["id"] == 1 and body["features"][0]["geometry"]["type"] == "MultiPolygon"
    )


def test_unknown_body_is_a_404(client: TestClient) -> None:
    response = client.post(URL, json={**NEED, "organisation_id": 999})
    assert response.status_code == 404
    assert response.json()["detail"]["message"] == "单位 999 不存在"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"area_m2": -5}, "area_m2"),
        ({"area_m2": 0}, "area_m2"),
        ({"area_m2": 10**9}, "area_m2"),
        ({"location": {"lon": 200, "lat": 30}}, "location.lon"),
        ({"location": {"lon": 2.35, "lat": 48.85}}, "location.lon"),
        ({"location": {"lon": 120, "lat": 60}}, "location.lat"),
        ({"rooms": {"office": -1}}, "rooms.office"),
        ({"max_distance_m": 0}, "max_distance_m"),
        ({"organisation_id": "x"}, "organisation_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_requests_are_a_422_naming_the_field(
    client: TestClient, change: dict, field: str
) -> None:
    response = client.post(URL, json={**NEED, **change})
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == field


def test_a_body_without_rooms_must_give_a_location(client: TestClient) -> None:
    response = client.post(URL, json={**NEED, "organisation_id": 3})
    assert response.status_code == 422
    assert response.json()["detail"]["field"] == "location"


def test_the_request_is_held_against_the_body_s_quota(client: TestClient) -> None:
    # body 1 (A), 编制 10: a1 正局 24 + a2 副局 18 + the other 8 posts at 9 = 114 m² of
    # office quota; it holds offices 301 (40), 302 (20), 303 (20), 310 (16) = 96 m². Asking
    # 25 more: 121 m², 7 m² over.
    quota = client.post(URL, json=NEED).json()["quota"]
    assert quota == {
        "office_quota_m2": 114.0,
        "office_m2": 96.0,
        "requested_m2": 25.0,
        "after_m2": 121.0,
        "over_by_m2": 7.0,
    }
