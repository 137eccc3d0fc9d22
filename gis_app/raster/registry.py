"""Registering rasters in the database and keeping per-parcel statistics over them current.

A registered raster is a checked GeoTIFF copied into `Settings.raster_dir`, a `raster_layer`
row (meaning, units, grid, footprint in CGCS2000) and one `parcel_raster_stat` row per parcel.
A DEM also gets its slope registered beside it. A parcel whose shape changes loses its rows
(a trigger) and is queued in `parcel_stat_pending`, as is a new parcel, so
`refresh_pending` computes exactly those before a land query without looking at every
parcel, and `refresh_parcel_stats` computes whatever rows are missing.

Registering is all or nothing: the rows are written in the caller's transaction, and the
files are removed again if anything fails before the caller commits.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from pyproj import CRS, Transformer
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gis_app.db.driver import driver_connection
from gis_app.errors import InvalidParameter
from gis_app.models import RasterLayer
from gis_app.models.base import RASTER_KINDS, SRID
from gis_app.raster.inspect import RasterInfo, describe
from gis_app.raster.slope import write_slope
from gis_app.raster.store import store_raster
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
EDGE_POINTS = 32
CODE = re.compile(r"[a-z][a-z0-9_]{0,33}")
"""Raster codes: lower-case slugs, short enough to take a `_slope` suffix (40 characters)."""


@dataclass(frozen=True)
class RasterMeaning:
    """What the numbers of a raster are: its code, names, kind and units."""

    code: str
    name_zh: str
    name_en: str | None
    kind: str
    units: str


def footprint(info: RasterInfo) -> shapely.Polygon:
    """The raster's extent in CGCS2000, edges densified so a projected grid stays true."""
    box = shapely.box(*info.bounds)
    source = CRS.from_user_input(info.crs)
    if source.equals(CRS.from_epsg(SRID), ignore_axis_order=True):
        return box
    west, south, east, north = info.bounds
    step = max(east - west, north - south) / EDGE_POINTS
    dense = shapely.segmentize(box, step)
    to_cgcs = Transformer.from_crs(source, CRS.from_epsg(SRID), always_xy=True)
    return shapely.transform(dense, to_cgcs.transform, interleaved=False)


def _check_meaning(session: Session, meaning: RasterMeaning) -> None:
    if meaning.kind not in RASTER_KINDS:
        raise InvalidParameter(field="kind", reason="reason.raster_kind")
    if not CODE.fullmatch(meaning.code):
        raise InvalidParameter(field="code", reason="reason.raster_code")
    taken = session.scalar(select(RasterLayer.code).where(RasterLayer.code == meaning.code))
    if taken is not None:
        raise InvalidParameter(field="code", reason="reason.raster_code_taken")


@contextmanager
def _files_removed_on_error(paths: list[Path]) -> Iterator[list[Path]]:
    try:
        yield paths
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise


def _insert_layer(
    session: Session,
    meaning: RasterMeaning,
    path: Path,
    info: RasterInfo,
    band: int,
    derived_from: str | None = None,
) -> None:
    session.add(
        RasterLayer(
            code=meaning.code,
            name_zh=meaning.name_zh,
            name_en=meaning.name_en,
            kind=meaning.kind,
            units=meaning.units,
            path=path.name,
            band=band,
            crs=info.crs,
            width=info.width,
            height=info.height,
            res_x=info.res_x,
            res_y=info.res_y,
            nodata=info.nodata,
            derived_from=derived_from,
            footprint=f"SRID={SRID};{footprint(info).wkt}",
        )
    )
    session.flush()


def register_raster(
    session: Session,
    upload: Path,
    meaning: RasterMeaning,
    raster_dir: Path,
    *,
    band: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """Check and store `upload`, add its row (and a DEM's slope), compute parcel statistics.

    Returns the codes registered. Nothing is committed here; on any error the copied files
    are removed and the caller's transaction must roll back."""
    _check_meaning(session, meaning)
    describe(upload, band)
    codes = [meaning.code]
    with _files_removed_on_error([]) as written:
        stored, info = store_raster(upload, raster_dir, f"{meaning.code}.tif", band)
        written.append(stored)
        _insert_layer(session, meaning, stored, info, band)
        if meaning.kind == "dem":
            slope_code = f"{meaning.code}_slope"
            slope_path = raster_dir / f"{slope_code}.tif"
            written.append(slope_path)
            write_slope(stored, slope_path, band)
            slope = RasterMeaning(
                code=slope_code,
                name_zh=f"{meaning.name_zh}坡度",
                name_en=f"{meaning.name_en or meaning.code} slope",
                kind="slope",
                units="degree",
            )
            _check_meaning(session, slope)
            _insert_layer(session, slope, slope_path, describe(slope_path), 1, meaning.code)
            codes.append(slope_code)
        refresh_parcel_stats(session, raster_dir, codes, progress=progress)
        refresh_pending(session, raster_dir)
    return codes


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
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


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
            frame = zonal_stats(path, shapely.from_wkb(wkb), ids, f"EPSG:{SRID}", layer.band)
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
