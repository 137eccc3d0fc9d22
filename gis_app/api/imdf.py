"""IMDF (OGC 20-094): export buildings as an archive, import or validate an uploaded one."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import StringConstraints

from gis_app.accounts.rights import Right
from gis_app.http.auth import needs
from gis_app.http.language import api_language
from gis_app.http.session import SessionDep
from gis_app.http.uploads import received
from gis_app.imdf.archive import read_archive
from gis_app.imdf.export import export_imdf
from gis_app.imdf.importer import FORMS, import_indoor
from gis_app.imdf.validate import validate
from gis_app.ingest.read import CHINA_BOUNDS
from gis_app.ingest.report import ImportRefused
from gis_app.ingest.zipguard import ZipLimits
from gis_app.models.base import ROOM_STATUSES

router = APIRouter(prefix="/api/v1/imdf", tags=["imdf"], dependencies=[needs(Right.READ)])
BuildingKey = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[^\x00-\x1f]+$")
]
"""A building id or code as the building table holds it (text up to 40, no control
characters); anything else is a 422 naming `building`, before SQL sees it."""


def _zip_limits(request: Request) -> ZipLimits:
    """How far an uploaded archive may expand: the import settings (and at most what is held
    in memory for one IMDF archive, `read_archive`'s own limit)."""
    return ZipLimits.of(request.app.state.settings)


def _as_file(exc: ImportRefused) -> ImportRefused:
    """A refusal of the whole source names the upload's form field, `file`."""
    if exc.context.get("field") != "path":
        return exc
    return type(exc)(**{**exc.context, "field": "file"})


@router.get(
    "",
    operation_id="export_imdf",
    summary="建筑导出为 IMDF 压缩包 / Buildings as an IMDF archive",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def export_route(
    session: SessionDep,
    building: Annotated[
        list[BuildingKey], Query(min_length=1, max_length=500, description="Building id or code")
    ],
) -> Response:
    """Buildings (ids or codes) with their floors and rooms as an IMDF 1.0.0 zip; 404 naming
    a building that does not exist."""
    data = export_imdf(session, building)
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="imdf.zip"'},
    )


@router.post(
    "/validate",
    operation_id="validate_imdf",
    summary="校验 IMDF / Validate IMDF",
)
def validate_route(
    request: Request, file: Annotated[UploadFile, File(description="IMDF zip or GeoJSON")]
) -> JSONResponse:
    """The validation report of an uploaded archive (200 whether or not it is valid)."""
    with received(file, request.app.state.settings.upload_max_bytes) as upload:
        try:
            archive = read_archive(upload.path, name=upload.name, zip_limits=_zip_limits(request))
        except ImportRefused as exc:
            raise _as_file(exc) from exc
    return JSONResponse(validate(archive).as_dict(api_language(request)))


@router.post(
    "",
    operation_id="import_imdf",
    dependencies=[needs(Right.IMPORT)],
    summary="导入室内数据 / Import an indoor map",
    responses={422: {"description": "导入被拒绝（附报告） / Refused, with the report"}},
)
def import_route(
    request: Request,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="IMDF zip, IMDF-like or OSM indoor GeoJSON")],
    form: Annotated[Literal[FORMS], Form()] = "auto",  # type: ignore[valid-type]
    dry_run: Annotated[bool, Form()] = False,
    skip_invalid: Annotated[bool, Form()] = False,
    any_area: Annotated[bool, Form()] = False,
    status: Annotated[Literal[ROOM_STATUSES], Form()] = "in_use",  # type: ignore[valid-type]
) -> JSONResponse:
    """Check every feature and, unless this is a dry run, write the buildings, floors and
    rooms in one transaction (with `skip_invalid` the good ones, the others reported).
    200 with the report, or 422 with it when problems kept anything from being written."""
    settings = request.app.state.settings
    area = settings.service_area
    try:
        with received(file, settings.upload_max_bytes) as upload, session.begin():
            report = import_indoor(
                session,
                upload.path,
                form=form,
                name=upload.name,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                check_area=not any_area and area is not None,
                area=area or CHINA_BOUNDS,
                status=status,
                zip_limits=_zip_limits(request),
            )
    except ImportRefused as exc:
        raise _as_file(exc) from exc
    refused = report.problems and not sum(report.written.values()) and not dry_run
    return JSONResponse(report.as_dict(api_language(request)), status_code=422 if refused else 200)
