"""What a land result map shows around its parcels, read as plain rows: the constraint
zones, stations and roads near them, and where all parcels lie (for an empty result)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.queries.extent import table_extent

BBox = tuple[float, float, float, float]
MARGIN_DEG = 0.01
"""Reference features are read this far (about 1 km) beyond the parcels shown."""

_ENVELOPE = (
    "SELECT ST_Expand(ST_Extent(ST_GeomFromGeoJSON(g)), :margin) "
    "FROM unnest(CAST(:geoms AS text[])) g"
)
_QUERIES = {
    "zones": "SELECT kind, name, ST_AsGeoJSON(geom, 7, 0) AS geometry FROM constraint_zone",
    "stations": "SELECT mode, name, ST_AsGeoJSON(geom, 7, 0) AS geometry FROM transit_station",
    "roads": "SELECT road_class, name, ST_AsGeoJSON(geom, 7, 0) AS geometry FROM road",
}


@dataclass(frozen=True)
class Reference:
    """Rows with their fields and `geometry` (GeoJSON text); none without parcels."""

    zones: list[dict[str, Any]] = field(default_factory=list)
    """kind, name, geometry."""
    stations: list[dict[str, Any]] = field(default_factory=list)
    """mode, name, geometry."""
    roads: list[dict[str, Any]] = field(default_factory=list)
    """road_class, name, geometry."""
    parcels_extent: BBox | None = None
    """(west, south, east, north) of every parcel; None when there are none."""


def reference(session: Session, rows: list[dict[str, Any]]) -> Reference:
    """The zones, stations and roads around the parcels `rows` (geometry as GeoJSON text),
    and the extent of all parcels."""
    found: dict[str, list[dict[str, Any]]] = {}
    if rows:
        params = {
            "geoms": [r["geometry"] for r in rows if r.get("geometry")],
            "margin": MARGIN_DEG,
        }
        for name, sql in _QUERIES.items():
            statement = text(f"{sql} WHERE geom && ({_ENVELOPE})")
            found[name] = [dict(r) for r in session.execute(statement, params).mappings()]
    return Reference(**found, parcels_extent=table_extent(session, "land_parcel", estimate=False))
