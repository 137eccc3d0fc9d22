"""Zonal statistics against numbers worked out by hand on a 5×5 raster of 10 m cells.

Grid (EPSG:4549, upper-left corner 500000 E, 3000050 N; row 0 is the northern row;
ND = nodata -9999):

    row 0:  1  2  3  4  5
    row 1:  2  2  3  8  5
    row 2:  4  4 ND  8  6
    row 3:  4  9  9  9  6
    row 4:  7  7  7  1  1

Polygons are written in cell units (column, row from the upper-left corner), so a cell's
coverage can be read off the coordinates.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from exactextract import exact_extract
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Polygon, box

from gis_app.errors import InvalidParameter
from gis_app.raster import zonal
from gis_app.raster.slope import ellipsoid_cell_metres
from gis_app.raster.zonal import zonal_stats
from tests.geodesy.test_transform import published
from tests.raster.tiff import write_tif

GEOD = Geod(ellps="GRS80")

X0, Y0, CELL = 500_000.0, 3_000_050.0, 10.0
ND = -9999.0
GRID = np.array(
    [
        [1, 2, 3, 4, 5],
        [2, 2, 3, 8, 5],
        [4, 4, ND, 8, 6],
        [4, 9, 9, 9, 6],
        [7, 7, 7, 1, 1],
    ],
    dtype="float32",
)


def write_grid(path, array, *, crs="EPSG:4549", transform=None, nodata=ND, **extra):
    return write_tif(
        path, array, crs, transform or Affine(CELL, 0, X0, 0, -CELL, Y0), nodata, **extra
    )


def cells(c0, r0, c1, r1):
    """Box from column c0..c1 and row r0..r1 in cell units."""
    return box(X0 + c0 * CELL, Y0 - r1 * CELL, X0 + c1 * CELL, Y0 - r0 * CELL)


def in_cells(*points):
    """Polygon through points given as (column, row) in cell units."""
    return Polygon([(X0 + c * CELL, Y0 - r * CELL) for c, r in points])


@pytest.fixture
def grid_tif(tmp_path):
    return write_grid(tmp_path / "grid.tif", GRID)


STATS = ("min", "mean", "max", "majority")


def one(raster, geom, crs="EPSG:4549", stats=STATS):
    return zonal_stats(raster, [geom], ["p"], crs, stats=stats).loc["p"]


def expect(row, *, min, mean, max, majority, count, nodata=0.0, outside=0.0):
    assert row["min"] == min
    assert row["mean"] == pytest.approx(mean, rel=1e-9)
    assert row["max"] == max
    assert row["majority"] == majority
    assert row["count"] == pytest.approx(count, rel=1e-9)
    # On the central meridian the grid's scale is 1: ground area = grid area (to 1e-10),
    # measured on the ellipsoid to about 1e-9.
    assert row["valid_area_m2"] == pytest.approx(count * CELL * CELL, rel=1e-8)
    assert row["nodata_fraction"] == pytest.approx(nodata, abs=1e-9)
    assert row["outside_fraction"] == pytest.approx(outside, abs=1e-9)


def test_whole_cells(grid_tif):
    # Rows 0-1, columns 0-2: 1 2 3 / 2 2 3 -> six whole cells, value 2 three times.
    row = one(grid_tif, cells(0, 0, 3, 2))
    expect(row, min=1, mean=(1 + 2 + 3 + 2 + 2 + 3) / 6, max=3, majority=2, count=6)


def test_half_cells(grid_tif):
    # Row 3, columns 0.5..2.5: half of (4), all of (9), half of (9).
    row = one(grid_tif, cells(0.5, 3, 2.5, 4))
    expect(
        row,
        min=4,
        mean=(4 * 0.5 + 9 * 1.0 + 9 * 0.5) / (0.5 + 1.0 + 0.5),
        max=9,
        majority=9,  # 9 covers 1.5 cells, 4 covers 0.5
        count=2.0,
    )


def test_quarter_cells(grid_tif):
    # Centred on the corner shared by (3,3)=9, (3,4)=6, (4,3)=1, (4,4)=1: a quarter of each.
    row = one(grid_tif, cells(3.5, 3.5, 4.5, 4.5))
    expect(
        row,
        min=1,
        mean=(9 * 0.25 + 6 * 0.25 + 1 * 0.25 + 1 * 0.25) / 1.0,
        max=9,
        majority=1,  # 1 covers 0.5 cells
        count=1.0,
    )


def test_triangle_cuts_cells_diagonally(grid_tif):
    # Triangle (3,0)-(5,0)-(5,2): all of (0,4)=5, the upper-right half of (0,3)=4 and of
    # (1,4)=5, nothing of (1,3)=8 (its only shared point is the corner (4,1)).
    row = one(grid_tif, in_cells((3, 0), (5, 0), (5, 2)))
    expect(
        row,
        min=4,
        mean=(5 * 1.0 + 4 * 0.5 + 5 * 0.5) / 2.0,
        max=5,
        majority=5,
        count=2.0,
    )


def test_crossing_nodata_cell(grid_tif):
    # Columns 1.5..3, rows 1.5..2.5: a quarter of (1,1)=2 and of (2,1)=4, half of (1,2)=3
    # and half of the nodata cell (2,2). Area 1.5 cells, of which 0.5 is nodata.
    row = one(grid_tif, cells(1.5, 1.5, 3, 2.5))
    expect(
        row,
        min=2,
        mean=(2 * 0.25 + 4 * 0.25 + 3 * 0.5) / (0.25 + 0.25 + 0.5),
        max=4,
        majority=3,
        count=1.0,
        nodata=0.5 / 1.5,
    )


def test_partly_outside(grid_tif):
    # Columns -0.5..1.5 of row 3: half a cell beyond the western edge, all of (3,0)=4,
    # half of (3,1)=9. Area 2 cells, 0.5 outside.
    row = one(grid_tif, cells(-0.5, 3, 1.5, 4))
    expect(
        row,
        min=4,
        mean=(4 * 1.0 + 9 * 0.5) / 1.5,
        max=9,
        majority=4,
        count=1.5,
        outside=0.5 / 2.0,
    )


def test_no_data_is_not_zero(grid_tif):
    frame = zonal_stats(
        grid_tif,
        [cells(2.25, 2.25, 2.75, 2.75), cells(10, 10, 11, 11)],
        ["in_nodata", "far_away"],
        "EPSG:4549",
    )
    for pid in ("in_nodata", "far_away"):
        assert frame.loc[pid, ["min", "mean", "max", "majority"]].isna().all()
        assert frame.loc[pid, "count"] == 0.0
        assert frame.loc[pid, "valid_area_m2"] == 0.0
    assert frame.loc["in_nodata", "nodata_fraction"] == 1.0
    assert frame.loc["in_nodata", "outside_fraction"] == 0.0
    assert frame.loc["far_away", "nodata_fraction"] == 0.0
    assert frame.loc["far_away", "outside_fraction"] == 1.0


def test_multipolygon_and_missing_geometry(grid_tif):
    # (0,0)=1 and (4,0)=7, one whole cell each; the second parcel has no geometry at all.
    parts = MultiPolygon([cells(0, 0, 1, 1), cells(0, 4, 1, 5)])
    frame = zonal_stats(grid_tif, [parts, None], [1, 2], "EPSG:4549")
    assert frame.loc[1, "mean"] == (1 + 7) / 2
    assert frame.loc[1, "count"] == 2.0
    assert frame.loc[2].isna().all()


def test_invalid_bowtie_is_repaired(grid_tif):
    # Self-crossing (0,0)-(2,2)-(2,0)-(0,2): two triangles meeting at (1,1), each covering
    # half of two cells: (0,0)=1, (1,0)=2 on the left, (0,1)=2, (1,1)=2 on the right.
    bowtie = in_cells((0, 0), (2, 2), (2, 0), (0, 2))
    assert not bowtie.is_valid
    row = one(grid_tif, bowtie)
    expect(
        row,
        min=1,
        mean=(1 * 0.5 + 2 * 0.5 + 2 * 0.5 + 2 * 0.5) / 2.0,
        max=2,
        majority=2,
        count=2.0,
    )


def test_polygons_in_another_crs_are_reprojected(grid_tif):
    # The whole-cells parcel, given in CGCS2000 longitude/latitude.
    to_lonlat = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
    lonlat = shapely.transform(cells(0, 0, 3, 2), to_lonlat.transform, interleaved=False)
    assert lonlat.bounds[0] == pytest.approx(120.0, abs=0.01)
    row = one(grid_tif, lonlat, crs="EPSG:4490")
    assert row["mean"] == pytest.approx((1 + 2 + 3 + 2 + 2 + 3) / 6, rel=1e-6)
    assert row["count"] == pytest.approx(6.0, rel=1e-6)


def test_other_stats_and_count_once(grid_tif):
    row = one(grid_tif, cells(0.5, 3, 2.5, 4), stats=("sum", "count", "stdev"))
    assert list(row.index[:3]) == ["sum", "count", "stdev"]
    assert row["sum"] == pytest.approx(4 * 0.5 + 9 * 1.0 + 9 * 0.5)
    mean = 15.5 / 2.0
    variance = (0.5 * (4 - mean) ** 2 + 1.5 * (9 - mean) ** 2) / 2.0
    assert row["stdev"] == pytest.approx(math.sqrt(variance))


def test_nan_cells_are_nodata(tmp_path):
    # A float raster without a nodata value, NaN in (0,0): like the nodata cell above.
    grid = GRID.copy()
    grid[2, 2] = 5.0
    grid[0, 0] = np.nan
    path = write_grid(tmp_path / "nan.tif", grid, nodata=None)
    row = one(path, cells(0, 0, 2, 1))
    assert row["mean"] == 2.0
    assert row["count"] == 1.0
    assert row["nodata_fraction"] == 0.5


def test_integer_raster(tmp_path):
    grid = np.where(GRID == ND, 0, GRID).astype("uint8")
    path = write_grid(tmp_path / "cover.tif", grid, nodata=0)
    row = one(path, cells(1.5, 1.5, 3, 2.5))
    assert row["majority"] == 3
    assert row["nodata_fraction"] == pytest.approx(0.5 / 1.5)


def test_scaled_band(tmp_path):
    # Stored 2 and 4 with scale 0.5 and offset 10 mean 11 and 12 (read through rasterio's
    # masked, scaled path rather than the chunk cache).
    grid = np.array([[2, 4], [4, 4]], dtype="int16")
    path = write_grid(tmp_path / "scaled.tif", grid, nodata=-1)
    with rasterio.open(path, "r+") as dst:
        dst.scales = (0.5,)
        dst.offsets = (10.0,)
    row = one(path, cells(0, 0, 2, 1))
    assert row["mean"] == (11 + 12) / 2
    assert row["max"] == 12


def test_geographic_raster_area_in_metres(tmp_path):
    # A 1/10800° grid at 30°N; one parcel covering one cell exactly.
    step = 1 / 10800
    path = write_grid(
        tmp_path / "geo.tif",
        np.ones((4, 4), "float32"),
        crs="EPSG:4490",
        transform=Affine(step, 0, 120.0, 0, -step, 30.0 + 2 * step),
    )
    cell = box(120.0 + step, 30.0, 120.0 + 2 * step, 30.0 + step)
    row = one(path, cell, crs="EPSG:4490")
    width, height = ellipsoid_cell_metres(
        np.array([30.0 + step / 2]), step, step, 6378137.0, 1 / 298.257222101
    )
    assert row["count"] == pytest.approx(1.0)
    # On the ellipsoid, as a cell's ground size is (exactextract's sphere was 0.2 % off).
    assert row["valid_area_m2"] == pytest.approx(width[0] * height[0], rel=1e-6)


@pytest.mark.parametrize("chunk", [256, 16])
def test_results_follow_ids_whatever_the_visiting_order(tmp_path, monkeypatch, chunk):
    # A tiled 200×200 raster and 300 random boxes: block-ordered visiting must give each
    # id the numbers exactextract gives that polygon on its own, reading through rasterio.
    # With 16-cell chunks and a 4-chunk cache, windows span chunks and chunks are evicted.
    monkeypatch.setattr(zonal, "_CHUNK", chunk)
    rng = np.random.default_rng(7)
    grid = rng.integers(0, 50, size=(200, 200)).astype("float32")
    grid[rng.random(grid.shape) < 0.05] = ND
    path = write_grid(tmp_path / "tiled.tif", grid, tiled=True, blockxsize=32, blockysize=32)
    x = rng.uniform(-5, 195, 300)
    y = rng.uniform(-5, 195, 300)
    geoms = [
        cells(c, r, c + w, r + h)
        for c, r, w, h in zip(x, y, rng.uniform(0.3, 9, 300), rng.uniform(0.3, 9, 300), strict=True)
    ]
    ids = [f"p{i}" for i in range(300)]
    ours = zonal_stats(path, geoms, ids, "EPSG:4549", stats=("mean", "max"), cache_bytes=1)
    features = [
        {"type": "Feature", "properties": {"pid": pid}, "geometry": g.__geo_interface__}
        for pid, g in zip(ids, geoms, strict=True)
    ]
    theirs = exact_extract(
        path, features, ["mean", "max", "count"], include_cols=["pid"], output="pandas"
    ).set_index("pid")
    np.testing.assert_allclose(ours["mean"], theirs.loc[ids, "mean"], rtol=1e-12)
    np.testing.assert_allclose(ours["max"], theirs.loc[ids, "max"])
    np.testing.assert_allclose(ours["count"], theirs.loc[ids, "count"], rtol=1e-12)


def test_refusals(grid_tif):
    with pytest.raises(InvalidParameter) as err:
        zonal_stats(grid_tif, [cells(0, 0, 1, 1)], [1], "EPSG:4549", stats=("mode",))
    assert err.value.context == {"field": "stats", "reason": "reason.zonal_unknown_stat"}
    with pytest.raises(InvalidParameter) as err:
        zonal_stats(grid_tif, [shapely.Point(X0, Y0)], [1], "EPSG:4549")
    assert err.value.context == {"field": "geometry", "reason": "reason.zonal_not_polygon"}
    with pytest.raises(InvalidParameter) as err:
        zonal_stats(grid_tif, [cells(0, 0, 1, 1)], [1], "EPSG:4549", band=2)
    assert err.value.context == {"field": "band", "reason": "reason.raster_band_missing"}


def test_a_raster_on_another_datum_is_sampled_under_the_parcel(tmp_path):
    # A surface in S-JTSK (Prague) whose value is each cell's easting, and a 100 m parcel
    # 50 m inside its western edge, drawn in CGCS2000 through EPSG's published shift. The
    # ballpark transformation PROJ chose before put the parcel 117 m off: partly outside
    # the raster and with a mean easting off by about as much.
    x0, y0, cell = -743_500.0, -1_042_000.0, 10.0
    eastings = x0 + (np.arange(60) + 0.5) * cell
    path = write_tif(
        tmp_path / "sjtsk.tif",
        np.tile(eastings, (60, 1)).astype("float64"),
        "EPSG:5514",
        Affine(cell, 0, x0, 0, -cell, y0),
        None,
    )
    square = shapely.segmentize(box(x0 + 50, y0 - 300, x0 + 150, y0 - 200), 5.0)
    shift = published("EPSG:5514", "S-JTSK to WGS 84 (1)", 14.42, 50.09)
    lonlat = shapely.transform(square, shift.transform, interleaved=False)
    row = one(path, lonlat, crs="EPSG:4490", stats=("mean",))
    assert row["mean"] == pytest.approx(x0 + 100, abs=1.0)
    assert row["outside_fraction"] == 0.0 and row["nodata_fraction"] == 0.0


def test_valid_area_is_the_ground_area_on_the_ellipsoid(tmp_path):
    # Web mercator at 30°N draws every square metre as 1/cos²(30°) = 1.33 of its own; a
    # sum of grid cells said so too. The ground area is the parcel's geodesic area.
    to_mercator = Transformer.from_crs("EPSG:4490", "EPSG:3857", always_xy=True)
    left, top = to_mercator.transform(120.0, 30.01)
    path = write_tif(
        tmp_path / "mercator.tif",
        np.ones((100, 100), "float32"),
        "EPSG:3857",
        Affine(10.0, 0, left, 0, -10.0, top),
        None,
    )
    parcel = box(120.001, 30.004, 120.003, 30.006)
    row = one(path, parcel, crs="EPSG:4490", stats=("mean",))
    geodesic = abs(GEOD.geometry_area_perimeter(shapely.segmentize(parcel, 1e-5))[0])
    assert row["outside_fraction"] == 0.0
    assert row["valid_area_m2"] == pytest.approx(geodesic, rel=1e-6)
    assert row["count"] * 100.0 > 1.3 * geodesic  # what summing grid cells gave
