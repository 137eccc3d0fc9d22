"""The query parameters of an items request, checked against the collection.

The parameters with a meaning of their own are declared (`ItemParams`), so the OpenAPI
document lists them; any other must name a queryable and filters on equality.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Query, Request

from gis_app.errors import BadRequest
from gis_app.ogc import cql
from gis_app.ogc import crs as crs_module
from gis_app.ogc.collections import Collection
from gis_app.ogc.items import ItemQuery, box_in_storage, equal_conditions, level_condition

RESERVED = {
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "crs",
    "properties",
    "filter",
    "filter-lang",
    "filter-crs",
    "level",
    "f",
}
"""Query parameters with their own meaning; any other must be a queryable (= filter)."""
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
FilterLang = Literal["cql2-text", "cql2-json", "cql-text"]
"""cql-text: the draft name GDAL 3.6 sends; read as CQL2 text."""


def _numbers(value: str, field: str) -> list[float]:
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        raise BadRequest(field=field, reason="reason.ogc.bbox_numbers") from None
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise BadRequest(field=field, reason="reason.ogc.bbox_numbers")
    return numbers


@dataclass(frozen=True)
class ItemParams:
    """The items parameters with a meaning of their own (declared, so the OpenAPI document
    lists them: GDAL reads `filter-lang` there to decide to send filters to the server)."""

    bbox: Annotated[str | None, Query(description="west,south,east,north in bbox-crs")] = None
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs")] = None
    crs: Annotated[str | None, Query(description="Output CRS URI (default CRS84)")] = None
    properties: Annotated[str | None, Query(description="Comma-separated properties")] = None
    level: Annotated[str | None, Query(description="Floor ordinal (0 = 1F) or name")] = None
    filter: Annotated[str | None, Query(description="CQL2 filter")] = None
    filter_lang: Annotated[FilterLang, Query(alias="filter-lang")] = "cql2-text"
    filter_crs: Annotated[str | None, Query(alias="filter-crs")] = None


def item_query(
    request: Request, given: ItemParams, found: Collection, limit: int, offset: int
) -> ItemQuery:
    """The request's parameters checked against the collection; 400 naming the first bad."""
    source = found.source
    query = ItemQuery(limit=limit, offset=offset)
    if given.bbox is not None:
        box_crs = crs_module.parse(given.bbox_crs, "bbox-crs")
        query.bbox = box_in_storage(_numbers(given.bbox, "bbox"), box_crs)
    elif given.bbox_crs is not None:
        raise BadRequest(field="bbox-crs", reason="reason.ogc.crs_without_bbox")
    if given.properties is not None:
        names = [n.strip() for n in given.properties.split(",") if n.strip()]
        unknown = [n for n in names if n not in source.fields]
        if unknown:
            raise BadRequest(
                field="properties",
                reason="reason.ogc.unknown_property",
                name=", ".join(unknown),
                known=", ".join(source.fields),
            )
        query.properties = names
    others = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    for name in others:
        if name not in source.fields:
            raise BadRequest(
                field=name,
                reason="reason.ogc.unknown_parameter",
                name=name,
                known=", ".join(source.fields),
            )
    equal_conditions(source, others, query)
    if given.level is not None:
        level_condition(found, given.level, query)
    if given.filter is not None:
        filter_crs = crs_module.parse(given.filter_crs, "filter-crs")
        tree = cql.parse(given.filter, given.filter_lang)
        columns = {name: column.sql for name, column in source.fields.items()}
        condition, values = cql.to_sql(tree, columns, filter_crs)
        query.conditions.append(condition)
        query.params.update(values)
    return query
