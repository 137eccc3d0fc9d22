"""GCJ-02 (火星坐标, the offset lon/lat of Chinese web maps) back to WGS 84.

GCJ-02 is WGS 84 plus a deliberate, smooth offset of a few hundred metres; the forward
formula is public and the inverse is found by fixed-point iteration. `prcoords` (public
domain, PyPI) does both; its iterative inverse is within a millimetre of the WGS 84 point.
Only used when an import declares its coordinates GCJ-02: silently guessed, the offset would
move every building by up to ~700 m.
"""

from __future__ import annotations

import numpy as np
import prcoords
import shapely


def _inverse(xy: np.ndarray) -> np.ndarray:
    out = xy.copy()
    for i, (lon, lat) in enumerate(xy):
        # Outside China GCJ-02 is WGS 84 unchanged (the offset is applied only inside).
        if prcoords.sanity_in_china_p(prcoords.Coords(lat, lon)):
            wgs = prcoords.gcj_wgs_bored((lat, lon))
            out[i] = (wgs.lon, wgs.lat)
    return out


def gcj02_to_wgs84(geoms: np.ndarray) -> np.ndarray:
    """`geoms` in GCJ-02 lon/lat moved to WGS 84 lon/lat (2-D)."""
    return shapely.transform(geoms, _inverse)
