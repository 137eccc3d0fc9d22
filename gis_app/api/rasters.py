"""Registered rasters: list them, register an uploaded GeoTIFF or GeoPackage raster (a DEM
also gets its slope).

An upload is checked before anything is kept: a file over the size limit is a 413, a file
that is not a georeferenced raster with a usable CRS is a 422 naming the field (`file`,
`crs`, `table`) and the reason, one outside the service area a 422 unless `any_area`, a
code already registered (or being registered by another request) a 409; none of them
leaves a row or a file behind, nor touches another raster's. The answer says which
transformation took the raster to CGCS2000 (`transformation`).
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from gis_app.accounts.rights import Right
from gis_app.http.auth import needs
from gis_app.http.openapi import PNG_MEDIA_TYPE, answers
from gis_app.http.session import SessionDep
from gis_app.http.uploads import received
from gis_app.maps.raster_picture import render_png
from gis_app.models.base import RASTER_KINDS
from gis_app.raster.catalog import raster_layers, stored_raster, with_parcel_statistics
from gis_app.raster.registry import RasterMeaning, register_raster

router = APIRouter(prefix="/api/v1/rasters", tags=["rasters"], dependencies=[needs(Right.READ)])


@router.get("", operation_id="list_rasters", summary="栅格图层 / Registered rasters")
def list_rasters(session: SessionDep) -> JSONResponse:
    """Every registered raster with its meaning, units and grid."""
    return JSONResponse({"items": raster_layers(session)})


@router.post(
    "",
    operation_id="register_raster",
    dependencies=[needs(Right.IMPORT)],
    status_code=201,
)
def upload_raster(
    request: Request,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="GeoTIFF")],
    code: Annotated[str, Form(max_length=40)],
    name_zh: Annotated[str, Form(min_length=1, max_length=200)],
    kind: Annotated[Literal[RASTER_KINDS], Form()],  # type: ignore[valid-type]
    units: Annotated[str, Form(min_length=1, max_length=16)],
    name_en: Annotated[str | None, Form(max_length=200)] = None,
    band: Annotated[int, Form(ge=1, le=1000)] = 1,
    crs: Annotated[
        str | None, Form(max_length=4000, description="CRS declared, wins over the file's")
    ] = None,
    table: Annotated[str | None, Form(max_length=200, description="GeoPackage table")] = None,
    allow_ballpark: Annotated[bool, Form()] = False,
    any_area: Annotated[bool, Form()] = False,
) -> JSONResponse:
    """Check, store and register a GeoTIFF (or a GeoPackage's raster table) and compute its
    parcel statistics."""
    settings = request.app.state.settings
    meaning = RasterMeaning(code, name_zh, name_en, kind, units)
    with received(file, settings.upload_max_bytes, suffix=".tif") as upload, session.begin():
        done = register_raster(
            session,
            upload.path,
            meaning,
            settings.raster_dir,
            band=band,
            table=table or None,
            crs=crs or None,
            allow_ballpark=allow_ballpark,
            area=None if any_area else settings.service_area,
        )
    body = {
        "items": with_parcel_statistics(session, done.codes),
        "transformation": done.transformation,
    }
    return JSONResponse(body, status_code=201)


@router.get(
    "/{code}/image.png",
    operation_id="raster_image",
    summary="栅格图片（山体阴影、淹没深度） / Raster as a map picture",
    response_class=Response,
    responses=answers(PNG_MEDIA_TYPE, s304={"description": "Not modified (ETag)"}),
)
def raster_image(
    code: Annotated[str, Path(max_length=40)],
    session: SessionDep,
    request: Request,
    style: Annotated[Literal["hillshade", "ramp"], Query()] = "ramp",
    size: Annotated[int, Query(ge=64, le=4096)] = 1024,
) -> Response:
    """The raster as an RGBA PNG in web mercator spanning `bounds` of GET /rasters; 404
    naming an unknown code."""
    stored = stored_raster(session, code, request.app.state.settings.raster_dir)
    png = render_png(stored.path, style, band=stored.band, size=size, crs=stored.crs)
    etag = '"' + hashlib.sha1(png).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(png, media_type="image/png", headers=headers)
