"""Per-parcel statistics over the registered rasters, kept current.

Each (parcel, raster) has one `parcel_raster_stat` row. A parcel whose shape changes loses
its rows (a trigger) and is queued in `parcel_stat_pending`, as is a new parcel, so
`refresh_pending` computes exactly those before a land query without looking at every
parcel, and `refresh_parcel_stats` computes whatever rows are missing. Parcels reach each
raster by the CRS and transformation it was registered with (`registry`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gis_app.db.driver import driver_connection
from gis_app.models import RasterLayer
from gis_app.models.base import SRID
from gis_app.raster.zonal import zonal_stats

STAT_COLUMNS = (
    "min",
    "mean",
    "max",
    "majority",
    "cells",
    "valid_area_m2",
    "nodata_fraction",
    "outside_fraction",
)
BATCH = 20_000
ANALYZE_AFTER = 1_000
"""Parcels per zonal-statistics call: bounds memory and paces the progress bar."""


def _missing(
    session: Session, code: str, parcels: list[int] | None
) -> Iterator[tuple[list[int], list[bytes]]]:
    """Parcels (all, or those of `parcels`) without statistics for raster `code`, in
    batches of ids and WKB."""
    rows = session.execute(
        text(
            "SELECT p.id, ST_AsBinary(p.geom) FROM land_parcel p "
            "WHERE NOT EXISTS (SELECT 1 FROM parcel_raster_stat s "
            "WHERE s.parcel_id = p.id AND s.raster_code = :code) "
            "AND (CAST(:parcels AS integer[]) IS NULL OR p.id = ANY(:parcels)) ORDER BY p.id"
        ),
        {"code": code, "parcels": parcels},
    ).all()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        yield [r[0] for r in batch], [bytes(r[1]) for r in batch]


def _number(value: Any) -> float | None:
    """A statistic as stored: NaN (no data) and infinities as NULL."""
    return (
        None if value is None or (isinstance(value, float) and not math.isfinite(value)) else value
    )


def refresh_parcel_stats(
    session: Session,
    raster_dir: Path,
    codes: list[str] | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    parcels: list[int] | None = None,
) -> int:
    """Compute the missing parcel statistics of rasters `codes` (None: all), for every
    parcel or only those of `parcels`; rows written. Many rows written → ANALYZE, so the
    planner knows the table when land queries join it right after."""
    layers = session.scalars(
        select(RasterLayer).where(RasterLayer.code.in_(codes)) if codes else select(RasterLayer)
    ).all()
    copy_sql = (
        f"COPY parcel_raster_stat (parcel_id, raster_code, {', '.join(STAT_COLUMNS)}) FROM STDIN"
    )
    written = 0
    for layer in layers:
        path = raster_dir / layer.path
        for ids, wkb in _missing(session, layer.code, parcels):
            frame = zonal_stats(
                path,
                shapely.from_wkb(wkb),
                ids,
                f"EPSG:{SRID}",
                layer.band,
                raster_crs=layer.crs,
                allow_ballpark=True,  # the registration decided; its footprint used the same
            )
            frame = frame.rename(columns={"count": "cells"})
            cursor = driver_connection(session).cursor()
            with cursor.copy(copy_sql) as copy:
                for parcel_id, row in zip(ids, frame.itertuples(index=False), strict=True):
                    values = row._asdict()
                    copy.write_row(
                        (parcel_id, layer.code, *(_number(values[c]) for c in STAT_COLUMNS))
                    )
            written += len(ids)
            if progress is not None:
                progress(len(ids))
    if written >= ANALYZE_AFTER:
        session.execute(text("ANALYZE parcel_raster_stat"))
    return written


def refresh_pending(session: Session, raster_dir: Path) -> int:
    """Statistics of the parcels added or reshaped since the last refresh (the queue the
    triggers of migration 0003 fill), for every registered raster; rows written. Taking the
    queue's rows locks them, so two requests never compute the same parcel twice."""
    ids = list(session.scalars(text("DELETE FROM parcel_stat_pending RETURNING parcel_id")))
    return refresh_parcel_stats(session, raster_dir, parcels=ids) if ids else 0


def pending_parcels(session: Session) -> int:
    """How many (parcel, raster) statistics are missing: what a refresh would compute."""
    return int(
        session.scalar(
            text(
                "SELECT count(*) FROM land_parcel p CROSS JOIN raster_layer r "
                "WHERE NOT EXISTS (SELECT 1 FROM parcel_raster_stat s "
                "WHERE s.parcel_id = p.id AND s.raster_code = r.code)"
            )
        )
        or 0
    )
