"""`POST /api/v1/floors/{floor_id}/dxf`: upload a CAD floor plan (DXF) and turn its closed
polylines into the floor's rooms in one transaction.

The answer is the DXF import report: 200 for a dry run or a written import, 422 with the
report when problems kept the rooms from being written, 413 for an upload over the size
limit, 404 for an unknown floor and 422 naming `file` (or the parameter) for a drawing that
cannot be used at all — not a DXF, no units, no closed outline ("no rooms found").
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import JSONResponse

from gis_app.accounts.rights import Right
from gis_app.dxf.params import build_options, parse_control_json
from gis_app.dxf.rooms import import_dxf
from gis_app.http.auth import needs
from gis_app.http.language import api_language
from gis_app.http.session import SessionDep
from gis_app.http.uploads import received

router = APIRouter(prefix="/api/v1/floors", tags=["floors"], dependencies=[needs(Right.READ)])


@router.post(
    "/{floor_id}/dxf",
    operation_id="import_dxf_floor_plan",
    dependencies=[needs(Right.IMPORT)],
    summary="导入 DXF 平面图为房间 / Import a DXF floor plan as rooms",
    responses={422: {"description": "导入被拒绝（附报告） / Refused, with the report"}},
)
def import_floor_plan(
    request: Request,
    session: SessionDep,
    floor_id: Annotated[int, Path(ge=1)],
    file: Annotated[UploadFile, File(description="DXF drawing")],
    layers: Annotated[
        str | None, Form(description="Room layers or patterns, comma-separated")
    ] = None,
    label_layers: Annotated[str | None, Form(description="Text layers (default: layers)")] = None,
    hole_layers: Annotated[str | None, Form(description="Layers of holes, e.g. *_HOLE")] = None,
    units: Annotated[str | None, Form(max_length=8, description="mm, cm, m, … ($INSUNITS)")] = None,
    control: Annotated[
        str | None, Form(description='JSON: ["x,y=lon,lat", …] or [[x, y, lon, lat], …]')
    ] = None,
    origin: Annotated[str | None, Form(description="lon,lat of drawing (0, 0)")] = None,
    rotation: Annotated[
        float, Form(ge=-360, le=360, allow_inf_nan=False, description="° of +x from east, CCW")
    ] = 0.0,
    crs: Annotated[str | None, Form(max_length=2000, description="e.g. EPSG:4549")] = None,
    tolerance: Annotated[
        float, Form(gt=0, le=1000, allow_inf_nan=False, description="Control residual, m")
    ] = 1.0,
    category: Annotated[str, Form(max_length=16)] = "office",
    layer_categories: Annotated[
        str | None, Form(description="PATTERN=category, comma-separated")
    ] = None,
    status: Annotated[str, Form(max_length=16)] = "in_use",
    number_pattern: Annotated[str | None, Form(max_length=200)] = None,
    any_area: Annotated[bool, Form()] = False,
    skip_invalid: Annotated[bool, Form()] = False,
    nested_rooms: Annotated[
        bool,
        Form(description="Rings inside a room on its layer are rooms (cut out), not holes"),
    ] = False,
    dry_run: Annotated[bool, Form()] = False,
) -> JSONResponse:
    """Check every outline; write the rooms (or, with `skip_invalid`, the valid ones) unless
    this is a dry run."""
    settings = request.app.state.settings
    lang = api_language(request)
    options = build_options(
        layers=[layers] if layers else None,
        label_layers=[label_layers] if label_layers else None,
        hole_layers=[hole_layers] if hole_layers else None,
        units=units,
        control=parse_control_json(control) if control else (),
        origin=origin,
        rotation_deg=rotation,
        crs=crs,
        tolerance_m=tolerance,
        category=category,
        layer_categories=[layer_categories] if layer_categories else None,
        status=status,
        number_pattern=number_pattern,
        area=None if any_area else settings.service_area,
        skip_invalid=skip_invalid,
        nested_rooms=nested_rooms,
    )
    with received(file, settings.upload_max_bytes, suffix=".dxf") as upload, session.begin():
        report = import_dxf(
            session,
            upload.path,
            floor_id=floor_id,
            options=options,
            dry_run=dry_run,
            name=upload.name,
        )
    refused = report.problems and not report.written and not dry_run
    return JSONResponse(report.as_dict(lang), status_code=422 if refused else 200)
