"""IMDF (and IMDF-like single-file) features → building, floor and room rows.

An archive with levels is read as IMDF: buildings from building + ground footprints,
floors from levels (ordinal; name from `short_name`), rooms from units (number from
`alt_name`, else `name`, else a short id; category mapped; the unit's IMDF id kept).
A single FeatureCollection with units but no levels (the openindoormaps "IMDF-like" form)
becomes one building named after the file, with `level_id` taken as the ordinal.
"""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import PurePosixPath
from typing import Any

import shapely

from gis_app.imdf import validate as checks
from gis_app.imdf.archive import Archive, Feature
from gis_app.imdf.categories import is_room, room_kind
from gis_app.imdf.plan import (
    Bounds,
    BuildingRow,
    FloorRow,
    Plan,
    RoomRow,
    add_one_building,
    as_multipolygon,
    derived_id,
    floor_key,
    polygon_part,
    reject_outside_china,
)
from gis_app.imdf.problems import ARCHIVE, ImdfProblem
from gis_app.imdf.rules import FEATURE_TYPES
from gis_app.ingest.read import CHINA_BOUNDS
from gis_app.models.space import floor_label

PREFERRED_LANGUAGES = ("zh-Hans", "zh-CN", "zh", "zh-Hans-CN", "en", "en-US")
IMPORTED = frozenset({"venue", "address", "building", "footprint", "level", "unit"})
KEPT = IMPORTED | {"opening"}
"""What an IMDF archive's rows keep (openings with their level, for the export)."""


def label(value: Any, language: str | None = None) -> str | None:
    """The text of a LABELS object in the first language we prefer (plain strings too)."""
    if isinstance(value, str):
        return value.strip() or None
    if not isinstance(value, dict) or not value:
        return None
    for tag in (*PREFERRED_LANGUAGES, language):
        if tag in value and isinstance(value[tag], str) and value[tag].strip():
            return value[tag].strip()
    first = next((v for v in value.values() if isinstance(v, str) and v.strip()), None)
    return first.strip() if first else None


def _uuid(feature: Feature) -> uuid.UUID:
    if checks.is_uuid(feature.id):
        return uuid.UUID(feature.id)
    return derived_id(feature.file, feature.index)


_TEXT_VALUES = {
    "null": (None, "imdf_null_string"),
    "true": (True, "imdf_string_boolean"),
    "false": (False, "imdf_string_boolean"),
}


def _normalise_strings(plan: Plan, features: list[Feature]) -> None:
    """The strings "null", "true" and "false" where JSON null or booleans were meant: read
    as such, each reported as a warning."""
    for feature in features:
        for key, value in list(feature.properties.items()):
            if isinstance(value, str) and value in _TEXT_VALUES:
                feature.properties[key], code = _TEXT_VALUES[value]
                plan.warnings.append(feature.problem(key, code, value))


def _area_ignored(plan: Plan, archive: Archive) -> None:
    """An `area` property is not used (areas are measured on the ellipsoid): said once."""
    values = Counter(str(f.properties["area"]) for f in archive.features if "area" in f.properties)
    if values:
        detail = ", ".join(f"{v} ×{n}" for v, n in values.most_common(3))
        plan.warnings.append(
            ImdfProblem(ARCHIVE, None, "area", "imdf_area_ignored", detail, file=archive.source)
        )


def _room(plan: Plan, unit: Feature, floor_key: str, language: str | None) -> None:
    """The unit's room; a wall, column or void (`categories.NOT_ROOMS`) is counted as left
    out instead. Its shape was checked with the features (`room_geometry_problem`)."""
    props = unit.properties
    if not is_room(props.get("category")):
        plan.ignored[f"category={props.get('category')}"] += 1
        return
    polygon = None if unit.geom is None else polygon_part(unit.geom)
    if polygon is None:
        return
    category, subtype = room_kind(props.get("category"))
    name = label(props.get("name"), language)
    plan.rooms.append(
        RoomRow(
            floor=floor_key,
            number=label(props.get("alt_name"), language) or name,
            name=name,
            category=category,
            subtype=subtype,
            imdf_id=_uuid(unit),
            geom=polygon,
            source=unit,
            imdf_source={"properties": props},
        )
    )


def _ignore_others(plan: Plan, archive: Archive, used: frozenset[str] = IMPORTED) -> None:
    for feature in archive.features:
        kind = feature.feature_type
        if kind in FEATURE_TYPES and kind not in used:
            plan.ignored[f"feature_type={kind}"] += 1


def address_text(properties: dict[str, Any]) -> str:
    """A building's address line from an IMDF address: "address, unit, locality"."""
    parts = [properties.get(k) for k in ("address", "unit", "locality")]
    return ", ".join(str(p) for p in parts if p)


def _address(archive: Archive) -> dict[str, str]:
    out = {}
    for feature in archive.of_type("address"):
        text = address_text(feature.properties)
        if checks.is_uuid(feature.id) and text:
            out[feature.id.lower()] = text
    return out


def _by_id(features: list[Feature]) -> dict[str, dict[str, Any]]:
    return {f.id.lower(): f.as_geojson() for f in features if checks.is_uuid(f.id)}


def _venue_source(archive: Archive, language: str | None) -> dict[str, Any]:
    """What every building of the archive keeps of its venue: the venue and its address as
    read, and the manifest's language."""
    venues = archive.of_type("venue")
    venue = venues[0].as_geojson() if len(venues) == 1 else None
    address_id = str((venue or {}).get("properties", {}).get("address_id") or "").lower()
    return {
        "language": language,
        "venue": venue,
        "venue_address": _by_id(archive.of_type("address")).get(address_id),
    }


def _buildings(plan: Plan, archive: Archive, language: str | None) -> None:
    addresses = _address(archive)
    address_features = _by_id(archive.of_type("address"))
    venue = _venue_source(archive, language)
    footprints: dict[str, list] = {}
    kept: dict[str, list[dict[str, Any]]] = {}
    rejected = plan.rejected()
    for footprint in archive.of_type("footprint"):
        if footprint.geom is None or (footprint.file, footprint.index) in rejected:
            continue
        for building_id in footprint.properties.get("building_ids") or []:
            if not isinstance(building_id, str):
                continue
            kept.setdefault(building_id.lower(), []).append(footprint.as_geojson())
            if footprint.properties.get("category") == "ground":
                footprints.setdefault(building_id.lower(), []).append(footprint.geom)
    for building in archive.of_type("building"):
        if not checks.is_uuid(building.id):
            continue
        key = building.id.lower()
        parts = footprints.get(key)
        geom = None
        if parts:
            geom = as_multipolygon(shapely.union_all(parts))
        code = f"IMDF-{uuid.UUID(key).hex[:12]}"
        address_id = building.properties.get("address_id")
        plan.buildings.append(
            BuildingRow(
                key=key,
                imdf_id=uuid.UUID(key),
                code=code,
                name=label(building.properties.get("name"), language) or code,
                address=addresses.get(str(address_id).lower()) if address_id else None,
                geom=geom,
                source=building,
                imdf_source={
                    **venue,
                    "properties": building.properties,
                    "address": address_features.get(str(address_id or "").lower()),
                    "footprints": kept.get(key, []),
                },
            )
        )


def _levels(plan: Plan, archive: Archive, language: str | None) -> None:
    only = plan.buildings[0].key if len(plan.buildings) == 1 else None
    rejected = plan.rejected()
    openings: dict[str, list[dict[str, Any]]] = {}
    for opening in archive.of_type("opening"):
        level_id = opening.properties.get("level_id")
        if isinstance(level_id, str) and (opening.file, opening.index) not in rejected:
            openings.setdefault(level_id.lower(), []).append(opening.as_geojson())
    for level in archive.of_type("level"):
        props = level.properties
        ordinal = props.get("ordinal")
        ids = props.get("building_ids")
        building = (
            str(ids[0]).lower()
            if isinstance(ids, list) and ids and isinstance(ids[0], str)
            else only
        )
        if building is None:
            plan.problems.append(level.problem("building_ids", "imdf_no_building"))
            continue
        if (
            not checks.is_uuid(level.id)
            or not isinstance(ordinal, int)
            or isinstance(ordinal, bool)
        ):
            continue
        geom = polygon_part(level.geom) if level.geom is not None else None
        if geom is None and level.geom is not None and level.geom.is_valid:
            geom = level.geom.convex_hull
        plan.floors.append(
            FloorRow(
                key=level.id.lower(),
                building=building,
                ordinal=ordinal,
                name=label(props.get("short_name"), language) or floor_label(ordinal),
                imdf_id=uuid.UUID(level.id),
                geom=geom,
                source=level,
                imdf_source={"properties": props, "openings": openings.get(level.id.lower(), [])},
            )
        )


def plan_imdf(archive: Archive, *, area: Bounds | None = CHINA_BOUNDS) -> Plan:
    """Rows for an IMDF archive with its levels (strict checks)."""
    plan = Plan(source=archive.source, form="imdf", read=_read_counts(archive))
    manifest = archive.manifest if isinstance(archive.manifest, dict) else {}
    language = manifest.get("language")
    plan.problems += archive.problems + checks.check_manifest(archive)
    if not archive.single_file:
        plan.problems += checks.check_files(archive)
    plan.problems += checks.check_features(archive, strict=True)
    plan.problems += checks.check_references(archive)
    plan.problems += checks.check_ordinals(archive)
    plan.problems += checks.check_units_inside_levels(archive)
    if area is not None:
        reject_outside_china(plan, archive.features, area)
    _ignore_others(plan, archive, KEPT)
    _buildings(plan, archive, language)
    _levels(plan, archive, language)
    for unit in archive.of_type("unit"):
        level_id = unit.properties.get("level_id")
        if isinstance(level_id, str):
            _room(plan, unit, level_id.lower(), language)
    return plan


def plan_imdf_like(archive: Archive, *, area: Bounds | None = CHINA_BOUNDS) -> Plan:
    """Rows for one FeatureCollection of units without levels: one building, the
    `level_id` of each unit as its floor's ordinal."""
    plan = Plan(source=archive.source, form="imdf-like", read=_read_counts(archive))
    _normalise_strings(plan, archive.features)
    _area_ignored(plan, archive)
    plan.problems += archive.problems + checks.check_features(archive, strict=False)
    for feature in archive.features:
        if feature.properties.get("level_id") is None:
            plan.problems.append(feature.problem("level_id", "imdf_no_level"))
    if area is not None:
        reject_outside_china(plan, archive.features, area)
    _ignore_others(plan, archive)
    stem = PurePosixPath(archive.source).stem
    ordinals: set[int] = set()
    for unit in archive.of_type("unit"):
        ordinal = unit.properties.get("level_id")
        if ordinal is None:
            continue
        if isinstance(ordinal, bool) or not isinstance(ordinal, int):
            plan.problems.append(unit.problem("level_id", "imdf_bad_ordinal", ordinal))
            continue
        if unit.geom is not None and unit.geom.geom_type not in ("Polygon", "MultiPolygon"):
            continue  # wrong_geometry_type, reported by check_features
        ordinals.add(ordinal)
        _room(plan, unit, floor_key(ordinal), None)
    add_one_building(plan, kind="imdf", stem=stem, ordinals=ordinals)
    return plan


def _read_counts(archive: Archive) -> dict[str, int]:
    return {f: archive.count(f) for f in archive.files if f != "manifest.json"}


def plan_archive(archive: Archive, *, area: Bounds | None = CHINA_BOUNDS) -> Plan:
    """IMDF when the source has levels, else the IMDF-like single-file form."""
    if archive.of_type("level") or not archive.single_file:
        return plan_imdf(archive, area=area)
    return plan_imdf_like(archive, area=area)
