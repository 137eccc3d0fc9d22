"""Land results as files: CSV (UTF-8 with BOM, Chinese headers) and GeoPackage. Coded
values a reader cannot decode (status `idle`, scheme `MNR-YDYH-2023`) are written in the
file's language (闲置, 国土空间调查、规划、用途管制用地用海分类（2023）)."""

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


TRANSLATED = {"status": "land.status.", "landuse_scheme": "land.scheme."}
"""Columns whose codes are written as their names: column → locale key prefix."""


def _flat(row: dict[str, Any], lang: str) -> dict[str, Any]:
    """The columns a table shows: fixed ones (codes as names), then each criterion's value
    with its unit in the header."""
    flat = {key: row[key] for key in COLUMNS if key in row}
    for key, prefix in TRANSLATED.items():
        if flat.get(key) is not None:
            flat[key] = t(prefix + flat[key], lang)
    for part in row.get("criteria", []):
        unit = f" ({part['unit']})" if part.get("unit") else ""
        flat[f"{part['name']}{unit}"] = part["value"]
        flat[f"{part['name']} {t('land.column.score', lang)}"] = part["score"]
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
