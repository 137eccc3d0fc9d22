"""The Web Mercator tile grid (XYZ, as Leaflet and ST_TileEnvelope number it).

A tile is a rectangle in lon/lat too (Web Mercator maps meridians and parallels to straight
lines), so its envelope in EPSG:4490 is four numbers: the index filter on `geom` uses them
directly. CGCS2000 and WGS 84 differ by centimetres, far below a tile's pixel.
"""

from __future__ import annotations

import math

from gis_app.layers.sources import BUFFER, EXTENT

MAX_ZOOM = 24
"""Deepest zoom the tile endpoint accepts (a few centimetres a pixel)."""


def tile_count(z: int) -> int:
    """Tiles along each axis at zoom `z`."""
    return 1 << z


def _lat(y: float, n: int) -> float:
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


def tile_bbox(
    z: int, x: int, y: int, buffer: float = BUFFER / EXTENT
) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of tile z/x/y grown by `buffer` tile widths on
    each side (the MVT buffer), clamped to the Web Mercator world."""
    n = tile_count(z)
    x0, x1 = max(x - buffer, 0.0), min(x + 1 + buffer, float(n))
    y0, y1 = max(y - buffer, 0.0), min(y + 1 + buffer, float(n))
    return (x0 / n * 360 - 180, _lat(y1, n), x1 / n * 360 - 180, _lat(y0, n))


def tile_at(lon: float, lat: float, z: int) -> tuple[int, int]:
    """(x, y) of the tile holding the point at zoom `z` (for benchmarks and tests)."""
    n = tile_count(z)
    x = int((lon + 180) / 360 * n)
    rad = math.radians(lat)
    y = int((1 - math.asinh(math.tan(rad)) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)
