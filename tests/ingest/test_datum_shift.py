"""Vector imports in a CRS on another datum land where the datum shift puts them: S-JTSK
within a metre of EPSG's published transformations (PROJ's ballpark choice put them 117 m
off, silently); Beijing 1954 and Xian 1980 outside the few areas EPSG covers are refused,
naming both CRSs and how to declare the shift, then imported as declared or, when asked,
with the ballpark transformation and a report that says so — through the API and the
command line alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
from fastapi.testclient import TestClient
from pyproj import Transformer
from sqlalchemy import Connection, text

from gis_app.config import Settings
from gis_app.ingest import ImportRefused, import_features
from tests.auth import app_client
from tests.cli.test_cli import gis_app
from tests.geodesy.test_transform import (
    AS_PROJ,
    BEIJING_1954_117E,
    PRAGUE,
    TOWGS84,
    XIAN_1980_114E,
    ballpark,
    metres,
    published,
)
from tests.ingest.helpers import geojson

BUILDING = {"code": "D-1", "name": "测试楼", "floors_above": 3}


def _square(path: Path, x: float, y: float, crs: str | None) -> Path:
    """One 40 m building with its south-west corner at x, y (metres of `crs`)."""
    shape = shapely.geometry.mapping(shapely.box(x, y, x + 40, y + 40))
    return geojson(path, [(BUILDING, shape)], crs)


def _corner(conn: Connection) -> tuple[float, float]:
    """The stored corner (lon, lat) nearest the building's south-west corner in the file
    (its first vertex in lon/lat order of the ring the square's corners became)."""
    wkt = conn.scalar(text("SELECT ST_AsText(geom) FROM building WHERE code = 'D-1'"))
    corners = shapely.get_coordinates(shapely.from_wkt(wkt))
    south_west = min(corners.tolist(), key=lambda c: c[0] + c[1])
    return float(south_west[0]), float(south_west[1])


def _point_in(crs: str, lon: float, lat: float) -> tuple[float, float]:
    geodetic = Transformer.from_crs(crs, crs, always_xy=True).source_crs.geodetic_crs
    return Transformer.from_crs(geodetic, crs, always_xy=True).transform(lon, lat)


def test_s_jtsk_buildings_land_within_a_metre(conn: Connection, tmp_path: Path) -> None:
    path = _square(tmp_path / "praha.geojson", *PRAGUE, "urn:ogc:def:crs:EPSG::5514")
    report = import_features(conn, "building", path, area=None)
    assert report.written == 1, report.problems
    assert report.crs == "EPSG:5514" and report.transformation is not None
    assert report.transformation["accuracy_m"] == 1.0 and not report.transformation["ballpark"]
    stored = _corner(conn)
    for name in ("S-JTSK to WGS 84 (1)", "S-JTSK to WGS 84 (5)"):
        assert metres(stored, published("EPSG:5514", name, 14.42, 50.09).transform(*PRAGUE)) < 1
    assert metres(stored, ballpark("EPSG:5514").transform(*PRAGUE)) > 100


@pytest.mark.parametrize("crs", [BEIJING_1954_117E, XIAN_1980_114E])
def test_ballpark_only_is_refused_then_declared_or_accepted(
    conn: Connection, tmp_path: Path, crs: str
) -> None:
    lon, lat = (116.4, 39.9) if crs == BEIJING_1954_117E else (114.3, 30.6)
    x, y = _point_in(crs, lon, lat)
    path = _square(tmp_path / "old.geojson", x, y, None)
    with pytest.raises(ImportRefused) as refused:
        import_features(conn, "building", path, source_crs=crs)
    assert refused.value.context["field"] == "source_crs"
    assert "+towgs84" in refused.value.message("en")
    assert conn.scalar(text("SELECT count(*) FROM building")) == 0

    declared = f"{AS_PROJ[crs]} {TOWGS84}"
    report = import_features(conn, "building", path, source_crs=declared, dry_run=False)
    assert report.written == 1 and not report.transformation["ballpark"]
    expected = Transformer.from_crs(declared, "EPSG:4326", always_xy=True).transform(x, y)
    assert metres(_corner(conn), expected) < 1
    conn.execute(text("DELETE FROM building"))

    loose = import_features(conn, "building", path, source_crs=crs, allow_ballpark=True)
    assert loose.written == 1 and loose.transformation["ballpark"] is True
    assert metres(_corner(conn), ballpark(crs).transform(x, y)) < 1e-3


@pytest.fixture(scope="module")
def client(db_url: str) -> Iterator[TestClient]:
    """The app on the session's empty database: these requests are dry runs."""
    with app_client(Settings(database_url=db_url)) as test_client:
        yield test_client


def test_the_api_names_the_crs_field_and_reports_the_transformation(
    client: TestClient, tmp_path: Path
) -> None:
    path = _square(tmp_path / "wuhan.geojson", *_point_in(XIAN_1980_114E, 114.3, 30.6), None)
    form = {"target": "building", "crs": XIAN_1980_114E, "dry_run": "true"}
    files = {"file": ("wuhan.geojson", path.read_bytes())}
    refused = client.post("/api/v1/imports", data=form, files=files)
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail["field"] == "crs" and detail["reason"] == "reason.crs_ballpark_only"
    assert "Xian 1980 / 3-degree Gauss-Kruger CM 114E" in detail["message"]
    assert "+towgs84" in detail["message"] and "粗略" in detail["message"]
    accepted = client.post("/api/v1/imports", data={**form, "allow_ballpark": "true"}, files=files)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["transformation"]["ballpark"] is True


def test_the_command_line_says_which_transformation(db_url: str, tmp_path: Path) -> None:
    path = _square(tmp_path / "beijing.geojson", *_point_in(BEIJING_1954_117E, 116.4, 39.9), None)
    args = ["import", "building", str(path), "--crs", BEIJING_1954_117E, "--lang", "en"]
    refused = gis_app(*args, "--dry-run", env={"DATABASE_URL": db_url})
    assert refused.returncode == 2 and "+towgs84" in refused.stderr
    report = tmp_path / "report.json"
    accepted = gis_app(
        *args,
        "--dry-run",
        "--allow-ballpark",
        "--report",
        str(report),
        env={"DATABASE_URL": db_url},
    )
    assert accepted.returncode == 0, accepted.stderr
    assert "Ballpark geographic offset from Beijing 1954" in accepted.stdout
    assert "a ballpark transformation without datum shift was used" in accepted.stdout
    assert json.loads(report.read_text())["transformation"]["ballpark"] is True
