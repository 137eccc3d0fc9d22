"""Check an IMDF archive against OGC 20-094: manifest, files, ids, references, level
ordinals, geometry rules and categories. Every problem names file, feature index, id and
field, so the whole archive can be fixed in one pass.

`check_features` is shared with the import, which also reads the lenient single-file
("IMDF-like") form: there ids may be missing and `level_id` may be a plain ordinal.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import shapely

from gis_app.i18n import DEFAULT_LANGUAGE
from gis_app.imdf import categories
from gis_app.imdf.archive import Archive, Feature
from gis_app.imdf.plan import polygon_part
from gis_app.imdf.problems import ARCHIVE, ImdfProblem
from gis_app.imdf.rules import (
    ANY_GEOMETRY,
    FEATURE_TYPES,
    GEOMETRY,
    IMDF_VERSION,
    LABELS,
    POLYGONAL,
    REFERENCES,
    REQUIRED,
    REQUIRED_FILES,
)
from gis_app.ingest.geodesy import area_m2

LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
UUID_TEXT = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
OUTSIDE_LEVEL_M2 = 0.5
"""A unit may stick out of its level by this much (the database's own room/floor rule)."""
MIN_AREA_M2 = 0.01
"""The smallest room the room table stores (usable area to 2 decimals, > 0)."""


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_TEXT.match(value))


def _problem(file: str, field_name: str, code: str, detail: object = None) -> ImdfProblem:
    return ImdfProblem(
        ARCHIVE, None, field_name, code, None if detail is None else str(detail), file=file
    )


def check_manifest(archive: Archive) -> list[ImdfProblem]:
    """manifest.json present, with version 1.0.0, a creation time and a language tag."""
    manifest = archive.manifest
    if "manifest.json" not in archive.files:
        return [_problem(archive.source, "file", "imdf_missing_part", "manifest.json")]
    if not isinstance(manifest, dict):
        return (
            []
            if manifest is None
            else [_problem("manifest.json", "file", "imdf_bad_json", "not an object")]
        )
    out = []
    version = manifest.get("version")
    if version is None:
        out.append(_problem("manifest.json", "version", "missing_field"))
    elif version != IMDF_VERSION:
        out.append(_problem("manifest.json", "version", "imdf_bad_value", version))
    language = manifest.get("language")
    if language is None:
        out.append(_problem("manifest.json", "language", "missing_field"))
    elif not isinstance(language, str) or not LANGUAGE_TAG.match(language):
        out.append(_problem("manifest.json", "language", "imdf_bad_value", language))
    created = manifest.get("created")
    if created is None:
        out.append(_problem("manifest.json", "created", "missing_field"))
    else:
        try:
            datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        except ValueError:
            out.append(_problem("manifest.json", "created", "imdf_bad_value", created))
    return out


def check_files(archive: Archive) -> list[ImdfProblem]:
    """The feature files every archive has (for a single file: its feature types)."""
    if archive.single_file:
        present = {str(f.feature_type) for f in archive.features}
    else:
        present = {f.removesuffix(".geojson") for f in archive.files}
    return [
        _problem(archive.source, "file", "imdf_missing_part", f"{name}.geojson")
        for name in REQUIRED_FILES
        if name not in present
    ]


def _labels_ok(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    )


def _ring_problems(geometry: Any) -> str | None:
    """Why a raw GeoJSON polygon's rings are not closed (shapely closes them silently)."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for polygon in polygons or []:
        for ring in polygon or []:
            if len(ring) < 4:
                return f"{len(ring)} positions"
            if list(ring[0])[:2] != list(ring[-1])[:2]:
                return f"first {ring[0]} ≠ last {ring[-1]}"
    return None


def _geometry_problems(feature: Feature, allowed: frozenset[str]) -> list[ImdfProblem]:
    raw = feature.geometry
    if allowed == ANY_GEOMETRY:
        return []
    if not allowed:
        return (
            [] if raw is None else [feature.problem("geometry", "wrong_geometry_type", "not null")]
        )
    if raw is None:
        return [feature.problem("geometry", "missing_geometry")]
    geom = feature.geom
    if geom is None:
        return []  # unreadable, reported while reading
    out = []
    if geom.geom_type not in allowed:
        out.append(feature.problem("geometry", "wrong_geometry_type", geom.geom_type))
    if geom.is_empty:
        return [*out, feature.problem("geometry", "empty_geometry")]
    unclosed = _ring_problems(raw)
    if unclosed:
        out.append(feature.problem("geometry", "imdf_unclosed_ring", unclosed))
    west, south, east, north = geom.bounds
    if west < -180 or east > 180 or south < -90 or north > 90:
        out.append(
            feature.problem("geometry", "imdf_out_of_range", f"{west}, {south}, {east}, {north}")
        )
    elif not unclosed:
        reason = shapely.is_valid_reason(geom)
        if reason != "Valid Geometry":
            out.append(feature.problem("geometry", "invalid_geometry", reason))
    return out


def room_geometry_problem(feature: Feature) -> ImdfProblem | None:
    """Why a unit that is a room cannot be stored as one (the room table holds one polygon
    of at least 0.01 m²): the rule `validate` and every indoor import apply alike, so an
    archive that validates imports. Walls, columns and the like (`categories.NOT_ROOMS`)
    are no rooms and may be any polygonal shape."""
    geom = feature.geom
    if geom is None or geom.is_empty or not geom.is_valid or geom.geom_type not in POLYGONAL:
        return None  # reported by the geometry checks
    polygon = polygon_part(geom)
    if polygon is None:
        return feature.problem("geometry", "imdf_multipart_unit", len(geom.geoms))
    if area_m2(polygon) < MIN_AREA_M2:
        return feature.problem("geometry", "imdf_zero_area", f"{area_m2(polygon):.4f} m²")
    return None


def _display_point_problem(feature: Feature) -> ImdfProblem | None:
    point = feature.properties.get("display_point")
    if point is None:
        return None
    coords = point.get("coordinates") if isinstance(point, dict) else None
    if (
        not isinstance(point, dict)
        or point.get("type") != "Point"
        or not isinstance(coords, list)
        or len(coords) < 2
        or not all(isinstance(c, int | float) for c in coords[:2])
    ):
        return feature.problem("display_point", "imdf_bad_value", "not a GeoJSON Point")
    if not (-180 <= coords[0] <= 180 and -90 <= coords[1] <= 90):
        return feature.problem("display_point", "imdf_out_of_range", coords[:2])
    return None


def _property_problems(feature: Feature, strict: bool) -> list[ImdfProblem]:
    props, kind = feature.properties, feature.feature_type
    out = []
    for name in REQUIRED.get(kind, ()) if strict else ():
        if props.get(name) is None:
            out.append(feature.problem(name, "missing_field"))
    vocabulary = categories.CATEGORIES.get(kind)
    category = props.get("category")
    if vocabulary is not None and category is not None and category not in vocabulary:
        out.append(feature.problem("category", "unknown_code", category))
    restriction = props.get("restriction")
    if restriction is not None and restriction not in categories.RESTRICTION:
        out.append(feature.problem("restriction", "unknown_code", restriction))
    for name in LABELS:
        if props.get(name) is not None and not _labels_ok(props[name]):
            out.append(feature.problem(name, "imdf_bad_value", "not a labels object"))
    if kind == "level":
        ordinal = props.get("ordinal")
        if ordinal is not None and (isinstance(ordinal, bool) or not isinstance(ordinal, int)):
            out.append(feature.problem("ordinal", "imdf_bad_ordinal", ordinal))
        outdoor = props.get("outdoor")
        if outdoor is not None and not isinstance(outdoor, bool):
            out.append(feature.problem("outdoor", "imdf_bad_value", outdoor))
    point = _display_point_problem(feature)
    return [*out, point] if point else out


def _id_problems(features: list[Feature], strict: bool) -> list[ImdfProblem]:
    out = []
    seen: set[str] = set()
    for feature in features:
        value = feature.id
        if value is None:
            if strict:
                out.append(feature.problem("id", "missing_field"))
        elif not is_uuid(value):
            out.append(feature.problem("id", "imdf_bad_id", value))
        elif value.lower() in seen:
            out.append(feature.problem("id", "imdf_duplicate_id", value))
        else:
            seen.add(value.lower())
    return out


def check_features(archive: Archive, strict: bool = True) -> list[ImdfProblem]:
    """Per-feature problems: feature type, id, geometry, required properties, categories."""
    out = _id_problems(archive.features, strict)
    for feature in archive.features:
        if feature.feature_type not in FEATURE_TYPES:
            out.append(
                feature.problem("feature_type", "imdf_unknown_feature_type", feature.feature_type)
            )
            if feature.geometry is not None and feature.geom is not None:
                out.extend(
                    p for p in _geometry_problems(feature, frozenset({feature.geom.geom_type}))
                )
            continue
        out.extend(_geometry_problems(feature, GEOMETRY[feature.feature_type]))
        out.extend(_property_problems(feature, strict))
        if feature.feature_type == "unit" and categories.is_room(
            feature.properties.get("category")
        ):
            room = room_geometry_problem(feature)
            out.extend([room] if room else [])
    return out


def check_references(archive: Archive) -> list[ImdfProblem]:
    """Every reference names a feature of the right type in the archive."""
    types = {f.id.lower(): f.feature_type for f in archive.features if is_uuid(f.id)}
    out = []
    for ref in REFERENCES:
        for feature in archive.of_type(ref.feature_type):
            value = feature.properties.get(ref.prop)
            if value is None:
                continue
            if ref.many and not isinstance(value, list):
                out.append(feature.problem(ref.prop, "imdf_bad_value", "not a list"))
                continue
            for target in value if ref.many else [value]:
                if not is_uuid(target) or types.get(target.lower()) != ref.target:
                    out.append(feature.problem(ref.prop, "imdf_unresolved_reference", target))
    venues = archive.of_type("venue")
    if len(venues) != 1:
        out.append(_problem(archive.source, "venue", "imdf_venue_count", len(venues)))
    return out


def check_ordinals(archive: Archive) -> list[ImdfProblem]:
    """Two levels of one building may not share an ordinal."""
    seen: dict[tuple[str, int], str] = {}
    out = []
    for level in archive.of_type("level"):
        ordinal = level.properties.get("ordinal")
        if not isinstance(ordinal, int) or isinstance(ordinal, bool):
            continue
        buildings = level.properties.get("building_ids")
        keys = buildings if isinstance(buildings, list) and buildings else ["-"]
        for building in keys:
            key = (str(building).lower(), ordinal)
            if key in seen:
                out.append(
                    level.problem("ordinal", "imdf_duplicate_ordinal", f"{ordinal} ({seen[key]})")
                )
            else:
                seen[key] = level.ident or "-"
    return out


def check_units_inside_levels(archive: Archive) -> list[ImdfProblem]:
    """Each unit within its level's outline (the database keeps rooms inside floors)."""
    levels = {
        f.id.lower(): f.geom
        for f in archive.of_type("level")
        if is_uuid(f.id) and f.geom is not None and f.geom.is_valid
    }
    units = [
        (u, levels[u.properties["level_id"].lower()])
        for u in archive.of_type("unit")
        if is_uuid(u.properties.get("level_id"))
        and u.properties["level_id"].lower() in levels
        and u.geom is not None
        and u.geom.is_valid
        and u.geom.geom_type in ("Polygon", "MultiPolygon")
    ]
    if not units:
        return []
    geoms = np.array([u.geom for u, _ in units])
    outlines = np.array([level for _, level in units])
    covered = shapely.covered_by(geoms, outlines)
    out = []
    for i in np.flatnonzero(~covered).tolist():
        outside = area_m2(shapely.difference(geoms[i], outlines[i]))
        if outside > OUTSIDE_LEVEL_M2:
            out.append(units[i][0].problem("geometry", "imdf_outside_level", f"{outside:.1f} m²"))
    return out


@dataclass(slots=True)
class ValidationReport:
    """What `gis-app imdf validate` says: the files with their feature counts, and every
    problem found."""

    source: str
    files: dict[str, int]
    feature_types: dict[str, int]
    problems: list[ImdfProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_code(self) -> dict[str, int]:
        return dict(Counter(p.code for p in self.problems))

    def as_dict(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "files": self.files,
            "feature_types": self.feature_types,
            "problem_counts": self.by_code(),
            "problems": [p.as_dict(lang) for p in self.problems],
        }


def sort_problems(problems: list[ImdfProblem]) -> list[ImdfProblem]:
    return sorted(problems, key=lambda p: (p.file, p.index, p.field, p.code))


def validate(archive: Archive) -> ValidationReport:
    """Every check, on an archive (strictly) or a single file (as an archive would be)."""
    problems = [*archive.problems, *check_manifest(archive)]
    problems += check_files(archive)
    problems += check_features(archive, strict=True)
    problems += check_references(archive)
    problems += check_ordinals(archive)
    problems += check_units_inside_levels(archive)
    counts: dict[str, int] = defaultdict(int)
    for feature in archive.features:
        counts[str(feature.feature_type)] += 1
    return ValidationReport(
        source=archive.source,
        files={f: archive.count(f) for f in archive.files if f != "manifest.json"},
        feature_types=dict(counts),
        problems=sort_problems(problems),
    )
