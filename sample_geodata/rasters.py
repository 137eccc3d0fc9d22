"""DEM and flood-depth GeoTIFFs (EPSG:4490, ~10 m cells) computed from the city frames.

The rasters cover each city's lon/lat bounding box; cells outside the rotated city frame
are nodata. They are written in row strips so memory stays small for large cities.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.transform import from_origin
from rasterio.windows import Window
from sqlalchemy import select
from sqlalchemy.orm import Session

from sample_geodata.geo import CityFrame

NODATA = -9999.0
MEANINGS = {
    "dem": ("数字高程模型", "Digital elevation model", "dem", "m"),
    "flood_depth": ("设计洪水淹没深度", "Design flood depth", "flood_depth", "m"),
}
"""How the demo registers its rasters: code → (name zh, name en, kind, units)."""
CELL_M = 10.0
STRIP = 256


def _bounds(frame: CityFrame) -> tuple[float, float, float, float]:
    corners = np.array(
        [
            (-frame.half_w, -frame.half_h),
            (frame.half_w, -frame.half_h),
            (frame.half_w, frame.half_h),
            (-frame.half_w, frame.half_h),
        ]
    )
    ll = frame.to_lonlat(corners)
    return ll[:, 0].min(), ll[:, 1].min(), ll[:, 0].max(), ll[:, 1].max()


def write_city_rasters(frame: CityFrame, out_dir: Path, suffix: str = "") -> dict[str, str]:
    """Write dem{suffix}.tif and flood_depth{suffix}.tif; returns their paths."""
    west, south, east, north = _bounds(frame)
    dlat = CELL_M / 111_320.0
    dlon = CELL_M / (111_320.0 * math.cos(math.radians(frame.lat)))
    width = math.ceil((east - west) / dlon)
    height = math.ceil((north - south) / dlat)
    profile = {
        "driver": "GTiff",
        "dtype": "float32",
        "count": 1,
        "width": width,
        "height": height,
        "crs": CRS.from_epsg(4490),
        "transform": from_origin(west, north, dlon, dlat),
        "nodata": NODATA,
        "compress": "lzw",
        "predictor": 3,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    paths = {
        "dem": out_dir / f"dem{suffix}.tif",
        "flood_depth": out_dir / f"flood_depth{suffix}.tif",
    }
    lon = west + (np.arange(width) + 0.5) * dlon
    with (
        rasterio.open(paths["dem"], "w", **profile) as dem,
        rasterio.open(paths["flood_depth"], "w", **profile) as flood,
    ):
        dem.update_tags(units="m", description="synthetic terrain, hills to the west")
        flood.update_tags(units="m", description="synthetic design-flood depth")
        for r0 in range(0, height, STRIP):
            rows = min(STRIP, height - r0)
            lat = north - (np.arange(r0, r0 + rows) + 0.5) * dlat
            glon, glat = np.meshgrid(lon, lat)
            x, y = frame.from_lonlat(glon.ravel(), glat.ravel())
            inside = (np.abs(x) <= frame.half_w) & (np.abs(y) <= frame.half_h)
            z = np.where(inside, frame.elevation(x, y), NODATA).astype("float32")
            f = np.where(inside, frame.flood_depth(x, y), NODATA).astype("float32")
            window = Window(0, r0, width, rows)
            dem.write(np.round(z, 2).reshape(rows, width), 1, window=window)
            flood.write(np.round(f, 2).reshape(rows, width), 1, window=window)
    return {k: str(v) for k, v in paths.items()}


def write_rasters(frames: list[CityFrame], out_dir: Path) -> dict[str, dict[str, str]]:
    """One DEM and one flood raster per city (no suffix when there is a single city)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    single = len(frames) == 1
    return {f.abbr: write_city_rasters(f, out_dir, "" if single else f"_{f.abbr}") for f in frames}


def register_sample_rasters(session: Session, sample_dir: Path, raster_dir: Path) -> list[str]:
    """Register the single-city demo's DEM (with its slope) and flood depth and compute the
    parcels' statistics, in the caller's transaction; those already registered are left as
    they are. Returns the codes registered now."""
    from gis_app.models import RasterLayer
    from gis_app.raster.registry import RasterMeaning, register_raster

    known = set(session.scalars(select(RasterLayer.code)))
    done = []
    for code, (name_zh, name_en, kind, units) in MEANINGS.items():
        if code not in known:
            meaning = RasterMeaning(code, name_zh, name_en, kind, units)
            register_raster(session, sample_dir / f"{code}.tif", meaning, raster_dir)
            done.append(code)
    return done
