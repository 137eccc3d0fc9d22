"""Land search (云查地), site selection (智能选地) and saved criteria presets.

Results come as JSON, GeoJSON (for the map), CSV or GeoPackage (`format`). A preset stores
a validated request body under a name, so the same search can be run after data change.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import Field
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis_app.accounts.rights import Right
from gis_app.api.features import GeoJSONResponse, plain, row_to_feature
from gis_app.errors import InvalidParameter, field_path
from gis_app.http.auth import needs
from gis_app.http.language import api_language
from gis_app.http.openapi import GEOJSON_MEDIA_TYPE, HTML_MEDIA_TYPE, answers
from gis_app.http.params import IdPath
from gis_app.http.session import SessionDep
from gis_app.i18n import t
from gis_app.land import explain, presets
from gis_app.land.criteria import LandSearch, OutputFormat, SiteSelection
from gis_app.land.reference import reference
from gis_app.land.run import search, select_sites
from gis_app.maps.export import assert_offline, standalone_html
from gis_app.maps.land_map import land_map
from gis_app.models.request import RequestModel
from gis_app.queries.land_form import raster_labels
from gis_app.raster.registry import refresh_pending
from gis_app.reports import land_results
from gis_app.reports.land_results import GPKG_MEDIA_TYPE
from gis_app.reports.writers import CSV_MEDIA_TYPE

router = APIRouter(prefix="/api/v1/land", tags=["land"], dependencies=[needs(Right.READ)])
FILES = answers(GEOJSON_MEDIA_TYPE, CSV_MEDIA_TYPE, GPKG_MEDIA_TYPE, HTML_MEDIA_TYPE)
"""The formats of land results."""
FormatQuery = Annotated[
    OutputFormat,
    Query(description="json | geojson | csv | gpkg | html (a standalone offline map)"),
]


def _raster_dir(request: Request) -> Any:
    return request.app.state.settings.raster_dir


def _rows_out(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in r.items() if k != "geometry"} for r in rows]


def _respond(
    name: str, rows: list[dict[str, Any]], meta: dict[str, Any], output: str, lang: str
) -> Response:
    """Rows (with `geometry` as GeoJSON text) in the asked format (not html: see `_map`)."""
    stamp = date.today().isoformat()
    if output == "csv":
        return Response(
            land_results.to_csv(rows, lang),
            media_type=CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.csv"'},
        )
    if output == "gpkg":
        return Response(
            land_results.to_gpkg(rows, name.replace("-", "_"), lang),
            media_type=land_results.GPKG_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}-{stamp}.gpkg"'},
        )
    if output == "geojson":
        features = [row_to_feature(r).model_dump() for r in rows]
        return GeoJSONResponse({"type": "FeatureCollection", "features": features, **meta})
    return JSONResponse({**meta, "items": _rows_out(rows)})


def _read_only_after_refresh(session: Session, request: Request) -> None:
    """Bring the raster statistics cache up to date in a transaction of its own, then make
    the request's transaction READ ONLY: a search or selection can write nothing (the
    database refuses it) and commits nothing."""
    with Session(request.app.state.engine) as cache, cache.begin():
        refresh_pending(cache, _raster_dir(request))
    session.rollback()
    session.execute(text("SET TRANSACTION READ ONLY"))


def run_search(session: Session, body: LandSearch, request: Request, output: str) -> Response:
    """Search and answer; shared by the search route and running a saved preset."""
    _read_only_after_refresh(session, request)
    result = search(session, body, _raster_dir(request), refresh=False)
    if output == "html":
        return _map(session, result.items, [], api_language(request), scored=False)
    meta = {"numberMatched": result.total, "numberReturned": len(result.items)}
    return _respond("land-search", result.items, meta, output, api_language(request))


def _map(
    session: Session,
    ranked: list[dict[str, Any]],
    excluded: list[dict[str, Any]],
    lang: str,
    scored: bool,
) -> HTMLResponse:
    """One standalone HTML page: opens from disk, loads nothing from any network."""
    fmap = land_map(ranked, excluded, lang, scored, reference(session, [*ranked, *excluded]))
    page = standalone_html(fmap)
    assert_offline(page)
    return HTMLResponse(page)


def run_selection(session: Session, body: SiteSelection, request: Request, output: str) -> Response:
    """Select sites and answer with explanations; shared with presets."""
    lang = api_language(request)
    _read_only_after_refresh(session, request)
    result = select_sites(session, body, _raster_dir(request), refresh=False)
    rasters = raster_labels(session)
    for row in result.ranked:
        row["criteria"] = explain.contributions(
            row, body.scores, result.weights, rasters=rasters, lang=lang
        )
        row["explanation"] = explain.ranked_text(row, row["criteria"], lang)
    for row in result.excluded:
        row["failures"] = explain.failures(row, body.exclude, lang, rasters)
        row["explanation"] = t("land.part_separator", lang).join(row["failures"])
    w = result.weights
    meta = {
        "numberMatched": result.total,
        "numberReturned": len(result.ranked),
        "excludedMatched": result.excluded_total,
        "weights": {
            "method": w.method,
            "values": [round(v, 6) for v in w.values],
            "names": [s.name for s in body.scores],
            "lambda_max": w.lambda_max,
            "consistency_index": w.consistency_index,
            "consistency_ratio": w.consistency_ratio,
            "consistent": w.consistent,
        },
    }
    if output == "html":
        return _map(session, result.ranked, result.excluded, lang, scored=True)
    if output in ("json", "geojson"):
        meta["excluded"] = _rows_out(result.excluded)
    return _respond("site-selection", result.ranked, meta, output, lang)


@router.post("/search", operation_id="land_search", summary="云查地 / Land search", responses=FILES)
def land_search(
    body: LandSearch, request: Request, session: SessionDep, format: FormatQuery = "json"
) -> Response:
    """Parcels meeting every given criterion, largest first, paged."""
    return run_search(session, body, request, format)


@router.post(
    "/site-selection",
    operation_id="site_selection",
    summary="智能选地 / Site selection",
    responses=FILES,
)
def site_selection(
    body: SiteSelection, request: Request, session: SessionDep, format: FormatQuery = "json"
) -> Response:
    """Exclude by hard criteria, score and rank the rest; every number explained."""
    return run_selection(session, body, request, format)


class PresetIn(RequestModel):
    """A named land-search or site-selection request to keep."""

    name: str = Field(min_length=1, max_length=100)
    kind: Literal["search", "site_selection"]
    criteria: dict[str, Any]


def _validated(kind: str, criteria: dict[str, Any]) -> LandSearch | SiteSelection:
    """The stored body as its request model (422 naming the first bad field)."""
    model = LandSearch if kind == "search" else SiteSelection
    try:
        return model.model_validate(criteria)
    except ValueError as exc:
        errors = getattr(exc, "errors", lambda: [])()
        where = field_path(errors[0]["loc"]) if errors else ""
        raise InvalidParameter(
            field=f"criteria.{where}".rstrip("."), reason=errors[0]["msg"] if errors else str(exc)
        ) from None


@router.get("/presets", operation_id="list_presets", summary="查询方案 / Saved presets")
def list_presets(session: SessionDep) -> JSONResponse:
    """Every saved preset, by name."""
    return JSONResponse({"items": presets.list_presets(session)})


@router.post(
    "/presets",
    operation_id="save_preset",
    status_code=201,
    dependencies=[needs(Right.EDIT)],
)
def save_preset(body: PresetIn, session: SessionDep) -> JSONResponse:
    """Validate and keep a request body under a new name."""
    checked = _validated(body.kind, body.criteria).model_dump(mode="json")
    saved = presets.save_preset(session, body.name, body.kind, checked)
    return JSONResponse(saved, status_code=201)


@router.get("/presets/{preset_id}", operation_id="get_preset")
def get_preset(preset_id: IdPath, session: SessionDep) -> JSONResponse:
    """One preset."""
    return JSONResponse(presets.preset_out(presets.find_preset(session, preset_id)))


@router.delete(
    "/presets/{preset_id}",
    operation_id="delete_preset",
    status_code=204,
    dependencies=[needs(Right.EDIT)],
)
def delete_preset(preset_id: IdPath, session: SessionDep) -> Response:
    """Forget a preset."""
    presets.delete_preset(session, preset_id)
    return Response(status_code=204)


@router.post("/presets/{preset_id}/run", operation_id="run_preset", responses=FILES)
def run_preset(
    preset_id: IdPath, request: Request, session: SessionDep, format: FormatQuery = "json"
) -> Response:
    """Run a saved search or selection against today's data."""
    preset = presets.find_preset(session, preset_id)
    body = _validated(preset.kind, preset.criteria)
    session.rollback()
    if isinstance(body, LandSearch):
        return run_search(session, body, request, format)
    return run_selection(session, body, request, format)
