"""Slope against planes whose slope is known, in metres, feet and degrees of latitude."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import Transformer

from gis_app.errors import InvalidParameter
from gis_app.raster import slope as slope_module
from gis_app.raster.slope import NODATA, ellipsoid_cell_metres, write_slope
from tests.raster.tiff import write_tif

ND = -32768


def write_dem(path, z, crs, transform, nodata=None):
    return write_tif(path, z, crs, transform, nodata)


def read(path):
    with rasterio.open(path) as src:
        assert src.nodata == NODATA
        assert src.dtypes[0] == "float32"
        return src.read(1), src.crs, src.transform


def projected_plane(a, b, shape=(12, 15), cell=10.0):
    """z = a·x + b·y (metres) sampled at cell centres of a 10 m grid in EPSG:4549."""
    transform = Affine(cell, 0, 500_000.0, 0, -cell, 3_320_000.0)
    rows, cols = np.indices(shape)
    x = transform.c + (cols + 0.5) * cell
    y = transform.f - (rows + 0.5) * cell
    return (a * (x - 500_000.0) + b * (y - 3_320_000.0) + 100.0), transform


def test_tilted_plane_projected(tmp_path):
    z, transform = projected_plane(0.3, 0.4)
    dem = write_dem(tmp_path / "dem.tif", z, "EPSG:4549", transform)
    info = write_slope(dem, tmp_path / "slope.tif")
    out, crs, out_transform = read(tmp_path / "slope.tif")
    assert crs.to_epsg() == 4549 and out_transform == transform
    assert (info.width, info.height) == (15, 12)
    # hypot(0.3, 0.4) = 0.5 -> atan(0.5) = 26.565°.
    np.testing.assert_allclose(out[1:-1, 1:-1], math.degrees(math.atan(0.5)), atol=1e-4)
    assert (out[0] == NODATA).all() and (out[-1] == NODATA).all()
    assert (out[:, 0] == NODATA).all() and (out[:, -1] == NODATA).all()


def test_horn_window_by_hand(tmp_path):
    # One inner cell; window  a b c / d e f / g h i  =  10 12 20 / 10 15 22 / 12 16 30,
    # 10 m cells. Horn: dz/dx = ((c+2f+i) - (a+2d+g)) / (8·10) = (94 - 42) / 80 = 0.65,
    # dz/dy (northwards) = ((a+2b+c) - (g+2h+i)) / 80 = (54 - 74) / 80 = -0.25.
    z = np.array([[10, 12, 20], [10, 15, 22], [12, 16, 30]], dtype="int16")
    transform = Affine(10.0, 0, 500_000.0, 0, -10.0, 3_320_000.0)
    dem = write_dem(tmp_path / "dem.tif", z, "EPSG:4549", transform)
    write_slope(dem, tmp_path / "slope.tif")
    out, _, _ = read(tmp_path / "slope.tif")
    assert out[1, 1] == pytest.approx(math.degrees(math.atan(math.hypot(0.65, -0.25))), abs=1e-4)
    assert (out[[0, 0, 0, 1, 1, 2, 2, 2], [0, 1, 2, 0, 2, 0, 1, 2]] == NODATA).all()


def test_flat_dem_is_zero(tmp_path):
    z = np.full((6, 7), 212, dtype="int16")
    dem = write_dem(tmp_path / "dem.tif", z, "EPSG:4549", Affine(10, 0, 500_000, 0, -10, 3_320_000))
    write_slope(dem, tmp_path / "slope.tif")
    out, _, _ = read(tmp_path / "slope.tif")
    assert (out[1:-1, 1:-1] == 0.0).all()


def test_nodata_spreads_to_its_window(tmp_path):
    z, transform = projected_plane(0.0, 1.0, shape=(9, 9))
    z = z.astype("int16")
    z[4, 4] = ND
    dem = write_dem(tmp_path / "dem.tif", z, "EPSG:4549", transform, nodata=ND)
    write_slope(dem, tmp_path / "slope.tif")
    out, _, _ = read(tmp_path / "slope.tif")
    assert (out[3:6, 3:6] == NODATA).all()
    inner = np.ones((9, 9), bool)
    inner[[0, -1], :] = inner[:, [0, -1]] = False
    inner[3:6, 3:6] = False
    # z rises 1 m per metre northwards: 45°.
    np.testing.assert_allclose(out[inner], 45.0, atol=1e-4)


def test_scaled_band_and_z_factor(tmp_path):
    # Centimetres stored as int16 with scale 0.01: z rises 30 cm per metre eastwards, i.e.
    # 300 stored units per 10 m cell -> slope atan(0.3). With z_factor 2 it is atan(0.6).
    cols = np.indices((5, 6))[1]
    z = (cols * 300).astype("int16")
    dem = write_dem(tmp_path / "dem.tif", z, "EPSG:4549", Affine(10, 0, 500_000, 0, -10, 3_320_000))
    with rasterio.open(dem, "r+") as dst:
        dst.scales = (0.01,)
    write_slope(dem, tmp_path / "slope.tif")
    np.testing.assert_allclose(
        read(tmp_path / "slope.tif")[0][1:-1, 1:-1], math.degrees(math.atan(0.3)), atol=1e-4
    )
    write_slope(dem, tmp_path / "steeper.tif", z_factor=2.0)
    np.testing.assert_allclose(
        read(tmp_path / "steeper.tif")[0][1:-1, 1:-1], math.degrees(math.atan(0.6)), atol=1e-4
    )


def test_feet_crs_uses_its_linear_unit(tmp_path):
    # EPSG:2249 (Massachusetts, US survey feet), 30 ft cells; z in metres rises 0.5 m per
    # metre eastwards, i.e. 0.5 · 1200/3937 m per foot of x.
    foot = 1200 / 3937
    transform = Affine(30.0, 0, 700_000.0, 0, -30.0, 2_950_000.0)
    cols = np.indices((6, 8))[1]
    z = (0.5 * (cols + 0.5) * 30.0 * foot).astype("float32")
    dem = write_dem(tmp_path / "dem.tif", z, "EPSG:2249", transform)
    write_slope(dem, tmp_path / "slope.tif")
    out, _, _ = read(tmp_path / "slope.tif")
    np.testing.assert_allclose(out[1:-1, 1:-1], math.degrees(math.atan(0.5)), atol=1e-3)


def test_ellipsoid_cell_sizes_by_hand():
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    # At the equator: N = a, M = a(1 - e²); one degree = radius · π/180.
    width, height = ellipsoid_cell_metres(np.array([0.0]), 1.0, 1.0, a, f)
    assert width[0] == pytest.approx(a * math.pi / 180)  # 111 319.49 m
    assert height[0] == pytest.approx(a * (1 - e2) * math.pi / 180)  # 110 574.27 m
    # At 60°N: N = a / sqrt(1 - e² sin²φ), width = N cos φ · π/180.
    width, height = ellipsoid_cell_metres(np.array([60.0]), 1.0, 1.0, a, f)
    w = math.sqrt(1 - e2 * math.sin(math.radians(60)) ** 2)
    assert width[0] == pytest.approx(a / w * 0.5 * math.pi / 180)
    assert height[0] == pytest.approx(a * (1 - e2) / w**3 * math.pi / 180)


@pytest.mark.parametrize("lat", [30.0, 60.0])
def test_tilted_plane_geographic(tmp_path, lat):
    # The plane z = 0.3·E + 0.4·N of EPSG:4549 (CM 120°E), sampled on a CGCS2000 grid of
    # 1/10800° cells near 120°E: same ground slope within 0.01° (the issue asks 0.1°).
    step = 1 / 10800
    shape = (20, 20)
    transform = Affine(step, 0, 119.999, 0, -step, lat + 10 * step)
    rows, cols = np.indices(shape)
    lon = transform.c + (cols + 0.5) * step
    lat_c = transform.f - (rows + 0.5) * step
    east, north = Transformer.from_crs("EPSG:4490", "EPSG:4549", always_xy=True).transform(
        lon, lat_c
    )
    z = (0.3 * (east - east.min()) + 0.4 * (north - north.min())).astype("float32")
    dem = write_dem(tmp_path / "dem.tif", z, "EPSG:4490", transform)
    write_slope(dem, tmp_path / "slope.tif")
    out, _, _ = read(tmp_path / "slope.tif")
    np.testing.assert_allclose(out[1:-1, 1:-1], math.degrees(math.atan(0.5)), atol=0.01)


def test_strips_join_seamlessly(tmp_path):
    rng = np.random.default_rng(3)
    z = rng.normal(200, 20, size=(37, 23)).astype("float32")
    z[rng.random(z.shape) < 0.05] = ND
    dem = write_dem(
        tmp_path / "dem.tif", z, "EPSG:4549", Affine(10, 0, 500_000, 0, -10, 3_320_000), nodata=ND
    )
    write_slope(dem, tmp_path / "whole.tif", strip_rows=1000)
    write_slope(dem, tmp_path / "strips.tif", strip_rows=4)
    write_slope(dem, tmp_path / "rows.tif", strip_rows=1)
    whole, _, _ = read(tmp_path / "whole.tif")
    np.testing.assert_array_equal(read(tmp_path / "strips.tif")[0], whole)
    np.testing.assert_array_equal(read(tmp_path / "rows.tif")[0], whole)
    assert (whole[1:-1, 1:-1] != NODATA).sum() > 0


def test_bad_dem_leaves_nothing(tmp_path):
    z = np.ones((4, 4), "float32")
    with rasterio.open(
        tmp_path / "nocrs.tif",
        "w",
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype="float32",
        transform=Affine(10, 0, 0, 0, -10, 40),
    ) as dst:
        dst.write(z, 1)
    with pytest.raises(InvalidParameter) as err:
        write_slope(tmp_path / "nocrs.tif", tmp_path / "slope.tif")
    assert err.value.context == {"field": "file", "reason": "reason.raster_no_crs"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nocrs.tif"]


def test_failure_midway_leaves_nothing(tmp_path, monkeypatch):
    z, transform = projected_plane(0.1, 0.1, shape=(10, 10))
    dem = write_dem(tmp_path / "dem.tif", z, "EPSG:4549", transform)
    real = slope_module._slope_strip
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(slope_module, "_slope_strip", failing)
    with pytest.raises(OSError, match="disk full"):
        write_slope(dem, tmp_path / "slope.tif", strip_rows=3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dem.tif"]
