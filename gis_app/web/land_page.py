"""云查地、智能选地 page: a criteria form beside the map; results come back from
`/api/v1/land/search` and `/site-selection` as GeoJSON and are drawn and tabled by
web/js/land.js, each parcel with its explanation."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gis_app.accounts.rights import Right
from gis_app.http.auth import needs
from gis_app.http.language import PageLanguage
from gis_app.http.session import SessionDep
from gis_app.i18n import t
from gis_app.maps.catalog_map import catalog_map
from gis_app.models.base import CONSTRAINT_KINDS, LANDUSE_SCHEMES, PARCEL_STATUSES
from gis_app.queries.land_form import districts, first_level_classes, raster_codes
from gis_app.web.extent import home_extent
from gis_app.web.page import map_page, render_template

router = APIRouter(include_in_schema=False, dependencies=[needs(Right.READ)])

LAND_LAYERS = ("parcels_landuse", "constraint_zones", "roads", "transit_stations")
"""What the results are read against, lowest first."""
EXCLUSION_KINDS = ("basic_farmland", "ecological_redline", "flood_zone")
"""Offered as "avoid" by default: the law excludes the first two, practice the third."""
DEFAULT_STATUSES = ("idle", "reserved")
"""Parcels offered for a new site by default: land in use is not."""
WEIGHTS = (("metro", 5), ("slope", 2), ("flood", 2), ("area", 1))
"""The scored criteria of the form and their default weights (web/js/land.js scores them)."""
IDEAL_AREA_M2 = 50_000
SAATY = ("9", "7", "5", "3", "1", "1/3", "1/5", "1/7", "1/9")
"""The pairwise judgements offered, from "far more important" to "far less"."""


def _classes(session: Session, lang: str) -> dict[str, list[tuple[str, str]]]:
    """First-level land-use classes of each scheme, for the class checkboxes."""
    rows = first_level_classes(session)
    out: dict[str, list[tuple[str, str]]] = {scheme: [] for scheme in LANDUSE_SCHEMES}
    for scheme, code, zh, en in rows:
        out[scheme].append((code, zh if lang != "en" or not en else en))
    return out


def _criteria(rasters: set[str], lang: str) -> list[tuple[str, str, int]]:
    """(key, name, default weight) of the scored criteria whose data exist."""
    needs = {"slope": "dem_slope", "flood": "flood_depth"}
    return [
        (key, t(f"web.land.w_{key}", lang), weight)
        for key, weight in WEIGHTS
        if key not in needs or needs[key] in rasters
    ]


def _weighting(rasters: set[str], lang: str) -> dict[str, Any]:
    """The weight fields and, for AHP, one judgement per pair of criteria (Saaty's scale,
    'equally important' by default)."""
    criteria = _criteria(rasters, lang)
    named = [(key, name) for key, name, _ in criteria]
    return {
        "criteria": criteria,
        "pairs": [(a, b) for i, a in enumerate(named) for b in named[i + 1 :]],
        "saaty": [(value, t(f"web.land.saaty.{value}", lang)) for value in SAATY],
        "ideal_area": IDEAL_AREA_M2,
    }


def _options(session: Session, lang: str) -> dict[str, Any]:
    rasters = raster_codes(session)
    return {
        **_weighting(rasters, lang),
        "default_statuses": DEFAULT_STATUSES,
        "schemes": LANDUSE_SCHEMES,
        "classes": _classes(session, lang),
        "statuses": [(s, t(f"land.status.{s}", lang)) for s in PARCEL_STATUSES],
        "districts": [d for d in districts(session) if d],
        "zones": [
            (k, t(f"land.zone.{k}", lang), k in EXCLUSION_KINDS)
            for k in CONSTRAINT_KINDS
            if k != "urban_boundary"
        ],
        "has_urban_boundary": "urban_boundary" in CONSTRAINT_KINDS,
        "has_slope": "dem_slope" in rasters,
        "has_flood": "flood_depth" in rasters,
    }


def _prefill(request: Request, options: dict[str, Any]) -> dict[str, Any] | None:
    """`?district=…&status=…` (the dashboard's links): a search to run when the page opens;
    values the form does not offer are dropped."""
    district = request.query_params.get("district")
    statuses = [s for s in request.query_params.getlist("status") if s in PARCEL_STATUSES]
    if district not in options["districts"]:
        district = None
    if district is None and not statuses:
        return None
    return {"district": district, "status": statuses}


@router.get("/land", response_class=HTMLResponse)
def land_page(request: Request, session: SessionDep, lang: PageLanguage) -> HTMLResponse:
    """The form and an empty result layer over the parcels' extent."""
    options = _options(session, lang)
    bounds = home_extent(session, "land_parcel", request.app.state.settings.home_bbox)
    fmap = catalog_map(list(LAND_LAYERS), lang, bounds, session=session)
    return map_page(
        request,
        page_id="land",
        fmap=fmap,
        panel=render_template("land_panel.html", lang, **options),
        scripts=["land"],
        data={
            "criteria": [key for key, _, _ in options["criteria"]],
            "idealArea": IDEAL_AREA_M2,
            "today": date.today().isoformat(),
            "prefill": _prefill(request, options),
        },
        text_prefixes=["web.land.", "land.column.", "land.status."],
        styles=["land"],
    )
