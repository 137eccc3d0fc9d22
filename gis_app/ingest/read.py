"""Read one layer of a GeoJSON, GeoPackage, zipped Shapefile, CSV or other OGR file into
CGCS2000 2-D geometries.

Every vector import goes through `read_features`, so the CRS rules are the same everywhere:
the file's CRS or the one the user declares (which wins), an error when there is neither,
the datum shift PROJ knows for the data's area (`gis_app.geodesy.transform`: a CRS PROJ
could only take across without one, off by up to hundreds of metres, is refused unless the
import accepts it with `allow_ballpark`), GCJ-02 and BD-09 refused (deliberately
distorted) unless the import declares `gcj02=True`, which converts GCJ-02 lon/lat back to
WGS 84; Z and M dropped; coordinates outside the service area (China unless told otherwise)
reported per feature (the usual sign of metres read as degrees or swapped axes); Shapefile
text in the encoding its .cpg names or the one given, never guessed.
"""

from __future__ import annotations

import math
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.errors
import pyogrio.raw
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from gis_app.errors import InvalidParameter
from gis_app.geodesy.transform import to_storage
from gis_app.ingest.gcj02 import gcj02_to_wgs84
from gis_app.ingest.report import ImportRefused, Problem
from gis_app.ingest.source import Source, open_source
from gis_app.ingest.values import as_text
from gis_app.ingest.zipguard import DEFAULT_LIMITS, ZipLimits

Area = tuple[float, float, float, float]

CHINA_BOUNDS: Area = (73.0, 3.0, 136.0, 54.0)
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
    transformation: dict | None = None
    """How the coordinates reached CGCS2000 (`Transformation.summary()`)."""

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


def _gcj02_crs(file_crs: str | None, source_crs: str | None) -> tuple[CRS, str]:
    """Declared GCJ-02: lon/lat whatever the file says, unless it says metres."""
    for where, text in (("source_crs", source_crs), ("path", file_crs)):
        if not text or OBFUSCATED.search(re.sub(r"[^A-Z0-9]", "", text.upper())):
            continue
        try:
            crs = CRS.from_user_input(text)
        except CRSError as exc:
            raise _refuse(where, "unknown_crs", crs=text) from exc
        if not crs.is_geographic:
            raise _refuse(where, "gcj02_not_lonlat", crs=crs.name)
    return CRS.from_epsg(4326), "gcj02"


def resolve_crs(
    file_crs: str | None, source_crs: str | None, gcj02: bool = False
) -> tuple[CRS, str]:
    """The CRS the coordinates are in, and where it came from: "source_crs" (the user's
    declaration wins), "file", or "gcj02" (declared GCJ-02, to be converted from)."""
    if gcj02:
        return _gcj02_crs(file_crs, source_crs)
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
    """The layer to read: the one named, the only one, or the one called like the target."""
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


def _to_cgcs2000(geoms: np.ndarray, crs: CRS, allow_ballpark: bool) -> tuple[np.ndarray, dict]:
    """The geometries in CGCS2000, by the transformation chosen for their extent, and what
    that transformation was."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no geometry at all: NaN bounds
        bounds = tuple(float(v) for v in shapely.total_bounds(geoms))
    try:
        way = to_storage(crs, bounds, allow_ballpark=allow_ballpark, field="source_crs")
    except InvalidParameter as exc:
        raise ImportRefused(**exc.context) from exc
    return way.geoms_to_storage(geoms), way.summary()


def _outside(geoms: np.ndarray, area: Area) -> np.ndarray:
    """Indexes of non-empty geometries with a coordinate outside `area` (or none at all,
    when the transformation failed)."""
    bounds = shapely.bounds(geoms)
    west, south, east, north = area
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


def _read_layer(source: Source, layer: str, encoding: str | None) -> tuple:
    try:
        with warnings.catch_warnings():
            # GDAL's notes on odd geometries (unclosed rings…) become per-feature problems.
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.raw.read(
                source.path, layer=layer, return_fids=True, encoding=encoding, **source.options
            )
    except UnicodeDecodeError as exc:
        raise _refuse("encoding", "wrong_encoding", encoding=encoding or "UTF-8") from exc
    except _READ_ERRORS as exc:
        raise _refuse("path", "unreadable", detail=str(exc)) from exc


def _check_guessed_encoding(source: Source, meta: dict, values: list) -> None:
    """A Shapefile with no .cpg is read by GDAL as ISO-8859-1: right for ASCII, garbage
    for GBK or UTF-8 text. Such a file needs its encoding named rather than guessed."""
    if source.shapefile_cpg is not False or meta.get("encoding") != "ISO-8859-1":
        return
    for column in values:
        if column.dtype == object and any(
            isinstance(v, str) and not v.isascii() for v in column.tolist()
        ):
            raise _refuse("encoding", "encoding_needed")


def _unparsed_cells(features: Features, source: Source, index: int) -> str | None:
    """What a CSV row had in its geometry columns when GDAL made no geometry of it
    ("经度=∅ 纬度=30.27"); None when they are all empty."""
    found = [
        (n, features.columns[n][index])
        for n in features.columns
        if n.casefold() in source.geometry_columns
    ]
    cells = [(n, as_text(v)) for n, v in found]
    if all(v is None for _, v in cells):
        return None
    return " ".join(f"{n}={'∅' if v is None else v}" for n, v in cells)[:120]


def _report_missing(features: Features, source: Source, wkb: np.ndarray) -> None:
    for i in np.flatnonzero(shapely.is_missing(features.geoms)).tolist():
        cells = _unparsed_cells(features, source, i) if source.geometry_columns else None
        if wkb[i] is not None:
            problem = Problem(
                i, features.fid(i), "geom", "unreadable_geometry", _parse_error(wkb[i])
            )
        elif cells:
            problem = Problem(i, features.fid(i), "geom", "unreadable_geometry", cells)
        else:
            problem = Problem(i, features.fid(i), "geom", "missing_geometry")
        features.problems.append(problem)


def read_features(
    path: str | Path,
    *,
    layer_name: str | None = None,
    preferred_layer: str | None = None,
    source_crs: str | None = None,
    encoding: str | None = None,
    gcj02: bool = False,
    area: Area | None = CHINA_BOUNDS,
    zip_limits: ZipLimits = DEFAULT_LIMITS,
    allow_ballpark: bool = False,
) -> Features:
    """Read one layer; raises `ImportRefused` when the file as a whole is unusable.

    Without `layer_name`, a file of one layer is read, or else the layer named
    `preferred_layer`. `encoding` overrides the attributes' declared encoding; `gcj02`
    declares lon/lat in GCJ-02, converted to WGS 84. Geometries that cannot be parsed or
    lie outside `area` (west, south, east, north; None: anywhere) are reported per feature
    and left out (None). Zips are checked against `zip_limits`. `allow_ballpark` accepts a
    CRS PROJ can take to CGCS2000 only without a datum shift (recorded in
    `Features.transformation`); without it such a file is refused.
    """
    path = str(path)
    with tempfile.TemporaryDirectory() as scratch:
        source = open_source(
            path,
            encoding=encoding,
            scratch=Path(scratch),
            zip_limits=zip_limits,
        )
        layer = _pick_layer(source.path, layer_name, preferred_layer)
        meta, fids, wkb, values = _read_layer(source, layer, source.encoding)
    if wkb is None:
        raise _refuse("path", "no_geometry", layer=layer)
    if encoding is None:
        _check_guessed_encoding(source, meta, values)
    crs, origin = resolve_crs(meta.get("crs"), source_crs, gcj02)
    parsed = shapely.from_wkb(wkb, on_invalid="ignore")
    features = Features(
        path=path,
        layer=layer,
        fids=fids,
        geoms=parsed,
        columns=dict(zip((str(f) for f in meta["fields"]), values, strict=True)),
        crs="GCJ-02" if gcj02 else crs.to_string(),
        crs_from=origin,
    )
    _report_missing(features, source, wkb)
    # Z and M are dropped; the copy force_2d makes costs 0.25 s per 100k plain 2-D shapes.
    dimensioned = shapely.has_z(parsed) | shapely.has_m(parsed)
    geoms = shapely.force_2d(parsed) if dimensioned.any() else parsed.copy()
    if gcj02:
        geoms = gcj02_to_wgs84(geoms)
    geoms, features.transformation = _to_cgcs2000(geoms, crs, allow_ballpark)
    if area is not None:
        outside = _outside(geoms, area)
        bounds = shapely.bounds(geoms[outside])
        for i, box in zip(outside.tolist(), bounds, strict=True):
            features.problems.append(
                Problem(i, features.fid(i), "geom", "out_of_area", _box_text(box))
            )
        geoms[outside] = None
    features.geoms = geoms
    return features
