"""Read an IMDF archive — a zip, a folder, or one GeoJSON FeatureCollection whose features
carry their own `feature_type` (the "IMDF-like" single-file form) — into features, safely.

Nothing is extracted to disk. A zip is refused when it is corrupt, has too many members,
or would expand past `max_bytes` or to more than `MAX_RATIO` times its packed size (sizes
are counted while reading, not taken from the zip's own headers, so a zip bomb stops at
the limit). Members are found by their base name, so an
archive zipped with its folder (`venue/unit.geojson`) reads the same.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import shapely
from shapely.geometry import shape

from gis_app.imdf.problems import ARCHIVE, ImdfProblem
from gis_app.ingest.report import ImportRefused, ImportTooLarge

MAX_BYTES = 256 * 1024**2
"""Default limit on an archive's expanded size (all members together)."""
MAX_MEMBERS = 200
MAX_RATIO = 200
"""A zip expanding to more than this many times its packed size (or 64 KiB, if larger) is
a bomb: GeoJSON packs about 10 to 1."""
_CHUNK = 1 << 20
_RATIO_FLOOR = 1 << 16


@dataclass(slots=True)
class Feature:
    """One GeoJSON feature as read: `geom` is the parsed 2-D shape (None when absent or
    unreadable; the problem is recorded then)."""

    file: str
    index: int
    id: Any
    feature_type: Any
    properties: dict[str, Any]
    geometry: Any
    geom: shapely.Geometry | None = None

    @property
    def ident(self) -> str | None:
        return self.id if isinstance(self.id, str) else None

    def problem(self, field_name: str, code: str, detail: object = None) -> ImdfProblem:
        return ImdfProblem(
            self.index,
            None,
            field_name,
            code,
            None if detail is None else str(detail),
            file=self.file,
            feature_id=self.ident,
        )


@dataclass(slots=True)
class Archive:
    """The features of an archive (in file order), its manifest and what was wrong with
    the files themselves. `single_file` is the IMDF-like one-collection form."""

    source: str
    single_file: bool
    manifest: Any = None
    files: list[str] = field(default_factory=list)
    features: list[Feature] = field(default_factory=list)
    problems: list[ImdfProblem] = field(default_factory=list)

    def of_type(self, feature_type: str) -> list[Feature]:
        return [f for f in self.features if f.feature_type == feature_type]

    def count(self, file: str) -> int:
        return sum(1 for f in self.features if f.file == file)


def _refuse(reason: str, **values: object) -> ImportRefused:
    return ImportRefused(field="path", reason=f"imdf.reason.{reason}", **values)


def _too_big(limit: int) -> ImportTooLarge:
    return ImportTooLarge(field="path", reason="imdf.reason.too_big", limit=limit)


def _file_problem(
    file: str, code: str, detail: object = None, field_name: str = "file"
) -> ImdfProblem:
    return ImdfProblem(
        ARCHIVE, None, field_name, code, None if detail is None else str(detail), file=file
    )


def _zip_members(data: bytes | Path, max_bytes: int) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse("bad_zip", detail=str(exc)) from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise _refuse("too_many_members", count=len(infos), limit=MAX_MEMBERS)
        packed = sum(i.compress_size for i in infos)
        total = 0
        for info in infos:
            name = PurePosixPath(info.filename).name
            if not _wanted(name):
                continue
            chunks = []
            try:
                with archive.open(info) as member:
                    while chunk := member.read(_CHUNK):
                        total += len(chunk)
                        if total > max_bytes:
                            raise _too_big(max_bytes)
                        if total > MAX_RATIO * max(packed, _RATIO_FLOOR):
                            raise ImportTooLarge(
                                field="path", reason="imdf.reason.zip_ratio", ratio=MAX_RATIO
                            )
                        chunks.append(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
                raise _refuse("bad_zip", detail=f"{info.filename}: {exc}") from exc
            yield name, b"".join(chunks)


def _wanted(name: str) -> bool:
    return name == "manifest.json" or name.endswith(".geojson")


def _folder_members(folder: Path, max_bytes: int) -> Iterator[tuple[str, bytes]]:
    total = 0
    for path in sorted(folder.iterdir()):
        if path.is_file() and _wanted(path.name):
            total += path.stat().st_size
            if total > max_bytes:
                raise _too_big(max_bytes)
            yield path.name, path.read_bytes()


def _parse_geometry(feature: Feature, problems: list[ImdfProblem]) -> None:
    if feature.geometry is None:
        return
    try:
        geom = shape(feature.geometry)
    except (
        AttributeError,
        KeyError,
        TypeError,
        ValueError,
        IndexError,
        shapely.errors.ShapelyError,
    ) as exc:
        problems.append(feature.problem("geometry", "unreadable_geometry", exc))
        return
    feature.geom = shapely.force_2d(geom)


def _features(file: str, text: bytes, problems: list[ImdfProblem]) -> list[Feature] | None:
    try:
        doc = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(_file_problem(file, "imdf_bad_json", exc))
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        problems.append(_file_problem(file, "imdf_bad_json", "not a GeoJSON FeatureCollection"))
        return None
    raw = doc.get("features")
    if not isinstance(raw, list):
        problems.append(_file_problem(file, "imdf_bad_json", "no features list"))
        return None
    out = []
    for index, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        properties = item.get("properties")
        feature = Feature(
            file=file,
            index=index,
            id=item.get("id"),
            feature_type=item.get("feature_type", (properties or {}).get("feature_type")),
            properties=properties if isinstance(properties, dict) else {},
            geometry=item.get("geometry"),
        )
        if item.get("type") != "Feature":
            problems.append(feature.problem("type", "imdf_bad_json", "not a GeoJSON Feature"))
        _parse_geometry(feature, problems)
        out.append(feature)
    return out


def _manifest(text: bytes, problems: list[ImdfProblem]) -> Any:
    try:
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(_file_problem("manifest.json", "imdf_bad_json", exc))
        return None


def read_archive(
    source: str | Path | bytes, *, name: str | None = None, max_bytes: int = MAX_BYTES
) -> Archive:
    """Read `source`: a path to a zip, a folder or a single .geojson/.json file, or the bytes
    of an uploaded zip or GeoJSON file (`name` says which, by its extension).

    Raises `ImportRefused` when the source as a whole is unusable (missing, corrupt zip,
    too big); problems with single files or features are recorded in `Archive.problems`.
    """
    label = name or (str(source) if not isinstance(source, bytes) else "upload")
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise _too_big(max_bytes)
        is_zip = source[:4] == b"PK\x03\x04" or label.lower().endswith(".zip")
        if is_zip:
            return _collect(label, _zip_members(source, max_bytes), single=False)
        return _collect(label, iter([(PurePosixPath(label).name, source)]), single=True)
    path = Path(source)
    if path.is_dir():
        return _collect(label, _folder_members(path, max_bytes), single=False)
    if not path.is_file():
        raise _refuse("not_found", path=str(path))
    if path.stat().st_size > max_bytes:
        raise _too_big(max_bytes)
    if zipfile.is_zipfile(path) or path.suffix.lower() == ".zip":
        return _collect(label, _zip_members(path, max_bytes), single=False)
    return _collect(label, iter([(path.name, path.read_bytes())]), single=True)


def _collect(label: str, members: Iterator[tuple[str, bytes]], single: bool) -> Archive:
    archive = Archive(source=label, single_file=single)
    for file, text in members:
        if file == "manifest.json" and not single:
            archive.manifest = _manifest(text, archive.problems)
            archive.files.append(file)
            continue
        if file in archive.files:
            archive.problems.append(_file_problem(file, "imdf_duplicate_file"))
            continue
        archive.files.append(file)
        features = _features(file, text, archive.problems)
        if features is None:
            continue
        if not single:
            expected = file.removesuffix(".geojson")
            for feature in features:
                if feature.feature_type != expected:
                    archive.problems.append(
                        feature.problem("feature_type", "imdf_wrong_file", feature.feature_type)
                    )
        archive.features.extend(features)
    return archive
