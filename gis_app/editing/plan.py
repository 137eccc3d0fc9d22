"""A room drawn or reshaped in one coordinate system, kept consistent in the other.

A room stores its outline twice: `geom` (CGCS2000 lon/lat) and `local_geom` (floor-plan
metres). The relation between them is whatever the floor's source made it (a DXF's
georeference, or the plan projection of `gis_app.ingest.local`), so an edit learns it from
the floor's own rooms: a least-squares affine map between their local vertices and the
same vertices projected to metres (transverse Mercator on the floor). A floor without
rooms takes the import's convention: metres from the building's south-west corner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.ingest.local import plan_projection

PAIRS_SQL = text(
    "SELECT ST_AsBinary(r.local_geom) AS local, ST_AsBinary(r.geom) AS geo FROM room r "
    "WHERE r.floor_id = :floor_id ORDER BY r.id LIMIT 40"
)
BUILDING_SQL = text(
    "SELECT ST_AsBinary(b.geom) FROM floor f JOIN building b ON b.id = f.building_id "
    "WHERE f.id = :floor_id"
)
MIN_POINTS = 3


@dataclass(frozen=True)
class PlanMap:
    """local = A · plan + b, where plan is the lon/lat projected to metres around `lon0`."""

    lon0: float
    matrix: np.ndarray
    """3×2: rows are the coefficients of plan x, plan y and 1."""

    def to_local(self, geo: shapely.Geometry) -> shapely.Geometry:
        """Lon/lat → floor-plan metres."""
        forward = plan_projection(self.lon0)

        def move(xy: np.ndarray) -> np.ndarray:
            x, y = forward.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y, np.ones(len(xy))]) @ self.matrix

        return shapely.transform(geo, move)

    def to_geo(self, local: shapely.Geometry) -> shapely.Geometry:
        """Floor-plan metres → lon/lat."""
        square = np.vstack([self.matrix.T, [0.0, 0.0, 1.0]])
        inverse = np.linalg.inv(square)
        backward = plan_projection(self.lon0)

        def move(xy: np.ndarray) -> np.ndarray:
            plan = np.column_stack([xy[:, 0], xy[:, 1], np.ones(len(xy))]) @ inverse.T
            lon, lat = backward.transform(plan[:, 0], plan[:, 1], direction="INVERSE")
            return np.column_stack([lon, lat])

        return shapely.transform(local, move)


def _vertex_pairs(session: Session, floor_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Matching vertices of the floor's rooms, local and lon/lat (rings of the same length
    only: a room reshaped in one system only would pair wrong vertices)."""
    local_points, geo_points = [], []
    for row in session.execute(PAIRS_SQL, {"floor_id": floor_id}):
        local = shapely.get_coordinates(shapely.from_wkb(row.local))
        geo = shapely.get_coordinates(shapely.from_wkb(row.geo))
        if len(local) == len(geo):
            local_points.append(local)
            geo_points.append(geo)
    if not local_points:
        return np.empty((0, 2)), np.empty((0, 2))
    return np.vstack(local_points), np.vstack(geo_points)


def floor_plan_map(session: Session, floor_id: int) -> PlanMap:
    """How the floor's lon/lat and plan metres relate (see the module docstring)."""
    local, geo = _vertex_pairs(session, floor_id)
    if len(local) >= MIN_POINTS:
        lon0 = round(float(np.mean(geo[:, 0])), 3)
        x, y = plan_projection(lon0).transform(geo[:, 0], geo[:, 1])
        design = np.column_stack([x, y, np.ones(len(x))])
        if np.linalg.matrix_rank(design) == 3:
            matrix, *_ = np.linalg.lstsq(design, local, rcond=None)
            return PlanMap(lon0, matrix)
    wkb = session.execute(BUILDING_SQL, {"floor_id": floor_id}).scalar_one()
    building = shapely.from_wkb(wkb)
    west, south, east, _ = building.bounds
    lon0 = round((west + east) / 2, 3)
    x0, y0 = plan_projection(lon0).transform(west, south)
    matrix = np.array([[1.0, 0.0], [0.0, 1.0], [-x0, -y0]])
    return PlanMap(lon0, matrix)


def to_local(session: Session, floor_id: int, geo: shapely.Geometry) -> shapely.Geometry:
    """A lon/lat outline on the floor in its plan metres."""
    return floor_plan_map(session, floor_id).to_local(geo)


def to_geo(session: Session, floor_id: int, local: shapely.Geometry) -> shapely.Geometry:
    """A plan-metre outline on the floor in lon/lat."""
    return floor_plan_map(session, floor_id).to_geo(local)
