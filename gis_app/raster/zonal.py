"""Per-parcel statistics of a raster, weighting every cell by the share of it a parcel covers.

exactextract does the cell coverage; this module feeds it parcels as WKB straight from
shapely and collects results into arrays, so 100 000 parcels cost neither GeoJSON text nor
a DataFrame row object each. Parcels are visited in raster-block order and the raster is
served from a bounded cache of decoded chunks, so each block is decoded about once even when
the caller's order is random, and memory does not grow with the raster or the parcel count
beyond the result arrays.

Parcels reach the raster's CRS by the transformation `gis_app.geodesy.transform` chooses
for the raster's area (the same datum shift its footprint and picture use), run backwards
from CGCS2000.

Besides the asked-for statistics every row carries:
- `count`: cells with a value, each counted by the fraction the parcel covers;
- `valid_area_m2`: the ellipsoidal ground area of the parcel over those cells (the parcel's
  area as the rest of the app measures it, times the share of it over valid cells), not a
  sum of cell areas on the grid's plane or a sphere;
- `nodata_fraction` / `outside_fraction`: shares of the parcel's area over nodata cells and
  beyond the raster's edge, so "no data" is never mistaken for a zero. A parcel entirely
  without data has NaN statistics and count 0.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd
import rasterio
import shapely
from exactextract import exact_extract
from exactextract.feature import Feature, FeatureSource
from exactextract.operation import Operation
from exactextract.raster import RasterioRasterSource, RasterSource
from exactextract.writer import Writer
from rasterio.enums import MaskFlags
from rasterio.io import DatasetReader
from rasterio.windows import Window

from gis_app.errors import InvalidParameter
from gis_app.geodesy.area import ground_area_m2
from gis_app.geodesy.transform import Transformation, parse_crs, to_storage
from gis_app.raster.inspect import describe, open_quietly

DEFAULT_STATS = ("min", "mean", "max", "majority")
# exactextract's operations that give one number per parcel; mean, sum, stdev and the
# like are coverage-weighted, min and max take any cell the parcel touches at all.
SCALAR_STATS = frozenset(
    {
        "min",
        "max",
        "mean",
        "sum",
        "count",
        "majority",
        "minority",
        "median",
        "stdev",
        "variance",
        "variety",
        "coefficient_of_variation",
    }
)
_ROW = "_row"
_ALL_CELLS = "_all_cells"
_WKB_CHUNK = 10_000
_FRACTION_TOLERANCE = 1e-6
_CHUNK = 256
_GDAL_CACHE_BYTES = 32 * 2**20


class _Parcel(Feature):
    """One parcel as exactextract reads it: WKB and its row number."""

    def __init__(self, row: int, wkb: bytes) -> None:
        Feature.__init__(self)
        self.row = row
        self.wkb = wkb

    def geometry(self) -> bytes:
        return self.wkb

    def set_geometry_format(self) -> str:
        return "wkb"

    def fields(self) -> list[str]:
        return [_ROW]

    def get(self, name: str) -> int:
        if name != _ROW:
            raise KeyError(name)
        return self.row

    def set(self, name: str, value: object) -> None:
        raise NotImplementedError

    def set_geometry(self, wkb: bytes) -> None:
        raise NotImplementedError


class _Parcels(FeatureSource):
    """Parcels in the given visiting order, turned into WKB a chunk at a time."""

    def __init__(self, geoms: np.ndarray, order: np.ndarray) -> None:
        super().__init__()
        self.geoms = geoms
        self.order = order

    def count(self) -> int:
        return len(self.order)

    def __iter__(self) -> Iterator[_Parcel]:
        for start in range(0, len(self.order), _WKB_CHUNK):
            rows = self.order[start : start + _WKB_CHUNK]
            for row, wkb in zip(rows, shapely.to_wkb(self.geoms[rows]), strict=True):
                yield _Parcel(int(row), wkb)

    def srs_wkt(self) -> None:
        # Parcels are already in the raster's CRS; None tells exactextract not to compare.
        return None


class _Result(Feature):
    """Receives one parcel's results from exactextract."""

    def __init__(self) -> None:
        Feature.__init__(self)
        self.values: dict[str, Any] = {}

    def set(self, name: str, value: object) -> None:
        self.values[name] = value

    def get(self, name: str) -> object:
        return self.values[name]

    def fields(self) -> list[str]:
        return list(self.values)

    def geometry(self) -> None:
        return None

    def set_geometry(self, wkb: bytes) -> None:
        pass

    def set_geometry_format(self) -> str:
        return "wkb"


class _ArrayWriter(Writer):
    """Puts each parcel's results at its row of preallocated arrays."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.columns: dict[str, np.ndarray] = {}

    def add_operation(self, op: Operation) -> None:
        self.columns[op.name] = np.full(self.n, np.nan)

    def add_column(self, col_name: str) -> None:
        pass

    def add_geometry(self) -> None:
        pass

    def write(self, feature: Feature) -> None:
        result = _Result()
        feature.copy_to(result)
        row = result.values[_ROW]
        for name, column in self.columns.items():
            value = result.values.get(name)
            if value is not None:
                column[row] = value

    def features(self) -> dict[str, np.ndarray]:
        return self.columns


class _ChunkedRaster(RasterSource):
    """One band served to exactextract from decoded chunks of about 256 × 256 cells, kept
    in a bounded LRU cache: parcels come in block order, so most windows are a slice of a
    chunk already in memory instead of one rasterio read each (twice as fast overall)."""

    def __init__(self, ds: DatasetReader, band: int, cache_bytes: int) -> None:
        super().__init__()
        self.ds = ds
        self.band = band
        self.dtype = np.dtype(ds.dtypes[band - 1])
        block_h, block_w = ds.block_shapes[band - 1]
        self.chunk_h = block_h * max(1, round(_CHUNK / block_h))
        self.chunk_w = block_w * max(1, round(_CHUNK / block_w))
        chunk_bytes = self.chunk_h * self.chunk_w * self.dtype.itemsize
        self.capacity = max(4, cache_bytes // chunk_bytes)
        self.chunks: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()

    @staticmethod
    def usable(ds: DatasetReader, band: int) -> bool:
        """Only plain bands: a mask band or scale/offset need rasterio's masked reading."""
        flags = set(ds.mask_flag_enums[band - 1])
        plain_mask = flags <= {MaskFlags.all_valid, MaskFlags.nodata}
        unscaled = ds.scales[band - 1] == 1.0 and ds.offsets[band - 1] == 0.0
        return plain_mask and unscaled

    def res(self) -> tuple[float, float]:
        # The same arithmetic as exactextract's own rasterio source.
        b = self.ds.bounds
        return (b.right - b.left) / self.ds.width, (b.top - b.bottom) / self.ds.height

    def extent(self) -> tuple[float, float, float, float]:
        b = self.ds.bounds
        return b.left, b.bottom, b.right, b.top

    def srs_wkt(self) -> str:
        return self.ds.crs.to_wkt()

    def nodata_value(self) -> float | int | None:
        nodata = self.ds.nodatavals[self.band - 1]
        if nodata is None:
            return None
        return float(nodata) if self.dtype.kind == "f" else int(nodata)

    def _chunk(self, row: int, col: int) -> np.ndarray:
        key = (row, col)
        chunk = self.chunks.get(key)
        if chunk is not None:
            self.chunks.move_to_end(key)
            return chunk
        y, x = row * self.chunk_h, col * self.chunk_w
        window = Window(
            x, y, min(self.chunk_w, self.ds.width - x), min(self.chunk_h, self.ds.height - y)
        )
        chunk = self.ds.read(self.band, window=window)
        self.chunks[key] = chunk
        if len(self.chunks) > self.capacity:
            self.chunks.popitem(last=False)
        return chunk

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ndarray:
        h, w = self.chunk_h, self.chunk_w
        r0, r1 = y0 // h, (y0 + ny - 1) // h
        c0, c1 = x0 // w, (x0 + nx - 1) // w
        if r0 == r1 and c0 == c1:
            chunk = self._chunk(r0, c0)
            return chunk[y0 - r0 * h : y0 - r0 * h + ny, x0 - c0 * w : x0 - c0 * w + nx]
        out = np.empty((ny, nx), dtype=self.dtype)
        for row in range(r0, r1 + 1):
            for col in range(c0, c1 + 1):
                chunk = self._chunk(row, col)
                ys, xs = max(y0, row * h), max(x0, col * w)
                ye = min(y0 + ny, row * h + chunk.shape[0])
                xe = min(x0 + nx, col * w + chunk.shape[1])
                out[ys - y0 : ye - y0, xs - x0 : xe - x0] = chunk[
                    ys - row * h : ye - row * h, xs - col * w : xe - col * w
                ]
        return out


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Valid polygons: invalid ones repaired, and what repair turns into a collection
    reduced to its polygonal parts; points or lines are refused."""
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    kinds = shapely.get_type_id(geoms[present])
    polygon_ids = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
    if not np.isin(kinds, polygon_ids).all():
        raise InvalidParameter(field="geometry", reason="reason.zonal_not_polygon")
    out = geoms.copy()
    invalid = present & ~shapely.is_valid(geoms)
    for row in np.flatnonzero(invalid):
        fixed = shapely.make_valid(geoms[row])
        if shapely.get_type_id(fixed) not in polygon_ids:
            parts = shapely.get_parts(fixed)
            parts = parts[np.isin(shapely.get_type_id(parts), polygon_ids)]
            fixed = shapely.union_all(parts)
        out[row] = fixed
    return out


def _snap(fraction: np.ndarray) -> np.ndarray:
    """Fractions within 1e-6 of 0 or 1 made exact: exactextract's coverage sums carry
    rounding of about 1e-8 at coordinates in the millions, and a parcel wholly inside the
    raster should not show a trace of 'outside'."""
    out = np.clip(fraction, 0.0, 1.0)
    out[out < _FRACTION_TOLERANCE] = 0.0
    out[out > 1.0 - _FRACTION_TOLERANCE] = 1.0
    return out


def _placed(
    geoms: np.ndarray, crs: Any, raster: Transformation, allow_ballpark: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The polygons in CGCS2000 lon/lat and in the raster's CRS."""
    source = parse_crs(crs)
    if source.equals(raster.source, ignore_axis_order=True):
        return raster.geoms_to_storage(geoms), geoms
    with np.errstate(invalid="ignore"):
        bounds = tuple(float(v) for v in shapely.total_bounds(geoms))
    lonlat = to_storage(source, bounds, allow_ballpark=allow_ballpark).geoms_to_storage(geoms)
    return lonlat, raster.geoms_from_storage(lonlat)


def _block_order(geoms: np.ndarray, ds: Any, band: int) -> np.ndarray:
    """Parcel visiting order: by the raster block holding each parcel's upper-left corner."""
    block_h, block_w = ds.block_shapes[band - 1]
    t = ds.transform
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        col = np.floor((bounds[:, 0] - t.c) / (t.a * block_w))
        row = np.floor((bounds[:, 3] - t.f) / (t.e * block_h))
    col = np.nan_to_num(col, nan=-1.0)
    row = np.nan_to_num(row, nan=-1.0)
    return np.lexsort((col, row))


def zonal_stats(
    raster_path: str | PathLike[str],
    geoms: Sequence[shapely.Geometry | None] | np.ndarray,
    ids: Sequence[Any],
    crs: Any,
    band: int = 1,
    stats: Sequence[str] = DEFAULT_STATS,
    *,
    raster_crs: Any = None,
    allow_ballpark: bool = False,
    max_cells_in_memory: int = 30_000_000,
    cache_bytes: int = 128 * 2**20,
) -> pd.DataFrame:
    """Coverage-weighted statistics of `band` for each polygon, indexed by `ids`.

    `geoms` are shapely (multi)polygons in `crs` (anything pyproj accepts); they are
    reprojected to the raster's CRS first: `raster_crs` when given (what the raster was
    registered with, e.g. a declared datum shift), else the file's own. `allow_ballpark`
    accepts a transformation without datum shift (registration already chose to).
    Columns: `stats` in the order asked, then `count`, `valid_area_m2`, `nodata_fraction`
    and `outside_fraction` (see the module docstring). `majority` ties are broken by
    exactextract, in no documented order. Memory: the results, the parcels' WKB for 10 000
    at a time, `cache_bytes` of decoded raster (GDAL's block cache is held to 32 MB
    meanwhile) and exactextract's `max_cells_in_memory` for the largest parcel."""
    unknown = [s for s in stats if s not in SCALAR_STATS]
    if unknown:
        raise InvalidParameter(field="stats", reason="reason.zonal_unknown_stat")
    geom_array = np.asarray(geoms, dtype=object)
    if geom_array.ndim != 1 or len(geom_array) != len(ids):
        raise ValueError("geoms and ids must be sequences of the same length")
    info = describe(raster_path, band)
    wanted = list(dict.fromkeys([*stats, "count"]))

    with open_quietly(raster_path) as ds:
        raster = to_storage(
            raster_crs if raster_crs is not None else ds.crs.to_wkt(),
            tuple(ds.bounds),
            allow_ballpark=allow_ballpark,
            field="raster_crs",
        )
        lonlat, parcels = _placed(_polygonal(geom_array), crs, raster, allow_ballpark)
        present = ~shapely.is_missing(parcels) & ~shapely.is_empty(parcels)
        rows = np.flatnonzero(present)
        order = rows[_block_order(parcels[rows], ds, band)]

        if _ChunkedRaster.usable(ds, band):
            source: RasterSource = _ChunkedRaster(ds, band, cache_bytes)
            # Our chunks already hold each decoded block once; GDAL's own block cache
            # (5 % of RAM by default) would keep a second copy of the whole raster.
            gdal_cache = _GDAL_CACHE_BYTES
        else:
            source = RasterioRasterSource(ds, band)
            gdal_cache = None
        ops = [Operation(stat, stat, source, None, {}) for stat in wanted]
        # Every covered cell, nodata or not, to split missing area into nodata and outside.
        ops.append(Operation("count", _ALL_CELLS, source, None, {"default_value": "0"}))
        writer = _ArrayWriter(len(parcels))
        if len(order):
            env = rasterio.Env(GDAL_CACHEMAX=gdal_cache) if gdal_cache else rasterio.Env()
            with env:
                exact_extract(
                    source,
                    _Parcels(parcels, order),
                    ops,
                    include_cols=[_ROW],
                    output=writer,
                    max_cells_in_memory=max_cells_in_memory,
                )
        columns = writer.features()

    count = np.where(present, np.nan_to_num(columns["count"]), np.nan)
    all_cells = np.nan_to_num(columns[_ALL_CELLS])
    with np.errstate(invalid="ignore", divide="ignore"):
        # Areas in the raster's own CRS units: only their ratios are used, and over one
        # parcel the grid's scale is the same to a few parts per million.
        polygon_cells = shapely.area(parcels) / (info.res_x * info.res_y)
        nodata_fraction = _snap((all_cells - count) / polygon_cells)
        outside_fraction = _snap(1.0 - all_cells / polygon_cells)
        valid_fraction = _snap(count / polygon_cells)
    valid_area = np.where(present, ground_area_m2(lonlat) * valid_fraction, np.nan)

    frame = pd.DataFrame({stat: columns[stat] for stat in wanted}, index=pd.Index(ids, name="id"))
    frame["count"] = count
    frame["valid_area_m2"] = valid_area
    frame["nodata_fraction"] = nodata_fraction
    frame["outside_fraction"] = outside_fraction
    return frame
