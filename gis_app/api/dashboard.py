"""The dashboard's figures (驾驶舱): totals and the worst buildings and bodies, each with the
map link that shows it, for everything or for one body's subtree."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gis_app.accounts.rights import Right
from gis_app.analysis.common import Scope, Standard, check_scope
from gis_app.analysis.dashboard import Figures, dashboard
from gis_app.analysis.data_quality import data_quality
from gis_app.analysis.explain import safety_action
from gis_app.analysis.safety import APPRAISAL_YEARS, severity
from gis_app.api.analysis import RELOCATION, AppraisalYears, StandardDep
from gis_app.api.features import plain
from gis_app.http.auth import needs
from gis_app.http.language import Language
from gis_app.http.openapi import answers
from gis_app.http.params import MAX_INT, DistrictQuery
from gis_app.http.session import EngineDep, SessionDep
from gis_app.i18n import t
from gis_app.queries.organisations import organisation_name
from gis_app.reports.dashboard_book import dashboard_xlsx
from gis_app.reports.writers import XLSX_MEDIA_TYPE

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard"], dependencies=[needs(Right.READ)])

BodyQuery = Annotated[
    int | None, Query(ge=1, le=MAX_INT, description="Only this body and its subtree")
]
TopQuery = Annotated[int, Query(ge=1, le=100, description="Rows per chart, worst first")]
SCOPE_PARAMS = ("body_id", "district", "standard", "tolerance_m2", "as_of", "appraisal_years")
"""What the data-quality and safety links carry over from the dashboard request."""
SAFETY_REPORT = "/api/v1/analysis/safety"
DATA_QUALITY_REPORT = "/api/v1/analysis/data-quality"
MAP = "/map"
"""The map page: `?building=` opens on a building, `?body=` on a body's buildings."""
LAND = "/land"
"""The land page: `?district=` and `?status=` run that search when it opens."""


def map_url(**params: object) -> str:
    """A link to the map page showing what `params` name."""
    return f"{MAP}?{urlencode(params)}"


def land_url(**params: object) -> str:
    """A link to the land page searching what `params` name."""
    return f"{LAND}?{urlencode(params)}"


def _rows(rows: list[dict[str, Any]], link: str, key: str) -> list[dict[str, Any]]:
    """Rows as plain JSON, each with the map link of its building or body."""
    return [
        {**{k: plain(v) for k, v in row.items()}, "map_url": map_url(**{link: row[key]})}
        for row in rows
    ]


def _district_rows(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [
        {
            **{k: plain(v) for k, v in row.items()},
            "label": row["district"] or t("web.dashboard.no_district", lang),
            "map_url": land_url(district=row["district"], status="idle")
            if row["district"]
            else land_url(status="idle"),
        }
        for row in rows
    ]


def _status_rows(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    return [
        {
            **{k: plain(v) for k, v in row.items()},
            "label": t(f"web.dashboard.parcel_status.{row['status']}", lang),
            "map_url": land_url(status=row["status"]),
        }
        for row in rows
    ]


def _charts(figures: Figures, lang: str) -> dict[str, dict[str, Any]]:
    """Each chart's title (in the caller's language) and rows."""
    rows = {
        "vacancy_by_building": _rows(figures.vacancy_by_building, "building", "building_id"),
        "over_standard_by_body": _rows(figures.over_standard_by_body, "body", "organisation_id"),
        "vacancy_by_body": _rows(figures.vacancy_by_body, "body", "organisation_id"),
        "over_standard_by_building": _rows(
            figures.over_standard_by_building, "building", "building_id"
        ),
        "parcels_by_district": _district_rows(figures.parcels_by_district, lang),
        "parcels_by_status": _status_rows(figures.parcels_by_status, lang),
    }
    return {
        name: {"title": t(f"web.dashboard.chart.{name}", lang), "rows": chart_rows}
        for name, chart_rows in rows.items()
    }


def _safety(request: Request, figures: Figures, lang: str) -> dict[str, Any]:
    """Buildings by grade, people and area in occupied C/D buildings, overdue appraisals;
    the occupied C/D buildings with what to do, their map and relocation links; the
    reports (the safety report, the overdue appraisals) as XLSX."""
    safety = figures.safety
    rows = [
        {
            **{k: plain(v) for k, v in row.items()},
            "severity": severity(row["safety_grade"]),
            "action": safety_action(row, lang),
            "map_url": map_url(building=row["building_id"]),
            "relocation_url": RELOCATION.format(building_id=row["building_id"]),
        }
        for row in safety["buildings"]
    ]
    report = _same_scope(request, SAFETY_REPORT)
    overdue = _same_scope(request, DATA_QUALITY_REPORT)
    return {
        "grades": safety["grades"],
        "occupied": {k: plain(v) for k, v in safety["occupied"].items()},
        "overdue": safety["overdue"],
        "appraisal_years": safety["appraisal_years"],
        "buildings": rows,
        "report_url": _with(report, format="xlsx"),
        "overdue_report_url": _with(overdue, check="appraisal_overdue", format="xlsx"),
    }


def _with(url: str, **params: object) -> str:
    """`url` with `params` added to its query."""
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _scope(session: Session, body_id: int | None) -> dict[str, Any]:
    """What the figures cover, with the map link of the body's buildings."""
    if body_id is None:
        return {"body_id": None, "body_name": None, "map_url": MAP}
    name = organisation_name(session, body_id)
    return {"body_id": body_id, "body_name": name, "map_url": map_url(body=body_id)}


def _same_scope(request: Request, path: str) -> str:
    """`path` with the request's scope, standard and date (not its chart size)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k in SCOPE_PARAMS]
    return f"{path}?{urlencode(params)}" if params else path


def _figures(
    request: Request,
    session: Session,
    engine: Engine,
    lang: str,
    standard: Standard,
    scope: Scope,
    top: int,
    appraisal_years: int,
) -> dict[str, Any]:
    """The dashboard's answer: scope, totals with their labels, each chart's rows and the
    safety block."""
    check_scope(session, scope, standard)
    figures = dashboard(engine, scope, standard, top=top, appraisal_years=appraisal_years)
    return {
        "scope": {**_scope(session, scope.body_id), "district": scope.district},
        "standard": standard.code,
        "tolerance_m2": float(standard.tolerance_m2),
        "as_of": standard.as_of.isoformat(),
        "totals": {k: plain(v) for k, v in figures.totals.items()},
        "labels": {k: t(f"web.dashboard.total.{k}", lang) for k in figures.totals},
        "charts": _charts(figures, lang),
        "safety": _safety(request, figures, lang),
        "data_quality_url": _same_scope(request, f"{router.prefix}/data-quality"),
    }


def dashboard_figures(
    request: Request,
    session: SessionDep,
    lang: Language,
    engine: EngineDep,
    standard: StandardDep,
    body_id: BodyQuery = None,
    district: DistrictQuery = None,
    top: TopQuery = 15,
    appraisal_years: AppraisalYears = APPRAISAL_YEARS,
) -> dict[str, Any]:
    """The dashboard's answer for the request's scope: what the page reads as JSON and the
    workbook writes out (one set of parameters for both)."""
    scope = Scope(body_id=body_id, district=district)
    return _figures(request, session, engine, lang, standard, scope, top, appraisal_years)


FiguresDep = Annotated[dict[str, Any], Depends(dashboard_figures)]


@router.get("", operation_id="dashboard", summary="驾驶舱 / Dashboard figures")
def dashboard_route(figures: FiguresDep) -> JSONResponse:
    """Totals (buildings, areas, vacancy, over-standard offices and bodies, parcels) and the
    rows of each chart, worst first, with map links; labels in the caller's language. The
    data-quality count is `/data-quality`: on a province its checks take far longer. A
    district keeps its buildings' rooms and its parcels."""
    return JSONResponse(figures)


@router.get(
    "/xlsx",
    operation_id="dashboard_xlsx",
    summary="驾驶舱表格导出 / Dashboard tables as XLSX",
    responses=answers(XLSX_MEDIA_TYPE),
)
def dashboard_xlsx_route(figures: FiguresDep, lang: Language) -> Response:
    """The same figures as a workbook: the totals, then one sheet per chart's table."""
    name = f"dashboard_{figures['as_of']}.xlsx"
    return Response(
        dashboard_xlsx(figures, lang),
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/data-quality",
    operation_id="dashboard_data_quality",
    summary="驾驶舱数据问题数 / Dashboard data-quality count",
)
def data_quality_route(
    request: Request,
    session: SessionDep,
    standard: StandardDep,
    lang: Language,
    body_id: BodyQuery = None,
    district: DistrictQuery = None,
    appraisal_years: AppraisalYears = APPRAISAL_YEARS,
) -> JSONResponse:
    """How many data-quality findings the scope has, asked apart from the other figures so
    the dashboard shows them first (every check over a province takes 20-30 s)."""
    scope = Scope(body_id=body_id, district=district)
    check_scope(session, scope, standard)
    found = data_quality(session, scope, standard, appraisal_years=appraisal_years, limit=1).total
    return JSONResponse(
        {
            "data_quality_findings": found,
            "label": t("web.dashboard.total.data_quality_findings", lang),
            "as_of": standard.as_of.isoformat(),
            "report_url": _same_scope(request, DATA_QUALITY_REPORT),
        }
    )
