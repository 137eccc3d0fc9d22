"""The DXF import as users reach it: `POST /api/v1/floors/{id}/dxf` and `gis-app dxf import`,
each on its own database with the Gare de l'Est building and floors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer
from sqlalchemy import text

from gis_app.config import Settings
from gis_app.db import migrate
from gis_app.db.engine import make_engine
from tests.auth import app_client
from tests.dxf.conftest import ORIGIN, REAL_DXF, box, insert_floor, new_drawing, plan, save

L93 = {"crs": "EPSG:2154", "any_area": "true"}


def _station_floors(url: str) -> dict[int, int]:
    """GARE-EST floors 0 and -1 covering the drawing, and DXF-TEST floor 2 around ORIGIN."""
    to_lonlat = Transformer.from_crs(2154, 4490, always_xy=True)
    west, south = to_lonlat.transform(652890, 6864160)
    east, north = to_lonlat.transform(653150, 6864390)
    lon, lat = ORIGIN
    engine = make_engine(url)
    with engine.begin() as conn:
        floors = {k: insert_floor(conn, "GARE-EST", k, (west, south, east, north)) for k in (0, -1)}
        floors[2] = insert_floor(
            conn, "DXF-TEST", 2, (lon - 0.002, lat - 0.002, lon + 0.002, lat + 0.002)
        )
    engine.dispose()
    return floors


@pytest.fixture(scope="module")
def database(new_database: Callable[[], str]) -> tuple[str, dict[int, int]]:
    url = new_database()
    migrate.upgrade(url)
    return url, _station_floors(url)


@pytest.fixture(scope="module")
def client(database) -> Iterator[TestClient]:
    with app_client(Settings(database_url=database[0])) as test_client:
        yield test_client


def _post(client: TestClient, floor: int, content: bytes, lang: str = "en", **form: str):
    return client.post(
        f"/api/v1/floors/{floor}/dxf",
        files={"file": ("plan.dxf", content, "application/dxf")},
        data=form,
        headers={"Accept-Language": lang},
    )


def _count(url: str, floor: int) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(text("SELECT count(*) FROM room WHERE floor_id = :f"), {"f": floor})
    engine.dispose()
    return count


def test_api_dry_run_then_write_then_the_numbers_are_taken(
    client, database, tmp_path: Path
) -> None:
    url, floors = database
    content = plan(tmp_path, (box(0, 0, 6000, 4000), "301", "会议室")).read_bytes()
    control = json.dumps(["0,0=120.15,30.25", "6000,0=120.1500623,30.25"])
    dry = _post(client, floors[2], content, origin="120.15,30.25", dry_run="true")
    assert dry.status_code == 200, dry.json()
    body = dry.json()
    assert body["ok"] and body["written"] == 0 and body["rooms"][0]["number"] == "301"
    assert body["rooms"][0]["name"] == "会议室" and body["rooms"][0]["area_m2"] == 24.0
    written = _post(client, floors[2], content, control=control, tolerance="0.5")
    assert written.status_code == 200, written.json()
    assert written.json()["written"] == 1 and written.json()["crs_from"] == "control"
    assert _count(url, floors[2]) == 1
    again = _post(client, floors[2], content, origin="120.15,30.25")
    assert again.status_code == 422
    assert [p["code"] for p in again.json()["problems"]] == ["number_taken"]
    assert _count(url, floors[2]) == 1


def test_api_refusals_name_the_field(client, database, tmp_path: Path) -> None:
    _, floors = database
    not_dxf = _post(client, floors[2], b"PK\x03\x04 zip", origin="120.15,30.25")
    assert not_dxf.status_code == 422 and not_dxf.json()["detail"]["field"] == "file"
    doc = new_drawing()
    doc.modelspace().add_line((0, 0), (5000, 0), dxfattribs={"layer": "WALL"})
    empty = save(doc, tmp_path).read_bytes()
    for lang, words in (("zh-CN", "未找到房间"), ("en", "no rooms found")):
        none = _post(client, floors[2], empty, lang, origin="120.15,30.25", layers="ROOM*")
        assert none.status_code == 422 and none.json()["detail"]["field"] == "layers"
        assert (
            words in none.json()["detail"]["message"]
            and "LINE 1 on WALL" in none.json()["detail"]["message"]
        )
    bad_control = _post(client, floors[2], empty, control="[1, 2]")
    assert bad_control.status_code == 422 and bad_control.json()["detail"]["field"] == "control"
    assert _post(client, 999999, empty, origin="120.15,30.25").status_code == 404


def test_api_real_drawing_basement(client, database) -> None:
    url, floors = database
    response = _post(
        client, floors[-1], REAL_DXF.read_bytes(), layers="*_L-1", hole_layers="*_L-1_HOLE", **L93
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["read"], body["written"], body["rejected"]) == (35, 35, 0)
    assert _count(url, floors[-1]) == 35


def gis_app(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gis_app", "dxf", "import", *args],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_cli_real_drawing_ground_floor(database) -> None:
    url, _ = database
    common = [str(REAL_DXF), "--building", "GARE-EST", "--ordinal", "0", "--layers", "*_L0"]
    common += ["--hole-layers", "*_L0_HOLE", "--crs", "EPSG:2154", "--lang", "en"]
    outside = gis_app(*common, url=url)
    assert outside.returncode == 2 and "--any-area" in outside.stderr
    refused = gis_app(*common, "--any-area", url=url)
    assert refused.returncode == 3, refused.stderr
    assert "Self-intersection" in refused.stdout and "nothing written" in refused.stdout
    assert "AREA_L0 #D1: feature 53, geom: invalid geometry" in refused.stdout
    assert "rejected    1" in refused.stdout
    written = gis_app(*common, "--any-area", "--skip-invalid", "--nested-rooms", "--json", url=url)
    assert written.returncode == 0, written.stderr
    report = json.loads(written.stdout)
    assert (report["read"], report["written"], report["rejected"]) == (73, 72, 1)
    assert [n["code"] for n in report["notices"]].count("cut_from") == 1
    assert report["problems"][0]["layer"] == "AREA_L0" and report["problems"][0]["handle"] == "D1"
    not_dxf = gis_app(__file__, "--floor-id", "1", "--origin", "120.15,30.25", url=url)
    assert not_dxf.returncode == 2 and "file" in not_dxf.stderr
