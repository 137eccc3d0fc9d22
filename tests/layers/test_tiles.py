"""GET /tiles/{layer}/{z}/{x}/{y}.mvt: contents against SQL and the analysis reports, the
per-tile cap, ETag/304, 4xx naming the problem, empty tiles, and freshness after an edit."""

from __future__ import annotations

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gis_app.analysis.common import Scope, Standard
from gis_app.analysis.over_standard import over_standard
from gis_app.analysis.vacancy import vacancy
from gis_app.api.tiles import MVT_MEDIA_TYPE, tile_response
from gis_app.layers.catalog import get_layer
from gis_app.layers.grid import tile_at, tile_bbox
from gis_app.layers.query import render_tile
from gis_app.layers.sources import INFO_LAYER
from tests.layers.conftest import tile_of

EVERYTHING = 1_000_000


def _url(layer: str, z: int, x: int, y: int) -> str:
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt"


def _decode(content: bytes) -> dict:
    return mapbox_vector_tile.decode(content) if content else {}


def _features(content: bytes, layer: str) -> dict[int, dict]:
    return {f["id"]: f for f in _decode(content).get(layer, {}).get("features", [])}


def _count(engine: Engine, table: str, z: int, x: int, y: int) -> int:
    """Rows meeting the tile and its 64/4096 buffer: what a tile must hold."""
    west, south, east, north = tile_bbox(z, x, y)
    with engine.connect() as conn:
        return conn.scalar(
            text(
                f"SELECT count(*) FROM {table} "
                "WHERE ST_Intersects(geom, ST_MakeEnvelope(:w, :s, :e, :n, 4490))"
            ),
            {"w": west, "s": south, "e": east, "n": north},
        )


@pytest.mark.parametrize(
    ("layer", "table", "z"),
    [
        ("buildings", "building", 14),
        ("buildings_vacancy", "building", 13),
        ("parcels_landuse", "land_parcel", 14),
        ("campuses", "campus", 13),
    ],
)
def test_tile_holds_every_feature_meeting_it(
    client: TestClient, engine: Engine, busiest: dict, layer: str, table: str, z: int
) -> None:
    tile = tile_of(busiest, z)
    response = client.get(_url(layer, *tile))
    assert response.status_code == 200
    assert response.headers["content-type"] == MVT_MEDIA_TYPE
    features = _features(response.content, layer)
    expected = _count(engine, table, *tile)
    assert expected > 0
    assert len(features) == expected
    assert response.headers["x-tile-features"] == str(expected)
    assert response.headers["x-tile-capped"] == "false"


def test_vacancy_tile_carries_the_vacancy_report_figures(
    client: TestClient, engine: Engine, busiest: dict
) -> None:
    features = _features(
        client.get(_url("buildings_vacancy", *tile_of(busiest, 13))).content, "buildings_vacancy"
    )
    with Session(engine) as session:
        report = vacancy(session, "building", Scope(), Standard(), limit=EVERYTHING).items
    rates = {r["building_id"]: r["vacancy_rate"] for r in report}
    compared = 0
    for building_id, feature in features.items():
        rate = rates.get(building_id)
        assert feature["properties"].get("vacancy_rate") == (None if rate is None else float(rate))
        compared += rate is not None
    assert compared > 10


def test_over_standard_tile_carries_the_report_figures(
    client: TestClient, engine: Engine, busiest: dict
) -> None:
    layer = "buildings_over_standard"
    features = _features(client.get(_url(layer, *tile_of(busiest, 13))).content, layer)
    with Session(engine) as session:
        report = over_standard(
            session, "building", Scope(), Standard(), only_over=False, limit=EVERYTHING
        ).items
    rows = {r["building_id"]: r for r in report}
    seen = set()
    for building_id, feature in features.items():
        row = rows.get(building_id)
        props = feature["properties"]
        if row is None:
            assert "over_standard" not in props
            continue
        assert props["over_standard"] is row["over_standard"]
        assert props["excess_m2"] == float(row["excess_m2"])
        seen.add(row["over_standard"])
    assert seen == {True, False}


def test_a_capped_tile_keeps_the_largest_and_says_so(engine: Engine, busiest: dict) -> None:
    spec = get_layer("buildings").model_copy(update={"max_features": 5})
    z, x, y = tile_of(busiest, 13)
    with Session(engine) as session:
        tile = render_tile(session, spec, z, x, y)
        largest = session.scalars(
            text(
                "SELECT id FROM building WHERE geom && ST_MakeEnvelope(:w, :s, :e, :n, 4490) "
                "ORDER BY ST_Area(geom) DESC, id LIMIT 5"
            ),
            dict(zip("wsen", tile_bbox(z, x, y), strict=True)),
        ).all()
    assert (tile.features, tile.capped) == (5, True)
    assert tile.matched == _count(engine, "building", z, x, y) > 5
    decoded = _decode(tile.data)
    assert sorted(_features(tile.data, "buildings")) == sorted(largest)
    info = decoded[INFO_LAYER]["features"][0]["properties"]
    assert info == {
        "layer": "buildings",
        "features": 5,
        "matched": tile.matched,
        "cap": 5,
        "capped": True,
    }
    response = tile_response(tile, None, "buildings")
    assert response.headers["x-tile-capped"] == "true"


def test_etag_and_304(client: TestClient, busiest: dict) -> None:
    url = _url("parcels_landuse", *tile_of(busiest, 14))
    first = client.get(url)
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, max-age=0, must-revalidate"
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200
    assert other.content == first.content


def test_an_empty_tile_in_the_sea_is_204(client: TestClient) -> None:
    x, y = tile_at(123.45, 28.95, 14)
    response = client.get(_url("buildings", 14, x, y))
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["x-tile-features"] == "0"


@pytest.mark.parametrize(
    ("url", "status", "field", "text"),
    [
        (_url("no_such_layer", 14, 1, 1), 404, None, "layer no_such_layer not found"),
        (_url("buildings", 14, 16384, 1), 422, "x", "run 0–16383; 16384 is outside"),
        (_url("buildings", 14, 1, 20000), 422, "y", "20000 is outside the tile grid"),
        (_url("buildings", 14, -1, 1), 422, "x", "greater than or equal to 0"),
        (_url("buildings", 9, 1, 1), 422, "z", "zoom 12–20 only, not at 9"),
        (_url("rooms", 14, 1, 1), 422, "z", "zoom 17–22 only, not at 14"),
        (_url("buildings", 31, 1, 1), 422, "z", "less than or equal to 24"),
        (_url("buildings", 14, 1, 1) + "?floor_id=2", 422, "floor_id", "no floors"),
        (_url("dem_hillshade", 12, 1, 1), 422, "layer", "raster overlay"),
    ],
)
def test_bad_tile_requests_name_the_problem(
    client: TestClient, url: str, status: int, field: str | None, text: str
) -> None:
    response = client.get(url, headers={"Accept-Language": "en"})
    assert response.status_code == status
    detail = response.json()["detail"]
    assert detail.get("field") == field
    assert text in detail["message"]


def test_zoom_error_in_chinese_names_the_range(client: TestClient) -> None:
    detail = client.get(_url("buildings", 9, 1, 1)).json()["detail"]
    assert (
        detail["message"] == "参数 z 无效：图层 buildings 只在缩放级别 12–20 提供瓦片，不提供 9 级"
    )
    assert (detail["min_zoom"], detail["max_zoom"]) == (12, 20)


def test_a_room_status_edit_shows_in_the_next_tile(
    tx_client: tuple[TestClient, Session], busiest: dict
) -> None:
    client, session = tx_client
    url = _url("rooms", *tile_of(busiest, 18))
    room_id = busiest["room_id"]
    before = client.get(url)
    status = _features(before.content, "rooms")[room_id]["properties"]["status"]
    new = "renovation" if status != "renovation" else "vacant"
    session.execute(text("UPDATE room SET status = :s WHERE id = :id"), {"s": new, "id": room_id})
    session.flush()
    after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert _features(after.content, "rooms")[room_id]["properties"]["status"] == new


def test_a_building_moved_shows_in_the_next_tile(
    tx_client: tuple[TestClient, Session], busiest: dict
) -> None:
    client, session = tx_client
    url = _url("buildings_vacancy", *tile_of(busiest, 16))
    building_id = busiest["building_id"]
    before = client.get(url)
    shape = _features(before.content, "buildings_vacancy")[building_id]["geometry"]
    session.execute(
        text("UPDATE building SET geom = ST_Translate(geom, 0.0002, 0) WHERE id = :id"),
        {"id": building_id},
    )
    session.flush()
    after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert _features(after.content, "buildings_vacancy")[building_id]["geometry"] != shape
