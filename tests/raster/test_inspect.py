"""Which GeoTIFFs are refused, with which field and reason, and what is known of the rest."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.control import GroundControlPoint
from rasterio.errors import NotGeoreferencedWarning

from gis_app.errors import InvalidParameter
from gis_app.raster.inspect import RasterInfo, describe
from gis_app.raster.store import publish, stage

GRID = Affine(10.0, 0, 500_000.0, 0, -10.0, 3_000_040.0)


def write(path, *, dtype="float32", driver="GTiff", count=1, **profile):
    data = np.arange(16 * count).reshape(count, 4, 4).astype(dtype)
    with warnings.catch_warnings():
        # Files without a geotransform are what some of these tests are about.
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(
            path, "w", driver=driver, width=4, height=4, count=count, dtype=dtype, **profile
        ) as dst:
            dst.write(data)
    return path


def refused(path, band=1):
    with pytest.raises(InvalidParameter) as err:
        describe(path, band)
    return err.value.context


def test_describe_projected(tmp_path):
    path = write(
        tmp_path / "dem.tif", dtype="int16", crs="EPSG:4549", transform=GRID, nodata=-32768, count=2
    )
    assert describe(path) == RasterInfo(
        crs="EPSG:4549",
        is_geographic=False,
        bounds=(500_000.0, 3_000_000.0, 500_040.0, 3_000_040.0),
        width=4,
        height=4,
        res_x=10.0,
        res_y=10.0,
        dtype="int16",
        nodata=-32768.0,
        band_count=2,
    )
    assert describe(path, band=2).band_count == 2


def test_describe_geographic(tmp_path):
    step = 1 / 10800
    path = write(
        tmp_path / "geo.tif", crs="EPSG:4490", transform=Affine(step, 0, 120.0, 0, -step, 30.0)
    )
    info = describe(path)
    assert info.crs == "EPSG:4490"
    assert info.is_geographic
    assert info.nodata is None
    assert info.res_x == pytest.approx(step)
    assert info.bounds == pytest.approx((120.0, 30.0 - 4 * step, 120.0 + 4 * step, 30.0))


def test_crs_without_epsg_code_is_wkt(tmp_path):
    wkt = rasterio.crs.CRS.from_proj4(
        "+proj=tmerc +lat_0=0 +lon_0=117 +k=0.9996 +x_0=500000 +ellps=GRS80 +units=m"
    ).to_wkt()
    info = describe(write(tmp_path / "local.tif", crs=wkt, transform=GRID))
    assert info.crs.startswith("PROJCS[") or info.crs.startswith("PROJCRS[")


def test_no_crs(tmp_path):
    assert refused(write(tmp_path / "nocrs.tif", transform=GRID)) == {
        "field": "file",
        "reason": "reason.raster_no_crs",
    }


def test_no_geotransform(tmp_path):
    path = write(tmp_path / "nogt.tif", crs="EPSG:4549")
    assert refused(path) == {"field": "file", "reason": "reason.raster_not_georeferenced"}


def test_no_georeferencing_at_all(tmp_path):
    assert refused(write(tmp_path / "plain.tif"))["reason"] == "reason.raster_not_georeferenced"


def test_gcps_only(tmp_path):
    gcps = [
        GroundControlPoint(0, 0, 120.0, 30.0),
        GroundControlPoint(0, 4, 120.1, 30.0),
        GroundControlPoint(4, 0, 120.0, 29.9),
    ]
    path = write(tmp_path / "gcps.tif", gcps=gcps, crs="EPSG:4490")
    assert refused(path) == {"field": "file", "reason": "reason.raster_gcps_only"}


def test_rotated_grid(tmp_path):
    path = write(
        tmp_path / "rot.tif",
        crs="EPSG:4549",
        transform=Affine(10.0, 1.0, 500_000.0, 1.0, -10.0, 3_000_040.0),
    )
    assert refused(path) == {"field": "file", "reason": "reason.raster_rotated"}


def test_text_file_named_tif(tmp_path):
    path = tmp_path / "notes.tif"
    path.write_text("not a raster")
    assert refused(path) == {"field": "file", "reason": "reason.raster_unreadable"}


def test_truncated_geotiff(tmp_path):
    big = tmp_path / "big.tif"
    data = np.random.default_rng(1).random((256, 256)).astype("float32")
    with rasterio.open(
        big,
        "w",
        driver="GTiff",
        width=256,
        height=256,
        count=1,
        dtype="float32",
        crs="EPSG:4549",
        transform=GRID,
    ) as dst:
        dst.write(data, 1)
    cut = tmp_path / "cut.tif"
    cut.write_bytes(big.read_bytes()[: big.stat().st_size // 2])
    assert refused(cut) == {"field": "file", "reason": "reason.raster_unreadable"}


def test_not_a_geotiff(tmp_path):
    path = write(tmp_path / "map.png", driver="PNG", dtype="uint8", crs="EPSG:4549", transform=GRID)
    assert refused(path) == {"field": "file", "reason": "reason.raster_not_geotiff"}


def test_complex_cells(tmp_path):
    path = write(tmp_path / "c.tif", dtype="complex64", crs="EPSG:4549", transform=GRID)
    assert refused(path) == {"field": "file", "reason": "reason.raster_not_numeric"}


def test_missing_band(tmp_path):
    path = write(tmp_path / "dem.tif", crs="EPSG:4549", transform=GRID)
    assert refused(path, band=2) == {"field": "band", "reason": "reason.raster_band_missing"}
    assert refused(path, band=0) == {"field": "band", "reason": "reason.raster_band_missing"}


def store_raster(upload, store, name):
    part, info = stage(upload, store)
    try:
        return publish(part, store / name), info
    finally:
        part.unlink(missing_ok=True)


def test_store_keeps_good_file(tmp_path):
    upload = write(tmp_path / "upload.tif", crs="EPSG:4549", transform=GRID)
    target, info = store_raster(upload, tmp_path / "store", "r1.tif")
    assert target == tmp_path / "store" / "r1.tif"
    assert info.crs == "EPSG:4549"
    assert [p.name for p in (tmp_path / "store").iterdir()] == ["r1.tif"]


def test_store_never_replaces_a_file(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "r1.tif").write_bytes(b"another raster")
    upload = write(tmp_path / "upload.tif", crs="EPSG:4549", transform=GRID)
    with pytest.raises(FileExistsError):
        store_raster(upload, store, "r1.tif")
    assert [p.name for p in store.iterdir()] == ["r1.tif"]
    assert (store / "r1.tif").read_bytes() == b"another raster"


def test_store_leaves_nothing_for_bad_file(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    upload = write(tmp_path / "upload.tif", transform=GRID)
    with pytest.raises(InvalidParameter):
        store_raster(upload, store, "r1.tif")
    assert list(store.iterdir()) == []


def test_store_refuses_crs_kept_beside_the_file(tmp_path):
    # This GeoTIFF's CRS lives in a .aux.xml sidecar that the upload does not carry along:
    # the file passes where it lies, but its stored copy has no CRS and is refused.
    upload = write(tmp_path / "upload.tif", transform=GRID)
    wkt = rasterio.crs.CRS.from_epsg(4549).to_wkt()
    (tmp_path / "upload.tif.aux.xml").write_text(f"<PAMDataset><SRS>{wkt}</SRS></PAMDataset>")
    assert describe(upload).crs == "EPSG:4549"
    store = tmp_path / "store"
    with pytest.raises(InvalidParameter) as err:
        store_raster(upload, store, "r1.tif")
    assert err.value.context == {"field": "file", "reason": "reason.raster_no_crs"}
    assert list(store.iterdir()) == []
