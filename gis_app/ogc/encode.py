"""GeoJSON written as text, with the geometries PostGIS encoded spliced in as they are."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _json_value(value: object) -> object:
    """NUMERIC as a JSON number, dates as ISO text (what `json.dumps` cannot write)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def feature_text(row: dict[str, Any]) -> str:
    """One GeoJSON feature as text, the geometry spliced in as PostGIS wrote it: parsing and
    re-encoding the coordinates was most of an items request (63 of 118 ms for 27 large
    parcels)."""
    properties = {k: v for k, v in row.items() if k not in ("id", "geometry")}
    return (
        f'{{"type":"Feature","id":{json.dumps(row["id"])},'
        f'"geometry":{row.get("geometry") or "null"},'
        f'"properties":{json.dumps(properties, default=_json_value, ensure_ascii=False)}}}'
    )


def collection_text(features: list[str], members: dict[str, Any]) -> str:
    """A GeoJSON document of `features` (text) and the other `members`."""
    rest = json.dumps(members, ensure_ascii=False)[1:]
    body = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]"
    body += ("," + rest) if rest != "}" else "}"
    return body
