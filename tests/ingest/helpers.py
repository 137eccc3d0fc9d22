"""Small files for the import tests, written the way users' tools write them."""

from __future__ import annotations

import json
from pathlib import Path

import shapely

Props = dict[str, object]


def geojson(path: Path, features: list[tuple[Props, dict | None]], crs: str | None = None) -> Path:
    """A FeatureCollection of (properties, geometry) pairs; `crs` as an old-style member."""
    doc: dict = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features
        ],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def square(x: float, y: float, d: float) -> dict:
    """A d° square with its south-west corner at (x, y), as GeoJSON."""
    return shapely.geometry.mapping(shapely.box(x, y, x + d, y + d))
