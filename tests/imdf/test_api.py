"""/api/v1/imdf: export buildings as a zip, validate and import uploads (dry run first),
clear 4xx for what cannot be used."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gis_app.config import Settings
from gis_app.db import migrate
from gis_app.db.engine import make_engine
from tests.auth import app_client
from tests.imdf.conftest import DATA, add_building, unzip


@pytest.fixture(scope="module")
def client(new_database: Callable[..., str]) -> Iterator[TestClient]:
    url = new_database()
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        add_building(conn, "API-1")
    engine.dispose()
    with app_client(Settings(database_url=url)) as test_client:
        yield test_client


def test_export_by_code_is_a_valid_imdf_zip(client: TestClient) -> None:
    answer = client.get("/api/v1/imdf", params={"building": "API-1"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    files = unzip(answer.content)
    assert sorted(files) == sorted(
        ["manifest.json", "venue.geojson", "address.geojson", "building.geojson",
         "footprint.geojson", "level.geojson", "unit.geojson", "opening.geojson"]
    )  # fmt: skip
    assert files["manifest.json"]["version"] == "1.0.0"
    assert len(files["unit.geojson"]["features"]) == 4
    checked = client.post(
        "/api/v1/imdf/validate", files={"file": ("export.zip", answer.content, "application/zip")}
    )
    assert checked.status_code == 200 and checked.json()["ok"] is True


def test_export_of_an_unknown_building_is_404(client: TestClient) -> None:
    answer = client.get("/api/v1/imdf", params={"building": ["API-1", "NOPE"]})
    assert answer.status_code == 404 and "NOPE" in answer.json()["detail"]["message"]


def test_upload_dry_run_then_import(client: TestClient) -> None:
    data = (DATA / "indoor_osm" / "caserne.geojson").read_bytes()
    upload = {"file": ("caserne.geojson", data, "application/geo+json")}
    dry = client.post("/api/v1/imdf", files=upload, data={"any_area": "true", "dry_run": "true"})
    assert dry.status_code == 200
    body = dry.json()
    assert body["dry_run"] and body["form"] == "osm-indoor" and body["planned"]["room"] == 59
    assert body["written"]["room"] == 0 and body["rejected"] == 9
    refused = client.post(
        "/api/v1/imdf", files=upload, data={"any_area": "true", "dry_run": "false"}
    )
    assert refused.status_code == 422 and refused.json()["written"]["room"] == 0
    done = client.post(
        "/api/v1/imdf",
        files=upload,
        data={"any_area": "true", "dry_run": "false", "skip_invalid": "true"},
        headers={"Accept-Language": "en"},
    )
    assert done.status_code == 200 and done.json()["written"] == {
        "building": 1,
        "floor": 3,
        "room": 59,
    }
    messages = [p["message"] for p in done.json()["problems"]]
    assert any("on several levels (-1;0): a room lies on one floor" in m for m in messages)


def test_a_corrupt_zip_is_a_422_naming_it(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/imdf",
        files={"file": ("venue.zip", b"PK\x03\x04garbage", "application/zip")},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"]["field"] == "file"
    assert "zip" in answer.json()["detail"]["message"]


def test_a_bad_form_is_a_422(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/imdf",
        files={"file": ("x.geojson", b"{}", "application/json")},
        data={"form": "dxf"},
    )
    assert answer.status_code == 422


def test_nothing_half_written_after_a_refusal(client: TestClient) -> None:
    engine = client.app.state.engine
    with engine.connect() as conn:
        rooms = conn.scalar(text("SELECT count(*) FROM room"))
    client.post("/api/v1/imdf", files={"file": ("v.zip", b"PK\x03\x04x", "application/zip")})
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM room")) == rooms


def test_outside_the_service_area_is_refused_with_the_report(client: TestClient) -> None:
    data = (DATA / "indoor_osm" / "gare-de-l-est.geojson").read_bytes()
    answer = client.post(
        "/api/v1/imdf",
        files={"file": ("gare.geojson", data, "application/geo+json")},
        data={"skip_invalid": "true"},
    )
    assert answer.status_code == 422
    assert answer.json()["problem_counts"]["out_of_area"] == 116


def test_an_upload_over_the_limit_is_413(new_database: Callable[..., str]) -> None:
    url = new_database()
    migrate.upgrade(url)
    with app_client(Settings(database_url=url, upload_max_bytes=1000)) as small:
        answer = small.post(
            "/api/v1/imdf", files={"file": ("big.geojson", b" " * 5000, "application/json")}
        )
    assert answer.status_code == 413 and answer.json()["detail"]["field"] == "file"
