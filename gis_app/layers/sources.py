"""The SQL behind every catalog source, in one place: GeoJSON features in a box, the MVT of
one tile, and the SELECT (`picked_sql`) the OGC API's items add their conditions to.

A layer file names its source (a table, or an analysis at building level) and the fields it
shows; it never carries SQL. The registry below is closed: each source lists the fields it
provides as SQL expressions typed for vector tiles (ST_AsMVT writes float8, integer, text and
boolean as such, and anything else, NUMERIC included, as text). Identifiers in the statements
come only from this module; every value is a bound parameter.

Building vacancy, over-standard and safety figures come from the analysis definitions
themselves (`vacancy.place_sql`, `over_standard.place_sql`, `safety.place_sql`) with the
analysis scope limited to the buildings in the box, so a tile computes a few hundred
buildings, not the province.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from gis_app.analysis import over_standard, safety, vacancy
from gis_app.analysis.common import BBox, Scope, Standard, base_params

FieldKind = Literal["text", "number", "bool"]
Geometry = Literal["point", "line", "polygon"]

EXTENT = 4096
"""MVT grid cells across a tile."""
BUFFER = 64
"""Cells drawn beyond each tile edge, so lines and outlines meet their neighbours' cleanly."""
SIMPLIFY_PX = 0.5
"""Geometries are simplified by half a screen pixel (at 256 px a tile) before encoding."""
INFO_LAYER = "_tile"
"""Layer of a capped tile that says it was capped; maps give it no style (nothing drawn)."""
WORLD_M = 2 * 20037508.342789244
"""Width of the Web Mercator world (EPSG:3857), metres."""


@dataclass(frozen=True)
class Field:
    """One property a source provides: its SQL (over the source's aliases) and its kind."""

    sql: str
    kind: FieldKind = "text"


@dataclass(frozen=True)
class SourceDef:
    """How to read one source: FROM clause (main table aliased `t`, with `t.id` and
    `t.geom` in EPSG:4490), its fields, the order that decides which features a capped
    tile keeps (most important first), and the optional filters it accepts."""

    geometry: Geometry
    from_sql: str
    fields: dict[str, Field]
    rank: str
    filters: dict[str, str] = field(default_factory=dict)
    prefix: str | None = None
    """Analysis statement (WITH … up to its place CTE) the final SELECT continues."""


def _text(sql: str) -> Field:
    return Field(sql)


def _num(sql: str) -> Field:
    return Field(f"CAST({sql} AS float8)", "number")


def _int(sql: str) -> Field:
    return Field(f"CAST({sql} AS integer)", "number")


def _bool(sql: str) -> Field:
    return Field(sql, "bool")


_BUILDING_FIELDS = {
    "code": _text("t.code"),
    "name": _text("t.name"),
    "campus_id": _int("t.campus_id"),
    "safety_grade": _text("t.safety_grade"),
}
_ORGANISATION_NAME = "(SELECT o.name FROM organisation o WHERE o.id = {column})"
"""A body's name looked up for the picked rows only: as a join, the planner hashed every
organisation of the province for each dense tile (14 of 19 ms of a z14 buildings tile)."""
_AREA_RANK = "ST_Area(t.geom) DESC"
AS_OF = "COALESCE(CAST(:as_of AS date), CURRENT_DATE)"
"""The date a table source shows (`as_of`, NULL = today): `<table>_at` of migration 0010."""
"""Largest first. Degrees² are used only to order features within one tile, never shown."""

TABLES: dict[str, SourceDef] = {
    "building": SourceDef(
        geometry="polygon",
        from_sql=f"building_at({AS_OF}) t",
        fields={
            **_BUILDING_FIELDS,
            "address": _text("t.address"),
            "floors_above": _int("t.floors_above"),
            "floors_below": _int("t.floors_below"),
            "height_m": _num("t.height_m"),
            "year_built": _int("t.year_built"),
            "gross_floor_area_m2": _num("t.gross_floor_area_m2"),
            "usable_coefficient": _num("t.usable_coefficient"),
            "title_certificate_no": _text("t.title_certificate_no"),
            "safety_appraised_on": _text("CAST(t.safety_appraised_on AS text)"),
            "safety_standard": _text("t.safety_standard"),
            "title_holder_id": _int("t.title_holder_id"),
            "title_holder_name": _text(_ORGANISATION_NAME.format(column="t.title_holder_id")),
        },
        rank=_AREA_RANK,
    ),
    "campus": SourceDef(
        geometry="polygon",
        from_sql="campus t",
        fields={
            "code": _text("t.code"),
            "name": _text("t.name"),
            "address": _text("t.address"),
            "area_m2": _num("round(CAST(ST_Area(geography(t.geom)) AS numeric), 0)"),
        },
        rank=_AREA_RANK,
    ),
    "land_parcel": SourceDef(
        geometry="polygon",
        # classes are at most three deep (060101 → 0601 → 06), and the 三调 scheme files some
        # codes under another first-level class than their digits (0303 → 00 湿地), so the
        # first-level class is the parent's parent, the parent or the class itself
        from_sql=(
            "land_parcel t JOIN landuse_class c"
            " ON c.scheme = t.landuse_scheme AND c.code = t.landuse_code"
            " LEFT JOIN landuse_class c2 ON c2.scheme = c.scheme AND c2.code = c.parent_code"
            " LEFT JOIN landuse_class c1 ON c1.scheme = c.scheme"
            " AND c1.code = coalesce(c2.parent_code, c.parent_code, c.code)"
        ),
        fields={
            "parcel_code": _text("t.parcel_code"),
            "landuse_scheme": _text("t.landuse_scheme"),
            "landuse_code": _text("t.landuse_code"),
            "landuse_name_zh": _text("c.name_zh"),
            "landuse_name_en": _text("c.name_en"),
            "landuse_l1": _text("t.landuse_scheme || ':' || c1.code"),
            "landuse_l1_name_zh": _text("c1.name_zh"),
            "landuse_l1_name_en": _text("c1.name_en"),
            "area_m2": _num("t.area_m2"),
            "ownership": _text("t.ownership"),
            "status": _text("t.status"),
            "district": _text("t.district"),
        },
        rank=_AREA_RANK,
    ),
    "road": SourceDef(
        geometry="line",
        from_sql="road t",
        fields={"name": _text("t.name"), "road_class": _text("t.road_class")},
        rank=(
            "array_position(ARRAY['expressway', 'arterial', 'secondary', 'local'], "
            "CAST(t.road_class AS text)), ST_Length(t.geom) DESC"
        ),
    ),
    "transit_station": SourceDef(
        geometry="point",
        from_sql="transit_station t",
        fields={"name": _text("t.name"), "mode": _text("t.mode")},
        rank="array_position(ARRAY['metro', 'rail', 'bus'], CAST(t.mode AS text))",
    ),
    "constraint_zone": SourceDef(
        geometry="polygon",
        from_sql="constraint_zone t",
        fields={"kind": _text("t.kind"), "name": _text("t.name"), "source": _text("t.source")},
        rank=_AREA_RANK,
    ),
    "floor": SourceDef(
        geometry="polygon",
        from_sql=f"floor_at({AS_OF}) t JOIN building_at({AS_OF}) b ON b.id = t.building_id",
        fields={
            "building_id": _int("t.building_id"),
            "building_code": _text("b.code"),
            "building_name": _text("b.name"),
            "ordinal": _int("t.ordinal"),
            "name": _text("t.name"),
        },
        rank=_AREA_RANK,
    ),
    "room": SourceDef(
        geometry="polygon",
        from_sql=(
            f"room_at({AS_OF}) t JOIN floor_at({AS_OF}) f ON f.id = t.floor_id "
            f"JOIN building_at({AS_OF}) b ON b.id = f.building_id"
        ),
        fields={
            "number": _text("t.number"),
            "name": _text("t.name"),
            "category": _text("t.category"),
            "subtype": _text("t.subtype"),
            "usable_area_m2": _num("t.usable_area_m2"),
            "status": _text("t.status"),
            "organisation_id": _int("t.organisation_id"),
            "organisation_name": _text(_ORGANISATION_NAME.format(column="t.organisation_id")),
            "floor_id": _int("t.floor_id"),
            "floor_name": _text("f.name"),
            "ordinal": _int("f.ordinal"),
            "building_id": _int("f.building_id"),
            "building_code": _text("b.code"),
            "building_name": _text("b.name"),
        },
        rank=_AREA_RANK,
        filters={"floor_id": "t.floor_id", "ordinal": "f.ordinal"},
    ),
}
"""Tables (collections) a layer may show."""

ANALYSES: dict[tuple[str, str], SourceDef] = {
    ("vacancy", "building"): SourceDef(
        geometry="polygon",
        from_sql=f"building_at({AS_OF}) t LEFT JOIN place_vacancy a ON a.id = t.id",
        fields={
            **_BUILDING_FIELDS,
            "vacancy_rate": _num("a.vacancy_rate"),
            "vacant_area_m2": _num("a.vacant_area_m2"),
            "allocatable_area_m2": _num("a.allocatable_area_m2"),
            "vacant_rooms": _int("a.vacant_rooms"),
            "allocatable_rooms": _int("a.allocatable_rooms"),
            "fully_idle": _bool("a.fully_idle"),
        },
        rank=_AREA_RANK,
        prefix=vacancy.place_sql("building_id", ""),
    ),
    ("over_standard", "building"): SourceDef(
        geometry="polygon",
        from_sql=f"building_at({AS_OF}) t LEFT JOIN place_over_standard a ON a.id = t.id",
        fields={
            **_BUILDING_FIELDS,
            "over_standard": _bool("a.over_standard"),
            "occupied_offices": _int("a.occupied_offices"),
            "over_standard_rooms": _int("a.over_standard_rooms"),
            "counted_area_m2": _num("a.counted_area_m2"),
            "limit_m2": _num("a.limit_m2"),
            "excess_m2": _num("a.excess_m2"),
        },
        rank=_AREA_RANK,
        prefix=over_standard.place_sql("building_id", ""),
    ),
    ("safety", "building"): SourceDef(
        geometry="polygon",
        from_sql=f"building_at({AS_OF}) t JOIN place_safety a ON a.id = t.id",
        fields={
            **_BUILDING_FIELDS,
            "safety_class": _text("a.safety_class"),
            "safety_appraised_on": _text("CAST(a.safety_appraised_on AS text)"),
            "appraisal_overdue": _bool("a.appraisal_overdue"),
            "people": _int("a.people"),
            "rooms": _int("a.rooms"),
            "area_m2": _num("a.area_m2"),
            "bodies": _text("a.bodies"),
        },
        rank=_AREA_RANK,
        prefix=safety.place_sql(""),
    ),
}
"""Analyses (name, level) a layer may show: the figures of the analysis reports, per place."""

RASTER_FIELDS: dict[str, dict[str, FieldKind]] = {
    "values": {"value": "number"},
    "hillshade": {"hillshade": "number"},
}
"""What a raster overlay's style can colour: the band's values, or a hillshade (0-255)."""


def source_def(kind: str, name: str, level: str | None = None) -> SourceDef:
    """The definition of a table (`kind="table"`) or an analysis at `level`."""
    if kind == "table":
        return TABLES[name]
    return ANALYSES[(name, level or "")]


_BOX = (
    "ST_MakeEnvelope(CAST(:bbox_west AS float8), CAST(:bbox_south AS float8), "
    "CAST(:bbox_east AS float8), CAST(:bbox_north AS float8), 4490)"
)
BOX_MEETS = f"t.geom && {_BOX} AND ST_Intersects(t.geom, {_BOX})"
"""Rows whose geometry meets the box (bbox_* parameters): the GIST index, then the shapes."""
GEOJSON = "ST_AsGeoJSON(t.geom, 7, 0)"
"""The geometry as GeoJSON text in EPSG:4490, lon/lat to 7 decimals (about a centimetre)."""


def box_params(source: SourceDef, bbox: BBox | None, as_of: date | None = None) -> dict[str, Any]:
    """Bind values of the box (NULL = everywhere) and the date shown (NULL = today); an
    analysis source also gets the analysis parameters (default standard), its scope cut
    to the box."""
    if source.prefix is not None:
        return base_params(Scope(bbox=bbox), Standard(as_of=as_of or date.today()))
    west, south, east, north = bbox if bbox is not None else (None, None, None, None)
    return {
        "bbox_west": west,
        "bbox_south": south,
        "bbox_east": east,
        "bbox_north": north,
        "as_of": as_of,
    }


def _columns(source: SourceDef, fields: Sequence[str]) -> str:
    return "".join(f",\n         {source.fields[name].sql} AS {name}" for name in fields)


def _filters(source: SourceDef) -> str:
    return "".join(
        f"\n    AND (CAST(:{name} AS integer) IS NULL OR {column} = CAST(:{name} AS integer))"
        for name, column in source.filters.items()
    )


def open_with(source: SourceDef) -> str:
    """`WITH ` or, for an analysis source, its statement continued with a comma."""
    return f"{source.prefix}\n, " if source.prefix else "WITH "


def picked_sql(
    source: SourceDef,
    fields: Sequence[str],
    *,
    where: str,
    order: str,
    geometry: str = f"{GEOJSON} AS geometry",
    limit: str = ":limit OFFSET :offset",
) -> str:
    """The statement up to its CTE `picked`: the source's rows meeting `where` (id,
    `fields` and the `geometry` column(s)) in `order`, at most `limit`.

    Every SELECT of a source is this one; callers add conditions, order and geometry
    made of the registry's SQL and bind parameters only."""
    return f"""{open_with(source)}picked AS (
  SELECT t.id AS id{_columns(source, fields)},
         {geometry}
  FROM {source.from_sql}
  WHERE {where}
  ORDER BY {order}
  LIMIT {limit}
)"""  # noqa: S608 - identifiers from this registry, values bound


def features_sql(source: SourceDef, fields: Sequence[str]) -> str:
    """GeoJSON-ready rows (id, `fields`, geometry as GeoJSON text, total) meeting the box,
    most important first. Parameters: bbox_west..bbox_north (NULL = everywhere), each
    filter of the source (NULL = any), limit, offset; analysis sources also base_params."""
    where = f"(CAST(:bbox_west AS float8) IS NULL\n         OR ({BOX_MEETS})){_filters(source)}"
    picked = picked_sql(
        source,
        fields,
        where=where,
        order=f"{source.rank}, t.id",
        geometry=f"{GEOJSON} AS geometry, count(*) OVER () AS total",
    )
    return f"{picked}\nSELECT * FROM picked"


def tile_sql(source: SourceDef, fields: Sequence[str]) -> str:
    """One row: the MVT (bytea, empty when nothing is there) of layer `:layer` over tile
    (:z, :x, :y), the features it holds and how many met the tile before the cap. A capped
    tile carries one more layer, `_tile`, with a point at its centre whose properties say
    so (layer, features, matched, cap, capped).

    Rows are found through the GIST index with the tile's envelope in lon/lat (bbox_*
    parameters: the tile and its buffer, see `gis_app.layers.grid`), at most `:cap` of them
    in rank order, then projected to EPSG:3857, simplified by `:tolerance` metres and
    clipped to the tile. Parameters as in `features_sql` plus z, x, y, layer, cap,
    tolerance."""
    names = "".join(f", {name}" for name in fields)
    picked = picked_sql(
        source,
        fields,
        where=f"t.geom && {_BOX}{_filters(source)}",
        order=f"{source.rank}, t.id",
        geometry="t.geom AS geom, count(*) OVER () AS matched",
        limit=":cap",
    )
    return f"""{picked},
shaped AS (
  SELECT id AS fid, id{names},
         ST_AsMVTGeom(
           ST_Simplify(ST_Transform(geom, 3857), CAST(:tolerance AS float8), true),
           ST_TileEnvelope(:z, :x, :y), {EXTENT}, {BUFFER}, true) AS geom
  FROM picked
),
summary AS (
  SELECT (SELECT count(*) FROM shaped WHERE geom IS NOT NULL) AS features,
         coalesce((SELECT max(matched) FROM picked), 0) AS matched
)
SELECT coalesce((SELECT ST_AsMVT(s.*, CAST(:layer AS text), {EXTENT}, 'geom', 'fid')
                 FROM shaped s WHERE s.geom IS NOT NULL), '')
       || coalesce((SELECT ST_AsMVT(i.*, '{INFO_LAYER}', {EXTENT}, 'geom') FROM (
            SELECT CAST(:layer AS text) AS layer, m.features, m.matched,
                   CAST(:cap AS integer) AS cap, true AS capped,
                   ST_AsMVTGeom(ST_Centroid(ST_TileEnvelope(:z, :x, :y)),
                                ST_TileEnvelope(:z, :x, :y), {EXTENT}, 0, true) AS geom
            WHERE m.matched > CAST(:cap AS integer)) i), '') AS tile,
       m.features, m.matched
FROM summary m"""  # noqa: S608 - names and numbers from this module, values bound


def tolerance_m(z: int) -> float:
    """Simplification tolerance at zoom `z` in EPSG:3857 metres (half a screen pixel)."""
    return WORLD_M / 2**z / 256 * SIMPLIFY_PX
