"""The collections the OGC API serves: each is a source of the layer registry
(`gis_app.layers.sources`), so the API, the tiles and the map read the same SQL.

Titles and descriptions are locale texts `ogc.collection.<id>.title|description`.
"""

from __future__ import annotations

from dataclasses import dataclass

from gis_app.errors import NotFound
from gis_app.layers.sources import SourceDef, source_def


@dataclass(frozen=True)
class Collection:
    """One collection: its source, the main table (for the extent estimate), the catalog
    layer whose tiles it shares (None: no tiles), and whether it takes `level`."""

    id: str
    kind: str
    name: str
    table: str
    level: tuple[str, str] | None = None
    """SQL of the floor ordinal and floor name a `level` parameter is matched against."""
    layer: str | None = None

    @property
    def source(self) -> SourceDef:
        return source_def(self.kind, self.name, "building" if self.kind == "analysis" else None)


COLLECTIONS: dict[str, Collection] = {
    c.id: c
    for c in (
        Collection("campuses", "table", "campus", "campus", layer="campuses"),
        Collection("buildings", "table", "building", "building", layer="buildings"),
        Collection("floors", "table", "floor", "floor", level=("t.ordinal", "t.name")),
        Collection("rooms", "table", "room", "room", level=("f.ordinal", "f.name"), layer="rooms"),
        Collection("parcels", "table", "land_parcel", "land_parcel", layer="parcels_landuse"),
        Collection("roads", "table", "road", "road", layer="roads"),
        Collection(
            "transit_stations",
            "table",
            "transit_station",
            "transit_station",
            layer="transit_stations",
        ),
        Collection(
            "constraint_zones",
            "table",
            "constraint_zone",
            "constraint_zone",
            layer="constraint_zones",
        ),
        Collection(
            "building_vacancy", "analysis", "vacancy", "building", layer="buildings_vacancy"
        ),
        Collection(
            "building_over_standard",
            "analysis",
            "over_standard",
            "building",
            layer="buildings_over_standard",
        ),
    )
}


def get_collection(collection_id: str) -> Collection:
    """The collection, or 404 naming it."""
    found = COLLECTIONS.get(collection_id)
    if found is None:
        raise NotFound(resource="collection", id=collection_id)
    return found
