"""Reusable, documented query parameters for routers and pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request

from gis_app.errors import InvalidParameter
from gis_app.models.base import MAX_BIGINT, MAX_INT

BBox = tuple[float, float, float, float]


def bbox_param(
    bbox: Annotated[
        str | None,
        Query(
            description="minx,miny,maxx,maxy in CRS84 (longitude, latitude), e.g. "
            "120.10,30.22,120.20,30.30",
            examples=["120.10,30.22,120.20,30.30"],
        ),
    ] = None,
) -> BBox | None:
    """Parse and check a bounding box; a bad one is a 422 that names `bbox`."""
    if bbox is None:
        return None
    try:
        minx, miny, maxx, maxy = (float(v) for v in bbox.split(","))
    except ValueError:
        raise InvalidParameter(field="bbox", reason="reason.bbox_format") from None
    if not all(map(_finite, (minx, miny, maxx, maxy))):
        raise InvalidParameter(field="bbox", reason="reason.bbox_format")
    if not (
        -180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90
    ):
        raise InvalidParameter(field="bbox", reason="reason.bbox_range")
    if minx >= maxx or miny >= maxy:
        raise InvalidParameter(field="bbox", reason="reason.bbox_order")
    return (minx, miny, maxx, maxy)


def _finite(value: float) -> bool:
    return value == value and abs(value) != float("inf")


@dataclass(frozen=True)
class Page:
    """Offset paging, capped by the settings."""

    limit: int
    offset: int


def page_param(
    request: Request,
    limit: Annotated[int | None, Query(ge=1, le=MAX_INT, description="Features per page")] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_BIGINT, description="Features to skip")] = 0,
) -> Page:
    """Page size defaults to the setting and never exceeds the maximum."""
    settings = request.app.state.settings
    size = limit or settings.page_size_default
    return Page(limit=min(size, settings.page_size_max), offset=offset)


BBoxDep = Annotated[BBox | None, Depends(bbox_param)]
PageDep = Annotated[Page, Depends(page_param)]


IdPath = Annotated[int, Path(ge=1, le=MAX_INT, description="Identifier")]


AsOf = Annotated[
    date | None,
    Query(description="Show the state of this date (YYYY-MM-DD; default today)"),
]
"""The date a layer, tile or analysis shows (rooms, floors, buildings and who sat where as
they were then)."""


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag of the row as last read: required (428 without, 412 when stale)",
    ),
]
"""The version a change of a stored room or feature names (optimistic locking)."""


DistrictQuery = Annotated[
    str | None, Query(min_length=1, max_length=100, description="Only this 行政区, e.g. 西湖区")
]
"""A district (行政区) filter: a building's district is that of the parcel under it."""
