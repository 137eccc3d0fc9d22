"""Turn a file given for import into what OGR opens: a GeoJSON or GeoPackage as it is, a
zipped Shapefile through `/vsizip/` once the archive is known to be safe, a CSV with the
open options that find its WKT or lon/lat columns.

A zip is never extracted: `zipguard` inflates its members and throws the bytes away first,
so an archive that is corrupt, holds too many files, or really unpacks beyond its limits (a
zip bomb, whatever its headers declare) is refused before GDAL reads a byte of it.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field, replace
from pathlib import Path

from gis_app.ingest.report import ImportRefused
from gis_app.ingest.zipguard import DEFAULT_LIMITS, ZipLimits, check_zip

WKT_NAMES = ("wkt", "geom", "geometry", "the_geom", "shape", "几何", "空间信息")
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "经度", "东经")
LAT_NAMES = ("lat", "latitude", "y", "纬度", "北纬")
"""CSV columns GDAL's CSV driver takes for the geometry, in this order (case ignored)."""
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf")


@dataclass(frozen=True, slots=True)
class Source:
    """What to hand to pyogrio: the path OGR opens and the driver's open options.

    `geometry_columns` names the CSV columns that may hold the geometry, so a row whose
    geometry GDAL could not make can be reported with the text it had.
    """

    path: str
    options: dict[str, str] = field(default_factory=dict)
    geometry_columns: tuple[str, ...] = ()
    shapefile_cpg: bool | None = None
    """For Shapefiles: whether a .cpg sidecar declares the attributes' encoding."""
    encoding: str | None = None
    """The encoding to read the attributes in (None: the file's own, else UTF-8)."""


def _zipped_shapefile(path: Path, names: list[str]) -> Source:
    shapefiles = [n for n in names if n.lower().endswith(".shp")]
    if not shapefiles:
        raise ImportRefused(
            field="path", reason="ingest.reason.no_shapefile", files=", ".join(names) or "-"
        )
    lowered = {n.lower() for n in names}
    for shp in shapefiles:
        stem = shp[:-4].lower()
        missing = [ext for ext in _SHAPEFILE_PARTS if stem + ext not in lowered]
        if missing:
            raise ImportRefused(
                field="path",
                reason="ingest.reason.shapefile_parts",
                shapefile=shp,
                missing=", ".join(missing),
            )
    # One Shapefile is opened by name; several (each a layer) through their shared folder.
    folders = {str(Path(shp).parent) for shp in shapefiles}
    inner = shapefiles[0] if len(shapefiles) == 1 else folders.pop() if len(folders) == 1 else ""
    inner = "" if inner == "." else f"/{inner}"
    cpg = all(shp[:-4].lower() + ".cpg" in lowered for shp in shapefiles)
    return Source(f"/vsizip/{path}{inner}", shapefile_cpg=cpg)


def _csv() -> dict[str, str]:
    return {
        "GEOM_POSSIBLE_NAMES": ",".join(WKT_NAMES),
        "X_POSSIBLE_NAMES": ",".join(LON_NAMES),
        "Y_POSSIBLE_NAMES": ",".join(LAT_NAMES),
        "KEEP_GEOM_COLUMNS": "YES",
        "EMPTY_STRING_AS_NULL": "YES",
    }


def _utf8_csv(path: Path, encoding: str | None, scratch: Path) -> Path:
    """The CSV in UTF-8: GDAL matches the geometry column names on the header's bytes, so a
    GBK header must be decoded before GDAL sees it. A copy in `scratch` when transcoded."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportRefused(
            field="path", reason="ingest.reason.unreadable", detail=str(exc)
        ) from exc
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError:
        raise ImportRefused(
            field="encoding", reason="ingest.reason.wrong_encoding", encoding=encoding or "UTF-8"
        ) from None
    if encoding is None or codecs.lookup(encoding).name == "utf-8":
        return path
    copy = scratch / f"{path.stem}.csv"
    copy.write_text(text.removeprefix("\ufeff"), "utf-8")
    return copy


def open_source(
    path: str | Path,
    *,
    encoding: str | None = None,
    scratch: Path | None = None,
    zip_limits: ZipLimits = DEFAULT_LIMITS,
) -> Source:
    """How OGR should open `path` with the attribute `encoding` given (None: the file's
    own); raises `ImportRefused` for a zip unsafe within `zip_limits` or unusable, or a CSV
    not in `encoding`. A CSV in another encoding than UTF-8 is transcoded into `scratch`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if encoding is not None:
        _known(encoding)
    if suffix == ".zip":
        names = check_zip(path, zip_limits)
        return replace(_zipped_shapefile(path, names), encoding=encoding)
    if suffix in (".csv", ".txt"):
        utf8 = _utf8_csv(path, encoding, scratch or path.parent)
        return Source(str(utf8), _csv(), WKT_NAMES + LON_NAMES + LAT_NAMES)
    if suffix == ".shp":
        return Source(str(path), shapefile_cpg=path.with_suffix(".cpg").exists(), encoding=encoding)
    return Source(str(path), encoding=encoding)


def _known(encoding: str) -> None:
    try:
        codecs.lookup(encoding)
    except LookupError as exc:
        raise ImportRefused(
            field="encoding", reason="ingest.reason.unknown_encoding", encoding=encoding
        ) from exc
