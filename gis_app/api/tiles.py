"""Vector tiles (MVT) of the catalog's layers, made by PostGIS on every request.

Caching: each tile carries an ETag computed from the caller's scope and its bytes (two
users who see different rows never share a validator, even for equal bytes), `Vary` on
the credentials, and `Cache-Control: private,
max-age=0, must-revalidate`, so a browser keeps it but asks again every time, and gets a
bodiless 304 when nothing changed. A positive max-age would let it reuse a tile without
asking, and an edit to a room or building would not show in the next request. An empty tile
is a 204 (no content), which Leaflet.VectorGrid and MapLibre draw as an empty tile.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from prometheus_client import Counter

from gis_app.accounts.rights import Right
from gis_app.api.layers import FloorId, LayerId, Ordinal
from gis_app.db.identity import current_identity
from gis_app.http.auth import needs
from gis_app.http.params import MAX_INT, AsOf
from gis_app.http.session import SessionDep
from gis_app.layers.catalog import get_layer
from gis_app.layers.grid import MAX_ZOOM
from gis_app.layers.query import Filters, Tile, render_tile

router = APIRouter(prefix="/tiles", tags=["tiles"], dependencies=[needs(Right.READ)])

MVT_MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
TILE_MAX_AGE_S = 0
"""Seconds a browser may reuse a tile unasked; 0 keeps every edit visible at once."""
CACHE_CONTROL = f"private, max-age={TILE_MAX_AGE_S}, must-revalidate"

TILES_SERVED = Counter(
    "gis_tiles_served",
    "Tiles answered, by layer and result: tile (200), empty (204), not_modified (304). "
    "Every tile is made by PostGIS (there is no server-side tile cache); not_modified is "
    "the browser's cache revalidating.",
    ["layer", "result"],
)
TILE_BYTES = Counter("gis_tile_bytes", "Bytes of the tiles sent with a body, by layer.", ["layer"])

TileIndex = Annotated[int, Path(ge=0, le=MAX_INT, description="Column (x) or row (y), from 0")]


def etag(data: bytes) -> str:
    """Strong validator of a tile: a digest of the caller's scope and the tile's bytes."""
    identity = current_identity()
    scope = identity.scope_key if identity is not None else "-"
    return '"' + hashlib.sha256(scope.encode() + b"\0" + data).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [c.strip().removeprefix("W/") for c in if_none_match.split(",")]
    return "*" in candidates or tag in candidates


def tile_response(tile: Tile, if_none_match: str | None, layer: str) -> Response:
    """200 with the MVT, 304 when the client holds the same bytes, 204 when empty; counted
    under `layer`, the catalog's id of the layer drawn."""
    headers = {
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Authorization, Cookie",
        "X-Tile-Features": str(tile.features),
        "X-Tile-Capped": "true" if tile.capped else "false",
    }
    if not tile.data:
        _count(layer, "empty")
        return Response(status_code=204, headers=headers)
    headers["ETag"] = etag(tile.data)
    if _matches(if_none_match, headers["ETag"]):
        _count(layer, "not_modified")
        return Response(status_code=304, headers=headers)
    _count(layer, "tile", len(tile.data))
    return Response(tile.data, media_type=MVT_MEDIA_TYPE, headers=headers)


def _count(layer: str, result: str, size: int = 0) -> None:
    TILES_SERVED.labels(layer=layer, result=result).inc()
    TILE_BYTES.labels(layer=layer).inc(size)


@router.get(
    "/{layer}/{z}/{x}/{y}.mvt",
    operation_id="get_tile",
    response_class=Response,
    responses={
        200: {"content": {MVT_MEDIA_TYPE: {}}, "description": "The tile"},
        204: {"description": "Nothing in this tile"},
        304: {"description": "Unchanged since the ETag given in If-None-Match"},
    },
    summary="Vector tile of a layer / 图层矢量瓦片",
)
def get_tile(
    request: Request,
    session: SessionDep,
    layer: LayerId,
    z: Annotated[int, Path(ge=0, le=MAX_ZOOM, description="Zoom")],
    x: TileIndex,
    y: TileIndex,
    floor_id: FloorId = None,
    ordinal: Ordinal = None,
    as_of: AsOf = None,
) -> Response:
    """Tile z/x/y (XYZ scheme, EPSG:3857) of a tiled or GeoJSON vector layer; the layer
    inside the tile is named by the layer id. 404 for an unknown layer; 422 naming z when it
    is outside the layer's zoom range, x or y when outside the grid. Rooms show one floor:
    `floor_id`, or `ordinal`, else 1F. Headers say how many features the tile holds and
    whether the layer's per-tile cap cut it (`X-Tile-Features`, `X-Tile-Capped`)."""
    spec = get_layer(layer)
    tile = render_tile(
        session, spec, z, x, y, Filters(floor_id=floor_id, ordinal=ordinal, as_of=as_of)
    )
    return tile_response(tile, request.headers.get("if-none-match"), spec.id)
