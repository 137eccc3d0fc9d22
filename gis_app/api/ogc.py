"""OGC API Features under /ogc (Parts 1, 2 and 3; Part 4 writes are `gis_app.api.ogc_edit`),
for QGIS, GDAL and OWSLib.

The collections are the sources the web map draws (see `gis_app.ogc.collections`); items
are GeoJSON in the asked CRS, in id order, paged by limit/offset with next/prev links.
`f=gpkg` or `f=shp` returns the same selection as a GeoPackage or a zipped Shapefile.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import geopandas as gpd
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from shapely.geometry import shape
from sqlalchemy.exc import DataError, ProgrammingError

from gis_app.accounts.rights import Right
from gis_app.api.features import GeoJSONResponse, plain
from gis_app.api.tiles import TileIndex, tile_response
from gis_app.editing import rows as versions
from gis_app.errors import BadRequest, NotFound
from gis_app.http.auth import needs
from gis_app.http.language import api_language
from gis_app.http.openapi import answers
from gis_app.http.params import MAX_INT
from gis_app.http.session import SessionDep
from gis_app.layers.catalog import get_layer
from gis_app.layers.grid import MAX_ZOOM
from gis_app.layers.query import render_tile
from gis_app.ogc import crs as crs_module
from gis_app.ogc import documents
from gis_app.ogc.collections import COLLECTIONS, Collection, get_collection
from gis_app.ogc.editable import EDITABLE
from gis_app.ogc.encode import collection_text, feature_text
from gis_app.ogc.items import (
    ItemQuery,
    read_items,
)
from gis_app.ogc.params import DEFAULT_LIMIT, MAX_LIMIT, ItemParams, item_query
from gis_app.reports.vector_files import VECTOR_FORMATS, write_vector

router = APIRouter(prefix="/ogc", tags=["OGC API Features"])
PUBLIC = [needs(Right.PUBLIC)]
"""The landing page, conformance and API definition describe the service, not its data:
clients (QGIS, GDAL) read them before they send credentials."""
READ = [needs(Right.READ)]

CollectionId = Annotated[str, Path(max_length=40, description="Collection id, e.g. rooms")]
EXPORT_MAX = 200_000
"""Features one file export may hold."""


def _base(request: Request) -> str:
    return str(request.url_for("ogc_landing")).rstrip("/")


@router.get("", name="ogc_landing", summary="Landing page / 服务首页", dependencies=PUBLIC)
@router.get("/", include_in_schema=False, dependencies=PUBLIC)
def landing(request: Request) -> dict[str, Any]:
    return documents.landing(_base(request), api_language(request))


@router.get("/conformance", summary="Conformance classes / 符合性类", dependencies=PUBLIC)
def conformance() -> dict[str, Any]:
    return {"conformsTo": documents.CONFORMANCE}


@router.get("/api", summary="OpenAPI definition of /ogc / 接口定义", dependencies=PUBLIC)
def api_definition(request: Request) -> JSONResponse:
    """The app's OpenAPI document cut to /ogc, with /ogc as its server, plus each
    collection's items path with its queryables: GDAL looks those up to decide which
    filters it may send to the server."""
    full = request.app.openapi()
    paths = {
        key.removeprefix("/ogc").replace("{collection_id}", "{collectionId}") or "/": json.loads(
            json.dumps(value).replace('"collection_id"', '"collectionId"')
        )
        for key, value in full["paths"].items()
        if key.startswith("/ogc")
    }
    generic = paths["/collections/{collectionId}/items"]
    for found in COLLECTIONS.values():
        paths[f"/collections/{found.id}/items"] = documents.collection_items_path(generic, found)
    return JSONResponse({**full, "servers": [{"url": _base(request)}], "paths": paths})


@router.get("/collections", summary="Collections / 数据集合", dependencies=READ)
def collections(request: Request, session: SessionDep) -> dict[str, Any]:
    return documents.collections_doc(session, _base(request), api_language(request))


@router.get(
    "/collections/{collection_id}",
    dependencies=READ,
    name="ogc_collection",
    summary="One collection / 单个集合",
)
def collection(request: Request, session: SessionDep, collection_id: CollectionId) -> dict:
    found = get_collection(collection_id)
    return documents.collection_doc(session, found, _base(request), api_language(request))


@router.get(
    "/collections/{collection_id}/queryables",
    summary="Queryables / 可查询属性",
    dependencies=READ,
)
def queryables(request: Request, collection_id: CollectionId) -> JSONResponse:
    body = documents.queryables(
        get_collection(collection_id), _base(request), api_language(request)
    )
    return JSONResponse(body, media_type="application/schema+json")


def _rows(session: SessionDep, found: Collection, query: ItemQuery, out) -> list[dict]:
    """Read the rows; a filter the database cannot apply (text compared with a number…) is
    the caller's mistake: 400 naming `filter`."""
    try:
        return read_items(session, found, query, out)
    except (DataError, ProgrammingError) as exc:
        session.rollback()
        if not query.conditions:
            raise
        detail = str(getattr(exc.orig, "diag", None) and exc.orig.diag.message_primary)
        raise BadRequest(field="filter", reason="reason.ogc.filter_failed", detail=detail) from exc


def _page_links(request: Request, query: ItemQuery, returned: int) -> list[dict[str, str]]:
    url = request.url
    links = [{"href": str(url), "rel": "self", "type": documents.GEOJSON}]
    if returned == query.limit:
        href = url.include_query_params(offset=query.offset + query.limit, limit=query.limit)
        links.append({"href": str(href), "rel": "next", "type": documents.GEOJSON})
    if query.offset > 0:
        href = url.include_query_params(
            offset=max(query.offset - query.limit, 0), limit=query.limit
        )
        links.append({"href": str(href), "rel": "prev", "type": documents.GEOJSON})
    collection_href = str(
        request.url_for("ogc_collection", collection_id=request.path_params["collection_id"])
    )
    links.append({"href": collection_href, "rel": "collection", "type": documents.JSON})
    return links


def _file(found: Collection, rows: list[dict], out, fmt: str) -> Response:
    frame = gpd.GeoDataFrame(
        [{k: plain(v) for k, v in r.items() if k != "geometry"} for r in rows],
        geometry=[shape(json.loads(r["geometry"])) if r.get("geometry") else None for r in rows],
        crs=f"EPSG:{out.srid}",
    )
    data = write_vector(frame, found.id, fmt)
    suffix = "gpkg" if fmt == "gpkg" else "shp.zip"
    return Response(
        data,
        media_type=VECTOR_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{found.id}.{suffix}"'},
    )


@router.get(
    "/collections/{collection_id}/items",
    dependencies=READ,
    summary="Features / 要素",
    response_class=GeoJSONResponse,
    responses=answers(*VECTOR_FORMATS.values()),
)
@router.head("/collections/{collection_id}/items", dependencies=READ, include_in_schema=False)
def items(
    request: Request,
    session: SessionDep,
    collection_id: CollectionId,
    given: Annotated[ItemParams, Depends()],
    limit: Annotated[int | None, Query(ge=1, le=MAX_LIMIT)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    f: Annotated[str, Query(pattern="^(json|geojson|gpkg|shp)$")] = "json",
) -> Response:
    """Features of a collection: `bbox` (+`bbox-crs`), `crs`, `properties`, `level` (floor
    ordinal or name; floors and rooms), a CQL2 `filter` (`filter-lang` cql2-text or
    cql2-json, `filter-crs`), and `name=value` for any queryable. `f=json` pages;
    `f=geojson`, `f=gpkg` and `f=shp` download the whole selection (at most 200,000
    features unless `limit` says fewer) as a file."""
    found = get_collection(collection_id)
    export = f in VECTOR_FORMATS
    page = limit or (EXPORT_MAX if export or f == "geojson" else DEFAULT_LIMIT)
    query = item_query(request, given, found, page, offset)
    out = crs_module.parse(given.crs, "crs")
    if export:
        lon_first = crs_module.ServedCrs(out.uri, out.srid, swap_axes=False)
        return _file(found, _rows(session, found, query, lon_first), lon_first, f)
    rows = _rows(session, found, query, out)
    members: dict[str, Any] = {
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "numberReturned": len(rows),
        "links": _page_links(request, query, len(rows)),
    }
    if len(rows) < query.limit and (rows or query.offset == 0):
        members["numberMatched"] = query.offset + len(rows)
    headers = {"Content-Crs": f"<{out.uri}>"}
    if f == "geojson":
        headers["Content-Disposition"] = f'attachment; filename="{found.id}.geojson"'
    body = collection_text([feature_text(r) for r in rows], members)
    return Response(body.encode(), media_type=documents.GEOJSON, headers=headers)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    dependencies=READ,
    summary="One feature / 单个要素",
    response_class=GeoJSONResponse,
)
@router.head(
    "/collections/{collection_id}/items/{feature_id}", dependencies=READ, include_in_schema=False
)
def item(
    request: Request,
    session: SessionDep,
    collection_id: CollectionId,
    feature_id: Annotated[int, Path(ge=1, le=MAX_INT)],
) -> Response:
    found = get_collection(collection_id)
    out = crs_module.parse(request.query_params.get("crs"), "crs")
    query = ItemQuery(limit=1, feature_id=feature_id)
    rows = _rows(session, found, query, out)
    if not rows:
        raise NotFound(resource="feature", id=f"{collection_id}/{feature_id}")
    base = _base(request)
    links = [
        {"href": str(request.url), "rel": "self", "type": documents.GEOJSON},
        {
            "href": f"{base}/collections/{collection_id}",
            "rel": "collection",
            "type": documents.JSON,
        },
    ]
    body = feature_text(rows[0])[:-1] + ',"links":' + json.dumps(links) + "}"
    headers = {"Content-Crs": f"<{out.uri}>"}
    if found.id in EDITABLE:
        version = versions.row_etag(session, EDITABLE[found.id].table, feature_id)
        if version is not None:
            headers["ETag"] = version
    return Response(body.encode(), media_type=documents.GEOJSON, headers=headers)


@router.get(
    "/collections/{collection_id}/tiles/WebMercatorQuad/{z}/{x}/{y}",
    dependencies=READ,
    summary="Vector tile of a collection / 集合矢量瓦片",
    response_class=Response,
)
def collection_tile(
    request: Request,
    session: SessionDep,
    collection_id: CollectionId,
    z: Annotated[int, Path(ge=0, le=MAX_ZOOM)],
    x: TileIndex,
    y: TileIndex,
) -> Response:
    """The web map's tile of the collection's layer (same cap, simplification, ETag)."""
    found = get_collection(collection_id)
    if found.layer is None:
        raise NotFound(resource="tiles", id=collection_id)
    tile = render_tile(session, get_layer(found.layer), z, x, y)
    return tile_response(tile, request.headers.get("if-none-match"), found.layer)
