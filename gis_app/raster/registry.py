"""Registering rasters in the database.

A registered raster is a checked GeoTIFF copied into `Settings.raster_dir`, a `raster_layer`
row (meaning, units, grid, CRS, footprint in CGCS2000) and one `parcel_raster_stat` row per
parcel (`parcel_stats`). A DEM also gets its slope registered beside it.

The raster's CRS reaches CGCS2000 by `gis_app.geodesy.transform` for the raster's area:
its footprint, its statistics and its picture all take the same datum shift, a CRS PROJ
can take across only without one is refused unless the registration accepts it
(`allow_ballpark`; later statistics then follow that decision), and a CRS the user
declares (`crs`, e.g. with +towgs84, which a GeoTIFF cannot hold) is kept in the row and
wins over the file's.

Registering is all or nothing, and touches nothing of another raster: every file gets a
name of its own (`<code>-<random>.tif`) and is published without ever replacing a file;
the row claims the code before the file is published, so of two registrations of one code
the second waits for the first and is refused (409) without having published a file; the
files a registration made are removed again if it fails, or if the caller's transaction
rolls back instead of committing.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gis_app.errors import Conflict, InvalidParameter
from gis_app.geodesy.transform import Transformation, crs_label, parse_crs, to_storage
from gis_app.models import RasterLayer
from gis_app.models.base import RASTER_KINDS, SRID
from gis_app.raster.inspect import RasterInfo
from gis_app.raster.parcel_stats import refresh_parcel_stats, refresh_pending
from gis_app.raster.slope import write_slope
from gis_app.raster.store import publish, stage

EDGE_POINTS = 32
CODE = re.compile(r"[a-z][a-z0-9_]{0,33}")
"""Raster codes: lower-case slugs, short enough to take a `_slope` suffix (40 characters)."""
Area = tuple[float, float, float, float]


@dataclass(frozen=True)
class RasterMeaning:
    """What the numbers of a raster are: its code, names, kind and units."""

    code: str
    name_zh: str
    name_en: str | None
    kind: str
    units: str

    def slope(self) -> RasterMeaning:
        """The meaning of a DEM's slope, registered with it."""
        return RasterMeaning(
            code=f"{self.code}_slope",
            name_zh=f"{self.name_zh}坡度",
            name_en=f"{self.name_en or self.code} slope",
            kind="slope",
            units="degree",
        )


@dataclass(frozen=True)
class Registration:
    """What registering did (or, in a dry run, would do): the codes, the CRS kept, the
    footprint's lon/lat bounds and the transformation to CGCS2000 (`summary()`)."""

    codes: list[str]
    crs: str
    bounds: tuple[float, float, float, float]
    transformation: dict[str, Any]
    dry_run: bool = False


def footprint(info: RasterInfo, way: Transformation) -> shapely.Polygon:
    """The raster's extent in CGCS2000, edges densified so a projected grid stays true;
    refused naming `crs` when its corners cannot be transformed (a CRS that does not fit
    the grid's numbers)."""
    box = shapely.box(*info.bounds)
    if way.identity:
        return box
    west, south, east, north = info.bounds
    step = max(east - west, north - south) / EDGE_POINTS
    shape = way.geoms_to_storage(np.array([shapely.segmentize(box, step)]))[0]
    if not np.isfinite(shapely.get_coordinates(shape)).all() or not shape.is_valid:
        raise InvalidParameter(
            field="crs", reason="reason.raster_not_transformable", crs=crs_label(way.source)
        )
    return shape


def _check_meaning(session: Session, meaning: RasterMeaning) -> list[RasterMeaning]:
    """The meanings to register (a DEM's slope too), each code well formed and free."""
    if meaning.kind not in RASTER_KINDS:
        raise InvalidParameter(field="kind", reason="reason.raster_kind")
    if not CODE.fullmatch(meaning.code):
        raise InvalidParameter(field="code", reason="reason.raster_code")
    meanings = [meaning, meaning.slope()] if meaning.kind == "dem" else [meaning]
    taken = session.scalars(
        select(RasterLayer.code).where(RasterLayer.code.in_([m.code for m in meanings]))
    ).all()
    if taken:
        raise Conflict(field="code", reason="reason.raster_code_taken", raster=sorted(taken)[0])
    return meanings


def _check_area(bounds: Area, area: Area | None) -> None:
    """Refuse a raster whose footprint leaves the service area (the usual sign of a wrong
    CRS), as vector imports do; `area` None accepts any place."""
    if area is None:
        return
    west, south, east, north = area
    x0, y0, x1, y1 = bounds
    if not (x0 >= west and x1 <= east and y0 >= south and y1 <= north):
        raise InvalidParameter(
            field="file",
            reason="reason.raster_outside_area",
            bounds=", ".join(f"{v:.6f}" for v in bounds),
            area=", ".join(f"{v:g}" for v in area),
        )


def _declared(crs: str | None) -> str | None:
    """A declared CRS as the row keeps it: "EPSG:n", else WKT2 (+towgs84 included)."""
    if crs is None:
        return None
    parsed = parse_crs(crs, "crs")
    code = parsed.to_epsg(min_confidence=100)
    return f"EPSG:{code}" if code is not None else parsed.to_wkt()


def _remove_unless_committed(session: Session, paths: list[Path]) -> None:
    """Files the caller's transaction made: kept if it commits, removed if it rolls back."""
    state = {"open": True}

    def committed(_session: Session) -> None:
        state["open"] = False

    def rolled_back(_session: Session) -> None:
        if state["open"]:
            state["open"] = False
            for path in paths:
                path.unlink(missing_ok=True)

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_rollback", rolled_back, once=True)


def _insert_layer(
    session: Session,
    meaning: RasterMeaning,
    name: str,
    info: RasterInfo,
    band: int,
    shape: shapely.Polygon,
    derived_from: str | None = None,
) -> None:
    """Add the row and flush it: the code is claimed here, before any file is published;
    a registration of the same code in progress elsewhere makes this wait, then refuse."""
    session.add(
        RasterLayer(
            code=meaning.code,
            name_zh=meaning.name_zh,
            name_en=meaning.name_en,
            kind=meaning.kind,
            units=meaning.units,
            path=name,
            band=band,
            crs=info.crs,
            width=info.width,
            height=info.height,
            res_x=info.res_x,
            res_y=info.res_y,
            nodata=info.nodata,
            derived_from=derived_from,
            footprint=f"SRID={SRID};{shape.wkt}",
        )
    )
    try:
        session.flush()
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) == "23505":
            raise Conflict(
                field="code", reason="reason.raster_code_taken", raster=meaning.code
            ) from exc
        raise


def _file_name(code: str) -> str:
    return f"{code}-{uuid.uuid4().hex[:12]}.tif"


def _write(
    session: Session,
    meanings: list[RasterMeaning],
    part: Path,
    info: RasterInfo,
    band: int,
    shape: shapely.Polygon,
    raster_dir: Path,
    progress: Callable[[int], None] | None,
) -> None:
    created: list[Path] = []
    _remove_unless_committed(session, created)
    try:
        main, *derived = meanings
        name = _file_name(main.code)
        _insert_layer(session, main, name, info, band, shape)
        stored = publish(part, raster_dir / name)
        created.append(stored)
        for slope in derived:
            slope_path = raster_dir / _file_name(slope.code)
            try:
                slope_info = write_slope(stored, slope_path, band)
            finally:
                if slope_path.exists():
                    created.append(slope_path)
            slope_info = replace(slope_info, crs=info.crs)
            _insert_layer(session, slope, slope_path.name, slope_info, 1, shape, main.code)
        refresh_parcel_stats(session, raster_dir, [m.code for m in meanings], progress=progress)
        refresh_pending(session, raster_dir)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise


def register_raster(
    session: Session,
    upload: Path,
    meaning: RasterMeaning,
    raster_dir: Path,
    *,
    band: int = 1,
    progress: Callable[[int], None] | None = None,
    table: str | None = None,
    crs: str | None = None,
    allow_ballpark: bool = False,
    area: Area | None = None,
    dry_run: bool = False,
) -> Registration:
    """Check and store `upload` (a GeoTIFF, or raster `table` of a GeoPackage), add its row
    (and a DEM's slope), compute parcel statistics; with `dry_run` only check.

    `crs` declares the raster's CRS (wins over the file's); `allow_ballpark` accepts a CRS
    PROJ can take to CGCS2000 only without a datum shift; `area` is the service area the
    footprint must lie in (None: anywhere). Nothing is committed here; on any error the
    files made are removed and the caller's transaction must roll back (which removes them
    too). Refusals are InvalidParameter (4xx) naming the field, Conflict for a code taken."""
    meanings = _check_meaning(session, meaning)
    declared = _declared(crs)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) if dry_run else raster_dir
        part, info = stage(upload, folder, band=band, table=table, crs=declared)
        try:
            if declared is not None:
                info = replace(info, crs=declared)
            way = to_storage(info.crs, info.bounds, allow_ballpark=allow_ballpark, field="crs")
            shape = footprint(info, way)
            _check_area(shape.bounds, area)
            if not dry_run:
                _write(session, meanings, part, info, band, shape, raster_dir, progress)
        finally:
            part.unlink(missing_ok=True)
    return Registration([m.code for m in meanings], info.crs, shape.bounds, way.summary(), dry_run)
