"""Rasters as pictures for the map: a DEM's hillshade, a depth (or any surface) in a colour
ramp, warped to web mercator so the image lies exactly where Leaflet draws it.

The image spans the raster's lon/lat bounding box; `overlay_bounds` gives that box for the
page. The raster is warped by the same transformation its footprint and statistics take
(`gis_app.geodesy.transform`, handed to GDAL as the coordinate operation), so a raster on
another datum lies where its data does rather than where PROJ's ballpark guess would put
it. Shading uses the ground size of each mercator row (the cell size times cos latitude),
so relief looks the same north and south.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Literal

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rasterio.transform import from_bounds
from rasterio.warp import Resampling, reproject, transform_bounds

from gis_app.geodesy.transform import Transformation, to_storage
from gis_app.layers.fields import check_color

Style = Literal["hillshade", "ramp"]
WEB_MERCATOR = "EPSG:3857"
EXAGGERATION = 3.0
"""Vertical exaggeration of the hillshade: gentle plains would otherwise show no relief."""
FLAT_SHADE = math.cos(math.radians(45.0))
"""Shade of flat ground at the default sun; the overlay is clear there, darkens slopes away
from the sun and lightens those facing it, so the map under it stays readable."""
DEPTH_RAMP = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
"""Shallow to deep water (ColorBrewer Blues)."""


def _placing(src: rasterio.DatasetReader, crs: str | None) -> Transformation:
    """How the raster reaches CGCS2000: by the CRS it was registered with when given (a
    registered raster was accepted, ballpark or not, when it was registered)."""
    return to_storage(crs or src.crs.to_wkt(), tuple(src.bounds), allow_ballpark=True)


def overlay_bounds(path: Path, crs: str | None = None) -> tuple[float, float, float, float]:
    """(west, south, east, north) in lon/lat of the picture of the raster at `path`."""
    with rasterio.open(path) as src:
        return _placing(src, crs).bounds_to_storage(tuple(src.bounds))


def _warped(path: Path, band: int, size: int, crs: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The band in web mercator, at most `size` pixels on its longer side (NaN = nodata),
    and the ground size in metres of the cells of each output row."""
    west, south, east, north = overlay_bounds(path, crs)
    left, bottom, right, top = transform_bounds("EPSG:4326", WEB_MERCATOR, west, south, east, north)
    scale = size / max(right - left, top - bottom)
    width, height = max(1, round((right - left) * scale)), max(1, round((top - bottom) * scale))
    out = np.full((height, width), np.nan, dtype=np.float32)
    with rasterio.open(path) as src:
        reproject(
            rasterio.band(src, band),
            out,
            dst_transform=from_bounds(left, bottom, right, top, width, height),
            dst_crs=WEB_MERCATOR,
            dst_nodata=np.nan,
            resampling=Resampling.bilinear,
            COORDINATE_OPERATION=_placing(src, crs).pipeline_to(WEB_MERCATOR, src.crs.to_wkt()),
        )
    y = top - (np.arange(height) + 0.5) * (top - bottom) / height
    lat = np.degrees(2 * np.arctan(np.exp(y / 6378137.0)) - math.pi / 2)
    return out, (right - left) / width * np.cos(np.radians(lat))


def hillshade(
    z: np.ndarray, cell_m: np.ndarray, azimuth: float = 315.0, altitude: float = 45.0
) -> np.ndarray:
    """Shading 0–1 of surface `z` lit from `azimuth`/`altitude` degrees (ESRI's formula:
    rows run south, so the row gradient is south minus north); `cell_m` is the ground size
    of the (square) cells of each row."""
    dz_dy, dz_dx = np.gradient(z.astype(np.float64))
    dz_dx = dz_dx / cell_m[:, None]
    dz_dy = dz_dy / cell_m[:, None]
    slope = np.arctan(np.hypot(dz_dx, dz_dy))
    aspect = np.arctan2(dz_dy, -dz_dx)
    zenith = math.radians(90.0 - altitude)
    sun = math.radians(360.0 - azimuth + 90.0)
    shade = np.cos(zenith) * np.cos(slope) + np.sin(zenith) * np.sin(slope) * np.cos(sun - aspect)
    return np.clip(shade, 0.0, 1.0)


def _ramp_rgb(values: np.ndarray, vmin: float, vmax: float, colors: tuple[str, ...]) -> np.ndarray:
    stops = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in map(check_color, colors)])
    t = np.clip((values - vmin) / (vmax - vmin if vmax > vmin else 1.0), 0.0, 1.0)
    position = t * (len(colors) - 1)
    low = np.floor(position).astype(int).clip(0, len(colors) - 2)
    frac = (position - low)[..., None]
    return (stops[low] * (1 - frac) + stops[low + 1] * frac).round().astype(np.uint8)


def render_png(
    path: Path,
    style: Style,
    *,
    band: int = 1,
    size: int = 1024,
    vmax: float | None = None,
    crs: str | None = None,
) -> bytes:
    """An RGBA PNG of the raster: hillshade as shadows and highlights over a clear flat
    ground (nodata clear), or a blue ramp from 0 to
    `vmax` (default the 98th percentile) where values are above 0 (dry and nodata clear).
    `crs` is the one the raster was registered with (default: the file's)."""
    z, cell_m = _warped(path, band, size, crs)
    rgba = np.zeros((*z.shape, 4), dtype=np.uint8)
    valid = ~np.isnan(z)
    if style == "hillshade":
        filled = np.where(valid, z, np.nanmean(z) if valid.any() else 0.0)
        relief = hillshade(filled * EXAGGERATION, cell_m) - FLAT_SHADE
        rgba[..., :3] = np.where(relief[..., None] > 0, 255, 0).astype(np.uint8)
        rgba[..., 3] = np.where(valid, np.clip(np.abs(relief) * 500, 0, 170), 0).astype(np.uint8)
    else:
        wet = valid & (z > 0)
        top = vmax if vmax is not None else float(np.percentile(z[wet], 98)) if wet.any() else 1.0
        rgba[..., :3] = _ramp_rgb(np.where(wet, z, 0.0), 0.0, top, DEPTH_RAMP)
        rgba[..., 3] = np.where(wet, 190, 0)
    height, width = z.shape
    with warnings.catch_warnings(), MemoryFile() as memory:
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a picture, not a dataset
        with memory.open(driver="PNG", width=width, height=height, count=4, dtype="uint8") as png:
            png.write(np.moveaxis(rgba, -1, 0))
        return memory.read()
