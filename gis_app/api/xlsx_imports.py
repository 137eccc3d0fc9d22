"""Bulk edits from spreadsheets: `GET /api/v1/imports/xlsx/templates/{kind}` gives the
template of bodies, staff or who sits where; `POST /api/v1/imports/xlsx/{kind}` imports a
filled-in one through the editing rules in one transaction, as the caller, within their
scope.

Answers as the vector import (`gis_app.api.imports`): 200 with the report for a dry run or a
written import, 422 with the report when any row has a problem (nothing is written), 413 for
an upload (or what it unpacks to) over the limits, 422 naming `file` for a file that is not
an XLSX workbook of the template.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy import text

from gis_app.accounts.rights import Right
from gis_app.db.edit import EditContext
from gis_app.http.auth import needs
from gis_app.http.language import api_language
from gis_app.http.openapi import answers
from gis_app.http.session import SessionDep
from gis_app.http.uploads import received
from gis_app.ingest.report import ImportRefused
from gis_app.ingest.zipguard import ZipLimits
from gis_app.reports.writers import XLSX_MEDIA_TYPE
from gis_app.xlsx.apply import XlsxImport, import_xlsx
from gis_app.xlsx.templates import KINDS, SPECS, template

router = APIRouter(
    prefix="/api/v1/imports/xlsx", tags=["imports"], dependencies=[needs(Right.READ)]
)
KindPath = Literal[KINDS]  # type: ignore[valid-type]
RANKS_SQL = text("SELECT code, name_zh, name_en, level FROM rank ORDER BY level, sort_order")


def attachment(filename: str, fallback: str) -> str:
    """Content-Disposition of a download: an ASCII name for old clients, the real
    (Chinese) one as RFC 5987 `filename*`."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@router.get(
    "/templates/{kind}",
    operation_id="xlsx_template",
    summary="下载表格模板 / Download a spreadsheet template",
    response_class=Response,
    responses=answers(XLSX_MEDIA_TYPE),
)
def xlsx_template(kind: KindPath, session: SessionDep) -> Response:
    """The template of `kind`: the header `中文 / english`, one example row, and the sheet
    说明 Notes listing the columns and the values they allow (the ranks for staff)."""
    ranks = []
    if kind == "staff":
        with session.begin():
            ranks = [dict(r) for r in session.execute(RANKS_SQL).mappings()]
    spec = SPECS[kind]
    return Response(
        template(kind, ranks),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": attachment(spec.filename, f"{kind}_template.xlsx")},
    )


@router.post(
    "/{kind}",
    operation_id="import_xlsx",
    dependencies=[needs(Right.IMPORT)],
    summary="从表格批量导入 / Import a filled-in spreadsheet template",
    responses={422: {"description": "导入被拒绝（附报告） / Refused, with the report"}},
)
def import_spreadsheet(
    request: Request,
    session: SessionDep,
    kind: KindPath,
    file: Annotated[UploadFile, File(description="XLSX: a filled-in template")],
    dry_run: Annotated[bool, Form()] = False,
    effective_date: Annotated[date | None, Form()] = None,
    document_no: Annotated[str | None, Form(max_length=100)] = None,
    note: Annotated[str | None, Form(max_length=500)] = None,
) -> JSONResponse:
    """Check every row through the editing rules; write them all in one transaction, as
    the caller, unless a row has a problem or this is a dry run. The report names each
    problem's sheet row and column."""
    settings = request.app.state.settings
    lang = api_language(request)
    context = EditContext(
        action=f"xlsx.{kind}",
        effective_date=effective_date or date.today(),
        document_no=document_no or None,
        note=note or None,
    )
    job = XlsxImport(kind, context, dry_run=dry_run, lang=lang)
    with received(file, settings.upload_max_bytes, suffix=".xlsx") as upload:
        try:
            report = import_xlsx(
                session,
                kind,
                upload.path,
                job,
                name=upload.name,
                zip_limits=ZipLimits.of(settings),
            )
        except ImportRefused as exc:
            context_values = {
                k: v.replace(str(upload.path), upload.name) if isinstance(v, str) else v
                for k, v in exc.context.items()
            }
            raise type(exc)(**{**context_values, "field": "file"}) from exc
    body = report.as_dict(lang) | {"path": file.filename}
    refused = bool(report.problems) and not dry_run
    return JSONResponse(body, status_code=422 if refused else 200)
