"""What IMDF 1.0.0 asks of each feature type: its geometry, its required properties, the
properties holding labels, and the references between features."""

from __future__ import annotations

from dataclasses import dataclass

POLYGONAL = frozenset({"Polygon", "MultiPolygon"})
NO_GEOMETRY: frozenset[str] = frozenset()
ANY_GEOMETRY = frozenset({"*"})

GEOMETRY: dict[str, frozenset[str]] = {
    "venue": POLYGONAL,
    "footprint": POLYGONAL,
    "level": POLYGONAL,
    "unit": POLYGONAL,
    "fixture": POLYGONAL,
    "section": POLYGONAL,
    "kiosk": POLYGONAL,
    "geofence": POLYGONAL,
    "opening": frozenset({"LineString"}),
    "detail": frozenset({"LineString", "MultiLineString"}),
    "amenity": frozenset({"Point"}),
    "anchor": frozenset({"Point"}),
    "building": NO_GEOMETRY,
    "address": NO_GEOMETRY,
    "occupant": NO_GEOMETRY,
    "relationship": ANY_GEOMETRY,
}
"""Feature type → the GeoJSON geometry types it may have (empty: geometry must be null)."""
FEATURE_TYPES = frozenset(GEOMETRY)

REQUIRED: dict[str, tuple[str, ...]] = {
    "venue": ("category", "name", "display_point", "address_id"),
    "building": ("category",),
    "footprint": ("category", "building_ids"),
    "level": ("category", "outdoor", "ordinal", "name", "short_name"),
    "unit": ("category", "level_id"),
    "opening": ("category", "level_id"),
    "fixture": ("category", "level_id"),
    "section": ("category", "level_id"),
    "kiosk": ("level_id",),
    "detail": ("level_id",),
    "amenity": ("category", "unit_ids"),
    "anchor": ("unit_id",),
    "occupant": ("name", "category", "anchor_id"),
    "address": ("address", "locality", "country"),
    "geofence": ("category",),
    "relationship": ("category", "direction"),
}
"""Properties that must be present and not null."""

LABELS = ("name", "alt_name", "short_name")
"""Properties holding a LABELS object ({"en": "…", "zh-Hans": "…"}) when not null."""


@dataclass(frozen=True, slots=True)
class Reference:
    """`feature_type.prop` holds the id (or a list of ids when `many`) of a `target`."""

    feature_type: str
    prop: str
    target: str
    many: bool = False


REFERENCES = (
    Reference("venue", "address_id", "address"),
    Reference("building", "address_id", "address"),
    Reference("footprint", "building_ids", "building", many=True),
    Reference("level", "building_ids", "building", many=True),
    Reference("level", "address_id", "address"),
    Reference("unit", "level_id", "level"),
    Reference("opening", "level_id", "level"),
    Reference("fixture", "level_id", "level"),
    Reference("section", "level_id", "level"),
    Reference("kiosk", "level_id", "level"),
    Reference("detail", "level_id", "level"),
    Reference("amenity", "unit_ids", "unit", many=True),
    Reference("anchor", "unit_id", "unit"),
    Reference("occupant", "anchor_id", "anchor"),
)

REQUIRED_FILES = ("venue", "building", "footprint", "level", "unit")
"""Feature files every archive of a building with rooms has (plus manifest.json)."""
IMDF_VERSION = "1.0.0"
