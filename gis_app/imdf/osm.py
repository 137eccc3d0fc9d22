"""OpenStreetMap indoor data (Simple Indoor Tagging, as exported by overpass-turbo or
osmtogeojson) → one building with its floors and rooms.

`indoor=room|area|corridor` features become rooms on the floor their `level` names; the
`level` tag is a string, so "0" is ordinal 0, "-1" is B1, and a list such as "0;1" (a
feature on several levels) is reported and left out, as are indoor features with no level
and rooms drawn as points or lines. Everything else (walls, doors, shops as points,
streets) is left out and counted by reason. OSM features carry no UUID: each room's IMDF
id is derived from its OSM id, so importing the same extract twice is recognised.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import shapely

from gis_app.imdf.archive import Archive, Feature
from gis_app.imdf.plan import (
    Bounds,
    Plan,
    RoomRow,
    add_one_building,
    derived_id,
    floor_key,
    polygon_part,
    reject_outside_china,
)
from gis_app.imdf.validate import room_geometry_problem
from gis_app.ingest.read import CHINA_BOUNDS

ROOMS = ("room", "area", "corridor")
INTEGER = re.compile(r"^-?\d+$")
_ROOM_TAGS: dict[str, tuple[str, str | None]] = {
    "office": ("office", "office"),
    "toilet": ("service", "toilet"),
    "toilets": ("service", "toilet"),
    "conference": ("service", "meeting"),
    "meeting": ("service", "meeting"),
    "class": ("service", "meeting"),
    "storage": ("service", "storage"),
    "kitchen": ("service", "pantry"),
    "technical": ("equipment", None),
    "elevator": ("equipment", "lift"),
    "stairs": ("ancillary", "stair"),
    "corridor": ("ancillary", "corridor"),
}


def looks_like_osm(archive: Archive) -> bool:
    """One collection without IMDF feature types whose features carry `indoor` tags."""
    return (
        archive.single_file
        and not any(f.feature_type for f in archive.features)
        and any("indoor" in f.properties for f in archive.features)
    )


def room_kind(tags: dict) -> tuple[str, str | None]:
    """Our (category, subtype) for an OSM indoor feature."""
    indoor = tags.get("indoor")
    if indoor == "corridor":
        return "ancillary", "corridor"
    if indoor == "area":
        return "ancillary", None
    if tags.get("amenity") == "toilets":
        return "service", "toilet"
    return _ROOM_TAGS.get(str(tags.get("room") or "").lower(), ("service", None))


def osm_id(feature: Feature) -> str:
    for value in (feature.id, feature.properties.get("@id"), feature.properties.get("id")):
        if isinstance(value, str) and value:
            return value
    return f"{feature.file}#{feature.index}"


def _ordinal(plan: Plan, feature: Feature) -> int | None:
    level = feature.properties.get("level")
    if level is None or str(level).strip() == "":
        plan.problems.append(feature.problem("level", "imdf_no_level"))
        return None
    text = str(level).strip()
    if ";" in text:
        plan.problems.append(feature.problem("level", "imdf_multi_level", text))
        return None
    if not INTEGER.match(text):
        plan.problems.append(feature.problem("level", "imdf_bad_ordinal", text))
        return None
    return int(text)


def _geometry_problems(plan: Plan, feature: Feature) -> bool:
    """True when the geometry is a usable polygon; else the problem is recorded."""
    geom = feature.geom
    if geom is None:
        plan.problems.append(feature.problem("geometry", "missing_geometry"))
        return False
    if geom.is_empty:
        plan.problems.append(feature.problem("geometry", "empty_geometry"))
        return False
    polygon = polygon_part(geom)
    if polygon is None:
        plan.problems.append(feature.problem("geometry", "wrong_geometry_type", geom.geom_type))
        return False
    if not polygon.is_valid:
        return False  # invalid_geometry, reported for every feature
    problem = room_geometry_problem(feature)
    if problem is not None:
        plan.problems.append(problem)
        return False
    return True


def _report_invalid(plan: Plan, features: list[Feature]) -> None:
    """Invalid polygons anywhere in the file, rooms or not: the file's own errors."""
    for feature in features:
        geom = feature.geom
        if geom is not None and geom.geom_type in ("Polygon", "MultiPolygon") and not geom.is_valid:
            plan.problems.append(
                feature.problem("geometry", "invalid_geometry", shapely.is_valid_reason(geom))
            )


def _ignore_others(plan: Plan, features: list[Feature]) -> None:
    """Count what is not a room (and not rejected) by reason; a multi-level tag on such a
    feature is a warning, since nothing of it is imported."""
    rejected = plan.rejected()
    for feature in features:
        indoor = feature.properties.get("indoor")
        if indoor in ROOMS or (feature.file, feature.index) in rejected:
            continue
        plan.ignored[f"indoor={indoor}" if indoor else "not indoor"] += 1
        level = feature.properties.get("level")
        if isinstance(level, str) and ";" in level:
            plan.warnings.append(feature.problem("level", "imdf_multi_level", level))


def plan_osm(archive: Archive, *, area: Bounds | None = CHINA_BOUNDS) -> Plan:
    """Rows for an OSM indoor extract (one GeoJSON FeatureCollection)."""
    plan = Plan(
        source=archive.source,
        form="osm-indoor",
        read={f: archive.count(f) for f in archive.files},
    )
    plan.problems += archive.problems
    _report_invalid(plan, archive.features)
    stem = PurePosixPath(archive.source).stem
    rooms = [f for f in archive.features if f.properties.get("indoor") in ROOMS]
    if area is not None:
        reject_outside_china(plan, rooms, area)
    ordinals: set[int] = set()
    for feature in rooms:
        ordinal = _ordinal(plan, feature)
        usable = _geometry_problems(plan, feature)
        if ordinal is None or not usable:
            continue
        ordinals.add(ordinal)
        tags = feature.properties
        category, subtype = room_kind(tags)
        ident = osm_id(feature)
        name = tags.get("name")
        plan.rooms.append(
            RoomRow(
                floor=floor_key(ordinal),
                number=str(tags.get("ref") or ident),
                name=str(name) if name else None,
                category=category,
                subtype=subtype,
                imdf_id=derived_id("osm", stem, ident),
                geom=polygon_part(feature.geom),
                source=feature,
            )
        )
    _ignore_others(plan, archive.features)
    add_one_building(plan, kind="osm", stem=stem, ordinals=ordinals)
    return plan
