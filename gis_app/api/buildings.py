"""Buildings: footprints with title, safety and size facts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from gis_app.accounts.rights import Right
from gis_app.api.features import GeoJSONResponse, feature_collection, plain, row_to_feature
from gis_app.errors import NotFound
from gis_app.http.auth import needs
from gis_app.http.params import MAX_INT, BBoxDep, IdPath, PageDep
from gis_app.http.session import SessionDep
from gis_app.queries.buildings import bodies_in_building, get_building, list_buildings
from gis_app.schemas.geojson import Feature, FeatureCollection

router = APIRouter(prefix="/api/v1/buildings", tags=["buildings"], dependencies=[needs(Right.READ)])


@router.get(
    "",
    operation_id="list_buildings",
    response_model=FeatureCollection,
    response_model_by_alias=True,
    response_class=GeoJSONResponse,
    summary="Buildings as GeoJSON / 建筑列表",
)
def list_buildings_route(
    request: Request,
    session: SessionDep,
    bbox: BBoxDep,
    page: PageDep,
    campus_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="Only this campus")
    ] = None,
) -> FeatureCollection:
    """Footprints in CRS84 with properties; filtered by bbox and campus; paged by id."""
    rows, total = list_buildings(
        session, bbox=bbox, campus_id=campus_id, limit=page.limit, offset=page.offset
    )
    return feature_collection(request, rows, total, page)


@router.get(
    "/{building_id}",
    operation_id="get_building",
    response_model=Feature,
    response_class=GeoJSONResponse,
    summary="One building / 单栋建筑",
)
def get_building_route(building_id: IdPath, session: SessionDep) -> Feature:
    """One building as a GeoJSON feature; 404 naming the id when it does not exist."""
    row = get_building(session, building_id)
    if row is None:
        raise NotFound(resource="building", id=building_id)
    return row_to_feature(row)


@router.get(
    "/{building_id}/bodies",
    operation_id="building_bodies",
    summary="建筑内使用单位 / Bodies using a building",
)
def building_bodies_route(building_id: IdPath, session: SessionDep) -> JSONResponse:
    """Who uses the building: rooms, usable area and floors of each body; 404 naming the id."""
    if get_building(session, building_id) is None:
        raise NotFound(resource="building", id=building_id)
    rows = bodies_in_building(session, building_id)
    return JSONResponse({"items": [{k: plain(v) for k, v in r.items()} for r in rows]})
