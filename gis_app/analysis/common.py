"""What every office-space analysis shares: its scope, its parameters, SQL loading, paging."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gis_app.errors import InvalidParameter, NotFound
from gis_app.models import Building, Campus, Floor, Organisation, StandardVersion

DEFAULT_STANDARD = "CN-2014"


BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Scope:
    """Which rooms an analysis looks at: a body's subtree and/or a place (None = all).

    `bbox` (west, south, east, north in CGCS2000 lon/lat) keeps the rooms of buildings whose
    footprint meets the box: what a map tile or a bbox request needs, so they run the same
    definitions over a few hundred buildings instead of all of them."""

    body_id: int | None = None
    campus_id: int | None = None
    building_id: int | None = None
    floor_id: int | None = None
    bbox: BBox | None = None
    district: str | None = None
    """A 行政区: buildings on that district's land parcels (`building_district` of scope.sql)."""


@dataclass(frozen=True)
class Standard:
    """Which standard version, on which date, with how much tolerance (m² per room/body).

    `unverified_bands`: let a service or equipment excess under a service-room band not
    verified against a published rule flag a body (reported either way). `common_service`:
    apportion each building's toilets and boiled-water rooms (building common space) to the
    bodies in it by office area, the strict reading of the standard's list of service rooms."""

    code: str = DEFAULT_STANDARD
    tolerance_m2: Decimal = Decimal(0)
    as_of: date = field(default_factory=date.today)
    unverified_bands: bool = False
    common_service: bool = False


@dataclass(frozen=True)
class Page:
    """One page of analysis rows and how many rows matched in all."""

    items: list[dict[str, Any]]
    total: int


@cache
def sql_file(name: str) -> str:
    """SQL text shipped in `gis_app/analysis/sql/`."""
    return resources.files("gis_app.analysis").joinpath("sql", name).read_text("utf-8")


def statement(parts: tuple[str, ...], final: str) -> str:
    """scope.sql + the analysis CTEs in `parts` + a final SELECT: one SQL text."""
    return "\n".join([sql_file("scope.sql"), *(sql_file(p) for p in parts), final])


_AT = re.compile(
    r"\b(organisation|staff|building|floor|room)_at\("
    r"(?:CAST\(:as_of AS date\)|COALESCE\(CAST\(:as_of AS date\), CURRENT_DATE\))\)"
)


def dated(sql: str, as_of: date | None) -> str:
    """The statement for the date `as_of` (None: today). Today's state is the tables
    themselves (no edit takes effect after today), so `<table>_at(:as_of)` becomes the
    table: the planner then keeps the plans it had before history existed (an OGC page of
    rooms in id order took 76 s for a unit officer through room_at, whose UNION the
    row policies are checked on per row). A past date reads `<table>_at`."""
    if as_of is None or as_of >= date.today():
        return _present(sql)
    return sql


@cache
def _present(sql: str) -> str:
    """`sql` on the tables themselves (cached: a statement is rewritten once, not on every
    request of a map's tiles)."""
    return _AT.sub(r"\1", sql)


def run(session: Session, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Execute an analysis statement with bound parameters (`dated` for its `as_of`).

    For the transaction, JIT is off: compiling these plans cost about a second each and
    won nothing back. Sorts, hashes and the occupancy lookup get 64 MB: on 2M rooms they
    spilled to disk with the default 4 MB, and a hashed occupancy test needs ~50 MB."""
    session.execute(text("SET LOCAL jit = off"))
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    sql = dated(sql, params.get("as_of"))
    return [dict(row) for row in session.execute(text(sql), params).mappings()]


def base_params(scope: Scope, standard: Standard) -> dict[str, Any]:
    """Bind values shared by all analyses."""
    places = asdict(scope)
    bbox = places.pop("bbox")
    west, south, east, north = bbox if bbox is not None else (None, None, None, None)
    return {
        **places,
        "bbox_west": west,
        "bbox_south": south,
        "bbox_east": east,
        "bbox_north": north,
        "standard": standard.code,
        "tolerance": standard.tolerance_m2,
        "as_of": standard.as_of,
        "unverified_bands": standard.unverified_bands,
        "common_service": standard.common_service,
    }


def paged(rows: list[dict[str, Any]]) -> Page:
    """Strip the window count the final SELECTs carry as `total`."""
    total = int(rows[0]["total"]) if rows else 0
    return Page(items=[{k: v for k, v in r.items() if k != "total"} for r in rows], total=total)


def check_scope(session: Session, scope: Scope, standard: Standard) -> None:
    """404 naming an id that does not exist; 422 for an unknown standard version."""
    for model, resource, value in (
        (Organisation, "organisation", scope.body_id),
        (Campus, "campus", scope.campus_id),
        (Building, "building", scope.building_id),
        (Floor, "floor", scope.floor_id),
    ):
        if value is not None and session.scalar(select(model.id).where(model.id == value)) is None:
            raise NotFound(resource=resource, id=value)
    known = session.scalar(
        select(StandardVersion.code).where(StandardVersion.code == standard.code)
    )
    if known is None:
        raise InvalidParameter(field="standard", reason="reason.unknown_standard")
