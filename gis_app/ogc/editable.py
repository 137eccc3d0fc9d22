"""What each writable collection accepts (OGC API Features Part 4): its table, the geometry
it stores, the properties a client may write and the right a write needs.

The fields are the vector import's (`gis_app.ingest.targets`), so a feature written through
the API is checked by the same types, ranges, lengths and vocabularies as one imported from
a file; the parent ids the import finds by itself (a room's floor, a floor's building) and
the owner ids row-level security reads are written here directly. Properties a collection
serves but derives from other tables (a room's building name) are read only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gis_app.accounts.rights import Right
from gis_app.errors import MethodNotAllowed
from gis_app.ingest.geometry import GeometryKind
from gis_app.ingest.targets import INT_MAX, TARGETS, Field
from gis_app.ogc.collections import Collection

READ_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Editable:
    """A writable collection's table, geometry kind, writable fields and the right a write
    needs; `area_field` is computed on the ellipsoid when a new or replaced feature gives
    none (as the import does); `plan` says the table keeps a floor-plan copy (rooms)."""

    table: str
    geometry: GeometryKind
    fields: tuple[Field, ...]
    right: Right
    area_field: str | None = None
    plan: bool = False

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _id(name: str, *, required: bool = False) -> Field:
    return Field(name, "int", required=required, low=Decimal(1), high=Decimal(INT_MAX))


def _stored(target: str) -> tuple[Field, ...]:
    return tuple(f for f in TARGETS[target].fields if f.stored)


def _imported(target: str, right: Right, *extra: Field) -> Editable:
    spec = TARGETS[target]
    return Editable(
        spec.table, spec.geometry, (*_stored(target), *extra), right, area_field=spec.area_field
    )


EDITABLE: dict[str, Editable] = {
    "campuses": Editable(
        "campus",
        "polygon",
        (
            Field("code", required=True, max_length=40),
            Field("name", required=True),
            Field("address"),
        ),
        Right.IMPORT,
    ),
    "buildings": _imported("building", Right.IMPORT, _id("campus_id"), _id("title_holder_id")),
    "floors": Editable(
        "floor",
        "single_polygon",
        (_id("building_id", required=True), *_stored("floor")),
        Right.IMPORT,
    ),
    "rooms": Editable(
        "room",
        "single_polygon",
        (_id("floor_id", required=True), *_stored("room"), _id("organisation_id")),
        Right.EDIT,
        area_field="usable_area_m2",
        plan=True,
    ),
    "parcels": _imported("parcel", Right.IMPORT),
    "roads": _imported("road", Right.IMPORT),
    "transit_stations": _imported("transit_station", Right.IMPORT),
    "constraint_zones": _imported("constraint_zone", Right.IMPORT),
}
"""Campuses, buildings and floors are their title holder's, land parcels and the reference
layers the city's: writing them needs the `import` right, as loading them from a file does
(`gis_app.accounts.rights`), and the row policies of migration 0011 let only the title
holder in scope change a building, its floors or campus. Rooms are the bodies' (`edit`)."""


def editable(collection: Collection) -> Editable:
    """The collection's write rules; 405 for a read-only (analysis) collection."""
    found = EDITABLE.get(collection.id)
    if found is None:
        raise MethodNotAllowed(", ".join(READ_METHODS))
    return found


def allowed_methods(may_write: bool, item: bool) -> list[str]:
    """What `Allow` lists for a caller: reads always, writes when the collection takes them
    and the caller has their right (`may_write`)."""
    methods = list(READ_METHODS)
    if may_write:
        methods += ["PUT", "PATCH", "DELETE"] if item else ["POST"]
    return methods
