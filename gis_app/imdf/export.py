"""Buildings with their floors and rooms as an IMDF 1.0.0 archive (zip bytes).

manifest.json, venue (the buildings' campus, or the hull of the buildings), address,
building, footprint (ground), level, unit and an empty opening file. A row imported from
IMDF keeps its id; any other row gets a UUID derived from its table and row id, so two
exports of the same data carry the same ids.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from gis_app import __version__
from gis_app.db.driver import Connectable, driver_connection
from gis_app.errors import NotFound
from gis_app.imdf.categories import unit_category
from gis_app.imdf.plan import derived_id
from gis_app.imdf.rules import IMDF_VERSION

LANGUAGE = "zh-Hans"
"""Language of the labels we write (names are kept in Chinese)."""
LOCALITY = re.compile(r"^(.*?(?:市|区|县|旗))")
_DIGITS = 9
"""Decimal places of exported coordinates: 1e-9° ≈ 0.1 mm."""


def _geojson(column: str) -> str:
    """A geometry and a point on it (for `display_point`) as GeoJSON, no CRS member."""
    return (
        f"ST_AsGeoJSON({column}, {_DIGITS}, 0)::json, "
        f"ST_AsGeoJSON(ST_PointOnSurface({column}), {_DIGITS}, 0)::json"
    )


_BUILDINGS = f"""
SELECT b.id, b.code, b.name, b.address, b.campus_id, b.imdf_id, {_geojson("b.geom")}
FROM building b WHERE b.id = ANY(%(ids)s) OR b.code = ANY(%(codes)s) ORDER BY b.id
"""  # noqa: S608 (only the constant _geojson columns are formatted in)
_FLOORS = f"""
SELECT f.id, f.building_id, f.ordinal, f.name, f.imdf_id, {_geojson("f.geom")}
FROM floor f WHERE f.building_id = ANY(%(ids)s) ORDER BY f.building_id, f.ordinal
"""  # noqa: S608 (only the constant _geojson columns are formatted in)
_ROOMS = f"""
SELECT r.id, r.floor_id, r.number, r.name, r.category, r.subtype, r.imdf_id,
       {_geojson("r.geom")}
FROM room r JOIN floor f ON f.id = r.floor_id
WHERE f.building_id = ANY(%(ids)s) ORDER BY r.floor_id, r.number
"""  # noqa: S608 (only the constant _geojson columns are formatted in)
_VENUE = f"""
WITH b AS (SELECT geom, campus_id FROM building WHERE id = ANY(%(ids)s)),
     c AS (SELECT c.* FROM campus c WHERE c.id = %(campus)s),
     hull AS (SELECT ST_ConvexHull(ST_Collect(g)) AS g
              FROM (SELECT geom AS g FROM b UNION ALL SELECT geom FROM c) parts)
SELECT (SELECT name FROM c), (SELECT address FROM c), (SELECT code FROM c),
       {_geojson("ST_Multi(hull.g)")}
FROM hull
"""  # noqa: S608 (only the constant _geojson columns are formatted in)


def _labels(text: str | None) -> dict[str, str] | None:
    return {LANGUAGE: text} if text else None


def _feature(
    ident: uuid.UUID, kind: str, geometry: Any, properties: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": str(ident),
        "feature_type": kind,
        "geometry": geometry,
        "properties": properties,
    }


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _rows(conn: Connectable, query: str, params: dict[str, Any]) -> list[tuple]:
    with driver_connection(conn).cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _split(buildings: Sequence[int | str]) -> tuple[list[int], list[str]]:
    """Building ids (the numeric items) and codes (every item: a code may be numeric)."""
    texts = [str(item).strip() for item in buildings]
    return [int(t) for t in texts if t.isascii() and t.isdigit() and len(t) < 10], texts


def _address_feature(text: str, ident: uuid.UUID) -> dict[str, Any]:
    match = LOCALITY.match(text)
    return _feature(
        ident,
        "address",
        None,
        {
            "address": text,
            "unit": None,
            "locality": match.group(1) if match else text,
            "province": None,
            "country": "CN",
            "postal_code": None,
            "postal_code_ext": None,
            "postal_code_vanity": None,
        },
    )


def export_features(conn: Connectable, buildings: Sequence[int | str]) -> dict[str, dict[str, Any]]:
    """The archive's files as GeoJSON objects (file name → FeatureCollection or manifest).

    `buildings` are building ids or codes; raises `NotFound` naming those that do not exist.
    """
    ids, codes = _split(buildings)
    rows = _rows(conn, _BUILDINGS, {"ids": ids, "codes": codes})
    found = {str(r[0]) for r in rows} | {r[1] for r in rows}
    missing = [str(b) for b in buildings if str(b).strip() not in found]
    if missing or not rows:
        raise NotFound(resource="building", id=", ".join(missing) or "-")
    building_ids = [r[0] for r in rows]
    campuses = {r[4] for r in rows}
    campus = next(iter(campuses)) if len(campuses) == 1 else None
    venue_name, venue_address, venue_code, venue_geom, venue_point = _rows(
        conn, _VENUE, {"ids": building_ids, "campus": campus}
    )[0]

    addresses: dict[str, dict[str, Any]] = {}

    def address_id(text: str | None) -> str | None:
        if not text:
            return None
        if text not in addresses:
            addresses[text] = _address_feature(text, derived_id("db", "address", text))
        return addresses[text]["id"]

    key = f"campus:{campus}" if campus else "buildings:" + ",".join(map(str, building_ids))
    venue_label = venue_name or "、".join(r[2] for r in rows)
    venue = _feature(
        derived_id("db", "venue", key),
        "venue",
        venue_geom,
        {
            "category": "governmentfacility",
            "restriction": None,
            "name": _labels(venue_label),
            "alt_name": _labels(venue_code),
            "hours": None,
            "phone": None,
            "website": None,
            "display_point": venue_point,
            "address_id": address_id(venue_address or rows[0][3] or venue_label),
        },
    )
    building_uuid: dict[int, uuid.UUID] = {}
    building_features, footprints = [], []
    for bid, code, name, address, _campus, imdf_id, geom, point in rows:
        ident = imdf_id or derived_id("db", "building", bid)
        building_uuid[bid] = ident
        building_features.append(
            _feature(
                ident,
                "building",
                None,
                {
                    "category": "unspecified",
                    "restriction": None,
                    "name": _labels(name),
                    "alt_name": _labels(code),
                    "display_point": point,
                    "address_id": address_id(address),
                },
            )
        )
        footprints.append(
            _feature(
                derived_id("db", "footprint", ident),
                "footprint",
                geom,
                {"category": "ground", "name": None, "building_ids": [str(ident)]},
            )
        )
    level_uuid: dict[int, uuid.UUID] = {}
    levels = []
    for fid, bid, ordinal, name, imdf_id, geom, point in _rows(
        conn, _FLOORS, {"ids": building_ids}
    ):
        ident = imdf_id or derived_id("db", "floor", fid)
        level_uuid[fid] = ident
        levels.append(
            _feature(
                ident,
                "level",
                geom,
                {
                    "category": "unspecified",
                    "restriction": None,
                    "outdoor": False,
                    "ordinal": ordinal,
                    "name": _labels(name),
                    "short_name": _labels(name),
                    "display_point": point,
                    "address_id": None,
                    "building_ids": [str(building_uuid[bid])],
                },
            )
        )
    units = []
    for rid, fid, number, name, category, subtype, imdf_id, geom, point in _rows(
        conn, _ROOMS, {"ids": building_ids}
    ):
        units.append(
            _feature(
                imdf_id or derived_id("db", "room", rid),
                "unit",
                geom,
                {
                    "category": unit_category(category, subtype),
                    "restriction": None,
                    "accessibility": None,
                    "name": _labels(name),
                    "alt_name": _labels(number),
                    "level_id": str(level_uuid[fid]),
                    "display_point": point,
                },
            )
        )
    manifest = {
        "version": IMDF_VERSION,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generated_by": f"gis-app {__version__}",
        "language": LANGUAGE,
        "extensions": None,
    }
    return {
        "manifest.json": manifest,
        "venue.geojson": _collection([venue]),
        "address.geojson": _collection(list(addresses.values())),
        "building.geojson": _collection(building_features),
        "footprint.geojson": _collection(footprints),
        "level.geojson": _collection(levels),
        "unit.geojson": _collection(units),
        "opening.geojson": _collection([]),
    }


def export_imdf(conn: Connectable, buildings: Sequence[int | str]) -> bytes:
    """The IMDF archive of `buildings` (ids or codes) as zip bytes."""
    files = export_features(conn, buildings)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, json.dumps(content, ensure_ascii=False))
    return out.getvalue()
