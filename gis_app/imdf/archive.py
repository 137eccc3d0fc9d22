"""Read an IMDF archive — a zip, a folder, or one GeoJSON FeatureCollection whose features
carry their own `feature_type` (the "IMDF-like" single-file form) — into features, safely.

Nothing is extracted to disk. A zip goes through the imports' guard (`ingest.zipguard`):
refused when it is corrupt, has too many members, or expands past its limits (counted while
inflating, so a zip bomb stops at the limit). Members are found by their base name, so an
archive zipped with its folder (`venue/unit.geojson`) reads the same.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import shapely
from shapely.geometry import shape

from gis_app.imdf.problems import ARCHIVE, ImdfProblem
from gis_app.ingest import jsontext
from gis_app.ingest.report import ImportRefused, ImportTooLarge
from gis_app.ingest.zipguard import DEFAULT_LIMITS, ZIP_MAGIC, ZipLimits, ZipReasons, open_zip

MAX_BYTES = 256 * 1024**2
"""Most an archive may expand to (all members together) whatever the zip limits allow: its
features are held in memory."""
REASONS = ZipReasons(
    corrupt="imdf.reason.bad_zip",
    members="imdf.reason.too_many_members",
    too_large="imdf.reason.too_big",
    ratio="imdf.reason.zip_ratio",
)


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

    def as_geojson(self) -> dict[str, Any]:
        """The feature as it was in its file (geometry as written, not as parsed)."""
        return {
            "type": "Feature",
            "id": self.id,
            "feature_type": self.feature_type,
            "geometry": self.geometry,
            "properties": self.properties,
        }

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


def _zip_members(source: BinaryIO | Path, limits: ZipLimits) -> Iterator[tuple[str, bytes]]:
    with open_zip(source, limits, REASONS) as archive:
        for info in archive.members:
            name = PurePosixPath(info.filename).name
            if _wanted(name):
                yield name, archive.read(info)


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
        doc = jsontext.loads(text)
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
        return jsontext.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(_file_problem("manifest.json", "imdf_bad_json", exc))
        return None


def read_archive(
    source: str | Path | bytes,
    *,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    zip_limits: ZipLimits = DEFAULT_LIMITS,
) -> Archive:
    """Read `source`: a path to a zip, a folder or a single .geojson/.json file, or the bytes
    of an uploaded zip or GeoJSON file. `name` is what the user calls it (its extension says
    a zip apart from a GeoJSON file). It may expand to `max_bytes` and no further than
    `zip_limits` allow.

    Raises `ImportRefused` when the source as a whole is unusable (missing, corrupt zip,
    too big); problems with single files or features are recorded in `Archive.problems`.
    """
    label = name or (str(source) if not isinstance(source, bytes) else "upload")
    limits = replace(zip_limits, max_bytes=min(max_bytes, zip_limits.max_bytes))
    if isinstance(source, bytes):
        if len(source) > limits.max_bytes:
            raise _too_big(limits.max_bytes)
        if _is_zip(source[: len(ZIP_MAGIC)], label):
            return _collect(label, _zip_members(io.BytesIO(source), limits), single=False)
        return _collect(label, iter([(PurePosixPath(label).name, source)]), single=True)
    path = Path(source)
    if path.is_dir():
        return _collect(label, _folder_members(path, limits.max_bytes), single=False)
    if not path.is_file():
        raise _refuse("not_found", path=str(path))
    if path.stat().st_size > limits.max_bytes:
        raise _too_big(limits.max_bytes)
    with path.open("rb") as file:
        head = file.read(len(ZIP_MAGIC))
    if zipfile.is_zipfile(path) or _is_zip(head, label) or path.suffix.lower() == ".zip":
        return _collect(label, _zip_members(path, limits), single=False)
    own = PurePosixPath(name).name if name else path.name
    return _collect(label, iter([(own, path.read_bytes())]), single=True)


def _is_zip(head: bytes, label: str) -> bool:
    return head == ZIP_MAGIC or label.lower().endswith(".zip")


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
