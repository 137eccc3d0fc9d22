"""Put an uploaded raster into the raster store only once it is known to be usable.

A file is first staged: copied (a GeoPackage raster converted to a GeoTIFF) under a
temporary name in the store's folder, given the CRS the user declared if any, and checked
again there (a GeoTIFF whose CRS lived in a sidecar file loses it here). Publishing it under
its final name never replaces a file: a name already taken is an error, so a registration
can touch no other raster's file. On any failure the staged copy is removed.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
import warnings
from os import PathLike
from pathlib import Path

import rasterio
import rasterio.shutil
from rasterio.crs import CRS as RasterioCRS
from rasterio.errors import CRSError, NotGeoreferencedWarning, RasterioError

from gis_app.errors import InvalidParameter
from gis_app.raster.inspect import RasterInfo, describe

SQLITE_MAGIC = b"SQLite format 3\x00"
"""What a GeoPackage starts with."""


def is_geopackage(path: str | PathLike[str]) -> bool:
    with open(path, "rb") as file:
        return file.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def raster_tables(path: str | PathLike[str]) -> list[str]:
    """The raster (tiles or gridded coverage) tables a GeoPackage lists."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT table_name FROM gpkg_contents "
                "WHERE data_type IN ('tiles', '2d-gridded-coverage') ORDER BY table_name"
            ).fetchall()
    except sqlite3.Error as exc:
        raise InvalidParameter(field="file", reason="reason.raster_unreadable") from exc
    return [str(row[0]) for row in rows]


def _from_geopackage(path: Path, table: str | None, out: Path) -> None:
    """The raster `table` of the GeoPackage at `path` (the only one when None) as a tiled,
    compressed GeoTIFF at `out`."""
    tables = raster_tables(path)
    listed = ", ".join(tables) or "-"
    if table is None:
        if len(tables) != 1:
            raise InvalidParameter(field="table", reason="reason.raster_gpkg_table", tables=listed)
        table = tables[0]
    elif table not in tables:
        raise InvalidParameter(field="table", reason="reason.raster_gpkg_table", tables=listed)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            rasterio.shutil.copy(
                f"GPKG:{path}:{table}",
                out,
                driver="GTiff",
                tiled=True,
                blockxsize=256,
                blockysize=256,
                compress="deflate",
                BIGTIFF="IF_SAFER",
            )
    except RasterioError as exc:
        raise InvalidParameter(field="file", reason="reason.raster_unreadable") from exc


def _declare(path: Path, crs: str) -> None:
    """Write the declared CRS into the staged copy (GeoTIFF keeps no +towgs84: the row keeps
    the full declaration)."""
    try:
        declared = RasterioCRS.from_user_input(crs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(path, "r+") as ds:
                ds.crs = declared
    except (CRSError, RasterioError) as exc:
        raise InvalidParameter(field="crs", reason="reason.crs_unknown", crs=crs[:200]) from exc


def stage(
    upload: str | PathLike[str],
    folder: str | PathLike[str],
    *,
    band: int = 1,
    table: str | None = None,
    crs: str | None = None,
) -> tuple[Path, RasterInfo]:
    """A checked GeoTIFF copy of `upload` (a GeoTIFF, or raster `table` of a GeoPackage)
    under a temporary name in `folder`, with the declared `crs` written into it when given,
    and its facts. Raises InvalidParameter like `describe`, leaving `folder` as it was."""
    source = Path(upload)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{uuid.uuid4().hex}.part.tif"
    try:
        if is_geopackage(source):
            _from_geopackage(source, table, part)
        else:
            if table is not None:
                raise InvalidParameter(field="table", reason="reason.raster_table_not_gpkg")
            describe(source, band)
            shutil.copyfile(source, part)
        if crs is not None:
            _declare(part, crs)
        info = describe(part, band)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return part, info


def publish(part: Path, target: Path) -> Path:
    """Give the staged file its final name; FileExistsError when that name is taken (no
    other file is ever replaced)."""
    try:
        os.link(part, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: names are unique in any case
        if target.exists():
            raise FileExistsError(target) from None
        os.rename(part, target)
        return target
    part.unlink()
    return target
