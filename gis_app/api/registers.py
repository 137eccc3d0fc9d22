"""The registers (台账): buildings, rooms and bodies, filtered, sorted and paged, as JSON or as
the whole filtered register in XLSX/CSV with Chinese headers. The map exports the buildings
of its view (`bbox`), the floor plan the rooms of a floor (`floor_id`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from gis_app.accounts.rights import Right
from gis_app.analysis.common import Scope, Standard, check_scope
from gis_app.api.analysis import IdQuery, StandardDep
from gis_app.api.dashboard import BodyQuery
from gis_app.api.features import plain
from gis_app.errors import InvalidParameter
from gis_app.http.auth import needs
from gis_app.http.language import Language
from gis_app.http.openapi import answers
from gis_app.http.params import BBoxDep, DistrictQuery, PageDep
from gis_app.http.session import SessionDep
from gis_app.i18n import t
from gis_app.models.base import SAFETY_GRADES
from gis_app.queries.registers import Filters, Kind, Sorting, columns, register
from gis_app.reports import writers
from gis_app.schemas.edits import Category, Status

router = APIRouter(prefix="/api/v1/registers", tags=["registers"], dependencies=[needs(Right.READ)])

Rate = Annotated[Decimal | None, Query(ge=0, le=100, description="Vacancy rate, %")]
Format = Literal["json", "xlsx", "csv"]
FILTER_LABELS = {
    "body_id": "web.registers.filter.body",
    "campus_id": "web.registers.filter.campus",
    "building_id": "column.building_id",
    "floor_id": "column.floor_id",
    "district": "web.registers.filter.district",
    "safety_grade": "web.registers.filter.grade",
    "vacancy_min": "web.registers.filter.rate_min",
    "vacancy_max": "web.registers.filter.rate_max",
    "status": "web.registers.filter.status",
    "category": "web.registers.filter.category",
    "vacant": "column.vacant",
    "bbox": "bbox",
}
"""The filters a download names in its subtitle, with their labels."""


@dataclass(frozen=True)
class RegisterQuery:
    """Everything a register request asks: scope, date, filters, sort and format."""

    scope: Scope
    standard: Standard
    filters: Filters
    sort: str | None
    order: Literal["asc", "desc"]
    output: Format


def _grades(value: str | None) -> tuple[str, ...] | None:
    """`C,D` → ("C", "D"); 422 naming `safety_grade` for anything but A–D."""
    if value is None or not value.strip():
        return None
    grades = tuple(sorted({g.strip().upper() for g in value.split(",") if g.strip()}))
    if not grades or any(g not in SAFETY_GRADES for g in grades):
        raise InvalidParameter(field="safety_grade", reason="reason.unknown_grade")
    return grades


def register_query(
    standard: StandardDep,
    bbox: BBoxDep,
    body_id: BodyQuery = None,
    campus_id: IdQuery = None,
    building_id: IdQuery = None,
    floor_id: IdQuery = None,
    district: DistrictQuery = None,
    safety_grade: Annotated[
        str | None, Query(max_length=20, description="Safety grades, e.g. C,D")
    ] = None,
    vacancy_min: Rate = None,
    vacancy_max: Rate = None,
    status: Annotated[Status | None, Query(description="Rooms only")] = None,
    category: Annotated[Category | None, Query(description="Rooms only")] = None,
    vacant: Annotated[bool | None, Query(description="Rooms only: vacant or not")] = None,
    sort: Annotated[
        str | None, Query(max_length=40, description="A column of the register")
    ] = None,
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    format: Annotated[
        Format, Query(description="json (one page); xlsx or csv: every row")
    ] = "json",
) -> RegisterQuery:
    """Parse and check the register parameters (422 naming the field when bad)."""
    if vacancy_min is not None and vacancy_max is not None and vacancy_min > vacancy_max:
        raise InvalidParameter(field="vacancy_min", reason="reason.range_order")
    return RegisterQuery(
        scope=Scope(body_id, campus_id, building_id, floor_id, bbox, district),
        standard=standard,
        filters=Filters(
            grades=_grades(safety_grade),
            rate_min=None if vacancy_min is None else vacancy_min / 100,
            rate_max=None if vacancy_max is None else vacancy_max / 100,
            status=status,
            category=category,
            vacant=vacant,
        ),
        sort=sort,
        order=order,
        output=format,
    )


RegisterDep = Annotated[RegisterQuery, Depends(register_query)]
REGISTER_FILES = answers(writers.XLSX_MEDIA_TYPE, writers.CSV_MEDIA_TYPE)


def _sorting(kind: Kind, query: RegisterQuery) -> Sorting:
    key = query.sort or columns(kind)[0]
    if key not in columns(kind):
        raise InvalidParameter(field="sort", reason="reason.unknown_sort", value=key)
    return Sorting(key, query.order)


def _filters_text(request: Request, lang: str) -> str:
    """What the download was narrowed to, e.g. 行政区=西湖区；安全等级=C,D."""
    asked = [
        f"{t(FILTER_LABELS[k], lang)}={v}"
        for k, v in request.query_params.multi_items()
        if k in FILTER_LABELS and v
    ]
    return "；".join(asked) or t("report.no_filter", lang)


def download(
    kind: Kind, rows: list[dict[str, Any]], total: int, subtitle: str, output: str, lang: str
) -> Response:
    """The register as an XLSX (title, subtitle, bold headers) or CSV attachment."""
    headers, cells = writers.table("register", kind, rows, lang)
    if output == "csv":
        content, media_type = writers.to_csv(headers, cells), writers.CSV_MEDIA_TYPE
    else:
        heading = writers.title("register", kind, lang)
        content = writers.to_xlsx(heading, subtitle, headers, cells)
        media_type = writers.XLSX_MEDIA_TYPE
    name = writers.filename("register", kind, date.today(), output)
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Total-Count": str(total),
        },
    )


def answer(
    request: Request, session: SessionDep, kind: Kind, query: RegisterQuery, page: Any, lang: str
) -> Response:
    """One page as JSON, or every row as a file (422 beyond the report cap)."""
    check_scope(session, query.scope, query.standard)
    sorting = _sorting(kind, query)
    whole = query.output != "json"
    cap = request.app.state.settings.report_rows_max
    rows, total = register(
        session,
        kind,
        query.scope,
        query.standard,
        query.filters,
        sorting,
        limit=cap + 1 if whole else page.limit,
        offset=0 if whole else page.offset,
    )
    if whole:
        if total > cap:
            raise InvalidParameter(field="format", reason="reason.too_many_rows", max=cap)
        subtitle = t(
            "report.register_subtitle",
            lang,
            as_of=query.standard.as_of.isoformat(),
            standard=query.standard.code,
            filters=_filters_text(request, lang),
            total=total,
        )
        return download(kind, rows, total, subtitle, query.output, lang)
    return JSONResponse(
        {
            "register": kind,
            "as_of": query.standard.as_of.isoformat(),
            "sort": sorting.key,
            "order": sorting.order,
            "total": total,
            "limit": page.limit,
            "offset": page.offset,
            "columns": [{"key": key, "label": t(f"column.{key}", lang)} for key in columns(kind)],
            "items": [{k: plain(v) for k, v in row.items()} for row in rows],
        }
    )


@router.get(
    "/{kind}",
    operation_id="register",
    summary="台账：建筑、房间、单位 / Registers of buildings, rooms and bodies",
    responses=REGISTER_FILES,
)
def register_route(
    request: Request,
    session: SessionDep,
    kind: Annotated[Kind, Path(description="buildings, rooms or bodies")],
    query: RegisterDep,
    page: PageDep,
    lang: Language,
) -> Response:
    """`buildings`: campus, district, safety grade and their rooms' figures (areas m²;
    vacancy rate = vacant ÷ allocatable usable area); a body keeps the buildings its subtree
    uses (their figures: its rooms), `bbox` the buildings meeting a map view. `rooms`:
    building, floor, category, status, body, usable area (m²), vacant or not; `floor_id`
    gives a floor plan's rooms. `bodies`: parent, level, authorised and actual staff and the
    rooms assigned to them (vacancy rate = offices with nobody in them ÷ office area); a
    place or grade filter keeps the bodies with rooms there. No one's name is shown."""
    return answer(request, session, kind, query, page, lang)
