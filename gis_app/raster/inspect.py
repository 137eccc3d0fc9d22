"""What a GeoTIFF is, and whether this application can use it.

Every raster entry point calls `describe` first, so an unusable file is refused once, with
the field and a reason key the API turns into a 422, before anything is written.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from os import PathLike

import numpy as np
import rasterio
from affine import Affine
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.windows import Window

from gis_app.errors import InvalidParameter

# GeoTIFF is the one format accepted: COGs open with this driver too.
_DRIVERS = frozenset({"GTiff"})


@dataclass(frozen=True)
class RasterInfo:
    """Grid, reference system and cell type of one raster band set."""

    crs: str
    is_geographic: bool
    bounds: tuple[float, float, float, float]
    width: int
    height: int
    res_x: float
    res_y: float
    dtype: str
    nodata: float | None
    band_count: int


def crs_text(crs: rasterio.crs.CRS) -> str:
    """ "EPSG:xxxx" when the CRS is exactly an EPSG one, else its WKT."""
    code = crs.to_epsg(confidence_threshold=100)
    return f"EPSG:{code}" if code is not None else crs.to_wkt()


def open_quietly(path: str | PathLike[str]) -> rasterio.DatasetReader:
    """Open a raster without rasterio's NotGeoreferencedWarning: `describe` checks
    georeferencing itself and answers with a reason instead of a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        return rasterio.open(path)


def _refuse(reason: str, field: str = "file") -> InvalidParameter:
    return InvalidParameter(field=field, reason=reason)


def _check_readable(ds: rasterio.DatasetReader, band: int) -> None:
    """Read the first and last block: a truncated file opens, then fails here."""
    block_h, block_w = ds.block_shapes[band - 1]
    last_row = ((ds.height - 1) // block_h) * block_h
    last_col = ((ds.width - 1) // block_w) * block_w
    for row, col in {(0, 0), (last_row, last_col)}:
        window = Window(col, row, min(block_w, ds.width - col), min(block_h, ds.height - row))
        ds.read(band, window=window)


def describe(path: str | PathLike[str], band: int = 1) -> RasterInfo:
    """Facts about the GeoTIFF at `path`, or InvalidParameter(field, reason) when this
    application cannot use it: not a readable GeoTIFF, not georeferenced by an affine grid,
    no CRS, a rotated grid, a non-numeric cell type, or no such `band`."""
    try:
        ds = open_quietly(path)
    except RasterioError as exc:
        raise _refuse("reason.raster_unreadable") from exc
    with ds:
        if ds.driver not in _DRIVERS:
            raise _refuse("reason.raster_not_geotiff")
        if not 1 <= band <= ds.count:
            raise _refuse("reason.raster_band_missing", field="band")
        transform: Affine = ds.transform
        if transform.is_identity or transform.determinant == 0:
            if ds.gcps[0]:
                raise _refuse("reason.raster_gcps_only")
            raise _refuse("reason.raster_not_georeferenced")
        if transform.b != 0 or transform.d != 0:
            raise _refuse("reason.raster_rotated")
        if ds.crs is None or not ds.crs.to_wkt():
            raise _refuse("reason.raster_no_crs")
        dtype = np.dtype(ds.dtypes[band - 1])
        if dtype.kind not in "uif":
            raise _refuse("reason.raster_not_numeric")
        try:
            _check_readable(ds, band)
        except RasterioError as exc:
            raise _refuse("reason.raster_unreadable") from exc
        nodata = ds.nodatavals[band - 1]
        return RasterInfo(
            crs=crs_text(ds.crs),
            is_geographic=bool(ds.crs.is_geographic),
            bounds=tuple(float(v) for v in ds.bounds),
            width=ds.width,
            height=ds.height,
            res_x=abs(transform.a),
            res_y=abs(transform.e),
            dtype=dtype.name,
            nodata=None if nodata is None else float(nodata),
            band_count=ds.count,
        )
