"""Office-space analyses: over-standard use and vacancy, as JSON or GeoJSON, paged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from gis_app.accounts.rights import Right
from gis_app.analysis import explain
from gis_app.analysis.common import DEFAULT_STANDARD, Page, Scope, Standard, check_scope
from gis_app.analysis.data_quality import CHECKS, Check, data_quality
from gis_app.analysis.idle_match import Need, match
from gis_app.analysis.match_request import MatchRequest, RoomMix
from gis_app.analysis.over_standard import over_standard
from gis_app.analysis.safety import APPRAISAL_YEARS, RELOCATION_DISTANCE_M, buildings, relocation
from gis_app.analysis.vacancy import LONG_IDLE_DAYS, vacancy
from gis_app.api.features import GeoJSONResponse, feature_collection_body, plain
from gis_app.db.identity import sees_people
from gis_app.http.auth import Forbidden, needs
from gis_app.http.language import api_language
from gis_app.http.openapi import GEOJSON_MEDIA_TYPE, answers
from gis_app.http.params import MAX_INT, AsOf, DistrictQuery, IdPath, PageDep
from gis_app.http.params import Page as PageParams
from gis_app.http.session import SessionDep
from gis_app.i18n import t
from gis_app.reports import writers

router = APIRouter(prefix="/api/v1/analysis", tags=["analysis"], dependencies=[needs(Right.READ)])

IdQuery = Annotated[int | None, Query(ge=1, le=MAX_INT)]
Format = Literal["json", "geojson", "csv", "xlsx"]
REPORT_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class AnalysisQuery:
    """Scope and standard of one analysis request."""

    scope: Scope
    standard: Standard
    output: Format


def standard_query(
    standard: Annotated[
        str, Query(max_length=40, description="Standard version")
    ] = DEFAULT_STANDARD,
    tolerance_m2: Annotated[
        Decimal, Query(ge=0, le=10_000, description="Excess (m²) tolerated before flagging")
    ] = Decimal(0),
    as_of: AsOf = None,
    unverified_bands: Annotated[
        bool,
        Query(
            description="Let a service/equipment excess under a service-room band not verified "
            "against a published rule flag a body (it is reported either way)"
        ),
    ] = False,
    common_service: Annotated[
        bool,
        Query(
            description="Apportion each building's toilets and boiled-water rooms (common "
            "space) to its bodies by office area, as service rooms"
        ),
    ] = False,
) -> Standard:
    """Which standard, tolerance, date and reading of the service rules (422 naming the
    field when bad)."""
    return Standard(
        code=standard,
        tolerance_m2=tolerance_m2,
        as_of=as_of or date.today(),
        unverified_bands=unverified_bands,
        common_service=common_service,
    )


StandardDep = Annotated[Standard, Depends(standard_query)]


def analysis_query(
    standard: StandardDep,
    body_id: Annotated[
        int | None, Query(ge=1, le=MAX_INT, description="A body and its subtree")
    ] = None,
    campus_id: IdQuery = None,
    building_id: IdQuery = None,
    floor_id: IdQuery = None,
    district: DistrictQuery = None,
    format: Annotated[
        Format, Query(description="json; geojson for the map; csv or xlsx for the whole report")
    ] = "json",
) -> AnalysisQuery:
    """Parse the shared analysis parameters (422 naming the field when bad)."""
    return AnalysisQuery(
        scope=Scope(body_id, campus_id, building_id, floor_id, district=district),
        standard=standard,
        output=format,
    )


AnalysisDep = Annotated[AnalysisQuery, Depends(analysis_query)]
REPORTS = answers(GEOJSON_MEDIA_TYPE, writers.CSV_MEDIA_TYPE, writers.XLSX_MEDIA_TYPE)
"""The formats of analysis reports."""
AppraisalYears = Annotated[
    int, Query(ge=1, le=100, description="An appraisal older than this (years) is overdue")
]
RELOCATION = "/api/v1/analysis/buildings/{building_id}/relocation"
"""Where the idle space for the people of a dangerous building is offered."""


def _report(
    name: str, level: str, query: AnalysisQuery, items: list[dict[str, Any]], lang: str
) -> Response:
    """The whole result as a CSV or XLSX download with headers in the caller's language."""
    headers, cells = writers.table(name, level, items, lang)
    standard = query.standard
    if query.output == "csv":
        content, media_type = writers.to_csv(headers, cells), writers.CSV_MEDIA_TYPE
    else:
        subtitle = t(
            "report.subtitle",
            lang,
            standard=standard.code,
            tolerance=standard.tolerance_m2,
            as_of=standard.as_of.isoformat(),
        )
        content = writers.to_xlsx(writers.title(name, level, lang), subtitle, headers, cells)
        media_type = writers.XLSX_MEDIA_TYPE
    file = writers.filename(name, level, standard.as_of, query.output)
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{file}"'},
    )


def _id_key(level: str) -> str:
    """The row field a GeoJSON feature takes its id from."""
    return {"idle_space": "room", "body": "organisation", "finding": "entity"}.get(
        level, level
    ) + "_id"


def _window(
    request: Request, session: SessionDep, query: AnalysisQuery, paging: PageParams
) -> PageParams:
    """Check the scope (404/422), then the rows to fetch: reports carry every row (up to
    the configured cap); other formats one page."""
    check_scope(session, query.scope, query.standard)
    if query.output in REPORT_FORMATS:
        return PageParams(limit=request.app.state.settings.report_rows_max, offset=0)
    return paging


def _answer(
    request: Request,
    name: str,
    level: str,
    query: AnalysisQuery,
    page: Page,
    paging: PageParams,
    explainer: Callable[[str, dict[str, Any], str], str],
    id_key: str,
) -> Response:
    """The page as JSON (items) or GeoJSON (features), with what was asked alongside."""
    lang = api_language(request)
    items = [{**row, "explanation": explainer(level, row, lang)} for row in page.items]
    if query.output in REPORT_FORMATS:
        return _report(name, level, query, items, lang)
    meta = {
        "analysis": name,
        "level": level,
        "standard": query.standard.code,
        "tolerance_m2": float(query.standard.tolerance_m2),
        "as_of": query.standard.as_of.isoformat(),
    }
    if query.output == "geojson":
        body = feature_collection_body(request, items, page.total, paging, id_key)
        return GeoJSONResponse({**body, **meta})
    rows = [{k: plain(v) for k, v in row.items() if k != "geometry"} for row in items]
    return JSONResponse(
        {**meta, "numberMatched": page.total, "numberReturned": len(rows), "items": rows}
    )


@router.get(
    "/over-standard",
    operation_id="over_standard",
    summary="超标准配备使用 / Over-standard use",
    responses=REPORTS,
)
def over_standard_route(
    request: Request,
    session: SessionDep,
    query: AnalysisDep,
    paging: PageDep,
    level: Annotated[Literal["room", "building", "campus", "body"], Query()] = "room",
    only_over: Annotated[bool, Query(description="Only rows over the standard")] = True,
) -> Response:
    """Rooms, buildings, campuses or bodies against the standard, worst first. Room rows
    show whose limits apply (a room's limit can name its occupant's rank): only roles
    that manage the bodies see them; others see buildings, campuses and bodies."""
    if level == "room" and not sees_people():
        raise Forbidden(right="personal_data")
    paging = _window(request, session, query, paging)
    page = over_standard(
        session,
        level,
        query.scope,
        query.standard,
        only_over=only_over,
        limit=paging.limit,
        offset=paging.offset,
    )
    return _answer(
        request,
        "over-standard",
        level,
        query,
        page,
        paging,
        explain.over_standard,
        _id_key(level),
    )


@router.get("/vacancy", operation_id="vacancy", summary="空置 / Vacancy", responses=REPORTS)
def vacancy_route(
    request: Request,
    session: SessionDep,
    query: AnalysisDep,
    paging: PageDep,
    level: Annotated[
        Literal["room", "idle_space", "floor", "building", "campus", "body"], Query()
    ] = "building",
    only_idle: Annotated[bool, Query(description="Only fully idle floors/buildings/…")] = False,
    long_idle_days: Annotated[
        int, Query(ge=1, le=36_500, description="A room idle this long is long_idle (长期闲置)")
    ] = LONG_IDLE_DAYS,
) -> Response:
    """Vacant rooms (with the date the last stay in each ended, the days since and
    whether that is long-term idleness), idle space for reallocation, or vacancy rates by
    place or body."""
    paging = _window(request, session, query, paging)
    page = vacancy(
        session,
        level,
        query.scope,
        query.standard,
        only_idle=only_idle,
        long_idle_days=long_idle_days,
        limit=paging.limit,
        offset=paging.offset,
    )
    return _answer(request, "vacancy", level, query, page, paging, explain.vacancy, _id_key(level))


@router.get(
    "/data-quality",
    operation_id="data_quality",
    summary="账实相符检查 / Data quality",
    responses=REPORTS,
)
def data_quality_route(
    request: Request,
    session: SessionDep,
    query: AnalysisDep,
    paging: PageDep,
    check: Annotated[list[Check] | None, Query(description="Checks to run (default all)")] = None,
    area_threshold: Annotated[
        Decimal, Query(gt=0, le=10, description="Recorded vs drawn area, as a fraction")
    ] = Decimal("0.10"),
    appraisal_years: AppraisalYears = APPRAISAL_YEARS,
) -> Response:
    """Findings where the ledger disagrees with drawings or people, grouped by check. An
    occupied C or D building links to the relocation its people are offered."""
    paging = _window(request, session, query, paging)
    page = data_quality(
        session,
        query.scope,
        query.standard,
        checks=tuple(check or CHECKS),
        area_threshold=area_threshold,
        appraisal_years=appraisal_years,
        limit=paging.limit,
        offset=paging.offset,
    )
    for row in page.items:
        if row["check"] == "occupied_dangerous_building":
            row["details"]["relocation_url"] = RELOCATION.format(building_id=row["building_id"])
    return _answer(
        request, "data-quality", "finding", query, page, paging, explain.finding, _id_key("finding")
    )


@router.get(
    "/safety",
    operation_id="safety",
    summary="房屋安全 / Building safety",
    responses=REPORTS,
)
def safety_route(
    request: Request,
    session: SessionDep,
    query: AnalysisDep,
    paging: PageDep,
    appraisal_years: AppraisalYears = APPRAISAL_YEARS,
    only_flagged: Annotated[
        bool, Query(description="Only occupied C/D buildings and overdue appraisals")
    ] = True,
) -> Response:
    """Buildings by safety (JGJ 125-2016): occupied D buildings first (stop using, move),
    then occupied C (restrict, strengthen or move), then overdue appraisals; each with the
    bodies, people in post and usable area in danger, what to do and the relocation link."""
    paging = _window(request, session, query, paging)
    page = buildings(
        session,
        query.scope,
        query.standard,
        appraisal_years=appraisal_years,
        only_flagged=only_flagged,
        limit=paging.limit,
        offset=paging.offset,
    )
    lang = api_language(request)
    for row in page.items:
        row["action"] = explain.safety_action(row, lang)
        row["relocation_url"] = (
            RELOCATION.format(building_id=row["building_id"]) if row["severity"] else None
        )
    return _answer(
        request, "safety", "building", query, page, paging, explain.safety, "building_id"
    )


@router.get(
    "/buildings/{building_id}/relocation",
    operation_id="building_relocation",
    summary="危房人员搬迁建议 / Where to move the people of a dangerous building",
)
def relocation_route(
    request: Request,
    building_id: IdPath,
    session: SessionDep,
    standard: StandardDep,
    max_distance_m: Annotated[
        float, Query(gt=0, le=500_000, description="How far to look (m, on the ellipsoid)")
    ] = RELOCATION_DISTANCE_M,
    limit: Annotated[int, Query(ge=1, le=20, description="Candidates per body")] = 3,
) -> JSONResponse:
    """For each body with people in the C or D building: the nearest idle floors or
    buildings (no C or D space) holding as many offices and as much area as it occupies
    there, with the rooms picked (the idle-space match). Other buildings: no bodies."""
    check_scope(session, Scope(building_id=building_id), standard)
    found = relocation(session, building_id, standard, max_distance_m=max_distance_m, limit=limit)
    lang = api_language(request)
    building = found.building
    grade = building.get("safety_grade")
    bodies = [
        {
            **_offered(body, lang),
            "by_floor": [_offered(floor, lang) for floor in body["by_floor"]],
        }
        for body in found.bodies
    ]
    return JSONResponse(
        {
            **_plain_row(building),
            "action": t(f"safety.action.{grade}", lang) if building["severity"] else None,
            "as_of": standard.as_of.isoformat(),
            "max_distance_m": max_distance_m,
            "bodies": bodies,
        }
    )


def _offered(group: dict[str, Any], lang: str) -> dict[str, Any]:
    """A group of people to move (a body, or its people on one floor) with the candidates
    offered, each explained as the idle-space match explains it."""
    asked = MatchRequest.model_construct(  # what the explanation reads; asked by us
        area_m2=group["area_m2"], rooms=RoomMix.model_construct(office=group["offices"])
    )
    candidates = [
        {**_plain_row(c), "explanation": explain.match(c, asked, lang)} for c in group["candidates"]
    ]
    return {**_plain_row(group), "candidates": candidates}


def _plain_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in row.items() if k != "geometry"}


def _own(page: Page, body_id: int) -> dict[str, Any] | None:
    """The body's own row from a page that covers its whole subtree."""
    rows = [r for r in page.items if r["organisation_id"] == body_id]
    return _plain_row(rows[0]) if rows else None


@router.get(
    "/bodies/{body_id}/summary",
    operation_id="body_summary",
    summary="单位用房概况 / One body's office space",
)
def body_summary(body_id: IdPath, session: SessionDep, standard: StandardDep) -> JSONResponse:
    """A body's quotas and use, its unoccupied offices, and counts of over-standard rooms
    and data-quality findings in its subtree."""
    scope = Scope(body_id=body_id)
    check_scope(session, scope, standard)
    quota = over_standard(session, "body", scope, standard, only_over=False, limit=MAX_INT)
    idle = vacancy(session, "body", scope, standard, limit=MAX_INT)
    rooms = over_standard(session, "room", scope, standard, limit=1)
    findings = data_quality(session, scope, standard, limit=1)
    return JSONResponse(
        {
            "organisation_id": body_id,
            "standard": standard.code,
            "as_of": standard.as_of.isoformat(),
            "quota": _own(quota, body_id),
            "vacancy": _own(idle, body_id),
            "over_standard_rooms_in_subtree": rooms.total,
            "data_quality_findings_in_subtree": findings.total,
        }
    )


@router.get(
    "/buildings/{building_id}/summary",
    operation_id="building_summary",
    summary="建筑用房概况 / One building's office space",
)
def building_summary(
    building_id: IdPath, session: SessionDep, standard: StandardDep
) -> JSONResponse:
    """A building's over-standard rollup, vacancy, floors by vacancy and findings.

    The findings counted are those about the building, its floors and rooms: the scope of a
    building also takes in the bodies using it, whose own findings (staff above 编制数,
    ranks outside the level) concern them wherever they sit, so they are counted apart
    (`data_quality_findings_of_bodies`) rather than charged to every building they use."""
    scope = Scope(building_id=building_id)
    check_scope(session, scope, standard)
    over = over_standard(session, "building", scope, standard, only_over=False).items
    empty = vacancy(session, "building", scope, standard).items
    floors = vacancy(session, "floor", scope, standard, limit=MAX_INT).items
    findings = data_quality(session, scope, standard, limit=MAX_INT)
    here = sum(1 for f in findings.items if f["building_id"] == building_id)
    return JSONResponse(
        {
            "building_id": building_id,
            "standard": standard.code,
            "as_of": standard.as_of.isoformat(),
            "over_standard": _plain_row(over[0]) if over else None,
            "vacancy": _plain_row(empty[0]) if empty else None,
            "floors": [_plain_row(f) for f in floors],
            "data_quality_findings": here,
            "data_quality_findings_of_bodies": findings.total - here,
        }
    )


@router.post(
    "/idle-space-match",
    operation_id="idle_space_match",
    summary="闲置房源调剂匹配 / Match a need to idle space",
    responses=answers(GEOJSON_MEDIA_TYPE),
)
def idle_space_match(
    request: Request,
    session: SessionDep,
    need: MatchRequest,
    format: Annotated[Literal["json", "geojson"], Query()] = "json",
) -> Response:
    """Ranked floors or buildings whose idle rooms fit the need, with the rooms picked."""
    standard = Standard(as_of=need.as_of or date.today())
    result = match(
        session,
        Need(
            organisation_id=need.organisation_id,
            area_m2=need.area_m2,
            offices=need.rooms.office,
            meetings=need.rooms.meeting,
            lon=need.location.lon if need.location else None,
            lat=need.location.lat if need.location else None,
            max_distance_m=need.max_distance_m,
        ),
        standard,
        limit=need.limit,
    )
    lang = api_language(request)
    candidates = [{**c, "explanation": explain.match(c, need, lang)} for c in result["candidates"]]
    meta = {
        "origin": result["origin"],
        "as_of": standard.as_of.isoformat(),
        "quota": {k: float(v) for k, v in result["quota"].items()},
    }
    if format == "geojson":
        paging = PageParams(limit=need.limit, offset=0)
        body = feature_collection_body(request, candidates, len(candidates), paging, "rank")
        return GeoJSONResponse({**body, **meta})
    return JSONResponse({**meta, "candidates": [_plain_row(c) for c in candidates]})
