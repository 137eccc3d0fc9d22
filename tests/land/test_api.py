"""POST /api/v1/land/search, /site-selection and the presets, over the land world."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pyogrio
import pytest
from fastapi.testclient import TestClient

from gis_app.config import Settings
from gis_app.maps.export import remote_urls
from tests.artifacts import save_map_screenshot
from tests.auth import app_client
from tests.land.test_selection import REQUEST

SEARCH = {
    "landuse": {"scheme": "GB/T 21010-2017", "codes": ["08", "12"]},
    "status": ["idle"],
    "constraints": [{"kinds": ["flood_zone"], "mode": "avoid"}],
}


@pytest.fixture(scope="module")
def client(land_world) -> Iterator[TestClient]:
    settings = Settings(database_url=land_world["url"], raster_dir=land_world["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


def test_search_json_and_geojson(client: TestClient) -> None:
    body = client.post("/api/v1/land/search", json=SEARCH).json()
    assert body["numberMatched"] == 2
    assert [i["parcel_code"] for i in body["items"]] == ["P2", "P1"]  # largest first
    assert body["items"][0]["passes"] == {"landuse": True, "status": True, "zone_0": True}
    # P2 is GB/T 1201 空闲地, under the asked 12
    assert body["items"][0]["landuse_match"] == {
        "via": "direct",
        "scheme": "GB/T 21010-2017",
        "code": "12",
        "crosswalk_code": None,
        "relation": "same",
    }
    geo = client.post("/api/v1/land/search", params={"format": "geojson"}, json=SEARCH)
    assert geo.headers["content-type"] == "application/geo+json"
    features = geo.json()["features"]
    assert {f["id"] for f in features} == {1, 2}
    assert features[1]["properties"]["landuse_match"]["code"] == "08"  # P1: GB/T 0801
    assert features[0]["geometry"]["type"] == "MultiPolygon"


def test_site_selection_json_explains_every_number(client: TestClient) -> None:
    body = client.post("/api/v1/land/site-selection", json=REQUEST).json()
    assert body["weights"]["values"] == [0.5, 0.3, 0.2]
    assert body["weights"]["names"] == ["近地铁", "坡度", "面积"]
    first = body["items"][0]
    assert (first["rank"], first["parcel_code"]) == (1, "P1")
    assert first["explanation"].startswith("第 1 名 P1：综合得分 0.842。近地铁：50 m → 得分 0.95")
    assert [c["name"] for c in first["criteria"]] == ["近地铁", "坡度", "面积"]
    assert {e["parcel_code"]: e["explanation"] for e in body["excluded"]}["P5"] == (
        "状态为在用，要求闲置、储备"
    )
    english = client.post(
        "/api/v1/land/site-selection", json=REQUEST, headers={"Accept-Language": "en"}
    ).json()
    assert english["excluded"][0]["explanation"] == "overlaps permanent basic farmland by 10,000 m²"


def test_ahp_weights_reported_with_consistency(client: TestClient) -> None:
    request = REQUEST | {"weights": {"ahp": [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]}}
    weights = client.post("/api/v1/land/site-selection", json=request).json()["weights"]
    assert weights["method"] == "ahp"
    assert weights["consistent"] is True
    assert weights["consistency_ratio"] == pytest.approx(0.033, abs=1e-3)


def test_downloads_as_geopackage_and_csv(client: TestClient, tmp_path) -> None:
    gpkg = client.post("/api/v1/land/site-selection", params={"format": "gpkg"}, json=REQUEST)
    assert gpkg.status_code == 200
    assert "site-selection" in gpkg.headers["content-disposition"]
    (tmp_path / "sites.gpkg").write_bytes(gpkg.content)
    frame = pyogrio.read_dataframe(tmp_path / "sites.gpkg")
    assert frame.crs.to_epsg() == 4490
    assert list(frame["宗地编号"]) == ["P1", "P2", "P6"]
    assert list(frame["排名"]) == [1, 2, 3]
    csv = client.post("/api/v1/land/search", params={"format": "csv"}, json=SEARCH)
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header = text.splitlines()[0].lstrip("\ufeff").split(",")
    assert header[:3] == ["地块ID", "宗地编号", "分类体系"]
    assert len(text.splitlines()) == 3


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "search",
            {
                "within": {
                    "type": "Polygon",
                    "coordinates": [[[120, 30], [121, 31], [120, 31], [121, 30], [120, 30]]],
                }
            },
            "within",
        ),
        (
            "search",
            {
                "within": {
                    "type": "Polygon",
                    "coordinates": [
                        [[500000, 3350000], [500100, 3350000], [500100, 3350100], [500000, 3350000]]
                    ],
                }
            },
            "within",
        ),
        (
            "search",
            {
                "within": {
                    "type": "Polygon",
                    "crs": "EPSG:4549",
                    "coordinates": [[[120, 30], [120.1, 30], [120.1, 30.1], [120, 30]]],
                }
            },
            "within",
        ),
        (
            "search",
            {"landuse": {"scheme": "GB/T 21010-2017", "codes": ["7777"]}},
            "landuse.codes[0]",
        ),
        ("search", {"rasters": [{"raster": "rain", "max": 1}]}, "rasters[0].raster"),
        ("search", {"area_m2": {"min": 10, "max": 5}}, "area_m2"),
        ("search", {"distances": [{"to": "point", "within_m": 10}]}, "distances[0]"),
        ("site-selection", REQUEST | {"weights": {"values": [1, 2]}}, "body"),
        ("site-selection", REQUEST | {"weights": {"values": [0, 0, 0]}}, "weights.values"),
        (
            "site-selection",
            REQUEST | {"weights": {"ahp": [[1, 2, 3], [1, 1, 1], [1, 1, 1]]}},
            "weights.ahp",
        ),
    ],
)
def test_bad_requests_are_422_naming_the_field(client: TestClient, path, body, field) -> None:
    response = client.post(f"/api/v1/land/{path}", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text


def test_presets_save_list_run_delete(client: TestClient) -> None:
    saved = client.post(
        "/api/v1/land/presets", json={"name": "闲置机关用地", "kind": "search", "criteria": SEARCH}
    )
    assert saved.status_code == 201
    preset = saved.json()
    again = client.post(
        "/api/v1/land/presets", json={"name": "闲置机关用地", "kind": "search", "criteria": SEARCH}
    )
    assert again.status_code == 422 and "name" in again.text
    listed = client.get("/api/v1/land/presets").json()["items"]
    assert [p["name"] for p in listed] == ["闲置机关用地"]
    run = client.post(f"/api/v1/land/presets/{preset['id']}/run").json()
    assert [i["parcel_code"] for i in run["items"]] == ["P2", "P1"]
    bad = client.post(
        "/api/v1/land/presets",
        json={"name": "坏方案", "kind": "site_selection", "criteria": {"scores": []}},
    )
    assert bad.status_code == 422 and "criteria" in bad.text
    assert client.delete(f"/api/v1/land/presets/{preset['id']}").status_code == 204
    missing = client.get(f"/api/v1/land/presets/{preset['id']}")
    assert missing.status_code == 404


def test_site_selection_as_an_offline_map_page(client: TestClient) -> None:
    response = client.post("/api/v1/land/site-selection", params={"format": "html"}, json=REQUEST)
    assert response.status_code == 200
    page = response.text
    assert remote_urls(page) == []
    for text in ("推荐地块（按得分）", "排除地块", "约束区", "P1", "第 1 名 P1"):
        # Layer names and properties reach the page as JSON, which escapes non-ASCII.
        assert text in page or json.dumps(text)[1:-1] in page, text
    empty = client.post(
        "/api/v1/land/search", params={"format": "html"}, json={"district": "无此区"}
    )
    assert empty.status_code == 200 and remote_urls(empty.text) == []
    png = save_map_screenshot(page, "land_world_site_selection", 900, 600)
    assert png.stat().st_size > 10_000
