"""GET /api/v1/layers (the catalog in the reader's language) and features by bbox."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from gis_app.layers.catalog import load_catalog
from gis_app.layers.grid import tile_bbox
from tests.layers.conftest import tile_of

SEA = "123.40,28.90,123.50,29.00"
"""East China Sea, far off the district: nothing there."""


def test_catalog_lists_every_layer_in_chinese_by_default(client: TestClient) -> None:
    body = client.get("/api/v1/layers").json()
    layers = {layer["id"]: layer for layer in body["layers"]}
    assert list(layers) == list(load_catalog().layers)
    vacancy = layers["buildings_vacancy"]
    assert vacancy["title"] == "建筑空置率"
    assert vacancy["delivery"] == "tiles"
    assert vacancy["tiles"].endswith("/tiles/buildings_vacancy/{z}/{x}/{y}.mvt")
    assert vacancy["features"].endswith("/api/v1/layers/buildings_vacancy/features")
    legend = vacancy["legend"]
    assert (legend["kind"], legend["caption"], legend["format"]) == ("ramp", "空置率", "percent")
    assert [e["label"] for e in legend["entries"]] == ["0 %", "25 %", "50 %", "75 %", "100 %"]
    assert legend["no_data"]["label"] == "没有可调剂用房"
    assert vacancy["popup"][1] == {
        "field": "vacancy_rate",
        "label": "空置率",
        "unit": None,
        "format": "percent",
        "digits": 1,
        "tooltip": True,
    }


def test_catalog_in_english(client: TestClient) -> None:
    body = client.get("/api/v1/layers", headers={"Accept-Language": "en-GB,en;q=0.8"}).json()
    layers = {layer["id"]: layer for layer in body["layers"]}
    parcels = layers["parcels_landuse"]
    assert parcels["title"] == "Land parcels by land use"
    entries = {e["value"]: e["label"] for e in parcels["legend"]["entries"]}
    assert entries["GB/T 21010-2017:08"] == (
        "08 Public administration and public service land (GB/T 21010)"
    )
    assert entries["MNR-YDYH-2023:07"] == "07 Residential land (2023 land/sea use)"
    assert [p["field"] for p in parcels["popup"]][:2] == ["parcel_code", "landuse_name_en"]
    raster = layers["flood_depth"]
    assert (raster["delivery"], raster["tiles"], raster["features"]) == ("raster", None, None)
    assert raster["source"] == {
        "kind": "raster",
        "raster": "flood_depth",
        "render": "values",
        "opacity": 0.6,
    }
    assert raster["legend"]["unit"] == "m"


def test_one_layer_and_an_unknown_one(client: TestClient) -> None:
    one = client.get("/api/v1/layers/roads", headers={"Accept-Language": "en"})
    assert one.status_code == 200
    assert one.json()["title"] == "Roads"
    missing = client.get("/api/v1/layers/no_such_layer", headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.json()["detail"]["message"] == "layer no_such_layer not found"


def test_features_by_bbox_match_a_sql_count(
    client: TestClient, engine: Engine, busiest: dict
) -> None:
    west, south, east, north = tile_bbox(*tile_of(busiest, 13), buffer=0)
    bbox = f"{west},{south},{east},{north}"
    body = client.get(
        "/api/v1/layers/buildings_vacancy/features", params={"bbox": bbox, "limit": 1000}
    ).json()
    with engine.connect() as conn:
        expected = conn.scalar(
            text(
                "SELECT count(*) FROM building "
                "WHERE ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4490))"
            ),
            {"w": west, "s": south, "e": east, "n": north},
        )
    assert expected > 10
    assert body["numberMatched"] == body["numberReturned"] == expected
    feature = next(f for f in body["features"] if f["id"] == busiest["building_id"])
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert 0 <= feature["properties"]["vacancy_rate"] <= 1
    assert {"vacant_area_m2", "allocatable_area_m2", "fully_idle"} <= feature["properties"].keys()


def test_small_layer_features_without_bbox_and_paging(client: TestClient) -> None:
    first = client.get("/api/v1/layers/campuses/features", params={"limit": 2}).json()
    assert first["numberReturned"] == 2
    assert first["numberMatched"] > 2
    assert any(link["rel"] == "next" for link in first["links"])
    assert {"name", "code", "area_m2"} <= first["features"][0]["properties"].keys()


def test_rooms_by_floor(client: TestClient, busiest: dict) -> None:
    west, south, east, north = tile_bbox(*tile_of(busiest, 17), buffer=0)
    params = {"bbox": f"{west},{south},{east},{north}", "limit": 1000}
    ground = client.get("/api/v1/layers/rooms/features", params=params).json()
    assert ground["numberReturned"] > 0
    assert {f["properties"]["ordinal"] for f in ground["features"]} == {0}
    first = client.get("/api/v1/layers/rooms/features", params=params | {"ordinal": 1}).json()
    assert {f["properties"]["ordinal"] for f in first["features"]} <= {1}


def test_an_empty_bbox_is_an_empty_collection(client: TestClient) -> None:
    response = client.get("/api/v1/layers/buildings/features", params={"bbox": SEA})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    assert response.json()["features"] == []
    assert response.json()["numberMatched"] == 0


@pytest.mark.parametrize(
    ("url", "params", "status", "field", "text"),
    [
        ("/api/v1/layers/nope/features", {}, 404, None, "layer nope not found"),
        ("/api/v1/layers/campuses/features", {"bbox": "1,2,3"}, 422, "bbox", "four numbers"),
        ("/api/v1/layers/campuses/features", {"bbox": "5,2,3,4"}, 422, "bbox", "minx"),
        ("/api/v1/layers/roads/features", {}, 422, "bbox", "give a bbox"),
        ("/api/v1/layers/flood_depth/features", {}, 422, "layer", "raster overlay"),
        ("/api/v1/layers/campuses/features", {"floor_id": 3}, 422, "floor_id", "no floors"),
        ("/api/v1/layers/campuses/features", {"limit": 0}, 422, "limit", "greater than"),
    ],
)
def test_bad_feature_requests_name_the_problem(
    client: TestClient, url: str, params: dict, status: int, field: str | None, text: str
) -> None:
    response = client.get(url, params=params, headers={"Accept-Language": "en"})
    assert response.status_code == status
    detail = response.json()["detail"]
    assert detail.get("field") == field
    assert text in detail["message"]
