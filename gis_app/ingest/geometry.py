"""Make geometries fit a column's type (single parts become multi, one-part multis single
for the columns that store one polygon) and say why those that cannot fit are refused, with
GEOS's validity reason — the same test the database's validation trigger runs, so nothing
checked here fails there."""

from __future__ import annotations

from typing import Literal

import numpy as np
import shapely

from gis_app.ingest.report import Problem

GeometryKind = Literal["point", "line", "polygon", "single_polygon"]
"""What a column stores: Point, MultiLineString, MultiPolygon, or one Polygon (floors, rooms)."""
_POINT, _LINE, _POLYGON, _MULTIPOINT, _MULTILINE, _MULTIPOLYGON = 0, 1, 3, 4, 5, 6
_STORED = {
    "point": _POINT,
    "line": _MULTILINE,
    "polygon": _MULTIPOLYGON,
    "single_polygon": _POLYGON,
}
_UNWRAP = {"point": _MULTIPOINT, "single_polygon": _MULTIPOLYGON}


def _fit(geoms: np.ndarray, kind: GeometryKind) -> np.ndarray:
    """Single parts as multi (one-part MultiPoints and MultiPolygons as their one part where
    the column stores single ones); other types unchanged."""
    out = geoms.copy()
    types = shapely.get_type_id(geoms)
    if kind in _UNWRAP:
        one = np.flatnonzero((types == _UNWRAP[kind]) & (shapely.get_num_geometries(geoms) == 1))
        out[one] = shapely.get_geometry(geoms[one], 0)
    else:
        part, build = (
            (_LINE, shapely.multilinestrings)
            if kind == "line"
            else (_POLYGON, shapely.multipolygons)
        )
        single = np.flatnonzero(types == part)
        if single.size:
            out[single] = build(geoms[single].reshape(-1, 1))
    return out


def conform(
    geoms: np.ndarray, fids: np.ndarray | None, kind: GeometryKind
) -> tuple[np.ndarray, list[Problem]]:
    """Geometries of `kind` as the column stores them (Point, MultiLineString,
    MultiPolygon, Polygon), and a problem for each empty, wrongly typed or invalid one.

    Missing geometries (None) are skipped: the reader has reported them already.
    """
    out = _fit(geoms, kind)
    types = shapely.get_type_id(out)
    empty = shapely.is_empty(out)
    reasons = shapely.is_valid_reason(out)
    problems: list[Problem] = []
    for i in np.flatnonzero(types >= 0).tolist():
        if empty[i]:
            code, detail = "empty_geometry", None
        elif types[i] != _STORED[kind]:
            code, detail = "wrong_geometry_type", out[i].geom_type
        elif reasons[i] != "Valid Geometry":
            code, detail = "invalid_geometry", str(reasons[i])
        else:
            continue
        problems.append(
            Problem(i, int(fids[i]) if fids is not None else None, "geom", code, detail)
        )
    return out, problems


def overlapping_pairs(shapes: np.ndarray, min_area: float) -> list[tuple[int, int, float]]:
    """(later, earlier, shared area) of each pair of `shapes` (plan metres) sharing more than
    `min_area`: found through an STRtree, measured only for the pairs that touch."""
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    later = left > right
    left, right = left[later], right[later]
    shared = shapely.area(shapely.intersection(shapes[left], shapes[right]))
    return [
        (a, b, m2)
        for a, b, m2 in zip(left.tolist(), right.tolist(), shared.tolist(), strict=True)
        if m2 > min_area
    ]
