"""Buildings as GeoJSON-ready rows, filtered by bbox and campus."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Numeric, Select, cast, func, select, text
from sqlalchemy.orm import Session

from gis_app.models import Building, Organisation
from gis_app.models.base import SRID

PROPERTY_COLUMNS = (
    Building.code,
    Building.name,
    Building.campus_id,
    Building.address,
    Building.floors_above,
    Building.floors_below,
    Building.height_m,
    Building.year_built,
    Building.gross_floor_area_m2,
    Building.usable_coefficient,
    Building.title_holder_id,
    Building.title_certificate_no,
    Building.safety_grade,
    Building.safety_appraised_on,
)


def bbox_filter(geom: Any, bbox: tuple[float, float, float, float]) -> ColumnElement[bool]:
    """Rows whose geometry meets the CRS84 box (served by the GIST index)."""
    return func.ST_Intersects(geom, func.ST_MakeEnvelope(*bbox, SRID))


def _filters(
    bbox: tuple[float, float, float, float] | None, campus_id: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if bbox is not None:
        conditions.append(bbox_filter(Building.geom, bbox))
    if campus_id is not None:
        conditions.append(Building.campus_id == campus_id)
    return conditions


def buildings_select(*conditions: ColumnElement[bool]) -> Select[Any]:
    """Properties, footprint area in m² on the ellipsoid, and GeoJSON geometry."""
    return (
        select(
            Building.id,
            *PROPERTY_COLUMNS,
            Organisation.name.label("title_holder_name"),
            func.round(cast(func.ST_Area(func.geography(Building.geom)), Numeric), 1).label(
                "footprint_area_m2"
            ),
            func.ST_AsGeoJSON(Building.geom, 7, 0).label("geometry"),
        )
        .outerjoin(Organisation, Organisation.id == Building.title_holder_id)
        .where(*conditions)
        .order_by(Building.id)
    )


def list_buildings(
    session: Session,
    *,
    bbox: tuple[float, float, float, float] | None,
    campus_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """One page of buildings and the number matched by the filters."""
    conditions = _filters(bbox, campus_id)
    total = session.scalar(select(func.count()).select_from(Building).where(*conditions)) or 0
    rows = session.execute(buildings_select(*conditions).limit(limit).offset(offset)).mappings()
    return [dict(row) for row in rows], total


def get_building(session: Session, building_id: int) -> dict[str, Any] | None:
    """One building's row, or None."""
    row = session.execute(buildings_select(Building.id == building_id)).mappings().first()
    return dict(row) if row else None


def bodies_in_building(session: Session, building_id: int) -> list[dict[str, Any]]:
    """The bodies using rooms of a building: rooms, usable area and floors each, largest first."""
    rows = session.execute(
        text(
            "SELECT o.id, o.name, o.code, count(*) AS rooms, "
            "round(sum(r.usable_area_m2), 1) AS usable_area_m2, "
            "array_agg(DISTINCT f.ordinal ORDER BY f.ordinal) AS floors "
            "FROM room r JOIN floor f ON f.id = r.floor_id "
            "JOIN organisation o ON o.id = r.organisation_id "
            "WHERE f.building_id = :b GROUP BY o.id ORDER BY usable_area_m2 DESC, o.id"
        ),
        {"b": building_id},
    ).mappings()
    return [dict(r) for r in rows]
