"""The JSON documents of the OGC API: landing page, conformance, collections, queryables.

Conformance lists only the classes the tests exercise (tests/ogc/): Features Part 1 core and
GeoJSON, Part 2 CRS, Part 3 filtering with CQL2 text and JSON (basic CQL2, advanced
comparison operators, basic and full spatial functions), Part 4 create, replace, update and
delete of features with ETags (the writable collections are `gis_app.ogc.editable`). Not
declared: HTML, OpenAPI 3.0 (FastAPI writes OpenAPI 3.1), temporal and array operators, OGC
API Tiles (tiles are linked from each collection, but the tileset metadata resources are not
served).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from gis_app.i18n import t
from gis_app.ogc import crs
from gis_app.ogc.collections import COLLECTIONS, Collection
from gis_app.ogc.params import DEFAULT_LIMIT, MAX_LIMIT
from gis_app.queries.extent import table_extent

_FEATURES = "http://www.opengis.net/spec/ogcapi-features-{part}/1.0/conf/{name}"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/{name}"
CONFORMANCE = [
    _FEATURES.format(part=1, name="core"),
    _FEATURES.format(part=1, name="geojson"),
    _FEATURES.format(part=2, name="crs"),
    _FEATURES.format(part=3, name="queryables"),
    _FEATURES.format(part=3, name="queryables-query-parameters"),
    _FEATURES.format(part=3, name="filter"),
    _FEATURES.format(part=3, name="features-filter"),
    _FEATURES.format(part=4, name="create-replace-delete"),
    _FEATURES.format(part=4, name="update"),
    _FEATURES.format(part=4, name="features"),
    _FEATURES.format(part=4, name="optimistic-locking-etags"),
    _CQL2.format(name="cql2-text"),
    _CQL2.format(name="cql2-json"),
    _CQL2.format(name="basic-cql2"),
    _CQL2.format(name="advanced-comparison-operators"),
    _CQL2.format(name="basic-spatial-functions"),
    _CQL2.format(name="basic-spatial-functions-plus"),
    _CQL2.format(name="spatial-functions"),
]
GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.1"
MVT = "application/vnd.mapbox-vector-tile"
EXACT_EXTENT_ROWS = 100_000
"""A collection without an extent estimate gets an exact one only below this many rows, so
the collections document never scans a big table."""
_SCHEMA_TYPES = {"text": "string", "number": "number", "bool": "boolean"}
_GEOMETRY_FORMATS = {
    "point": "geometry-point",
    "line": "geometry-multilinestring",
    "polygon": "geometry-multipolygon",
}


def _link(href: str, rel: str, media: str, title: str | None = None) -> dict[str, str]:
    out = {"href": href, "rel": rel, "type": media}
    if title:
        out["title"] = title
    return out


def landing(base: str, lang: str) -> dict[str, Any]:
    return {
        "title": t("ogc.title", lang),
        "description": t("ogc.description", lang),
        "links": [
            _link(base, "self", JSON, t("ogc.link.self", lang)),
            _link(f"{base}/api", "service-desc", OPENAPI, t("ogc.link.api", lang)),
            _link(f"{base}/conformance", "conformance", JSON, t("ogc.link.conformance", lang)),
            _link(f"{base}/collections", "data", JSON, t("ogc.link.data", lang)),
        ],
    }


def _extent(session: Session, collection: Collection) -> list[float] | None:
    """The table's extent (lon/lat, 7 decimals): estimated without a scan; exact for small
    tables that have no estimate."""
    box = table_extent(session, collection.table, exact_below=EXACT_EXTENT_ROWS)
    return None if box is None else [round(float(v), 7) for v in box]


def collection_doc(
    session: Session, collection: Collection, base: str, lang: str
) -> dict[str, Any]:
    here = f"{base}/collections/{collection.id}"
    links = [
        _link(here, "self", JSON),
        _link(f"{here}/items", "items", GEOJSON, t("ogc.link.items", lang)),
        _link(
            f"{here}/queryables",
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
            "application/schema+json",
            t("ogc.link.queryables", lang),
        ),
    ]
    if collection.layer is not None:
        links.append(
            _link(
                f"{here}/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileCol}}/{{tileRow}}",
                "item",
                MVT,
                t("ogc.link.tiles", lang),
            )
        )
    extent = _extent(session, collection)
    doc: dict[str, Any] = {
        "id": collection.id,
        "title": t(f"ogc.collection.{collection.id}.title", lang),
        "description": t(f"ogc.collection.{collection.id}.description", lang),
        "itemType": "feature",
        "crs": crs.uris(),
        "storageCrs": crs.served()[1].uri,
        "links": links,
    }
    if extent is not None:
        doc["extent"] = {"spatial": {"bbox": [extent], "crs": crs.CRS84}}
    return doc


def collections_doc(session: Session, base: str, lang: str) -> dict[str, Any]:
    return {
        "links": [_link(f"{base}/collections", "self", JSON)],
        "collections": [collection_doc(session, c, base, lang) for c in COLLECTIONS.values()],
        "crs": crs.uris(),
    }


def queryables(collection: Collection, base: str, lang: str) -> dict[str, Any]:
    """JSON Schema of the properties a filter may name, and the geometry."""
    source = collection.source
    properties: dict[str, Any] = {
        "geometry": {"format": _GEOMETRY_FORMATS[source.geometry], "x-ogc-role": "primary-geometry"}
    }
    for name, column in source.fields.items():
        properties[name] = {"type": _SCHEMA_TYPES[column.kind], "title": name}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}/collections/{collection.id}/queryables",
        "type": "object",
        "title": t(f"ogc.collection.{collection.id}.title", lang),
        "properties": properties,
        "additionalProperties": False,
    }


def collection_items_path(generic: dict[str, Any], found: Collection) -> dict[str, Any]:
    """The items operation of one collection, with a query parameter per queryable."""
    operation = json.loads(json.dumps(generic["get"]))
    operation["operationId"] = f"items_{found.id}"
    limit = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}
    operation["parameters"] = [
        {**p, "schema": limit} if p["name"] == "limit" else p
        for p in operation["parameters"]
        if p["in"] != "path"
    ] + [
        {"name": name, "in": "query", "required": False, "schema": {"type": _SCHEMA_TYPES[c.kind]}}
        for name, c in found.source.fields.items()
    ]
    return {"get": operation}
