"""The one SQL statement behind land search and site selection, built from the criteria.

Every parcel in scope (district, drawn polygon) gets one column per criterion: its raw value
(distance in metres on the ellipsoid, overlap with constraint zones in m², a raster
statistic) and whether it passes. Search keeps the rows that pass everything; selection also
scores them (normalisation and weights in SQL) and lists excluded parcels with what failed.
All values are bound parameters; only the shape of the statement follows the criteria.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from gis_app.land import classes
from gis_app.land.criteria import Distance, LandCriteria, Normalise, Scored
from gis_app.models.base import SRID

KNN_CANDIDATES = 8
"""Nearest targets by planar distance in degrees, re-measured on the ellipsoid. A degree of
longitude is shorter than one of latitude (cos φ), so the nearest in metres is among the
first few by degrees unless many targets crowd one annulus; 8 covers that in practice."""
_TARGETS = {"road": "road", "station": "transit_station", "office": "building"}
MEASURED = "ST_Area(p.geom::geography)"
OVERLAP_MIN_M2 = 1.0
"""A parcel and a zone drawn along one line overlap by slivers of floating-point noise
(0.008 m² in the demo district) that the explanation would show as "overlaps 0 m²": an
overlap counts from 1 m², the smallest area an explanation writes."""


@dataclass
class Statement:
    """Criterion columns, their pass tests and the bound parameters, built step by step."""

    ctes: list[str] = field(default_factory=list)
    """Named subqueries the parcels' columns and tests read (`name AS (…)`)."""
    columns: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    passes: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    cheap: list[str] = field(default_factory=list)
    """Tests on the parcel's own columns: a search applies them before any join."""

    def bind(self, name: str, value: Any) -> str:
        """A parameter placeholder holding `value`."""
        self.params[name] = value
        return f":{name}"


def _target(st: Statement, key: str, d: Distance) -> tuple[str, str]:
    """The table of `d`'s targets and the condition choosing them (classes, modes)."""
    where = "true"
    if d.road_classes:
        where = f"t.road_class = ANY({st.bind(f'{key}_classes', list(d.road_classes))})"
    if d.station_modes:
        where = f"t.mode = ANY({st.bind(f'{key}_modes', list(d.station_modes))})"
    return _TARGETS[d.to], where


def _distance_sql(st: Statement, key: str, d: Distance) -> str:
    """Metres from the parcel to the nearest target of `d` (NULL when there is none)."""
    if d.to == "point":
        assert d.point is not None
        lon, lat = st.bind(f"{key}_lon", d.point.lon), st.bind(f"{key}_lat", d.point.lat)
        return (
            f"ST_Distance(p.geom::geography, "
            f"ST_SetSRID(ST_MakePoint({lon}, {lat}), {SRID})::geography)"
        )
    table, where = _target(st, key, d)
    st.joins.append(
        f"LEFT JOIN LATERAL (SELECT min(ST_Distance(p.geom::geography, n.geom::geography)) AS m "
        f"FROM (SELECT t.geom FROM {table} t WHERE {where} "
        f"ORDER BY t.geom <-> p.geom LIMIT {KNN_CANDIDATES}) n) {key} ON true"
    )
    return f"{key}.m"


def _near(st: Statement, key: str, d: Distance, metres: str) -> str:
    """Whether a target lies within `metres` (exact, on the ellipsoid), found through the
    geometry index: the box is widened by the metres as degrees of longitude at the
    parcel's most poleward edge, which covers latitude too."""
    table, where = _target(st, key, d)
    degrees = f"{metres} / (111319.49 * cos(radians(least(abs(ST_YMax(p.geom)), 89))))"
    return (
        f"EXISTS (SELECT 1 FROM {table} t WHERE {where} "
        f"AND t.geom && ST_Expand(p.geom, {degrees}) "
        f"AND ST_DWithin(t.geom::geography, p.geom::geography, {metres}))"
    )


def add_distance(st: Statement, key: str, d: Distance) -> str:
    """Column `key` with the distance; passes when within/beyond hold (no target = far).
    A search first keeps parcels with a target within (none within beyond) by index."""
    value = _distance_sql(st, key, d)
    st.columns.append(f"{value} AS {key}")
    tests = []
    if d.within_m is not None:
        within = st.bind(f"{key}_within", d.within_m)
        tests.append(f"coalesce({value} <= {within}, false)")
        if d.to != "point":
            st.cheap.append(_near(st, key, d, within))
    if d.beyond_m is not None:
        beyond = st.bind(f"{key}_beyond", d.beyond_m)
        tests.append(f"coalesce({value} >= {beyond}, true)")
        if d.to != "point" and d.beyond_m > 0:
            st.cheap.append(f"NOT {_near(st, key, d, beyond)}")
    if tests:
        st.passes[key] = " AND ".join(tests)
    return key


def add_filters(st: Statement, c: LandCriteria) -> None:
    """One column and one pass test per given criterion of `c`."""
    if c.landuse is not None:
        scheme = st.bind("lu_scheme", c.landuse.scheme)
        codes = st.bind("lu_codes", c.landuse.codes)
        crossed = c.landuse.crosswalk
        relations = st.bind("lu_relations", list(crossed)) if crossed else None
        st.ctes.append(classes.match_cte(scheme, codes, relations))
        st.passes["landuse"] = classes.MATCHES
        st.cheap.append(classes.MATCHES)
        st.columns.append(f"{classes.match_column(scheme)} AS landuse_match")
    if c.area_m2 is not None:
        tests = []
        if c.area_m2.min is not None:
            tests.append(f"p.measured_m2 >= {st.bind('area_min', c.area_m2.min)}")
        if c.area_m2.max is not None:
            tests.append(f"p.measured_m2 <= {st.bind('area_max', c.area_m2.max)}")
        if tests:
            st.passes["area"] = " AND ".join(tests)
            st.cheap.append(st.passes["area"].replace("p.measured_m2", MEASURED))
    if c.status:
        st.passes["status"] = f"p.status = ANY({st.bind('statuses', list(c.status))})"
        st.cheap.append(st.passes["status"])
    for i, d in enumerate(c.distances):
        add_distance(st, f"dist_{i}", d)
    for i, z in enumerate(c.constraints):
        key = f"zone_{i}"
        kinds = st.bind(f"{key}_kinds", list(z.kinds))
        least = st.bind(f"{key}_least", OVERLAP_MIN_M2)
        st.joins.append(
            f"LEFT JOIN LATERAL (SELECT coalesce(sum(o.m2) FILTER (WHERE o.m2 >= {least}), 0) "
            f"AS m2, array_agg(DISTINCT o.kind ORDER BY o.kind) FILTER (WHERE o.m2 >= {least}) "
            f"AS kinds FROM (SELECT z.kind, ST_Area(ST_Intersection(z.geom, p.geom)::geography) "
            f"AS m2 FROM constraint_zone z WHERE z.kind = ANY({kinds}) "
            f"AND ST_Intersects(z.geom, p.geom) AND ST_Relate(z.geom, p.geom, 'T********')) o"
            f") {key} ON true"
        )
        st.columns += [f"{key}.m2 AS {key}", f"{key}.kinds AS {key}_kinds"]
        overlaps = f"{key}.kinds IS NOT NULL"
        st.passes[key] = f"NOT ({overlaps})" if z.mode == "avoid" else overlaps
    for i, r in enumerate(c.rasters):
        key = f"raster_{i}"
        value = add_raster(st, key, r.raster, r.stat)
        tests = [f"{value} IS NOT NULL"]
        if r.min is not None:
            tests.append(f"{value} >= {st.bind(f'{key}_min', r.min)}")
        if r.max is not None:
            tests.append(f"{value} <= {st.bind(f'{key}_max', r.max)}")
        st.passes[key] = " AND ".join(tests)


def add_raster(st: Statement, key: str, raster: str, stat: str) -> str:
    """Column `key`: the parcel's `stat` of registered raster `raster` (NULL: no data)."""
    code = st.bind(f"{key}_code", raster)
    st.joins.append(
        f"LEFT JOIN parcel_raster_stat {key}_s ON {key}_s.parcel_id = p.id "
        f"AND {key}_s.raster_code = {code}"
    )
    st.columns.append(f"{key}_s.{stat} AS {key}")
    return f"{key}_s.{stat}"


def score_sql(st: Statement, key: str, value: str, n: Normalise) -> str:
    """0–1 score of `value` by `n` (NULL value: 0)."""
    if n.shape == "linear_up":
        low, high = st.bind(f"{key}_low", n.low), st.bind(f"{key}_high", n.high)
        raw = f"({value} - {low}) / ({high} - {low})"
    elif n.shape == "linear_down":
        low, high = st.bind(f"{key}_low", n.low), st.bind(f"{key}_high", n.high)
        raw = f"({high} - {value}) / ({high} - {low})"
    elif n.shape == "ideal":
        ideal, tol = st.bind(f"{key}_ideal", n.ideal), st.bind(f"{key}_tol", n.tolerance)
        raw = f"1 - abs({value} - {ideal}) / {tol}"
    else:
        return value
    return f"coalesce(greatest(0, least(1, {raw})), 0)"


def add_score(st: Statement, key: str, s: Scored) -> tuple[str, str]:
    """Columns `key` (raw value) and `key`_score for one scored criterion."""
    if s.measure == "area":
        st.columns.append(f"p.measured_m2 AS {key}")
        value = "p.measured_m2"
    elif s.measure == "distance":
        assert s.distance is not None
        value = _distance_sql(st, key, s.distance)
        st.columns.append(f"{value} AS {key}")
    elif s.measure == "raster":
        assert s.raster is not None
        value = add_raster(st, key, s.raster, s.stat)
    else:
        classes = st.bind(f"{key}_classes", json.dumps(s.normalise.classes))
        default = st.bind(f"{key}_default", s.normalise.default)
        scheme = st.bind(f"{key}_scheme", s.scheme)
        st.columns.append(f"p.landuse_code AS {key}")
        value = (
            f"coalesce(CASE WHEN p.landuse_scheme = {scheme} THEN (SELECT e.value::float "
            f"FROM jsonb_each_text(CAST({classes} AS jsonb)) e JOIN landuse_class_tree k "
            "ON k.scheme = p.landuse_scheme AND k.ancestor = e.key AND k.code = p.landuse_code "
            f"ORDER BY length(e.key) DESC LIMIT 1) END, {default})"
        )
    score = score_sql(st, key, value, s.normalise)
    st.columns.append(f"{score} AS {key}_score")
    return key, f"{key}_score"


def scope(st: Statement, c: LandCriteria) -> list[str]:
    """Conditions putting a parcel in scope: the district and the drawn polygon."""
    where = ["true"]
    if c.district is not None:
        where.append(f"p.district = {st.bind('district', c.district)}")
    if c.within is not None:
        polygon = st.bind("within_wkt", c.within.wkt())
        where.append(
            f"ST_Intersects(p.geom, ST_GeomFromText({polygon}, {SRID})) AND "
            f"ST_Relate(p.geom, ST_GeomFromText({polygon}, {SRID}), 'T********')"
        )
    return where


Part = Literal["all", "candidates", "others"]


def parcels_cte(st: Statement, c: LandCriteria, part: Part, first: str | None = None) -> str:
    """Parcels in scope with their measured area and land-use name: all of them, the
    candidates (passing the cheap tests: own columns, index prefilters) or the others;
    `first` (a bound parameter) keeps only that many, by id."""
    where = scope(st, c)
    if st.cheap and part != "all":
        cheap = " AND ".join(f"({test})" for test in st.cheap)
        where.append(cheap if part == "candidates" else f"NOT coalesce({cheap}, false)")
    tail = f" ORDER BY p.id LIMIT {first}" if first else ""
    ctes = "".join(f"{cte}, " for cte in st.ctes)
    return (
        f"WITH {ctes}p AS MATERIALIZED (SELECT p.id, p.parcel_code, p.landuse_scheme, "
        "p.landuse_code, lc.name_zh AS landuse_name_zh, lc.name_en AS landuse_name_en, "
        "p.status, p.district, "
        f"p.owner_id, p.area_m2 AS recorded_m2, {MEASURED} AS measured_m2, p.geom "
        "FROM land_parcel p JOIN landuse_class lc "
        "ON lc.scheme = p.landuse_scheme AND lc.code = p.landuse_code "
        f"WHERE {' AND '.join(where)}{tail})"
    )


def evaluated(st: Statement, c: LandCriteria, part: Part, first: str | None = None) -> str:
    """`parcels_cte` + `evaluated`: the parcels of `part` with criterion columns and
    `passes` (a jsonb of test name → boolean)."""
    tests = ", ".join(f"'{name}', coalesce({test}, false)" for name, test in st.passes.items())
    passes = f"jsonb_build_object({tests})" if tests else "'{}'::jsonb"
    columns = "".join(f", {col}" for col in st.columns)
    return (
        f"{parcels_cte(st, c, part, first)}, evaluated AS MATERIALIZED (SELECT p.id, "
        "p.parcel_code, p.landuse_scheme, p.landuse_code, p.landuse_name_zh, "
        "p.landuse_name_en, p.status, "
        "p.district, p.owner_id, p.recorded_m2, round(p.measured_m2::numeric, 1) AS measured_m2, "
        f"p.geom{columns}, {passes} AS passes FROM p {' '.join(st.joins)})"
    )
