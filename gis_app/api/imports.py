"""`POST /api/v1/imports`: upload a GeoJSON, GeoPackage, zipped Shapefile or CSV and import
it into buildings, floors, rooms, parcels or a reference layer in one transaction.

The answer is the import report: 200 for a dry run or a written import, 422 with the report
when problems kept anything from being written, 413 for an upload (or a zip's contents) over
the limits in the settings, 422 naming `file` (or the parameter) for a file that cannot be
used at all. Nothing is kept of the upload.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse

from gis_app.accounts.rights import Right
from gis_app.http.auth import needs
from gis_app.http.language import api_language
from gis_app.http.session import SessionDep
from gis_app.http.uploads import received
from gis_app.ingest import jsontext
from gis_app.ingest.importer import import_features
from gis_app.ingest.report import ImportRefused
from gis_app.ingest.targets import TARGETS
from gis_app.ingest.zipguard import ZIP_MAGIC, ZipLimits

router = APIRouter(prefix="/api/v1/imports", tags=["imports"], dependencies=[needs(Right.READ)])
SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".csv", ".txt")
"""Upload names keep these suffixes (they choose how the file is opened); others are
left to GDAL to recognise by content."""
FORM_FIELDS = {"path": "file", "source_crs": "crs", "layer_name": "layer"}
"""Refusals name the import function's arguments; the answer names the form's fields."""


def _json_object(field: str, text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = jsontext.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(field=field, reason="ingest.reason.bad_json", detail=str(exc)) from exc
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float | bool) or v is None for v in value.values()
    ):
        raise ImportRefused(field=field, reason="ingest.reason.bad_json", detail=text[:80])
    return {str(k): v for k, v in value.items()}


def _openable(path: Path) -> Path:
    """The stored upload renamed to a suffix that says how to open it: `.zip` for a zip,
    whatever its name, else its own when imports know it, else none."""
    with path.open("rb") as file:
        head = file.read(len(ZIP_MAGIC))
    suffix = ".zip" if head == ZIP_MAGIC else path.suffix
    return path.rename(path.with_name(f"upload{suffix if suffix in SUFFIXES else ''}"))


@router.post(
    "",
    operation_id="import_features",
    dependencies=[needs(Right.IMPORT)],
    summary="导入矢量数据 / Import a vector file",
    responses={422: {"description": "导入被拒绝（附报告） / Refused, with the report"}},
)
def import_file(
    request: Request,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="GeoJSON, GeoPackage, zipped Shapefile, CSV")],
    target: Annotated[Literal[tuple(TARGETS)], Form()],  # type: ignore[valid-type]
    mapping: Annotated[str | None, Form(description='JSON: {"target": "file field"}')] = None,
    defaults: Annotated[str | None, Form(description='JSON: {"field": value}')] = None,
    crs: Annotated[str | None, Form(max_length=2000)] = None,
    layer: Annotated[str | None, Form(max_length=200)] = None,
    encoding: Annotated[str | None, Form(max_length=40)] = None,
    gcj02: Annotated[bool, Form()] = False,
    any_area: Annotated[bool, Form()] = False,
    allow_ballpark: Annotated[bool, Form()] = False,
    skip_invalid: Annotated[bool, Form()] = False,
    dry_run: Annotated[bool, Form()] = False,
) -> JSONResponse:
    """Check every feature; write them all (or, with `skip_invalid`, the valid ones) unless
    this is a dry run. The report lists each problem per feature, field and code."""
    settings = request.app.state.settings
    lang = api_language(request)
    mapping_given = _json_object("mapping", mapping)
    defaults_given = _json_object("defaults", defaults)
    with received(file, settings.upload_max_bytes) as upload:
        path = _openable(upload.path)
        try:
            with session.begin():
                report = import_features(
                    session,
                    target,
                    path,
                    layer_name=layer,
                    mapping={k: str(v) for k, v in mapping_given.items()},
                    defaults=defaults_given,
                    source_crs=crs or None,
                    encoding=encoding or None,
                    gcj02=gcj02,
                    area=None if any_area else settings.service_area,
                    dry_run=dry_run,
                    skip_invalid=skip_invalid,
                    zip_limits=ZipLimits.of(settings),
                    allow_ballpark=allow_ballpark,
                )
        except ImportRefused as exc:
            field = FORM_FIELDS.get(str(exc.context.get("field")), exc.context.get("field"))
            # GDAL's messages name the server's temporary copy; the user knows their file.
            context = {
                k: v.replace(str(path), upload.name) if isinstance(v, str) else v
                for k, v in exc.context.items()
            }
            raise type(exc)(**{**context, "field": field}) from exc
    body = report.as_dict(lang) | {"path": file.filename}
    refused = report.problems and not report.written and not dry_run
    return JSONResponse(body, status_code=422 if refused else 200)
