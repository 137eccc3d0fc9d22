"""City frames: local metric grids rotated against Gauss–Krüger, and their terrain.

Everything is drawn in a city frame (metres, origin at the city centre, x along the street
grid), then moved to the city's 3° Gauss–Krüger zone by one rotation + offset and to
CGCS2000 lon/lat with pyproj. Areas are therefore true metric areas, and the same
functions drive parcels (river, hills) and the rasters so they agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer

GEOGRAPHIC = 4490


def gk_epsg(lon: float) -> int:
    """EPSG code of the CGCS2000 3° Gauss–Krüger CM zone (no prefix) holding `lon`:
    4534 is CM 75°E, one code per 3°, so 4549 is CM 120°E."""
    cm = 3 * round(lon / 3)
    return 4534 + (cm - 75) // 3


@cache
def _to_geo(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, GEOGRAPHIC, always_xy=True)


@cache
def _to_gk(epsg: int) -> Transformer:
    return Transformer.from_crs(GEOGRAPHIC, epsg, always_xy=True)


@dataclass(slots=True)
class CityFrame:
    """A city's metric drawing frame and the terrain laid over it."""

    index: int
    name: str
    abbr: str
    lon: float
    lat: float
    rotation_deg: float
    half_w: float
    half_h: float
    districts: tuple[str, ...]
    river_y0: float
    river_amp: float
    river_wavelength: float
    river_phase: float
    river_width: float
    hill_phase: tuple[float, float, float] = field(default=(0.0, 0.0, 0.0))
    epsg: int = 0
    origin: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        self.epsg = gk_epsg(self.lon)
        x, y = _to_gk(self.epsg).transform(self.lon, self.lat)
        self.origin = (float(x), float(y))

    def to_gk(self, xy: np.ndarray) -> np.ndarray:
        """City-frame metres (N×2) to Gauss–Krüger easting/northing."""
        t = math.radians(self.rotation_deg)
        c, s = math.cos(t), math.sin(t)
        e = self.origin[0] + xy[:, 0] * c - xy[:, 1] * s
        n = self.origin[1] + xy[:, 0] * s + xy[:, 1] * c
        return np.column_stack([e, n])

    def to_lonlat(self, xy: np.ndarray) -> np.ndarray:
        """City-frame metres (N×2) to CGCS2000 lon/lat, rounded to 1e-9° (0.1 mm)."""
        gk = self.to_gk(xy)
        lon, lat = _to_geo(self.epsg).transform(gk[:, 0], gk[:, 1])
        return np.round(np.column_stack([lon, lat]), 9)

    def from_lonlat(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Inverse of `to_lonlat`, for raster cell centres."""
        e, n = _to_gk(self.epsg).transform(lon, lat)
        t = math.radians(self.rotation_deg)
        c, s = math.cos(t), math.sin(t)
        de, dn = e - self.origin[0], n - self.origin[1]
        return de * c + dn * s, -de * s + dn * c

    def georeference(self, geoms: np.ndarray, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
        """Move shapes drawn at offset (dx, dy) of this frame to lon/lat, in one
        vectorised transform (the per-building affine is the offset plus the frame)."""
        return shapely.transform(geoms, lambda xy: self.to_lonlat(xy + (dx, dy)))

    def river_centre(self, x: np.ndarray) -> np.ndarray:
        """y of the river's centre line at x."""
        return self.river_y0 + self.river_amp * np.sin(
            2 * np.pi * x / self.river_wavelength + self.river_phase
        )

    def elevation(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Ground height (m): a plain at ~5 m, hills rising to ~300 m on the west, and a
        valley cut by the river."""
        west = np.clip((-x - 0.15 * self.half_w) / (0.85 * self.half_w), 0.0, 1.0)
        p1, p2, p3 = self.hill_phase
        ripple = (
            np.sin(x / 430.0 + p1) * np.cos(y / 510.0 + p2) * 0.5
            + np.sin((x + y) / 260.0 + p3) * 0.25
            + 1.0
        ) / 1.75
        hills = 290.0 * west**1.4 * (0.55 + 0.45 * ripple)
        plain = 5.0 + 3.0 * (y / self.half_h + 1.0) + 1.5 * ripple
        d = np.abs(y - self.river_centre(x))
        valley = np.clip(1.0 - d / (4.0 * self.river_width), 0.0, 1.0) ** 2 * 6.0
        return np.maximum(hills + plain - valley, 0.0)

    def flood_depth(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flood depth (m) of a design flood: water stands where the river valley is
        deeper than the local relief, so only the channel and low banks get wet."""
        base = 5.0 + 3.0 * (y / self.half_h + 1.0)
        rel = self.elevation(x, y) - base
        return np.clip(-rel - 0.5, 0.0, None)

    def in_river(self, x: np.ndarray, y: np.ndarray, margin: float = 0.0) -> np.ndarray:
        """Whether points lie in the river channel (widened by `margin` metres)."""
        return np.abs(y - self.river_centre(x)) < self.river_width / 2 + margin


def make_frames(
    rng: np.random.Generator,
    cities: list[tuple[str, str, float, float, tuple[str, ...]]],
    half_sizes: list[tuple[float, float]],
) -> list[CityFrame]:
    """One frame per city with its own river and small grid rotation."""
    frames = []
    for i, ((name, abbr, lon, lat, districts), (hw, hh)) in enumerate(
        zip(cities, half_sizes, strict=True)
    ):
        frames.append(
            CityFrame(
                index=i,
                name=name,
                abbr=abbr,
                lon=lon,
                lat=lat,
                rotation_deg=float(rng.uniform(-6.0, 6.0)),
                half_w=hw,
                half_h=hh,
                districts=districts,
                river_y0=float(-0.45 * hh),
                river_amp=float(rng.uniform(0.08, 0.14) * hh),
                river_wavelength=float(rng.uniform(1.2, 1.8) * hw),
                river_phase=float(rng.uniform(0, 2 * np.pi)),
                river_width=float(rng.uniform(140.0, 220.0)),
                hill_phase=tuple(float(v) for v in rng.uniform(0, 2 * np.pi, 3)),
            )
        )
    return frames


def as_array(geoms: list) -> np.ndarray:
    """A 1-D object array of geometries (np.array would try to iterate multi-parts)."""
    out = np.empty(len(geoms), dtype=object)
    out[:] = geoms
    return out


def hex_ewkb(geoms: np.ndarray, srid: int) -> list[str]:
    """Hex EWKB with SRID (what PostGIS parses fastest from COPY text)."""
    return shapely.to_wkb(shapely.set_srid(geoms, srid), hex=True, include_srid=srid != 0).tolist()
