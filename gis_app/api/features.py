"""Turning query rows into GeoJSON features and paged collections."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from gis_app.http.params import Page
from gis_app.schemas.geojson import Feature, FeatureCollection, Link


class GeoJSONResponse(JSONResponse):
    """JSON with the GeoJSON media type."""

    media_type = "application/geo+json"


def plain(value: Any) -> Any:
    """Numbers as JSON numbers (NUMERIC columns arrive as Decimal), dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    return jsonable_encoder(value)


def row_to_feature(row: dict[str, Any], id_key: str = "id") -> Feature:
    """`id_key` and `geometry` (GeoJSON text) become the feature's; the rest its properties."""
    properties = {k: plain(v) for k, v in row.items() if k not in ("id", "geometry")}
    geometry = json.loads(row["geometry"]) if row.get("geometry") else None
    return Feature(id=row[id_key], geometry=geometry, properties=properties)


def paging_links(request: Request, returned: int, total: int, page: Page) -> list[Link]:
    """self, and next/prev when there is more, built from the request URL."""
    links = [Link(href=str(request.url), rel="self")]
    if page.offset + returned < total:
        href = request.url.include_query_params(offset=page.offset + page.limit, limit=page.limit)
        links.append(Link(href=str(href), rel="next"))
    if page.offset > 0:
        href = request.url.include_query_params(
            offset=max(page.offset - page.limit, 0), limit=page.limit
        )
        links.append(Link(href=str(href), rel="prev"))
    return links


def feature_collection(
    request: Request, rows: list[dict[str, Any]], total: int, page: Page, id_key: str = "id"
) -> FeatureCollection:
    """A page of features with paging links."""
    return FeatureCollection(
        features=[row_to_feature(r, id_key) for r in rows],
        number_matched=total,
        number_returned=len(rows),
        links=paging_links(request, len(rows), total, page),
    )


def feature_collection_body(
    request: Request, rows: list[dict[str, Any]], total: int, page: Page, id_key: str
) -> dict[str, Any]:
    """The same collection as a plain dict, for responses that add foreign members."""
    return feature_collection(request, rows, total, page, id_key).model_dump(by_alias=True)
