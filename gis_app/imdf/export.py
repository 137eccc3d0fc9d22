"""Buildings with their floors and rooms as an IMDF 1.0.0 archive (zip bytes).

manifest.json, venue (the buildings' campus, or the hull of the buildings), address,
building, footprint (ground), level, unit and opening. A row imported from IMDF keeps its
id and gives back what was read (`kept`): labels in their languages, categories, the
venue, addresses, footprints and openings; any other row gets a UUID derived from its table
and row id, so two exports of the same data carry the same ids.
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
from gis_app.imdf import kept
from gis_app.imdf.plan import derived_id
from gis_app.imdf.rules import IMDF_VERSION
from gis_app.ingest.read import CHINA_BOUNDS

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
SELECT b.id, b.code, b.name, b.address, b.campus_id, b.imdf_id, b.imdf_source,
       {_geojson("b.geom")}
FROM building b WHERE b.id = ANY(%(ids)s) OR b.code = ANY(%(codes)s) ORDER BY b.id
"""  # noqa: S608 (only the constant _geojson columns are formatted in)
_FLOORS = f"""
SELECT f.id, f.building_id, f.ordinal, f.name, f.imdf_id, f.imdf_source, {_geojson("f.geom")}
FROM floor f WHERE f.building_id = ANY(%(ids)s) ORDER BY f.building_id, f.ordinal
"""  # noqa: S608 (only the constant _geojson columns are formatted in)
_ROOMS = f"""
SELECT r.id, r.floor_id, r.number, r.name, r.category, r.subtype, r.imdf_id, r.imdf_source,
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


def _in_china(point: dict[str, Any] | None) -> bool:
    west, south, east, north = CHINA_BOUNDS
    lon, lat = (point or {}).get("coordinates", (None, None))[:2]
    return lon is not None and west <= lon <= east and south <= lat <= north


def _address_feature(text: str, ident: uuid.UUID, country: str | None) -> dict[str, Any]:
    """An address of our own; the country is China's only for a place in China (a
    building imported from abroad has no country we could know)."""
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
            "country": country,
            "postal_code": None,
            "postal_code_ext": None,
            "postal_code_vanity": None,
        },
    )


class _Addresses:
    """The archive's address features by id: those read (while still true), or ours."""

    def __init__(self, country: str | None) -> None:
        self.features: dict[str, dict[str, Any]] = {}
        self.country = country

    def add(self, text: str | None, stored: dict[str, Any] | None = None) -> str | None:
        if stored and (kept.same_address(stored, text) or not text):
            self.features[str(stored["id"])] = stored
            return str(stored["id"])
        if not text:
            return None
        feature = _address_feature(text, derived_id("db", "address", text), self.country)
        self.features[feature["id"]] = feature
        return feature["id"]


def _source(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _venue(rows: list[tuple], venue_row: tuple, addresses: _Addresses, key: str) -> dict[str, Any]:
    """The venue as read when every building came from the same one; else ours (a
    government facility: the buildings this app keeps)."""
    venues = {str(_source(_source(r[6]).get("venue")).get("id")): _source(r[6]) for r in rows}
    if len(venues) == 1 and _source(next(iter(venues.values())).get("venue")):
        source = next(iter(venues.values()))
        venue = dict(source["venue"])
        address = source.get("venue_address")
        venue["properties"] = {
            **venue["properties"],
            "address_id": addresses.add(kept.address_text_of(address), address),
        }
        return venue
    name, address, code, geometry, point = venue_row
    venue_label = name or "、".join(r[2] for r in rows)
    return _feature(
        derived_id("db", "venue", key),
        "venue",
        geometry,
        {
            "category": "governmentfacility",
            "restriction": None,
            "name": kept.labels(None, venue_label),
            "alt_name": kept.labels(None, code),
            "hours": None,
            "phone": None,
            "website": None,
            "display_point": point,
            "address_id": addresses.add(address or rows[0][3] or venue_label),
        },
    )


def _building(row: tuple, ident: uuid.UUID, addresses: _Addresses) -> list[dict[str, Any]]:
    """The building feature and its footprints."""
    _bid, code, name, address, _campus, _imdf_id, stored, geom, point = row
    source = _source(stored)
    props = _source(source.get("properties"))
    language = source.get("language")
    building = _feature(
        ident,
        "building",
        None,
        {
            "category": props.get("category", "unspecified"),
            "restriction": props.get("restriction"),
            "name": kept.labels(props.get("name"), name, language),
            "alt_name": props.get("alt_name") if source else kept.labels(None, code),
            "display_point": props.get("display_point") or point,
            "address_id": addresses.add(address, source.get("address")),
        },
    )
    ground = _feature(
        derived_id("db", "footprint", ident),
        "footprint",
        geom,
        {"category": "ground", "name": None, "building_ids": [str(ident)]},
    )
    return [building, *kept.footprints(source, geom, ground)]


def _level(row: tuple, ident: uuid.UUID, building: uuid.UUID, language: str | None) -> list:
    """The level feature and the openings read on it."""
    _fid, _bid, ordinal, name, _imdf_id, stored, geom, point = row
    source = _source(stored)
    props = _source(source.get("properties"))
    short_name = kept.labels(props.get("short_name"), name, language)
    renamed = short_name is not props.get("short_name")
    level = _feature(
        ident,
        "level",
        geom,
        {
            "category": props.get("category", "unspecified"),
            "restriction": props.get("restriction"),
            "outdoor": props.get("outdoor", False),
            "ordinal": ordinal,
            "name": short_name if renamed else props.get("name"),
            "short_name": short_name,
            "display_point": props.get("display_point") or point,
            "address_id": None,
            "building_ids": [str(building)],
        },
    )
    openings = [
        {**o, "properties": {**o["properties"], "level_id": str(ident)}}
        for o in source.get("openings") or []
    ]
    return [level, *openings]


def _unit(row: tuple, level: uuid.UUID, language: str | None) -> dict[str, Any]:
    rid, _fid, number, name, category, subtype, imdf_id, stored, geom, point = row
    props = _source(_source(stored).get("properties"))
    return _feature(
        imdf_id or derived_id("db", "room", rid),
        "unit",
        geom,
        {
            "category": kept.unit_category_of(props, category, subtype),
            "restriction": props.get("restriction"),
            "accessibility": props.get("accessibility"),
            "name": kept.labels(props.get("name"), name, language),
            "alt_name": kept.room_number_labels(props, number, name)
            if props
            else kept.labels(None, number),
            "level_id": str(level),
            "display_point": props.get("display_point") or point,
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
    venue_row = _rows(conn, _VENUE, {"ids": building_ids, "campus": campus})[0]
    addresses = _Addresses("CN" if _in_china(venue_row[4]) else None)
    key = f"campus:{campus}" if campus else "buildings:" + ",".join(map(str, building_ids))
    venue = _venue(rows, venue_row, addresses, key)
    languages = {r[0]: _source(r[6]).get("language") for r in rows}
    building_uuid: dict[int, uuid.UUID] = {}
    features: dict[str, list[dict[str, Any]]] = {"building": [], "footprint": []}
    for row in rows:
        building_uuid[row[0]] = row[5] or derived_id("db", "building", row[0])
        for feature in _building(row, building_uuid[row[0]], addresses):
            features[feature["feature_type"]].append(feature)
    level_uuid: dict[int, uuid.UUID] = {}
    level_building: dict[int, int] = {}
    features |= {"level": [], "opening": [], "unit": []}
    for row in _rows(conn, _FLOORS, {"ids": building_ids}):
        level_uuid[row[0]] = row[4] or derived_id("db", "floor", row[0])
        level_building[row[0]] = row[1]
        language = languages[row[1]]
        for feature in _level(row, level_uuid[row[0]], building_uuid[row[1]], language):
            features[feature["feature_type"]].append(feature)
    for row in _rows(conn, _ROOMS, {"ids": building_ids}):
        language = languages[level_building[row[1]]]
        features["unit"].append(_unit(row, level_uuid[row[1]], language))
    kept_languages = set(languages.values())
    manifest = {
        "version": IMDF_VERSION,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generated_by": f"gis-app {__version__}",
        "language": kept_languages.pop()
        if len(kept_languages) == 1 and None not in kept_languages
        else kept.DEFAULT_LANGUAGE,
        "extensions": None,
    }
    return {
        "manifest.json": manifest,
        "venue.geojson": _collection([venue]),
        "address.geojson": _collection(list(addresses.features.values())),
        **{f"{kind}.geojson": _collection(items) for kind, items in features.items()},
    }


def export_imdf(conn: Connectable, buildings: Sequence[int | str]) -> bytes:
    """The IMDF archive of `buildings` (ids or codes) as zip bytes."""
    files = export_features(conn, buildings)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, json.dumps(content, ensure_ascii=False))
    return out.getvalue()
