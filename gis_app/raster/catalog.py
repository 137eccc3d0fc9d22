"""What the raster store holds, read as plain data for the API: the registered rasters with
their meaning, grid and extent, how many parcels have statistics over each, and where a
raster's file is.

JSON has no NaN: a float raster whose nodata value is NaN (its empty cells are NaN, which
are no data anyway) is listed with `nodata` null."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis_app.errors import NotFound
from gis_app.models import ParcelRasterStat, RasterLayer


@dataclass(frozen=True, slots=True)
class StoredRaster:
    """The file of a registered raster, the band its values are in and the CRS it was
    registered with (which wins over the file's: it may carry a declared datum shift)."""

    path: Path
    band: int
    crs: str


def _as_dict(layer: RasterLayer) -> dict[str, Any]:
    return {
        "code": layer.code,
        "name_zh": layer.name_zh,
        "name_en": layer.name_en,
        "kind": layer.kind,
        "units": layer.units,
        "crs": layer.crs,
        "width": layer.width,
        "height": layer.height,
        "res_x": layer.res_x,
        "res_y": layer.res_y,
        "nodata": layer.nodata if layer.nodata is None or math.isfinite(layer.nodata) else None,
        "derived_from": layer.derived_from,
        "registered_at": layer.registered_at.isoformat() if layer.registered_at else None,
        "bounds": list(to_shape(layer.footprint).bounds),
    }


def raster_layers(session: Session, codes: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The registered rasters (all, or those of `codes`) by code, JSON-ready: meaning,
    units, grid and lon/lat `bounds`."""
    query = select(RasterLayer).order_by(RasterLayer.code)
    if codes is not None:
        query = query.where(RasterLayer.code.in_(codes))
    return [_as_dict(layer) for layer in session.scalars(query)]


def with_parcel_statistics(session: Session, codes: Sequence[str]) -> list[dict[str, Any]]:
    """The rasters of `codes`, each with `parcel_statistics`: how many parcels have
    statistics over it (what registering computed)."""
    counts = dict(
        session.execute(
            select(ParcelRasterStat.raster_code, func.count())
            .where(ParcelRasterStat.raster_code.in_(codes))
            .group_by(ParcelRasterStat.raster_code)
        ).all()
    )
    return [
        layer | {"parcel_statistics": counts.get(layer["code"], 0)}
        for layer in raster_layers(session, codes)
    ]


def stored_raster(session: Session, code: str, raster_dir: Path) -> StoredRaster:
    """Where raster `code` is kept in `raster_dir`; `NotFound` naming an unknown code."""
    layer = session.get(RasterLayer, code)
    if layer is None:
        raise NotFound(resource="raster", id=code)
    return StoredRaster(raster_dir / layer.path, layer.band, layer.crs)
