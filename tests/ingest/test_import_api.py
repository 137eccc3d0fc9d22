"""`POST /api/v1/imports` as a browser or script sends it: multipart file, target, mapping
and defaults as JSON; 200 with the report, 422 with the report when problems refuse the
import, 413 past the size limit, 422 naming `file` for a corrupt zip — never a 500."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Iterator
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gis_app.app import create_app
from gis_app.config import Settings
from gis_app.db import migrate
from gis_app.db.engine import make_engine
from tests.auth import app_client
from tests.ingest.helpers import geojson, square
from tests.ingest.test_real_data import CAMBRIDGE, PARCEL_DEFAULTS, PARCELS

LIMIT = 600_000


@pytest.fixture(scope="module")
def url(new_database: Callable[[], str]) -> str:
    url = new_database()
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=url, upload_max_bytes=LIMIT))
    with app_client(app) as test_client:
        yield test_client


def _count(url: str, table: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(text(f"SELECT count(*) FROM {table}"))
    engine.dispose()
    return count


def _post(client: TestClient, name: str, content: bytes, **form: object) -> object:
    data = {
        k: json.dumps(v) if isinstance(v, dict) else str(v).lower() if isinstance(v, bool) else v
        for k, v in form.items()
    }
    return client.post(
        "/api/v1/imports",
        files={"file": (name, content)},
        data=data,
        headers={"Accept-Language": "en"},
    )


def test_dry_run_then_refusal_then_skip_invalid(client: TestClient, url: str) -> None:
    content = CAMBRIDGE.read_bytes()
    form = {"target": "parcel", "mapping": PARCELS, "defaults": PARCEL_DEFAULTS, "any_area": True}
    dry = _post(client, "cambridge.gpkg", content, dry_run=True, **form)
    assert dry.status_code == 200
    body = dry.json()
    assert (body["read"], body["rejected"], body["written"], body["dry_run"]) == (224, 32, 0, True)
    assert body["path"] == "cambridge.gpkg"
    first = body["problems"][0]
    assert set(first) == {"index", "fid", "field", "code", "detail", "message"}
    assert first["message"].startswith(f"feature {first['index']}, ")
    refused = _post(client, "cambridge.gpkg", content, **form)
    assert refused.status_code == 422 and refused.json()["written"] == 0
    assert _count(url, "land_parcel") == 0
    written = _post(client, "cambridge.gpkg", content, skip_invalid=True, **form)
    assert written.status_code == 200 and written.json()["written"] == 192
    assert _count(url, "land_parcel") == 192


def test_land_use_codes_of_three_schemes(client: TestClient, url: str, tmp_path) -> None:
    # real-style codes: 2023 0701 城镇住宅, 1001 工业, 1301 供水; 三调 08H1 and 0508
    rows = [
        ("ZD-1", "MNR-YDYH-2023", "0701"),
        ("ZD-2", "MNR-YDYH-2023", "1001"),
        ("ZD-3", "MNR-YDYH-2023", "1301"),
        ("ZD-4", "TD/T 1055-2019", "08H1"),
        ("ZD-5", "TD/T 1055-2019", "0508"),
        ("ZD-6", "GB/T 21010-2017", "08H1"),  # a 三调 code given as GB/T 21010
        ("ZD-7", "GB/T 21010-2017", "9999"),
    ]
    features = [
        ({"ZDDM": code, "TX": scheme, "DLBM": landuse}, square(120.15 + n * 0.002, 30.25, 0.001))
        for n, (code, scheme, landuse) in enumerate(rows)
    ]
    path = geojson(tmp_path / "zd.geojson", features)
    mapping = {"parcel_code": "ZDDM", "landuse_scheme": "TX", "landuse_code": "DLBM"}
    form = {"target": "parcel", "mapping": mapping, "defaults": PARCEL_DEFAULTS}
    refused = _post(client, "zd.geojson", path.read_bytes(), **form)
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert [(p["index"], p["field"], p["code"]) for p in problems] == [
        (5, "landuse_code", "landuse_other_scheme"),
        (6, "landuse_code", "unknown_landuse"),
    ]
    assert problems[0]["message"].startswith(
        "feature 5, landuse_code: land-use code 08H1 (GB/T 21010-2017) → TD/T 1055-2019: "
    )
    assert "set landuse_scheme to it" in problems[0]["message"]
    assert problems[1]["message"].startswith(
        "feature 6, landuse_code: land-use code 9999 (GB/T 21010-2017) is not in that scheme. "
        "Accepted schemes (landuse_scheme): GB/T 21010-2017"
    )
    assert "TD/T 1055-2019" in problems[1]["message"]
    written = _post(client, "zd.geojson", path.read_bytes(), skip_invalid=True, **form)
    assert written.status_code == 200 and written.json()["written"] == 5
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT parcel_code, landuse_scheme, landuse_code FROM land_parcel "
                "WHERE parcel_code LIKE 'ZD-%' ORDER BY parcel_code"
            )
        ).all()
    engine.dispose()
    assert [tuple(r) for r in stored] == rows[:5]


def test_a_good_geojson_is_written(client: TestClient, url: str, tmp_path) -> None:
    path = geojson(
        tmp_path / "b.geojson", [({"BM": "API-1", "MC": "楼"}, square(120.15, 30.25, 0.001))]
    )
    response = _post(
        client,
        "b.geojson",
        path.read_bytes(),
        target="building",
        mapping={"code": "BM", "name": "MC"},
        defaults={"floors_above": 3},
    )
    assert response.status_code == 200, response.text
    assert response.json()["ok"] and response.json()["written"] == 1


def test_too_large_corrupt_and_unusable_uploads(client: TestClient) -> None:
    too_big = _post(client, "big.geojson", b" " * (LIMIT + 1), target="road")
    assert too_big.status_code == 413
    assert too_big.json()["detail"]["field"] == "file"
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.shp", b"x" * 1000)
    corrupt = _post(client, "roads.zip", buffer.getvalue()[:-30], target="road")
    assert corrupt.status_code == 422
    assert corrupt.json()["detail"]["field"] == "file"
    assert "zip" in corrupt.json()["detail"]["message"]
    garbage = _post(client, "roads.geojson", b"{not json", target="road")
    assert garbage.status_code == 422 and garbage.json()["detail"]["field"] == "file"
    assert "/tmp" not in garbage.text
    noise = _post(client, "noise.bin", bytes(range(256)) * 8, target="road")
    assert noise.status_code == 422 and noise.json()["detail"]["field"] == "file"
    assert "noise.bin" in noise.json()["detail"]["message"] and "/tmp" not in noise.text
    bad_mapping = _post(client, "roads.geojson", b"{}", target="road", mapping="[1, 2]")
    assert bad_mapping.status_code == 422 and bad_mapping.json()["detail"]["field"] == "mapping"
    no_crs = _post(
        client, "stations.csv", b"mode,lon,lat\nbus,120.1,30.2\n", target="transit_station"
    )
    assert no_crs.status_code == 422 and no_crs.json()["detail"]["field"] == "crs"
    unknown = _post(client, "x.geojson", b"{}", target="river")
    assert unknown.status_code == 422 and unknown.json()["detail"]["field"] == "target"
