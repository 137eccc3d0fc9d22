"""Registering rasters through the API and the command line, as found broken on third-party
data (issue 14): a raster on another datum is placed and sampled by its datum shift (or
refused, or accepted as a ballpark only when asked); a GeoTIFF in a local CRS is a 422,
not a 500; a NaN nodata never breaks the listing; a refused or lost registration touches
no other raster's file or row; rasters outside the service area are refused like vector
imports; the command line checks without writing (--dry-run) and reads GeoPackage rasters.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from exactextract import exact_extract
from fastapi.testclient import TestClient
from pyproj import Transformer
from sqlalchemy import text

from gis_app.config import Settings
from gis_app.db import migrate
from gis_app.db.engine import make_engine
from tests.auth import app_client
from tests.cli.test_cli import gis_app
from tests.geodesy.test_transform import PRAGUE, TOWGS84, published
from tests.raster.tiff import write_tif

PARCELS = {
    "A": shapely.box(120.0200, 30.2700, 120.0210, 30.2709),
    "B": shapely.box(120.0240, 30.2720, 120.0250, 30.2729),
}
"""Two parcels of about 100 m in CGCS2000 lon/lat, near Hangzhou."""
BEIJING_1954_120E = "EPSG:2437"
DECLARED = f"+proj=tmerc +lon_0=120 +k=1 +x_0=500000 +ellps=krass +units=m {TOWGS84}"
"""EPSG:2437 (Beijing 1954 / 3-degree Gauss-Kruger CM 120E) with a survey's datum shift."""
LOCAL = 'LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'
CITY_GRID = (
    'PROJCS["city grid",GEOGCS["China Geodetic Coordinate System 2000",'
    'DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",120.3],'
    'PARAMETER["scale_factor",1],PARAMETER["false_easting",50000],'
    'PARAMETER["false_northing",-3300000],UNIT["metre",1]]'
)
"""A city's own grid on the CGCS2000 datum, with no EPSG code."""


@pytest.fixture(scope="module")
def world(new_database: Callable[[], str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A database with parcels A and B and an empty raster store."""
    url = new_database()
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        for n, (code, shape) in enumerate(PARCELS.items(), start=1):
            conn.execute(
                text(
                    "INSERT INTO land_parcel (id, parcel_code, landuse_scheme, landuse_code, "
                    "area_m2, ownership, status, district, geom) VALUES (:id, :code, "
                    "'GB/T 21010-2017', '0801', 10000, 'state', 'idle', '西湖区', "
                    "ST_Multi(ST_GeomFromText(:wkt, 4490)))"
                ),
                {"id": n, "code": code, "wkt": shape.wkt},
            )
    engine.dispose()
    return {"url": url, "raster_dir": tmp_path_factory.mktemp("store")}


@pytest.fixture(scope="module")
def client(world: dict) -> Iterator[TestClient]:
    settings = Settings(database_url=world["url"], raster_dir=world["raster_dir"])
    with app_client(settings) as test_client:
        yield test_client


def _sql(world: dict, sql: str, **params: object) -> list[tuple]:
    engine = make_engine(world["url"])
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(sql), params)]
    engine.dispose()
    return rows


def _post(client: TestClient, path: Path, code: str, **form: str) -> object:
    data = {"code": code, "name_zh": "测试", "kind": "other", "units": "m", **form}
    with path.open("rb") as f:
        return client.post(
            "/api/v1/rasters",
            data=data,
            files={"file": (path.name, f)},
            headers={"Accept-Language": "en"},
        )


def eastings(path: Path, crs: str, centre: tuple[float, float], cell: float = 5.0) -> Path:
    """400 × 400 cells around `centre` (metres of `crs`) whose value is the cell's easting."""
    x0, y0 = centre[0] - 200 * cell, centre[1] + 200 * cell
    values = np.tile(x0 + (np.arange(400) + 0.5) * cell, (400, 1))
    return write_tif(path, values, crs, Affine(cell, 0, x0, 0, -cell, y0), -9999.0)


def _in(crs: str, lon: float, lat: float) -> tuple[float, float]:
    return Transformer.from_crs("EPSG:4490", crs, always_xy=True).transform(lon, lat)


def _extracted_mean(path: Path, shape: shapely.Geometry) -> float:
    feature = {"type": "Feature", "properties": {}, "geometry": shape.__geo_interface__}
    return exact_extract(str(path), [feature], "mean")[0]["properties"]["mean"]


def _mean(world: dict, code: str, parcel: str) -> float:
    rows = _sql(
        world,
        "SELECT s.mean FROM parcel_raster_stat s JOIN land_parcel p ON p.id = s.parcel_id "
        "WHERE s.raster_code = :code AND p.parcel_code = :parcel",
        code=code,
        parcel=parcel,
    )
    return float(rows[0][0])


def test_a_dem_on_beijing_1954_is_refused_then_sampled_by_its_declared_shift(
    client: TestClient, world: dict, tmp_path: Path
) -> None:
    path = eastings(
        tmp_path / "bj54.tif", BEIJING_1954_120E, _in(BEIJING_1954_120E, 120.022, 30.271)
    )
    refused = _post(client, path, "bj54")
    assert refused.status_code == 422, refused.text
    detail = refused.json()["detail"]
    assert detail["field"] == "crs" and detail["reason"] == "reason.crs_ballpark_only"
    assert "Beijing 1954 / 3-degree Gauss-Kruger CM 120E" in detail["message"]
    assert "+towgs84" in detail["message"]

    declared = _post(client, path, "bj54", crs=DECLARED)
    assert declared.status_code == 201, declared.text
    assert declared.json()["transformation"]["ballpark"] is False
    assert declared.json()["items"][0]["parcel_statistics"] == 2
    # The mean easting under parcel A, as exactextract gives it for the parcel placed by
    # pyproj's own Helmert transformation of the declared CRS.
    to_raster = Transformer.from_crs("EPSG:4326", DECLARED, always_xy=True)
    placed = shapely.transform(PARCELS["A"], to_raster.transform, interleaved=False)
    expected = _extracted_mean(path, placed)
    assert _mean(world, "bj54", "A") == pytest.approx(expected, abs=0.5)
    # The ballpark placement (what registering did before) is tens of metres east or west.
    to_loose = Transformer.from_crs("EPSG:4490", BEIJING_1954_120E, always_xy=True)
    loose = shapely.transform(PARCELS["A"], to_loose.transform, interleaved=False)
    assert abs(_extracted_mean(path, loose) - expected) > 10

    accepted = _post(client, path, "bj54_ballpark", allow_ballpark="true")
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["transformation"]["ballpark"] is True
    assert accepted.json()["items"][0]["parcel_statistics"] == 2


def test_s_jtsk_outside_the_service_area_then_placed_by_the_published_shift(
    client: TestClient, tmp_path: Path
) -> None:
    path = eastings(tmp_path / "praha.tif", "EPSG:5514", PRAGUE)
    outside = _post(client, path, "praha")
    assert outside.status_code == 422 and outside.json()["detail"]["field"] == "file"
    assert "service area" in outside.json()["detail"]["message"]
    placed = _post(client, path, "praha", any_area="true")
    assert placed.status_code == 201, placed.text
    body = placed.json()
    assert body["transformation"]["accuracy_m"] == 1.0
    bounds = body["items"][0]["bounds"]
    with rasterio.open(path) as ds:
        edge = shapely.segmentize(shapely.box(*ds.bounds), 50.0)
    shift = published("EPSG:5514", "S-JTSK to WGS 84 (1)", 14.42, 50.09)
    expected = shapely.transform(edge, shift.transform, interleaved=False).bounds
    ballpark = Transformer.from_crs("EPSG:5514", "EPSG:4490", always_xy=True)
    before = shapely.transform(edge, ballpark.transform, interleaved=False).bounds
    # Within a metre (1e-5°) of the published shift; the ballpark one was 117 m away.
    assert np.allclose(bounds, expected, atol=1e-5)
    assert not np.allclose(bounds, before, atol=5e-4)
    picture = client.get("/api/v1/rasters/praha/image.png", params={"size": 64})
    assert picture.status_code == 200


def test_a_local_crs_is_a_422_and_a_city_grid_on_cgcs2000_is_placed(
    client: TestClient, world: dict, tmp_path: Path
) -> None:
    local = eastings(tmp_path / "site.tif", LOCAL, (1000.0, 1000.0))
    refused = _post(client, local, "site")
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"]["field"] == "crs"
    assert refused.json()["detail"]["reason"] == "reason.crs_unusable"
    for declared, reason in (("EPSG:0", "crs_unknown"), ("+proj=merc +k=1e-300", "crs_unusable")):
        junk = _post(client, local, "site", crs=declared)
        assert junk.status_code == 422, junk.text
        assert junk.json()["detail"]["field"] == "crs"
        assert junk.json()["detail"]["reason"] == f"reason.{reason}"

    centre = _in(CITY_GRID, 120.022, 30.271)
    city = eastings(tmp_path / "city.tif", CITY_GRID, centre)
    placed = _post(client, city, "city")
    assert placed.status_code == 201, placed.text
    item = placed.json()["items"][0]
    assert item["crs"].startswith('PROJCS["city grid"') and item["parcel_statistics"] == 2
    to_raster = Transformer.from_crs("EPSG:4490", CITY_GRID, always_xy=True)
    a = shapely.transform(PARCELS["A"], to_raster.transform, interleaved=False)
    assert _mean(world, "city", "A") == pytest.approx(a.centroid.x, abs=2.5)
    assert _sql(world, "SELECT count(*) FROM raster_layer WHERE code = 'site'") == [(0,)]


def test_nan_nodata_is_listed_as_null(client: TestClient, world: dict, tmp_path: Path) -> None:
    x, y = _in("EPSG:4549", 120.0205, 30.27045)
    values = np.full((40, 40), 7.0, dtype="float32")
    values[:, :20] = np.nan
    # Parcel A's western half is over NaN cells: the grid starts 100 m west of its centre.
    path = write_tif(
        tmp_path / "nan.tif",
        values,
        "EPSG:4549",
        Affine(5.0, 0, x - 100, 0, -5.0, y + 100),
        np.nan,
    )
    created = _post(client, path, "nan_nodata")
    assert created.status_code == 201, created.text
    assert created.json()["items"][0]["nodata"] is None
    listed = client.get("/api/v1/rasters")
    assert listed.status_code == 200
    assert {r["code"]: r for r in listed.json()["items"]}["nan_nodata"]["nodata"] is None
    rows = _sql(
        world,
        "SELECT mean, nodata_fraction FROM parcel_raster_stat s JOIN land_parcel p "
        "ON p.id = s.parcel_id WHERE raster_code = 'nan_nodata' AND p.parcel_code = 'A'",
    )
    mean, nodata = rows[0]
    assert mean == 7.0 and nodata == pytest.approx(0.5, abs=0.05)
    search = {"rasters": [{"raster": "nan_nodata", "stat": "mean", "min": 6}]}
    assert client.post("/api/v1/land/search", json=search).status_code == 200


def _flat(path: Path) -> Path:
    x, y = _in("EPSG:4549", 120.0225, 30.2715)
    return write_tif(
        path,
        np.ones((80, 80), "float32"),
        "EPSG:4549",
        Affine(10.0, 0, x - 400, 0, -10.0, y + 400),
        -1.0,
    )


def _files(world: dict, code: str) -> list[Path]:
    return sorted(world["raster_dir"].glob(f"{code}-*.tif"))


def test_a_refused_dem_leaves_the_slope_of_another_raster_alone(
    client: TestClient, world: dict, tmp_path: Path
) -> None:
    path = _flat(tmp_path / "flat.tif")
    assert _post(client, path, "hill_slope").status_code == 201
    (kept,) = _files(world, "hill_slope")
    digest = hashlib.sha256(kept.read_bytes()).hexdigest()

    refused = _post(client, path, "hill", kind="dem")
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"]["field"] == "code"
    assert "hill_slope" in refused.json()["detail"]["message"]
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == digest
    assert _files(world, "hill") == []
    assert _sql(world, "SELECT code FROM raster_layer WHERE code LIKE 'hill%'") == [("hill_slope",)]
    search = {"rasters": [{"raster": "hill_slope", "stat": "max", "max": 2}]}
    found = client.post("/api/v1/land/search", json=search)
    assert found.status_code == 200 and len(found.json()["items"]) == 2


def test_one_of_six_concurrent_uploads_of_one_code_wins_and_keeps_its_file(
    client: TestClient, world: dict, tmp_path: Path
) -> None:
    paths = [_flat(tmp_path / f"race{i}.tif") for i in range(6)]
    answers: list[int] = []
    start = threading.Barrier(len(paths))

    def upload(path: Path) -> None:
        start.wait()
        answers.append(_post(client, path, "race").status_code)

    threads = [threading.Thread(target=upload, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(answers) == [201, 409, 409, 409, 409, 409]
    (stored,) = _files(world, "race")
    assert _sql(world, "SELECT path FROM raster_layer WHERE code = 'race'") == [(stored.name,)]
    with rasterio.open(stored) as ds:
        assert ds.read(1).min() == 1.0
    assert list(world["raster_dir"].glob(".*.part*")) == []
    search = {"rasters": [{"raster": "race", "stat": "max", "max": 2}]}
    assert client.post("/api/v1/land/search", json=search).status_code == 200


def test_the_command_line_checks_first_and_reads_geopackages(world: dict, tmp_path: Path) -> None:
    env = {"DATABASE_URL": world["url"], "GIS_RASTER_DIR": str(world["raster_dir"])}
    meaning = ["--name-zh", "测试", "--kind", "other", "--units", "m"]
    tif = _flat(tmp_path / "flat.tif")
    before = sorted(p.name for p in world["raster_dir"].iterdir())
    dry = gis_app("raster", "register", str(tif), "--code", "dry", *meaning, "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "dry run: raster dry would be registered" in dry.stdout
    assert "CGCS2000 / 3-degree Gauss-Kruger CM 120E" in dry.stdout
    assert sorted(p.name for p in world["raster_dir"].iterdir()) == before
    assert _sql(world, "SELECT count(*) FROM raster_layer WHERE code = 'dry'") == [(0,)]

    local = eastings(tmp_path / "site.tif", LOCAL, (1000.0, 1000.0))
    refused = gis_app("raster", "register", str(local), "--code", "site", *meaning, env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "site grid" in refused.stderr and "neither geographic nor projected" in refused.stderr

    gpkg = tmp_path / "two.gpkg"
    with rasterio.open(tif) as src:
        profile = {**src.profile, "driver": "GPKG", "TILE_FORMAT": "TIFF"}
        data = src.read()
    for table in ("flat_a", "flat_b"):
        append = {"APPEND_SUBDATASET": "YES"} if table == "flat_b" else {}
        with rasterio.open(gpkg, "w", **profile, RASTER_TABLE=table, **append) as dst:
            dst.write(data)
    several = gis_app("raster", "register", str(gpkg), "--code", "gp", *meaning, env=env)
    assert several.returncode == 2 and "flat_a, flat_b" in several.stderr
    one = gis_app(
        "raster", "register", str(gpkg), "--code", "gp", "--table", "flat_b", *meaning, env=env
    )
    assert one.returncode == 0, one.stderr
    (stored,) = _files(world, "gp")
    with rasterio.open(stored) as ds:
        assert ds.driver == "GTiff" and ds.crs.to_epsg() == 4549 and ds.read(1).max() == 1.0
    assert _sql(world, "SELECT count(*) FROM parcel_raster_stat WHERE raster_code = 'gp'") == [(2,)]
