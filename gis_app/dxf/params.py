"""Import options from what a user types (CLI) or posts (HTTP form): layer lists, control
points, origin, per-layer categories — each refused naming its own field when malformed."""

from __future__ import annotations

import math
from collections.abc import Iterable

from gis_app.dxf.georef import ControlPoint, parse_control
from gis_app.dxf.labels import NUMBER_PATTERN
from gis_app.dxf.rooms import DxfOptions
from gis_app.ingest import jsontext
from gis_app.ingest.read import CHINA_BOUNDS, Area
from gis_app.ingest.report import ImportRefused


def split_list(values: Iterable[str] | None) -> tuple[str, ...]:
    """Repeated values and comma-separated lists alike: ["ROOM*,AREA*", "X"] → 3 names."""
    return tuple(
        part.strip() for value in values or () for part in value.split(",") if part.strip()
    )


def parse_origin(text: str) -> tuple[float, float]:
    """`"lon,lat"` as two numbers."""
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise ImportRefused(field="origin", reason="dxf.reason.bad_origin_text", text=text) from exc
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ImportRefused(field="origin", reason="dxf.reason.bad_origin_text", text=text)
    return lon, lat


def parse_control_json(text: str) -> tuple[ControlPoint, ...]:
    """A JSON list of control points, each `"x,y=lon,lat"`, `[x, y, lon, lat]` or
    `{"x": …, "y": …, "lon": …, "lat": …}`."""
    try:
        items = jsontext.loads(text)
        if not isinstance(items, list):
            raise TypeError(type(items).__name__)
        points = []
        for item in items:
            if isinstance(item, str):
                points.append(parse_control(item))
            elif isinstance(item, dict):
                points.append(tuple(float(item[k]) for k in ("x", "y", "lon", "lat")))
            else:
                x, y, lon, lat = (float(v) for v in item)
                points.append((x, y, lon, lat))
    except (ValueError, TypeError, KeyError) as exc:
        raise ImportRefused(field="control", reason="dxf.reason.bad_control", text=text) from exc
    if not all(math.isfinite(v) for point in points for v in point):
        raise ImportRefused(field="control", reason="dxf.reason.bad_control", text=text)
    return tuple(points)  # type: ignore[arg-type]


def parse_categories(pairs: Iterable[str] | None) -> dict[str, str]:
    """`"CORRIDOR*=ancillary"` pairs as layer pattern → room category."""
    out: dict[str, str] = {}
    for pair in split_list(pairs):
        pattern, sep, category = pair.partition("=")
        if not sep or not pattern.strip():
            raise ImportRefused(
                field="layer_categories", reason="dxf.reason.bad_category_pair", text=pair
            )
        out[pattern.strip()] = category.strip()
    return out


def build_options(
    *,
    layers: Iterable[str] | None = None,
    label_layers: Iterable[str] | None = None,
    hole_layers: Iterable[str] | None = None,
    units: str | None = None,
    control: tuple[ControlPoint, ...] = (),
    origin: str | None = None,
    rotation_deg: float = 0.0,
    crs: str | None = None,
    tolerance_m: float = 1.0,
    category: str = "office",
    layer_categories: Iterable[str] | None = None,
    status: str = "in_use",
    number_pattern: str | None = None,
    area: Area | None = CHINA_BOUNDS,
    skip_invalid: bool = False,
    nested_rooms: bool = False,
) -> DxfOptions:
    """The options of one import; `area` None accepts any place."""
    labels = split_list(label_layers)
    return DxfOptions(
        layers=split_list(layers),
        label_layers=labels or None,
        hole_layers=split_list(hole_layers),
        units=units or None,
        control=control,
        origin=parse_origin(origin) if origin else None,
        rotation_deg=rotation_deg,
        crs=crs or None,
        tolerance_m=tolerance_m,
        category=category,
        layer_categories=parse_categories(layer_categories),
        status=status,
        number_pattern=number_pattern or NUMBER_PATTERN,
        check_area=area is not None,
        area=area or CHINA_BOUNDS,
        skip_invalid=skip_invalid,
        nested_rooms=nested_rooms,
    )
