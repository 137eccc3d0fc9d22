"""Reading a catalog layer: the MVT of one tile, GeoJSON-ready rows in a box, or where a
raster overlay lies.

Every request reads the database afresh (nothing is cached here), so an edit to a room or a
building shows in the next tile; HTTP caching is left to ETags (see `gis_app.api.tiles`).
Bad requests raise the domain errors of `gis_app.errors`, naming the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.analysis.common import dated, run
from gis_app.errors import InvalidParameter
from gis_app.layers.catalog import AnalysisSource, LayerSpec, RasterSource, TableSource
from gis_app.layers.grid import tile_bbox, tile_count
from gis_app.layers.sources import (
    SourceDef,
    box_params,
    features_sql,
    source_def,
    tile_sql,
    tolerance_m,
)

BBox = tuple[float, float, float, float]
DEFAULT_ORDINAL = 0
"""Floor shown by a floor-aware layer (rooms) when the request names none: 1F."""


@dataclass(frozen=True)
class Filters:
    """Optional request filters; only sources that list them accept them (rooms)."""

    floor_id: int | None = None
    ordinal: int | None = None
    as_of: date | None = None
    """The date shown (None: today)."""


@dataclass(frozen=True)
class Tile:
    """An encoded tile and what went into it."""

    data: bytes
    features: int
    matched: int
    """Features meeting the tile before the cap."""
    capped: bool


def vector_source(spec: LayerSpec) -> SourceDef:
    """The SQL definition of a vector layer; 422 naming `layer` for a raster overlay."""
    source = spec.source
    if isinstance(source, RasterSource):
        raise InvalidParameter(field="layer", reason="reason.layers.not_vector", layer=spec.id)
    if isinstance(source, TableSource):
        return source_def("table", source.table)
    assert isinstance(source, AnalysisSource)
    return source_def("analysis", source.analysis, source.level)


def check_tile(spec: LayerSpec, z: int, x: int, y: int) -> None:
    """422 naming `z` outside the layer's zoom range, or `x`/`y` outside the grid at z."""
    if not spec.min_zoom <= z <= spec.max_zoom:
        raise InvalidParameter(
            field="z",
            reason="reason.layers.zoom_range",
            layer=spec.id,
            z=z,
            min_zoom=spec.min_zoom,
            max_zoom=spec.max_zoom,
        )
    last = tile_count(z) - 1
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value <= last:
            raise InvalidParameter(
                field=name, reason="reason.layers.outside_grid", z=z, value=value, last=last
            )


def _params(spec: LayerSpec, source: SourceDef, bbox: BBox | None, filters: Filters) -> dict:
    """Box, filters and, for analysis sources, the analysis parameters (standard, today)."""
    if source.filters:
        floor_id, ordinal = filters.floor_id, filters.ordinal
        if floor_id is None and ordinal is None:
            ordinal = DEFAULT_ORDINAL
        params: dict[str, Any] = {"floor_id": floor_id, "ordinal": ordinal}
    else:
        for name in ("floor_id", "ordinal"):
            if getattr(filters, name) is not None:
                raise InvalidParameter(field=name, reason="reason.layers.no_floors", layer=spec.id)
        params = {}
    return params | box_params(source, bbox, filters.as_of)


def run_layer_sql(session: Session, sql: str, params: dict[str, Any], *, boxed: bool) -> list[dict]:
    """Run a layer statement. Over a box (a tile, a map view) it reaches a few thousand
    buildings at most: with the default 4 MB of work_mem the planner probes the occupancy
    index for each of their rooms instead of hashing every occupancy of the province, which
    the analysis reports' 64 MB invite (350 ms → 100 ms for a z13 vacancy tile of 950
    buildings at province size). That is the session's own setting (see `make_engine`), so
    a boxed statement goes out alone. Without a box, the reports' settings apply."""
    if not boxed:
        return run(session, sql, params)
    sql = dated(sql, params.get("as_of"))
    return [dict(row) for row in session.execute(text(sql), params).mappings()]


def tile_params(
    spec: LayerSpec, source: SourceDef, z: int, x: int, y: int, filters: Filters = Filters()
) -> dict[str, Any]:
    """The bind values of `tile_sql(source, …)` for tile z/x/y of `spec`."""
    return _params(spec, source, tile_bbox(z, x, y), filters) | {
        "z": z,
        "x": x,
        "y": y,
        "layer": spec.id,
        "cap": spec.max_features,
        "tolerance": tolerance_m(z),
    }


def render_tile(
    session: Session, spec: LayerSpec, z: int, x: int, y: int, filters: Filters = Filters()
) -> Tile:
    """The MVT of tile z/x/y of a vector layer (layer name inside: the layer id), at most
    `spec.max_features` features, largest or most important first."""
    source = vector_source(spec)
    check_tile(spec, z, x, y)
    params = tile_params(spec, source, z, x, y, filters)
    row = run_layer_sql(session, tile_sql(source, spec.used_fields()), params, boxed=True)[0]
    matched = int(row["matched"])
    return Tile(
        data=bytes(row["tile"] or b""),
        features=int(row["features"]),
        matched=matched,
        capped=matched > spec.max_features,
    )


def layer_features(
    session: Session,
    spec: LayerSpec,
    bbox: BBox | None,
    *,
    limit: int,
    offset: int = 0,
    filters: Filters = Filters(),
    fields: list[str] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Rows (id, fields, geometry as GeoJSON text) meeting `bbox` and how many did in all.

    `fields` defaults to every field the source provides. A tiled layer needs a box: its
    whole extent would be the province (422 naming `bbox`)."""
    source = vector_source(spec)
    if bbox is None and spec.delivery == "tiles":
        raise InvalidParameter(field="bbox", reason="reason.layers.bbox_needed", layer=spec.id)
    names = list(source.fields) if fields is None else fields
    params = _params(spec, source, bbox, filters) | {"limit": limit, "offset": offset}
    rows = run_layer_sql(session, features_sql(source, names), params, boxed=bbox is not None)
    total = int(rows[0]["total"]) if rows else 0
    return [{k: v for k, v in r.items() if k != "total"} for r in rows], total


def raster_footprint(session: Session, code: str) -> BBox | None:
    """(west, south, east, north) of the registered raster `code`, or None when there is
    none by that code."""
    row = session.execute(
        text(
            "SELECT ST_XMin(footprint), ST_YMin(footprint), ST_XMax(footprint), "
            "ST_YMax(footprint) FROM raster_layer WHERE code = :c"
        ),
        {"c": code},
    ).first()
    return None if row is None else (row[0], row[1], row[2], row[3])
