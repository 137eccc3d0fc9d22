"""Turning query rows into GeoJSON features and paged collections."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from gis_app.api.params import Page
from gis_app.schemas.geojson import Feature, FeatureCollection, Link


class GeoJSONResponse(JSONResponse):
    """JSON with the GeoJSON media type."""

    media_type = "application/geo+json"


def _plain(value: Any) -> Any:
    """Numbers as JSON numbers (NUMERIC columns arrive as Decimal)."""
    return float(value) if isinstance(value, Decimal) else value


def row_to_feature(row: dict[str, Any]) -> Feature:
    """`id` and `geometry` (GeoJSON text) become the feature's; the rest its properties."""
    properties = {k: _plain(v) for k, v in row.items() if k not in ("id", "geometry")}
    geometry = json.loads(row["geometry"]) if row.get("geometry") else None
    return Feature(id=row["id"], geometry=geometry, properties=properties)


def feature_collection(
    request: Request, rows: list[dict[str, Any]], total: int, page: Page
) -> FeatureCollection:
    """A page of features with self/next/prev links built from the request URL."""
    links = [Link(href=str(request.url), rel="self")]
    if page.offset + len(rows) < total:
        links.append(
            Link(
                href=str(
                    request.url.include_query_params(
                        offset=page.offset + page.limit, limit=page.limit
                    )
                ),
                rel="next",
            )
        )
    if page.offset > 0:
        links.append(
            Link(
                href=str(
                    request.url.include_query_params(
                        offset=max(page.offset - page.limit, 0), limit=page.limit
                    )
                ),
                rel="prev",
            )
        )
    return FeatureCollection(
        features=[row_to_feature(r) for r in rows],
        number_matched=total,
        number_returned=len(rows),
        links=links,
    )
