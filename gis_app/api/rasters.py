"""Registered rasters: list them, register an uploaded GeoTIFF (a DEM also gets its slope).

An upload is checked before anything is kept: a file that is not a georeferenced GeoTIFF
with a CRS is a 422 naming `file` and the reason, and leaves no row and no file behind.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select

from gis_app.db.session import SessionDep
from gis_app.errors import InvalidParameter, NotFound
from gis_app.maps.raster_picture import render_png
from gis_app.models import ParcelRasterStat, RasterLayer
from gis_app.models.base import RASTER_KINDS
from gis_app.raster.registry import RasterMeaning, register_raster

router = APIRouter(prefix="/api/v1/rasters", tags=["rasters"])
CHUNK = 1 << 20


def _out(layer: RasterLayer) -> dict[str, Any]:
    return {
        "code": layer.code,
        "name_zh": layer.name_zh,
        "name_en": layer.name_en,
        "kind": layer.kind,
        "units": layer.units,
        "crs": layer.crs,
        "width": layer.width,
        "height": layer.height,
        "res_x": layer.res_x,
        "res_y": layer.res_y,
        "nodata": layer.nodata,
        "derived_from": layer.derived_from,
        "registered_at": layer.registered_at.isoformat() if layer.registered_at else None,
        "bounds": list(to_shape(layer.footprint).bounds),
    }


@router.get("", operation_id="list_rasters", summary="栅格图层 / Registered rasters")
def list_rasters(session: SessionDep) -> JSONResponse:
    """Every registered raster with its meaning, units and grid."""
    layers = session.scalars(select(RasterLayer).order_by(RasterLayer.code))
    return JSONResponse({"items": [_out(layer) for layer in layers]})


@router.post("", operation_id="register_raster", status_code=201)
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
) -> JSONResponse:
    """Check, store and register a GeoTIFF and compute its parcel statistics."""
    settings = request.app.state.settings
    limit = settings.upload_max_bytes
    with tempfile.TemporaryDirectory() as folder:
        upload = FilePath(folder) / "upload.tif"
        with upload.open("wb") as target:
            size = 0
            while chunk := file.file.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InvalidParameter(field="file", reason="reason.upload_too_large")
                target.write(chunk)
        meaning = RasterMeaning(code, name_zh, name_en, kind, units)
        with session.begin():
            codes = register_raster(session, upload, meaning, settings.raster_dir, band=band)
    layers = session.scalars(select(RasterLayer).where(RasterLayer.code.in_(codes))).all()
    stats = dict(
        session.execute(
            select(ParcelRasterStat.raster_code, func.count())
            .where(ParcelRasterStat.raster_code.in_(codes))
            .group_by(ParcelRasterStat.raster_code)
        ).all()
    )
    items = [_out(layer) | {"parcel_statistics": stats.get(layer.code, 0)} for layer in layers]
    return JSONResponse({"items": items}, status_code=201)


@router.get(
    "/{code}/image.png",
    operation_id="raster_image",
    summary="栅格图片（山体阴影、淹没深度） / Raster as a map picture",
    response_class=Response,
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
    layer = session.get(RasterLayer, code)
    if layer is None:
        raise NotFound(resource="raster", id=code)
    path = request.app.state.settings.raster_dir / layer.path
    png = render_png(path, style, band=layer.band, size=size)
    etag = '"' + hashlib.sha1(png).hexdigest()[:16] + '"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=300"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(png, media_type="image/png", headers=headers)
