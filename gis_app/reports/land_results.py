"""Land results as files: CSV (UTF-8 with BOM, Chinese headers) and GeoPackage."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import geopandas as gpd
from shapely.geometry import shape

from gis_app.i18n import t
from gis_app.models.base import SRID
from gis_app.reports import writers
from gis_app.reports.vector_files import GPKG_MEDIA_TYPE, write_vector

__all__ = ["GPKG_MEDIA_TYPE", "to_csv", "to_gpkg"]

COLUMNS = (
    "rank",
    "id",
    "parcel_code",
    "landuse_scheme",
    "landuse_code",
    "landuse_name_zh",
    "status",
    "district",
    "measured_m2",
    "recorded_m2",
    "score",
    "explanation",
)


def _flat(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """The columns a table shows: fixed ones, then each criterion's value."""
    flat = {key: row[key] for key in COLUMNS if key in row}
    for part in row.get("criteria", []):
        flat[part["name"]] = part["value"]
        flat[f"{part['name']} {t('land.column.score', lang)}"] = part["score"]
    if row.get("failures"):
        flat["explanation"] = "; ".join(row["failures"])
    return {k: _value(v) for k, v in flat.items()}


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _header(key: str, lang: str) -> str:
    label = t(f"land.column.{key}", lang)
    return key if label == f"land.column.{key}" else label


def to_csv(rows: list[dict[str, Any]], lang: str) -> bytes:
    """One row per parcel with headers in `lang`."""
    flats = [_flat(r, lang) for r in rows]
    keys = list(dict.fromkeys(k for f in flats for k in f)) or list(COLUMNS)
    cells = [[f.get(k) for k in keys] for f in flats]
    return writers.to_csv([_header(k, lang) for k in keys], cells)


def to_gpkg(rows: list[dict[str, Any]], layer: str, lang: str) -> bytes:
    """A GeoPackage with one polygon layer in EPSG:4490."""
    flats = [_flat(r, lang) for r in rows]
    geometries = [shape(json.loads(r["geometry"])) if r.get("geometry") else None for r in rows]
    frame = gpd.GeoDataFrame(flats, geometry=geometries, crs=f"EPSG:{SRID}")
    frame.columns = [c if c == "geometry" else _header(c, lang) for c in frame.columns]
    return write_vector(frame, layer, "gpkg")
