"""What each import target accepts: its table, geometry, fields (type, required, vocabulary,
range, length) and natural key, and how a feature finds its parent.

The ranges and lengths are the columns' own (CHECK constraints, `String(n)`, `Numeric(p, s)`)
so that every value refused by the database is refused here first, per feature and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from gis_app.ingest.geometry import GeometryKind
from gis_app.models.base import (
    CONSTRAINT_KINDS,
    LANDUSE_SCHEMES,
    OWNERSHIPS,
    PARCEL_STATUSES,
    ROAD_CLASSES,
    ROOM_CATEGORIES,
    ROOM_STATUSES,
    SAFETY_GRADES,
    STATION_MODES,
)

FieldType = Literal["text", "code", "int", "decimal", "date"]
INT_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Field:
    """One target field. `stored` is False for the fields that only find a parent
    (a floor's `building_code`); `default` fills it when the file and the user give none."""

    name: str
    type: FieldType = "text"
    required: bool = False
    vocabulary: tuple[str, ...] = ()
    max_length: int | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    low_open: bool = False
    """True: the value must be above `low` (area > 0), not merely at least `low`."""
    default: str | None = None
    stored: bool = True


def _int(name: str, low: int = -INT_MAX, high: int = INT_MAX, **kw: object) -> Field:
    return Field(name, "int", low=Decimal(low), high=Decimal(high), **kw)  # type: ignore[arg-type]


def _positive(name: str, digits: int, **kw: object) -> Field:
    """A `Numeric(digits, 2)` column that must be above 0."""
    high = Decimal(10 ** (digits - 2)) - Decimal("0.01")
    return Field(name, "decimal", low=Decimal(0), low_open=True, high=high, **kw)  # type: ignore[arg-type]


def _code(name: str, vocabulary: tuple[str, ...], **kw: object) -> Field:
    return Field(name, "code", vocabulary=vocabulary, **kw)  # type: ignore[arg-type]


Parent = Literal["building", "floor"]


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """An import target: table, geometry kind, fields, natural key and parent.

    `key` names the fields (after the parent is found: `building_id`, `floor_id`) that must
    be unique within the file and against the rows already in the table. `area_field` is
    computed on the ellipsoid from the outline when the file gives no value.
    """

    table: str
    geometry: GeometryKind
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    parent: Parent | None = None
    area_field: str | None = None

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


_BUILDING = TargetSpec(
    "building",
    "polygon",
    (
        Field("code", required=True, max_length=40),
        Field("name", required=True),
        Field("address"),
        _int("floors_above", 1, required=True),
        _int("floors_below", 0, default="0"),
        _positive("height_m", 6),
        _int("year_built", 1800, 2100),
        _positive("gross_floor_area_m2", 12),
        Field("usable_coefficient", "decimal", low=Decimal(0), low_open=True, high=Decimal(1)),
        Field("title_certificate_no"),
        _code("safety_grade", SAFETY_GRADES),
        Field("safety_appraised_on", "date"),
        Field("safety_standard", default="JGJ 125-2016"),
    ),
    key=("code",),
)
_FLOOR = TargetSpec(
    "floor",
    "single_polygon",
    (
        Field("building_code", stored=False),
        _int("building_id", 1, stored=False),
        _int("ordinal", -50, 200, required=True),
        Field("name", max_length=16),
    ),
    key=("building_id", "ordinal"),
    parent="building",
)
_ROOM = TargetSpec(
    "room",
    "single_polygon",
    (
        Field("building_code", stored=False),
        _int("floor_ordinal", -50, 200, stored=False),
        _int("floor_id", 1, stored=False),
        Field("number", required=True, max_length=24),
        Field("name"),
        _code("category", ROOM_CATEGORIES, required=True),
        Field("subtype", max_length=32),
        _positive("usable_area_m2", 10),
        _code("status", ROOM_STATUSES, required=True),
    ),
    key=("floor_id", "number"),
    parent="floor",
    area_field="usable_area_m2",
)
_PARCEL = TargetSpec(
    "land_parcel",
    "polygon",
    (
        Field("parcel_code", required=True, max_length=40),
        _code("landuse_scheme", LANDUSE_SCHEMES, required=True),
        Field("landuse_code", required=True, max_length=8),
        _positive("area_m2", 14),
        _code("ownership", OWNERSHIPS, required=True),
        _code("status", PARCEL_STATUSES, required=True),
        Field("district"),
    ),
    key=("parcel_code",),
    area_field="area_m2",
)

TARGETS: dict[str, TargetSpec] = {
    "building": _BUILDING,
    "floor": _FLOOR,
    "room": _ROOM,
    "parcel": _PARCEL,
    "road": TargetSpec(
        "road", "line", (Field("name"), _code("road_class", ROAD_CLASSES, required=True))
    ),
    "transit_station": TargetSpec(
        "transit_station", "point", (Field("name"), _code("mode", STATION_MODES, required=True))
    ),
    "constraint_zone": TargetSpec(
        "constraint_zone",
        "polygon",
        (_code("kind", CONSTRAINT_KINDS, required=True), Field("name"), Field("source")),
    ),
}
"""Import targets by the name users give (`gis-app import parcel …`)."""
REFERENCE_LAYERS = ("road", "transit_station", "constraint_zone")
