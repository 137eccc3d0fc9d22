"""The one way from any CRS to storage (CGCS2000 lon/lat, EPSG:4490), and back.

Asked for "this CRS → EPSG:4490", PROJ falls back on a *ballpark* operation whenever it knows
no transformation between the two datums: latitude and longitude are kept as they are, no
datum shift is applied. The EPSG database holds no transformation into CGCS2000 from any
other datum (not even from WGS 84), so S-JTSK, Beijing 1954 or Xian 1980 coordinates went
through one and landed tens to hundreds of metres off (117 m in Prague), without a word.

So a transformation goes through a hub: CGCS2000 itself when the data's datum is CGCS2000
(a map projection undone, exact), else WGS 84, where EPSG keeps the real transformations of
the world's datums (Helmert parameters, grids). WGS 84 lon/lat are then taken as CGCS2000's:
the two agree to a few centimetres at CGCS2000's epoch and within about a metre today (plate
motion), as the app has always assumed. Of the operations PROJ offers for the data's area,
those whose area of use holds the data are kept and the most accurate is used (for a large
area PROJ's own first choice is often a coarser one: S-JTSK's 6 m "(3)", 10 m off in
Prague). When PROJ knows only a ballpark operation there, the transformation is refused
with a message naming both CRSs and how to declare the datum shift (+towgs84, a WKT with
TOWGS84), unless the caller accepts it (`allow_ballpark`); `summary()` says what was used.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.enums import TransformDirection
from pyproj.exceptions import CRSError, ProjError
from pyproj.transformer import AreaOfInterest, TransformerGroup

from gis_app.errors import InvalidParameter
from gis_app.models.base import SRID

Bounds = tuple[float, float, float, float]
WGS84 = 4326
HUBS = (SRID, WGS84)
"""Where a source datum is taken to storage from, in this order: CGCS2000, then WGS 84."""
AREA_MARGIN_DEG = 0.05
"""How far (degrees, about 5 km) data may reach past a datum transformation's published
area of use, which EPSG rounds to 0.01°."""
STORAGE = f"CGCS2000 (EPSG:{SRID})"
_DENSIFY = 21


@dataclass(frozen=True, eq=False)
class Transformation:
    """How coordinates in `source` reach storage: the `operation` PROJ runs (source → the
    lon/lat of `hub`), its accuracy in metres (None: PROJ does not know it) and whether it
    is a ballpark one, accepted by the caller although it applies no datum shift."""

    source: CRS
    transformer: Transformer
    operation: str
    hub: int
    accuracy_m: float | None
    ballpark: bool
    missing_grids: tuple[str, ...] = ()
    """More accurate operations PROJ knows but cannot run here (grids not installed)."""
    identity: bool = False
    """Coordinates already in storage: nothing to do."""

    def to_storage(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Source x, y (east first) → CGCS2000 lon, lat; inf where the operation fails."""
        lon, lat = self.transformer.transform(x, y)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def from_storage(self, lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
        """CGCS2000 lon, lat → source x, y, by the same operation run backwards."""
        x, y = self.transformer.transform(lon, lat, direction=TransformDirection.INVERSE)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def geoms_to_storage(self, geoms: np.ndarray) -> np.ndarray:
        if self.identity:
            return geoms
        return shapely.transform(geoms, self.to_storage, interleaved=False)

    def geoms_from_storage(self, geoms: np.ndarray) -> np.ndarray:
        if self.identity:
            return geoms
        return shapely.transform(geoms, self.from_storage, interleaved=False)

    def bounds_to_storage(self, bounds: Bounds) -> Bounds:
        """A box in the source as the lon/lat box holding all of it: PROJ's own bounds
        (edges densified, poles and antimeridian minded) when the transformer knows its
        CRSs, else the box of its densified edges' finite points."""
        if self.transformer.source_crs is not None:
            west, south, east, north = self.transformer.transform_bounds(
                *bounds, densify_pts=_DENSIFY
            )
            return west, south, east, north
        edge = shapely.segmentize(shapely.box(*bounds), _edge_step(bounds))
        lon, lat = self.to_storage(*shapely.get_coordinates(edge).T)
        finite = np.isfinite(lon) & np.isfinite(lat)
        if not finite.any():
            return math.inf, math.inf, math.inf, math.inf
        lon, lat = lon[finite], lat[finite]
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())

    def pipeline_to(self, target: Any, handed: Any = None) -> str:
        """A PROJ pipeline from the source to `target`, a CRS on the hub datums (web
        mercator for pictures), through this operation: what GDAL's warper is told
        (COORDINATE_OPERATION) so that a picture lies where the data does. GDAL hands the
        pipeline coordinates in the axis order of the CRS it knows the data in (`handed`,
        by default the source; northing first for EPSG:4549), and takes them back in
        `target`'s."""
        goal = CRS.from_user_input(target)
        given = self.source if handed is None else CRS.from_user_input(handed)
        onward = Transformer.from_crs(self.hub, goal, always_xy=True)
        steps = [_swap(given), _steps(self.transformer), _steps(onward), _swap(goal)]
        return "+proj=pipeline " + " ".join(step for step in steps if step)

    def summary(self) -> dict[str, Any]:
        """JSON-ready, for import reports and registration answers."""
        return {
            "crs": crs_label(self.source),
            "operation": self.operation,
            "accuracy_m": self.accuracy_m,
            "ballpark": self.ballpark,
            "via": "CGCS2000" if self.hub == SRID else "WGS 84",
            "missing_grids": list(self.missing_grids),
        }


def _edge_step(bounds: Bounds) -> float:
    west, south, east, north = bounds
    return max(east - west, north - south) / _DENSIFY or 1.0


def _swap(crs: CRS) -> str:
    """An axis swap for a CRS whose own axis order puts north (latitude) first."""
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    first = base.axis_info[0].direction.lower() if base.axis_info else "east"
    return "+step +proj=axisswap +order=2,1" if first in ("north", "south") else ""


def _steps(transformer: Transformer) -> str:
    definition = transformer.to_proj4() or "+proj=noop"
    if definition.startswith("+proj=pipeline"):
        return definition.removeprefix("+proj=pipeline").strip()
    return f"+step {definition}"


def crs_label(crs: CRS) -> str:
    """A CRS as a message names it: its name, or its PROJ definition when it has none."""
    if crs.name and crs.name != "unknown":
        return crs.name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "loses information": a label only
        return (crs.to_proj4() or crs.to_wkt())[:300]


def parse_crs(text: Any, field: str = "crs") -> CRS:
    """A CRS from anything pyproj reads, made 2-D; InvalidParameter naming `field` when it
    is unknown or neither geographic nor projected (a local engineering grid, say)."""
    try:
        crs = CRS.from_user_input(text)
    except CRSError as exc:
        raise InvalidParameter(
            field=field, reason="reason.crs_unknown", crs=str(text)[:200]
        ) from exc
    crs = crs.to_2d()
    if not (crs.is_geographic or crs.is_projected):
        raise InvalidParameter(field=field, reason="reason.crs_unusable", crs=crs_label(crs))
    return crs


def _area_of_interest(crs: CRS, bounds: Bounds | None) -> Bounds | None:
    """The lon/lat box (on the source's own datum) of data within `bounds`, widened to
    whole hundredths of a degree so nearby extents share one choice; the CRS's area of use
    when the data's extent is unknown."""
    if bounds is not None and all(math.isfinite(v) for v in bounds):
        base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
        to_lonlat = Transformer.from_crs(base, base.geodetic_crs, always_xy=True)
        box = to_lonlat.transform_bounds(*bounds, densify_pts=_DENSIFY)
        if all(math.isfinite(v) for v in box) and box[0] <= box[2]:
            west, east = (min(max(v, -180.0), 180.0) for v in (box[0], box[2]))
            south, north = (min(max(v, -90.0), 90.0) for v in (box[1], box[3]))
            return (
                math.floor(west * 100) / 100,
                math.floor(south * 100) / 100,
                math.ceil(east * 100) / 100,
                math.ceil(north * 100) / 100,
            )
    return crs.area_of_use.bounds if crs.area_of_use is not None else None


def _covers(transformer: Transformer, area: Bounds | None) -> bool:
    """Whether every datum transformation among the operation's steps is published for the
    whole of `area` (a map projection is defined anywhere; datum shifts are local)."""
    if area is None:
        return True
    steps = [(op.type_name, op.area_of_use) for op in transformer.operations or ()]
    if not steps and transformer.to_json_dict().get("type") == "Transformation":
        steps = [("Transformation", transformer.area_of_use)]
    for kind, used in steps:
        if kind != "Transformation" or used is None:
            continue
        west, south, east, north = used.bounds
        if west > east:
            continue  # an area across the antimeridian: not worth refusing over
        if not (
            area[0] >= west - AREA_MARGIN_DEG
            and area[2] <= east + AREA_MARGIN_DEG
            and area[1] >= south - AREA_MARGIN_DEG
            and area[3] <= north + AREA_MARGIN_DEG
        ):
            return False
    return True


def _accuracy(transformer: Transformer) -> float | None:
    return transformer.accuracy if transformer.accuracy >= 0 else None


def _rank(transformer: Transformer) -> tuple[int, float]:
    accuracy = _accuracy(transformer)
    return (0, accuracy) if accuracy is not None else (1, 0.0)


def _adopted(
    crs: CRS,
    chosen: Transformer,
    hub: int,
    ballpark: bool,
    missing: tuple[str, ...] = (),
    same_datum: bool = False,
) -> Transformation:
    """`chosen` rebuilt so the app's request threads can share it (TransformerGroup hands
    out transformers that are not thread-safe): a projection undone straight from the CRSs,
    else from the operation's PROJJSON (which keeps the CRSs, for bounds), else from its
    PROJ pipeline."""
    if same_datum:
        shared = Transformer.from_crs(crs, hub, always_xy=True)
    else:
        try:
            shared = Transformer.from_pipeline(chosen.to_json())
        except ProjError:
            shared = Transformer.from_pipeline(chosen.to_proj4() or chosen.to_json())
    identity = crs.equals(CRS.from_epsg(SRID), ignore_axis_order=True)
    return Transformation(
        crs, shared, chosen.description, hub, _accuracy(chosen), ballpark, missing, identity
    )


def _same_datum(crs: CRS, hub: int) -> bool:
    geodetic = crs.geodetic_crs
    return geodetic is not None and geodetic.equals(CRS.from_epsg(hub), ignore_axis_order=True)


@lru_cache(maxsize=256)
def _choose(crs: CRS, area: Bounds | None, allow_ballpark: bool) -> Transformation | None:
    for hub in HUBS:
        if _same_datum(crs, hub):
            # A map projection undone: defined anywhere, whatever the CRS's area of use.
            group = TransformerGroup(crs, hub, always_xy=True, allow_ballpark=False)
            return _adopted(crs, group.transformers[0], hub, False, same_datum=True)
    interest = AreaOfInterest(*area) if area is not None else None
    for hub in HUBS:
        group = TransformerGroup(
            crs, hub, always_xy=True, allow_ballpark=False, area_of_interest=interest
        )
        usable = [t for t in group.transformers if _covers(t, area)]
        if usable:
            best = min(usable, key=_rank)  # the first of equals: PROJ's own preference
            missing = tuple(op.name for op in group.unavailable_operations)
            return _adopted(crs, best, hub, False, missing)
    if not allow_ballpark:
        return None
    group = TransformerGroup(crs, SRID, always_xy=True, area_of_interest=interest)
    return _adopted(crs, group.transformers[0], SRID, True)


def to_storage(
    crs: Any, bounds: Bounds | None = None, *, allow_ballpark: bool = False, field: str = "crs"
) -> Transformation:
    """The transformation from `crs` to storage for data within `bounds` (in `crs`, east
    first; None: anywhere the CRS is used). Refused (InvalidParameter naming `field`) when
    the CRS is unusable, or when PROJ knows only a ballpark operation there and
    `allow_ballpark` is not given."""
    source = parse_crs(crs, field)
    try:
        chosen = _choose(source, _area_of_interest(source, bounds), allow_ballpark)
    except ProjError as exc:  # a definition PROJ reads but cannot run (k=0, say)
        raise InvalidParameter(
            field=field, reason="reason.crs_unusable", crs=crs_label(source)
        ) from exc
    if chosen is None:
        raise InvalidParameter(
            field=field, reason="reason.crs_ballpark_only", crs=crs_label(source), target=STORAGE
        )
    return chosen
