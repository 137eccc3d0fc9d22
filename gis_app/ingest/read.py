"""Read one layer of a GeoJSON, GeoPackage or other OGR file into CGCS2000 2-D geometries.

Every vector import goes through `read_features`, so the CRS rules are the same everywhere:
the file's CRS or the one the user declares (which wins), an error when there is neither,
GCJ-02 and BD-09 refused (they are deliberately distorted and have no published
transformation), Z and M dropped, and coordinates outside China reported per feature
(the usual sign of metres read as degrees or swapped axes).
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.errors
import pyogrio.raw
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from gis_app.ingest.report import ImportRefused, Problem
from gis_app.models.base import SRID

CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)
"""Lon/lat box of the land and seas CGCS2000 serves (EPSG:4490's own area of use stops at
16.7°N and leaves out the South China Sea islands)."""
OBFUSCATED = re.compile(r"GCJ0?2|BD0?9")
"""GCJ-02 (火星坐标) and BD-09 (Baidu) in a CRS text with separators removed."""
_READ_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


@dataclass(slots=True)
class Features:
    """A layer's features: geometries in EPSG:4490 (None where missing or unreadable),
    attribute columns by file field name, and the problems found while reading."""

    path: str
    layer: str
    fids: np.ndarray
    geoms: np.ndarray
    columns: dict[str, np.ndarray]
    crs: str
    crs_from: str
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.geoms)

    def fid(self, index: int) -> int | None:
        return int(self.fids[index]) if self.fids is not None else None

    def column(self, name: str) -> np.ndarray | None:
        """The column called `name`, or the only one that matches it ignoring case."""
        if name in self.columns:
            return self.columns[name]
        folded = [k for k in self.columns if k.casefold() == name.casefold()]
        return self.columns[folded[0]] if len(folded) == 1 else None


def _refuse(field_name: str, reason: str, **values: object) -> ImportRefused:
    return ImportRefused(field=field_name, reason=f"ingest.reason.{reason}", **values)


def _check_not_obfuscated(text: str, field_name: str) -> None:
    if OBFUSCATED.search(re.sub(r"[^A-Z0-9]", "", text.upper())):
        raise _refuse(field_name, "obfuscated_crs", crs=text)


def resolve_crs(file_crs: str | None, source_crs: str | None) -> tuple[CRS, str]:
    """The CRS the coordinates are in, and where it came from: "source_crs" (the user's
    declaration wins) or "file"."""
    if source_crs is not None:
        where, text = "source_crs", source_crs
        _check_not_obfuscated(text, where)
    elif file_crs:
        where, text = "path", file_crs
    else:
        raise _refuse("source_crs", "no_crs")
    try:
        crs = CRS.from_user_input(text)
    except CRSError as exc:
        raise _refuse(where, "unknown_crs", crs=text) from exc
    for name in (crs.name, crs.datum.name if crs.datum else ""):
        _check_not_obfuscated(name, where)
    crs = crs.to_2d()
    if not (crs.is_geographic or crs.is_projected):
        raise _refuse(where, "unusable_crs", crs=crs.name)
    return crs, "source_crs" if where == "source_crs" else "file"


def _pick_layer(path: str, layer_name: str | None, preferred: str | None) -> str:
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except _READ_ERRORS as exc:
        raise _refuse("path", "unreadable", detail=str(exc)) from exc
    listed = ", ".join(layers)
    if layer_name is not None:
        if layer_name not in layers:
            raise _refuse("layer_name", "no_layer", layer=layer_name, layers=listed)
        return layer_name
    if len(layers) == 1:
        return layers[0]
    if preferred in layers:
        return str(preferred)
    raise _refuse("layer_name", "several_layers", layers=listed)


def _to_cgcs2000(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    if crs.equals(CRS.from_epsg(SRID)):
        return geoms
    transformer = Transformer.from_crs(crs, SRID, always_xy=True)

    def move(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))

    return shapely.transform(geoms, move)


def _outside_china(geoms: np.ndarray) -> np.ndarray:
    """Indexes of non-empty geometries with a coordinate outside `CHINA_BOUNDS` (or none
    at all, when the transformation failed)."""
    bounds = shapely.bounds(geoms)
    west, south, east, north = CHINA_BOUNDS
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    with np.errstate(invalid="ignore"):
        inside = (
            (bounds[:, 0] >= west)
            & (bounds[:, 2] <= east)
            & (bounds[:, 1] >= south)
            & (bounds[:, 3] <= north)
        )
    return np.flatnonzero(present & ~inside)


def _parse_error(wkb: bytes) -> str:
    """GEOS's reason for refusing one WKB geometry."""
    try:
        shapely.from_wkb(wkb)
    except shapely.errors.GEOSException as exc:
        return str(exc).strip()
    return "?"


def _box_text(bounds: np.ndarray) -> str:
    return ", ".join("?" if not math.isfinite(v) else f"{v:.6g}" for v in bounds)


def read_features(
    path: str | Path,
    *,
    layer_name: str | None = None,
    preferred_layer: str | None = None,
    source_crs: str | None = None,
) -> Features:
    """Read one layer; raises `ImportRefused` when the file as a whole is unusable.

    Without `layer_name`, a file of one layer is read, or else the layer named
    `preferred_layer`. Geometries that cannot be parsed or lie outside China are reported
    per feature and left out (None).
    """
    path = str(path)
    layer = _pick_layer(path, layer_name, preferred_layer)
    try:
        with warnings.catch_warnings():
            # GDAL's notes on odd geometries (unclosed rings…) become per-feature problems.
            warnings.simplefilter("ignore", RuntimeWarning)
            meta, fids, wkb, values = pyogrio.raw.read(path, layer=layer, return_fids=True)
    except _READ_ERRORS as exc:
        raise _refuse("path", "unreadable", detail=str(exc)) from exc
    if wkb is None:
        raise _refuse("path", "no_geometry", layer=layer)
    crs, origin = resolve_crs(meta.get("crs"), source_crs)
    parsed = shapely.from_wkb(wkb, on_invalid="ignore")
    features = Features(
        path=path,
        layer=layer,
        fids=fids,
        geoms=parsed,
        columns=dict(zip((str(f) for f in meta["fields"]), values, strict=True)),
        crs=crs.to_string(),
        crs_from=origin,
    )
    for i in np.flatnonzero(shapely.is_missing(parsed)).tolist():
        if wkb[i] is None:
            features.problems.append(Problem(i, features.fid(i), "geom", "missing_geometry"))
        else:
            features.problems.append(
                Problem(i, features.fid(i), "geom", "unreadable_geometry", _parse_error(wkb[i]))
            )
    geoms = _to_cgcs2000(shapely.force_2d(parsed), crs)
    outside = _outside_china(geoms)
    bounds = shapely.bounds(geoms[outside])
    for i, box in zip(outside.tolist(), bounds, strict=True):
        features.problems.append(Problem(i, features.fid(i), "geom", "out_of_area", _box_text(box)))
    geoms[outside] = None
    features.geoms = geoms
    return features
