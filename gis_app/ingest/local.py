"""Floor-plan (local) coordinates for rooms that arrive georeferenced.

A room stores its outline twice: `geom` in CGCS2000 lon/lat and `local_geom` in floor-plan
metres (SRID 0). Rooms imported from GeoJSON, Shapefile or IMDF come only georeferenced, so
their plan is made here: a transverse Mercator on the CGCS2000 ellipsoid centred on the
building (true metres; scale error far below 0.01 % across a building, anywhere on Earth),
shifted so the building's south-west corner is (0, 0).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import shapely
from pyproj import CRS, Transformer

from gis_app.models.base import SRID


@cache
def plan_projection(lon: float) -> Transformer:
    """Lon/lat → metres on a transverse Mercator centred on `lon` (the plan's metres)."""
    plan = CRS.from_proj4(f"+proj=tmerc +lon_0={lon:.6f} +lat_0=0 +k=1 +ellps=GRS80 +units=m")
    return Transformer.from_crs(SRID, plan, always_xy=True)


def plan_coordinates(geoms: np.ndarray, anchor: shapely.Geometry | None = None) -> np.ndarray:
    """`geoms` (lon/lat, one building's rooms) in plan metres with the south-west corner of
    `anchor` (the building, else the rooms themselves) at the origin."""
    reference = anchor if anchor is not None else shapely.union_all(geoms)
    west, south, east, _ = reference.bounds
    transformer = plan_projection(round((west + east) / 2, 3))
    x0, y0 = transformer.transform(west, south)

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(x) - x0, np.asarray(y) - y0])

    return shapely.transform(geoms, move)
