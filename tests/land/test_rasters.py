"""Registering rasters through the API: checked first, nothing left behind on refusal."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from fastapi.testclient import TestClient
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from gis_app.config import Settings
from tests.auth import app_client
from tests.land.conftest import X0, Y0


@pytest.fixture(scope="module")
def client(land_world) -> Iterator[TestClient]:
    settings = Settings(database_url=land_world["url"], raster_dir=land_world["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


def flood_tif(path: Path, crs: str | None = "EPSG:4549") -> Path:
    """Flood depth 0 m west of x = 900, 1.5 m east of it (over P6 only), 50 m cells."""
    xs = X0 - 100 + (np.arange(30) + 0.5) * 50
    depth = np.tile(np.where(xs - X0 < 900, 0.0, 1.5).astype("float32"), (12, 1))
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=30,
        height=12,
        count=1,
        dtype="float32",
        crs=crs,
        transform=Affine(50, 0, X0 - 100, 0, -50, Y0 + 500),
        nodata=-1,
    ) as dst:
        dst.write(depth, 1)
    return path


def form(code: str, kind: str = "flood_depth") -> dict[str, str]:
    return {"code": code, "name_zh": "洪水淹没深度", "kind": kind, "units": "m"}


def test_the_dem_and_its_slope_are_listed(client: TestClient) -> None:
    items = {r["code"]: r for r in client.get("/api/v1/rasters").json()["items"]}
    assert (items["dem"]["kind"], items["dem"]["units"], items["dem"]["crs"]) == (
        "dem",
        "m",
        "EPSG:4549",
    )
    assert (items["dem_slope"]["units"], items["dem_slope"]["derived_from"]) == ("degree", "dem")


def test_upload_registers_and_feeds_the_search(client: TestClient, tmp_path, land_world) -> None:
    path = flood_tif(tmp_path / "flood.tif")
    with path.open("rb") as f:
        response = client.post(
            "/api/v1/rasters", data=form("flood"), files={"file": ("flood.tif", f)}
        )
    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["parcel_statistics"] == 6
    assert len(list(land_world["raster_dir"].glob("flood-*.tif"))) == 1
    dry = {"rasters": [{"raster": "flood", "stat": "max", "max": 0.5}]}
    found = client.post("/api/v1/land/search", json=dry).json()["items"]
    assert sorted(i["parcel_code"] for i in found) == ["P1", "P2", "P3", "P4", "P5"]


@pytest.mark.parametrize(
    ("make", "field", "reason"),
    [
        (lambda p: flood_tif(p, crs=None), "file", "坐标参考系"),
        (lambda p: (p.write_text("not a raster"), p)[1], "file", "无法作为栅格读取"),
    ],
)
def test_refused_upload_leaves_nothing(
    client: TestClient, tmp_path, land_world, make, field, reason
) -> None:
    path = make(tmp_path / "bad.tif")
    with path.open("rb") as f:
        response = client.post("/api/v1/rasters", data=form("bad"), files={"file": ("bad.tif", f)})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["field"] == field and reason in detail["message"]
    assert "bad" not in {r["code"] for r in client.get("/api/v1/rasters").json()["items"]}
    assert sorted(p.name for p in land_world["raster_dir"].iterdir() if "bad" in p.name) == []


def test_an_upload_over_the_limit_is_413_naming_file(tmp_path, land_world) -> None:
    path = flood_tif(tmp_path / "big.tif")
    assert path.stat().st_size > 1000
    settings = Settings(
        database_url=land_world["url"], raster_dir=land_world["raster_dir"], upload_max_bytes=1000
    )
    with app_client(settings) as small, path.open("rb") as f:
        response = small.post(
            "/api/v1/rasters",
            data=form("big"),
            files={"file": ("big.tif", f)},
            headers={"Accept-Language": "en"},
        )
        listed = {r["code"] for r in small.get("/api/v1/rasters").json()["items"]}
    assert response.status_code == 413, response.text
    assert response.json()["detail"]["field"] == "file"
    assert "1000" in response.json()["detail"]["message"]
    assert "big" not in listed
    assert sorted(p.name for p in land_world["raster_dir"].iterdir() if "big" in p.name) == []


def test_taken_code_and_unknown_kind_are_refused(client: TestClient, tmp_path) -> None:
    path = flood_tif(tmp_path / "f.tif")
    with path.open("rb") as f:
        taken = client.post("/api/v1/rasters", data=form("dem"), files={"file": ("f.tif", f)})
    assert taken.status_code == 409 and taken.json()["detail"]["field"] == "code"
    with path.open("rb") as f:
        kind = client.post(
            "/api/v1/rasters", data=form("x", kind="rainfall"), files={"file": ("f.tif", f)}
        )
    assert kind.status_code == 422 and kind.json()["detail"]["field"] == "kind"


def test_dem_as_hillshade_and_flat_parts_shaded_alike(client) -> None:
    listed = {r["code"]: r for r in client.get("/api/v1/rasters").json()["items"]}
    west, south, east, north = listed["dem"]["bounds"]
    assert west < east and south < north
    response = client.get(
        "/api/v1/rasters/dem/image.png", params={"style": "hillshade", "size": 256}
    )
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    with warnings.catch_warnings(), MemoryFile(response.content) as memory:
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with memory.open() as png:
            rgba = png.read()
    assert rgba.shape[0] == 4 and max(rgba.shape[1:]) == 256
    # The land world's DEM is flat west of x ≈ 250 m (clear in the overlay) and one plane
    # rising to the east at 5.7°: it faces west, towards a north-west sun, so it is one even
    # highlight (white) away from the raster's edges.
    alpha = rgba[3].astype(int)
    rows, cols = alpha.shape
    assert (alpha[:, : cols // 10] == 0).all()
    plane = alpha[rows // 4 : -rows // 4, cols // 2 : -cols // 10]
    assert (rgba[0][rows // 4 : -rows // 4, cols // 2 : -cols // 10] == 255).all()
    assert plane.min() > 0 and np.ptp(plane) <= 2
    again = client.get(
        "/api/v1/rasters/dem/image.png",
        params={"style": "hillshade", "size": 256},
        headers={"If-None-Match": response.headers["etag"]},
    )
    assert again.status_code == 304


def test_unknown_raster_picture_is_a_404(client) -> None:
    response = client.get("/api/v1/rasters/rainfall/image.png")
    assert response.status_code == 404 and "rainfall" in response.json()["detail"]["message"]
    bad = client.get("/api/v1/rasters/dem/image.png", params={"style": "sepia"})
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "style"
