"""Slope in degrees from a DEM, by Horn's 3×3 method, with cell sizes in metres.

Cell sizes come from the raster's CRS, never from its raw numbers: projected grids are
scaled by the CRS linear unit (feet become metres), and geographic grids get, for every row,
the ground length of one cell at that row's latitude on the CRS's own ellipsoid
(dy = M·Δφ, dx = N·cos φ·Δλ). Elevations are taken to be metres; pass `z_factor` (metres per
elevation unit) otherwise.

Output cells are nodata where any of the nine cells of the window is nodata, and along the
outer edge (first and last row and column), where the window is incomplete: GDAL's
`gdaldem slope` does the same without `-compute_edges`. The DEM is read in strips of rows
with a one-row halo, so memory stays at a few strips whatever the raster's size.
"""

from __future__ import annotations

import math
import os
import uuid
from os import PathLike
from pathlib import Path

import numpy as np
import rasterio
from pyproj import CRS
from rasterio.windows import Window

from gis_app.raster.inspect import RasterInfo, describe, open_quietly

NODATA = -9999.0
STRIP_ROWS = 256


def ellipsoid_cell_metres(
    lat_deg: np.ndarray, dlon_deg: float, dlat_deg: float, a: float, f: float
) -> tuple[np.ndarray, np.ndarray]:
    """Ground width and height (m) of a cell of dlon × dlat degrees centred at `lat_deg`,
    from the meridian (M) and prime-vertical (N) radii of curvature of ellipsoid (a, f)."""
    phi = np.radians(lat_deg)
    e2 = f * (2.0 - f)
    w = np.sqrt(1.0 - e2 * np.sin(phi) ** 2)
    m = a * (1.0 - e2) / w**3
    n = a / w
    return n * np.cos(phi) * math.radians(dlon_deg), m * math.radians(dlat_deg)


def _row_cell_metres(ds: rasterio.DatasetReader) -> tuple[np.ndarray, np.ndarray]:
    """Width and height in metres of the cells of every row."""
    t = ds.transform
    rows = np.arange(ds.height, dtype=np.float64)
    if ds.crs.is_geographic:
        crs = CRS.from_wkt(ds.crs.to_wkt())
        ellipsoid = crs.ellipsoid
        if ellipsoid is None:
            raise ValueError("geographic CRS without an ellipsoid")
        inv_f = ellipsoid.inverse_flattening
        f = 0.0 if not inv_f else 1.0 / inv_f
        lat = t.f + (rows + 0.5) * t.e
        return ellipsoid_cell_metres(lat, abs(t.a), abs(t.e), ellipsoid.semi_major_metre, f)
    _, unit_m = ds.crs.linear_units_factor
    return np.full(ds.height, abs(t.a) * unit_m), np.full(ds.height, abs(t.e) * unit_m)


def horn_slope(z: np.ndarray, dx: np.ndarray, dy: np.ndarray, z_factor: float = 1.0) -> np.ndarray:
    """Slope (degrees) of the inner cells of `z` (NaN = nodata), shape (rows-2, cols-2).

    `dx`, `dy` hold the cell width and height of each row of `z` in metres. Each row's
    east-west difference is divided by that row's own width, which is Horn's formula when
    all rows are alike and stays right where cells narrow towards the pole."""
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, e, f = z[1:-1, :-2], z[1:-1, 1:-1], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dx_top, dx_mid, dx_bot = dx[:-2, None], dx[1:-1, None], dx[2:, None]
    dz_dx = ((c - a) / dx_top + 2.0 * (f - d) / dx_mid + (i - g) / dx_bot) / 8.0
    dz_dy = ((g + 2.0 * h + i) - (a + 2.0 * b + c)) / (8.0 * dy[1:-1, None])
    slope = np.degrees(np.arctan(np.hypot(dz_dx, dz_dy) * z_factor))
    slope[np.isnan(e)] = np.nan
    return slope


def write_slope(
    dem_path: str | PathLike[str],
    out_path: str | PathLike[str],
    band: int = 1,
    *,
    z_factor: float = 1.0,
    strip_rows: int = STRIP_ROWS,
) -> RasterInfo:
    """Write the slope (degrees, float32, nodata -9999) of `dem_path` to `out_path` on the
    same grid and CRS. The file appears whole or not at all: it is written under a temporary
    name beside `out_path` and renamed at the end. Refuses unusable DEMs like `describe`.
    Returns the description of the written file."""
    describe(dem_path, band)
    out = Path(out_path)
    part = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open_quietly(dem_path) as src:
            dx, dy = _row_cell_metres(src)
            # A band stored with a scale (e.g. centimetres as int16 with scale 0.01) is
            # steeper or flatter by that factor; the offset does not change the slope.
            z_scale = z_factor * src.scales[band - 1]
            profile = {
                "driver": "GTiff",
                "width": src.width,
                "height": src.height,
                "count": 1,
                "dtype": "float32",
                "crs": src.crs,
                "transform": src.transform,
                "nodata": NODATA,
                "tiled": True,
                "blockxsize": 256,
                "blockysize": 256,
                "compress": "deflate",
                "predictor": 3,
                "BIGTIFF": "IF_SAFER",
            }
            with rasterio.open(part, "w", **profile) as dst:
                for r0 in range(0, src.height, strip_rows):
                    r1 = min(r0 + strip_rows, src.height)
                    dst.write(
                        _slope_strip(src, band, r0, r1, dx, dy, z_scale),
                        1,
                        window=Window(0, r0, src.width, r1 - r0),
                    )
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return describe(out)


def _slope_strip(
    src: rasterio.DatasetReader,
    band: int,
    r0: int,
    r1: int,
    dx: np.ndarray,
    dy: np.ndarray,
    z_factor: float,
) -> np.ndarray:
    """Slope of rows r0..r1 (float32, NODATA where undefined), read with a one-row halo."""
    lo, hi = max(r0 - 1, 0), min(r1 + 1, src.height)
    window = Window(0, lo, src.width, hi - lo)
    z = src.read(band, window=window, masked=True).astype(np.float64).filled(np.nan)
    out = np.full((r1 - r0, src.width), np.nan, dtype=np.float64)
    if z.shape[0] >= 3 and z.shape[1] >= 3:
        # Inner rows of the block are global rows lo+1 .. hi-2.
        out[lo + 1 - r0 : hi - 1 - r0, 1:-1] = horn_slope(z, dx[lo:hi], dy[lo:hi], z_factor)
    return np.where(np.isnan(out), NODATA, out).astype(np.float32)
