"""Running land search and site selection: check references, refresh raster statistics,
execute the one statement from `land.sql`, and shape the rows.

Why refresh here: a parcel whose shape changed lost its statistics (trigger), and a new
parcel has none yet; computing just those few before the query keeps results current
without a background job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text, tuple_
from sqlalchemy.orm import Session

from gis_app.errors import InvalidParameter
from gis_app.land import sql
from gis_app.land.criteria import LandCriteria, LandSearch, SiteSelection
from gis_app.land.weights import Weights, ahp, direct
from gis_app.models import LandUseClass, RasterLayer
from gis_app.raster.parcel_stats import refresh_pending

ALL_PASS = "NOT jsonb_path_exists(e.passes, '$.* ? (@ == false)')"
NEAREST_MISS = (
    "(SELECT ROW(count(*) FILTER (WHERE f.key IN ('landuse', 'area', 'status')), count(*)) "
    "FROM jsonb_each(j.passes) f WHERE f.value = 'false')"
)
"""How far an excluded parcel is from qualifying: a parcel whose own class, area or status
is wrong was never a candidate, so those come last; then fewer failed criteria first."""


@dataclass(frozen=True)
class SearchResult:
    """A page of parcels that meet every criterion."""

    items: list[dict[str, Any]]
    total: int


@dataclass(frozen=True)
class SelectionResult:
    """Ranked parcels with their scores, excluded parcels with what failed, the weights."""

    ranked: list[dict[str, Any]]
    total: int
    excluded: list[dict[str, Any]]
    excluded_total: int
    weights: Weights


def _check_references(session: Session, c: LandCriteria, rasters: list[tuple[str, str]]) -> None:
    """422 naming the field for an unknown land-use code or raster."""
    if c.landuse is not None:
        known = set(
            session.scalars(
                select(LandUseClass.code).where(
                    tuple_(LandUseClass.scheme, LandUseClass.code).in_(
                        [(c.landuse.scheme, code) for code in c.landuse.codes]
                    )
                )
            )
        )
        for i, code in enumerate(c.landuse.codes):
            if code not in known:
                raise InvalidParameter(
                    field=f"landuse.codes[{i}]", reason="reason.unknown_landuse", value=code
                )
    registered = set(session.scalars(select(RasterLayer.code)))
    for field, code in rasters:
        if code not in registered:
            raise InvalidParameter(field=field, reason="reason.unknown_raster", value=code)


def _prepare(
    session: Session,
    c: LandCriteria,
    raster_dir: Path,
    scored: list[tuple[str, str]] = (),
    *,
    refresh: bool = True,
) -> None:
    """Check the references and, unless the caller did it already (`refresh=False`: the API
    refreshes in a transaction of its own and searches READ ONLY), bring the statistics of
    new or reshaped parcels up to date."""
    rasters = [(f"rasters[{i}].raster", r.raster) for i, r in enumerate(c.rasters)]
    rasters += list(scored)
    _check_references(session, c, rasters)
    if rasters and refresh:
        refresh_pending(session, raster_dir)


def _rows(session: Session, statement: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    session.execute(text("SET LOCAL jit = off; SET LOCAL random_page_cost = 1.1"))
    rows = []
    for row in session.execute(text(statement), params).mappings():
        item = dict(row)
        item.pop("geom", None)
        item["passes"] = item.get("passes") or {}
        if isinstance(item["passes"], str):
            item["passes"] = json.loads(item["passes"])
        rows.append(item)
    return rows


def search(
    session: Session, request: LandSearch, raster_dir: Path, *, refresh: bool = True
) -> SearchResult:
    """Parcels meeting every criterion, largest first."""
    _prepare(session, request, raster_dir, refresh=refresh)
    st = sql.Statement()
    sql.add_filters(st, request)
    statement = (
        f"{sql.evaluated(st, request, 'candidates')} "
        "SELECT e.*, ST_AsGeoJSON(e.geom, 7, 0) AS geometry, "
        f"count(*) OVER () AS total FROM evaluated e WHERE {ALL_PASS} "
        "ORDER BY e.measured_m2 DESC, e.id LIMIT :limit OFFSET :offset"
    )
    rows = _rows(session, statement, st.params | {"limit": request.limit, "offset": request.offset})
    total = int(rows[0]["total"]) if rows else 0
    for row in rows:
        del row["total"]
    return SearchResult(items=rows, total=total)


def weights_of(request: SiteSelection) -> Weights:
    """The request's weights, normalised (AHP: with its consistency ratio)."""
    if request.weights.ahp is not None:
        return ahp(request.weights.ahp)
    assert request.weights.values is not None
    return direct(request.weights.values)


def select_sites(
    session: Session, request: SiteSelection, raster_dir: Path, *, refresh: bool = True
) -> SelectionResult:
    """Exclude by the hard criteria, score the rest by the weighted criteria, rank.

    Only candidates (parcels passing the cheap tests) are measured against every criterion;
    every other parcel in scope is excluded and counted, and only as many of them as the
    page of excluded parcels still has room for are measured, to explain why."""
    weights = weights_of(request)
    scored = [(f"scores[{i}].raster", s.raster) for i, s in enumerate(request.scores) if s.raster]
    _prepare(session, request.exclude, raster_dir, scored, refresh=refresh)
    st = sql.Statement()
    sql.add_filters(st, request.exclude)
    keys = [sql.add_score(st, f"score_{i}", s)[1] for i, s in enumerate(request.scores)]
    pairs = enumerate(zip(keys, weights.values, strict=True))
    total = " + ".join(f"{st.bind(f'w_{i}', w)} * e.{key}" for i, (key, w) in pairs)
    judged = f"judged AS (SELECT e.*, {ALL_PASS} AS eligible, ({total}) AS score FROM evaluated e)"
    excluded_sql = (
        "(SELECT 'excluded' AS part, j.*, ST_AsGeoJSON(j.geom, 7, 0) AS geometry FROM judged j "
        f"WHERE NOT j.eligible ORDER BY {NEAREST_MISS}, j.score DESC, j.id LIMIT :excluded_limit)"
    )
    statement = (
        f"{sql.evaluated(st, request.exclude, 'candidates')}, {judged} SELECT x.*, "
        "(SELECT count(*) FROM judged WHERE eligible) AS total FROM ("
        "(SELECT 'ranked' AS part, j.*, ST_AsGeoJSON(j.geom, 7, 0) AS geometry FROM judged j "
        "WHERE j.eligible ORDER BY j.score DESC, j.id LIMIT :limit OFFSET :offset) "
        f"UNION ALL {excluded_sql}) x"
    )
    params = st.params | {
        "limit": request.limit,
        "offset": request.offset,
        "excluded_limit": request.excluded_limit,
    }
    rows = _rows(session, statement, params)
    ranked = [r for r in rows if r["part"] == "ranked"]
    excluded = [r for r in rows if r["part"] == "excluded"]
    room = request.excluded_limit - len(excluded)
    if st.cheap and room > 0:
        others = f"{sql.evaluated(st, request.exclude, 'others', ':excluded_limit')}, {judged} "
        excluded += _rows(session, others + excluded_sql, params | {"excluded_limit": room})
    for position, row in enumerate(ranked, start=request.offset + 1):
        row["rank"] = position
    eligible = int(rows[0]["total"]) if rows else _eligible(session, st, request)
    where = " AND ".join(sql.scope(st, request.exclude))
    in_scope = session.scalar(text(f"SELECT count(*) FROM land_parcel p WHERE {where}"), st.params)
    for row in (*ranked, *excluded):
        del row["part"], row["eligible"]
        row.pop("total", None)
    return SelectionResult(
        ranked=ranked,
        total=eligible,
        excluded=excluded,
        excluded_total=in_scope - eligible,
        weights=weights,
    )


def _eligible(session: Session, st: sql.Statement, request: SiteSelection) -> int:
    """How many parcels qualify, when the statement returned no row to say it."""
    statement = (
        f"{sql.evaluated(st, request.exclude, 'candidates')} "
        f"SELECT count(*) FROM evaluated e WHERE {ALL_PASS}"
    )
    session.execute(text("SET LOCAL jit = off"))
    return int(session.scalar(text(statement), st.params) or 0)
