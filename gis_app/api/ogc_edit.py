"""OGC API Features Part 4 under /ogc: create, replace, update and delete features, and
the OPTIONS probe QGIS (3.32+) sends to learn whether a layer is editable.

Every change of a stored feature names the version it changes (`If-Match`, 428 without,
412 when stale); the check and the write run in one transaction with the row locked, so of
two changes sent with the same ETag one succeeds and the other gets 412. Each write first
tells its transaction what it is (`begin_edit`), so the audit log records the user and the
action; any refusal rolls the whole transaction back.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response

from gis_app.accounts.rights import Right, may
from gis_app.api.features import GeoJSONResponse
from gis_app.db.edit import EditContext, begin_edit
from gis_app.editing import rows as versions
from gis_app.errors import NotFound
from gis_app.http.auth import CallerDep, Forbidden, needs
from gis_app.http.params import MAX_INT, IfMatch
from gis_app.http.session import SessionDep
from gis_app.ogc import write
from gis_app.ogc.collections import Collection, get_collection
from gis_app.ogc.crs import ServedCrs
from gis_app.ogc.documents import GEOJSON, JSON
from gis_app.ogc.editable import EDITABLE, Editable, allowed_methods, editable
from gis_app.ogc.encode import feature_text
from gis_app.ogc.incoming import (
    Incoming,
    check_derived,
    completed,
    content_crs,
    incoming,
    read_body,
)
from gis_app.ogc.items import ItemQuery, read_items

router = APIRouter(prefix="/ogc", tags=["OGC API Features"])
READ = [needs(Right.READ)]
EDIT = [needs(Right.EDIT)]
ITEMS = "/collections/{collection_id}/items"
ITEM = ITEMS + "/{feature_id}"
_FEATURE = {"type": "object", "description": "GeoJSON Feature"}
FEATURE_BODY = {
    "requestBody": {
        "required": True,
        "content": {GEOJSON: {"schema": _FEATURE}, JSON: {"schema": _FEATURE}},
    }
}

CollectionId = Annotated[str, Path(max_length=40, description="Collection id, e.g. rooms")]
FeatureId = Annotated[int, Path(ge=1, le=MAX_INT)]
ContentCrs = Annotated[
    str | None, Header(alias="Content-Crs", description="CRS of the body (default CRS84)")
]


async def raw_body(request: Request) -> bytes:
    """The request body, read before the handler runs in its thread."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def _writable(found: Collection, caller: CallerDep) -> Editable:
    """The collection's write rules, if the caller has the right they need (403 naming it)."""
    spec = editable(found)
    identity = caller.identity
    if identity is None or not may(identity.role, spec.right):
        raise Forbidden(right=spec.right.value)
    return spec


def _may_write(found: Collection, caller: CallerDep) -> bool:
    spec = EDITABLE.get(found.id)
    identity = caller.identity
    return spec is not None and identity is not None and may(identity.role, spec.right)


def _location(request: Request, collection_id: str, feature_id: int) -> str:
    base = str(request.url_for("ogc_landing")).rstrip("/")
    return f"{base}/collections/{collection_id}/items/{feature_id}"


def _answer(
    session: SessionDep,
    found: Collection,
    spec: Editable,
    feature_id: int,
    out: ServedCrs,
    given: Incoming,
) -> tuple[bytes, str]:
    """The feature as now stored (in the body's CRS) and its new ETag, read in the write's
    transaction; 422 when a read-only property sent differs from what is stored."""
    rows = read_items(session, found, ItemQuery(limit=1, feature_id=feature_id), out)
    if not rows:
        raise NotFound(resource="feature", id=f"{found.id}/{feature_id}")
    check_derived(given.derived, rows[0])
    tag = versions.row_etag(session, spec.table, feature_id)
    assert tag is not None
    return feature_text(rows[0]).encode(), tag


def _headers(tag: str, out: ServedCrs, **more: str) -> dict[str, str]:
    return {"ETag": tag, "Content-Crs": f"<{out.uri}>", **more}


@router.options(ITEMS, dependencies=READ, include_in_schema=False)
def items_options(caller: CallerDep, collection_id: CollectionId) -> Response:
    """What this caller may do with the collection's items (QGIS asks before editing)."""
    found = get_collection(collection_id)
    allow = allowed_methods(_may_write(found, caller), item=False)
    return Response(status_code=204, headers={"Allow": ", ".join(allow)})


@router.options(ITEM, dependencies=READ, include_in_schema=False)
def item_options(
    caller: CallerDep,
    collection_id: CollectionId,
    feature_id: FeatureId,  # noqa: ARG001 (part of the path; what is allowed does not depend on it)
) -> Response:
    found = get_collection(collection_id)
    allow = allowed_methods(_may_write(found, caller), item=True)
    return Response(status_code=204, headers={"Allow": ", ".join(allow)})


@router.post(
    ITEMS,
    dependencies=EDIT,
    status_code=201,
    summary="Create a feature / 新增要素",
    response_class=GeoJSONResponse,
    openapi_extra=FEATURE_BODY,
)
def create_item(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    collection_id: CollectionId,
    body: RawBody,
    crs: ContentCrs = None,
) -> Response:
    """A GeoJSON Feature into the collection (coordinates in `Content-Crs`); answers the
    stored feature with its `Location` and `ETag`."""
    found = get_collection(collection_id)
    spec = _writable(found, caller)
    out = content_crs(crs)
    given = incoming(
        read_body(body, request.headers.get("content-type")), found, spec, out, whole=True
    )
    values = completed(spec, given, whole=True)
    with session.begin():
        begin_edit(session, EditContext(action="ogc.create"))
        assert given.geometry is not None
        new_id = write.insert(session, spec, values, given.geometry)
        text, tag = _answer(session, found, spec, new_id, out, given)
    location = _location(request, collection_id, new_id)
    return Response(text, 201, media_type=GEOJSON, headers=_headers(tag, out, Location=location))


def _change(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    collection_id: str,
    feature_id: int,
    body: bytes,
    crs: str | None,
    if_match: str | None,
    *,
    whole: bool,
) -> Response:
    """PUT (`whole`) or PATCH: the version check and the write under one row lock."""
    expected = versions.required(if_match)
    found = get_collection(collection_id)
    spec = _writable(found, caller)
    out = content_crs(crs)
    given = incoming(
        read_body(body, request.headers.get("content-type")), found, spec, out, whole=whole
    )
    values = completed(spec, given, whole=whole)
    with session.begin():
        begin_edit(session, EditContext(action="ogc.replace" if whole else "ogc.update"))
        current = versions.row_etag(session, spec.table, feature_id, lock=True)
        if current is None:
            raise NotFound(resource="feature", id=f"{collection_id}/{feature_id}")
        versions.check_match(expected, current)
        write.update(session, spec, feature_id, values, given.geometry)
        text, tag = _answer(session, found, spec, feature_id, out, given)
    return Response(text, media_type=GEOJSON, headers=_headers(tag, out))


@router.put(
    ITEM,
    dependencies=EDIT,
    summary="Replace a feature / 替换要素",
    response_class=GeoJSONResponse,
    openapi_extra=FEATURE_BODY,
)
def replace_item(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    collection_id: CollectionId,
    feature_id: FeatureId,
    body: RawBody,
    crs: ContentCrs = None,
    if_match: IfMatch = None,
) -> Response:
    """The whole feature: properties not given go back to their defaults (or null)."""
    return _change(
        request, session, caller, collection_id, feature_id, body, crs, if_match, whole=True
    )


@router.patch(
    ITEM,
    dependencies=EDIT,
    summary="Update a feature / 修改要素",
    response_class=GeoJSONResponse,
    openapi_extra=FEATURE_BODY,
)
def update_item(
    request: Request,
    session: SessionDep,
    caller: CallerDep,
    collection_id: CollectionId,
    feature_id: FeatureId,
    body: RawBody,
    crs: ContentCrs = None,
    if_match: IfMatch = None,
) -> Response:
    """Only the properties given (and the geometry, if given) change."""
    return _change(
        request, session, caller, collection_id, feature_id, body, crs, if_match, whole=False
    )


@router.delete(ITEM, dependencies=EDIT, status_code=204, summary="Delete a feature / 删除要素")
def delete_item(
    session: SessionDep,
    caller: CallerDep,
    collection_id: CollectionId,
    feature_id: FeatureId,
    if_match: IfMatch = None,
) -> Response:
    expected = versions.required(if_match)
    found = get_collection(collection_id)
    spec = _writable(found, caller)
    with session.begin():
        begin_edit(session, EditContext(action="ogc.delete"))
        current = versions.row_etag(session, spec.table, feature_id, lock=True)
        if current is None:
            raise NotFound(resource="feature", id=f"{collection_id}/{feature_id}")
        versions.check_match(expected, current)
        write.delete(session, spec, feature_id)
    return Response(status_code=204)
