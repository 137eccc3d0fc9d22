"""Reading a collection's items: box, property filters, `level`, a CQL2 filter, output CRS.

Items come in id order, so `offset` pages are stable. No request counts the whole table:
`numberMatched` is known only when a page comes back short (then it is offset + returned).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from gis_app.errors import BadRequest
from gis_app.geodesy.transform import to_storage
from gis_app.layers.query import run_layer_sql
from gis_app.layers.sources import BOX_MEETS, SourceDef, box_params, picked_sql
from gis_app.models.base import SRID
from gis_app.ogc.collections import Collection
from gis_app.ogc.crs import ServedCrs

BBox = tuple[float, float, float, float]


@dataclass
class ItemQuery:
    """What a request asks of a collection, already checked."""

    limit: int
    offset: int = 0
    bbox: BBox | None = None
    """In CGCS2000 lon/lat (see `box_in_storage`)."""
    crs: ServedCrs | None = None
    properties: list[str] | None = None
    conditions: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    feature_id: int | None = None


def box_in_storage(values: Sequence[float], crs: ServedCrs) -> BBox:
    """A `bbox` given in `crs` (its axis order) as a lon/lat box in EPSG:4490; the edges are
    densified, so a box in metres covers all of its curved outline in degrees."""
    if len(values) == 6:
        values = (values[0], values[1], values[3], values[4])
    a, b, c, d = values
    if crs.swap_axes:
        a, b, c, d = b, a, d, c
    if a > c or b > d:
        raise BadRequest(field="bbox", reason="reason.ogc.bbox_order")
    if crs.srid == SRID:
        return (a, b, c, d)
    # The served CRSs are all on CGCS2000 or WGS 84: the app's one transformation is a
    # projection undone (geodesy.transform), chosen once and cached there.
    return to_storage(f"EPSG:{crs.srid}").bounds_to_storage((a, b, c, d))


def typed(value: str, kind: str, name: str) -> Any:
    """A query-string value as its property's type; 400 naming the property."""
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            raise BadRequest(field=name, reason="reason.ogc.not_a_number", value=value) from None
    if kind == "bool":
        if value.lower() not in ("true", "false"):
            raise BadRequest(field=name, reason="reason.ogc.not_a_bool", value=value)
        return value.lower() == "true"
    return value


def equal_conditions(source: SourceDef, given: Mapping[str, str], query: ItemQuery) -> None:
    """Property = value for each queryable named in the query string."""
    for i, (name, value) in enumerate(given.items()):
        column = source.fields[name]
        query.conditions.append(f"{column.sql} = :eq{i}")
        query.params[f"eq{i}"] = typed(value, column.kind, name)


def level_condition(collection: Collection, level: str, query: ItemQuery) -> None:
    """`level`: a floor ordinal (0 = 1F, -1 = B1) or a floor name as the building names it."""
    if collection.level is None:
        raise BadRequest(field="level", reason="reason.ogc.no_levels", collection=collection.id)
    ordinal_sql, name_sql = collection.level
    try:
        query.params["level"] = int(level)
        query.conditions.append(f"{ordinal_sql} = :level")
    except ValueError:
        query.params["level"] = level
        query.conditions.append(f"{name_sql} = :level")


def _geometry_sql(crs: ServedCrs) -> str:
    geom = "t.geom" if crs.srid == SRID else f"ST_Transform(t.geom, {crs.srid})"
    if crs.swap_axes:
        geom = f"ST_FlipCoordinates({geom})"
    digits = 3 if crs.srid == 3857 or crs.srid == 4549 else 7
    return f"ST_AsGeoJSON({geom}, {digits}, 0)"


def items_sql(source: SourceDef, fields: Sequence[str], query: ItemQuery, crs: ServedCrs) -> str:
    """The source's SELECT (see `picked_sql`) with what OGC adds: the query's conditions
    (box, feature id, property equality, level, CQL2), id order for paging, and the
    geometry in `crs`."""
    where = ["TRUE"]
    if query.bbox is not None:
        where.append(BOX_MEETS)
    if query.feature_id is not None:
        where.append("t.id = :feature_id")
    where.extend(query.conditions)
    picked = picked_sql(
        source,
        fields,
        where=" AND ".join(where),
        order="t.id",
        geometry=f"{_geometry_sql(crs)} AS geometry",
    )
    return f"{picked}\nSELECT * FROM picked"


def read_items(
    session: Session, collection: Collection, query: ItemQuery, crs: ServedCrs
) -> list[dict[str, Any]]:
    """One page of rows of `collection`."""
    source = collection.source
    fields = query.properties if query.properties is not None else list(source.fields)
    params: dict[str, Any] = {
        **query.params,
        "limit": query.limit,
        "offset": query.offset,
        "feature_id": query.feature_id,
    }
    params |= box_params(source, query.bbox)
    sql = items_sql(source, fields, query, crs)
    return run_layer_sql(session, sql, params, boxed=query.bbox is not None)
