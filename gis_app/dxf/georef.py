"""Put a floor plan on the map: drawing metres → CGCS2000 lon/lat, three ways.

- Control points (drawing x,y ↔ lon,lat, two or more): a similarity transform (scale,
  rotation, translation) fitted by least squares in a transverse Mercator on GRS80 centred on
  the points (true metres there), with each point's residual in metres; exact for two points.
- Origin + rotation: the lon/lat of drawing (0, 0) and the angle of drawing +x
  counter-clockwise from east; scale 1 (the drawing's units already give metres).
- A projected CRS the drawing is already in (e.g. EPSG:2154, EPSG:4549), taken to CGCS2000
  by the datum shift `gis_app.geodesy.transform` chooses for the drawing's extent (a CRS
  PROJ can take across only without one is refused, naming how to declare it).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyproj import CRS, Transformer

from gis_app.errors import InvalidParameter
from gis_app.geodesy.transform import Transformation, to_storage
from gis_app.ingest.read import Area, resolve_crs
from gis_app.ingest.report import ImportRefused
from gis_app.models.base import SRID

ControlPoint = tuple[float, float, float, float]
"""Drawing x, y (drawing units) and lon, lat (CGCS2000 degrees)."""
_NUMBER = r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*"
_CONTROL = re.compile(f"^{_NUMBER},{_NUMBER}={_NUMBER},{_NUMBER}$")
MAX_SCALE_ERROR = 0.05
"""Largest gap between the control points' scale and the drawing units' (5 %): more means
wrong units or mismatched points."""

Move = Callable[[np.ndarray], np.ndarray]
"""(n, 2) drawing coordinates → (n, 2) lon/lat."""


@dataclass(slots=True)
class Georeference:
    """How the drawing was placed: the method, the CRS text for the report, the fit's
    figures (scale, rotation, residuals in metres) and the function that moves points."""

    method: str
    crs: str
    move: Move
    figures: dict[str, Any] = field(default_factory=dict)


def parse_control(text: str) -> ControlPoint:
    """`"x,y=lon,lat"` as four numbers; refused naming `control` otherwise."""
    match = _CONTROL.match(text)
    if match is None:
        raise ImportRefused(field="control", reason="dxf.reason.bad_control", text=text)
    x, y, lon, lat = (float(v) for v in match.groups())
    return x, y, lon, lat


def _local_tm(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    """Lon/lat → metres and back, in a transverse Mercator on GRS80 centred at lon, lat."""
    tm = CRS.from_proj4(
        f"+proj=tmerc +lat_0={lat:.9f} +lon_0={lon:.9f} +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m"
    )
    return (
        Transformer.from_crs(SRID, tm, always_xy=True),
        Transformer.from_crs(tm, SRID, always_xy=True),
    )


def _to_lonlat(back: Transformer, east: np.ndarray, north: np.ndarray) -> np.ndarray:
    lon, lat = back.transform(east, north)
    return np.column_stack([np.asarray(lon), np.asarray(lat)])


def by_control_points(
    points: Sequence[ControlPoint], metres_per_unit: float, tolerance_m: float
) -> Georeference:
    """Fit drawing metres → local metres as w = a·z + b in complex numbers (a = scale ·
    e^(i·rotation)); refused when fewer than two distinct points, a residual exceeds
    `tolerance_m` or the fitted scale contradicts the drawing units."""
    if len(points) < 2:
        raise ImportRefused(field="control", reason="dxf.reason.few_control", count=len(points))
    array = np.asarray(points, dtype=float)
    lon0, lat0 = array[:, 2].mean(), array[:, 3].mean()
    forward, back = _local_tm(lon0, lat0)
    east, north = forward.transform(array[:, 2], array[:, 3])
    z = (array[:, 0] + 1j * array[:, 1]) * metres_per_unit
    w = np.asarray(east) + 1j * np.asarray(north)
    zc, wc = z - z.mean(), w - w.mean()
    spread = float(np.sum(np.abs(zc) ** 2))
    if spread < 1e-6 or float(np.sum(np.abs(wc) ** 2)) < 1e-6:
        raise ImportRefused(field="control", reason="dxf.reason.same_control")
    a = complex(np.sum(wc * np.conj(zc)) / spread)
    b = complex(w.mean() - a * z.mean())
    residuals = np.abs(a * z + b - w)
    scale = abs(a)
    figures = {
        "points": len(points),
        "scale": round(scale, 6),
        "rotation_deg": round(math.degrees(math.atan2(a.imag, a.real)), 4),
        "residuals_m": [round(float(r), 3) for r in residuals],
        "rms_m": round(float(np.sqrt(np.mean(residuals**2))), 3),
        "max_m": round(float(residuals.max()), 3),
        "tolerance_m": tolerance_m,
    }
    worst = int(np.argmax(residuals))
    if residuals[worst] > tolerance_m:
        raise ImportRefused(
            field="control",
            reason="dxf.reason.control_residual",
            point=worst + 1,
            residual=f"{residuals[worst]:.2f}",
            tolerance=tolerance_m,
        )
    if abs(scale - 1) > MAX_SCALE_ERROR:
        raise ImportRefused(
            field="control", reason="dxf.reason.control_scale", scale=f"{scale:.4g}"
        )

    def move(xy: np.ndarray) -> np.ndarray:
        moved = a * ((xy[:, 0] + 1j * xy[:, 1]) * metres_per_unit) + b
        return _to_lonlat(back, moved.real, moved.imag)

    return Georeference("control", f"control points ({len(points)})", move, figures)


def by_origin(lon: float, lat: float, rotation_deg: float, metres_per_unit: float) -> Georeference:
    """Drawing (0, 0) at lon, lat; drawing +x turned `rotation_deg` counter-clockwise from
    east."""
    if not (-180 <= lon <= 180 and -90 < lat < 90) or not math.isfinite(rotation_deg):
        raise ImportRefused(field="origin", reason="dxf.reason.bad_origin", lon=lon, lat=lat)
    _, back = _local_tm(lon, lat)
    turn = complex(math.cos(math.radians(rotation_deg)), math.sin(math.radians(rotation_deg)))

    def move(xy: np.ndarray) -> np.ndarray:
        moved = turn * (xy[:, 0] + 1j * xy[:, 1]) * metres_per_unit
        return _to_lonlat(back, moved.real, moved.imag)

    figures = {"origin": [lon, lat], "rotation_deg": rotation_deg}
    return Georeference("origin", f"origin {lon:.7f},{lat:.7f}", move, figures)


def _placed(crs: CRS, bounds: tuple[float, float, float, float] | None) -> Transformation:
    try:
        return to_storage(crs, bounds, field="crs")
    except InvalidParameter as exc:
        raise ImportRefused(**exc.context) from exc


def by_crs(text: str) -> tuple[Georeference, float]:
    """The drawing's own projected CRS, and metres per unit of its axes. A CRS with no
    datum shift to CGCS2000 anywhere it is used is refused here; the shift itself is chosen
    for the drawing's extent when its points are first moved, and kept for the rest."""
    try:
        crs, _ = resolve_crs(None, text)
    except ImportRefused as exc:
        raise ImportRefused(**{**exc.context, "field": "crs"}) from exc
    if not crs.is_projected:
        raise ImportRefused(field="crs", reason="dxf.reason.crs_not_projected", crs=crs.name)
    _placed(crs, None)
    figures: dict[str, Any] = {"crs": crs.to_string()}
    chosen: list[Transformation] = []

    def move(xy: np.ndarray) -> np.ndarray:
        if not chosen:
            finite = xy[np.isfinite(xy).all(axis=1)]
            box = (*finite.min(axis=0), *finite.max(axis=0)) if len(finite) else None
            chosen.append(_placed(crs, box))
            figures["transformation"] = chosen[0].summary()
        lon, lat = chosen[0].to_storage(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    metres = float(crs.axis_info[0].unit_conversion_factor or 1.0)
    return Georeference("crs", crs.to_string(), move, figures), metres


def check_inside(bounds: Sequence[float], area: Area, field_name: str) -> None:
    """Refuse a drawing placed outside the service area (China by default): the usual sign
    of a wrong CRS or swapped control coordinates (`check_area=False` accepts any place)."""
    west, south, east, north = area
    x0, y0, x1, y1 = bounds
    if not (x0 >= west and x1 <= east and y0 >= south and y1 <= north):
        raise ImportRefused(
            field=field_name,
            reason="dxf.reason.outside_china",
            bounds=", ".join(f"{v:.6f}" for v in bounds),
        )
