"""Turn a DXF floor plan into rooms of one floor.

Usage::

    options = DxfOptions(layers=("*_L-1",), crs="EPSG:2154", check_area=False)
    report = import_dxf(conn, "plan.dxf", floor_id=7, options=options, dry_run=True)

Closed polylines on the chosen layers become rooms; texts inside them give the number
(`labels.NUMBER_PATTERN`) and name. A ring inside a room on the same layer is a hole of that
room (`nesting`), or with `nested_rooms` a room of its own cut out of it. An outline with no
number text gets `DXF-<handle>`, so the room can be found again in the drawing. Rejected
outlines (open, self-intersecting, two numbers, a number used twice or already on the floor,
outside the floor) are reported with their DXF handle and layer; nothing is written while
there is one, unless `skip_invalid` asks to write the others. Everything happens in the
caller's transaction.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from gis_app.db.driver import Connectable
from gis_app.dxf.floor import taken_numbers, target_floor
from gis_app.dxf.georef import (
    ControlPoint,
    Georeference,
    by_control_points,
    by_crs,
    by_origin,
    check_inside,
)
from gis_app.dxf.labels import NUMBER_PATTERN, Naming, assign_labels
from gis_app.dxf.nesting import Nesting, cut, nest
from gis_app.dxf.read import Drawing, LayerFilter, collect, describe_entities, open_drawing
from gis_app.dxf.report import DxfReport, LayerCounts, Notice, RoomLine
from gis_app.dxf.units import Units, check_plausible, metres_per_unit, resolve_units, unit_name
from gis_app.ingest.geometry import overlapping_pairs
from gis_app.ingest.lookups import ROOM_OUTSIDE_M2, outside_parent
from gis_app.ingest.metrics import counted
from gis_app.ingest.read import CHINA_BOUNDS, Area
from gis_app.ingest.report import ImportRefused, Problem
from gis_app.ingest.write import insert_rows
from gis_app.models.base import LOCAL_SRID, ROOM_CATEGORIES, ROOM_STATUSES, SRID

FLATTEN_M = 0.005
"""Largest gap between an arc and its flattened chords, metres."""
MIN_AREA_M2 = 0.01
"""The smallest area the room table stores (2 decimals, > 0)."""
NUMBER_LENGTH = 24
POLYGON = 3
"""shapely's type id of a Polygon (a hole may cut a room in two)."""


@dataclass(frozen=True, slots=True)
class DxfOptions:
    """How to read the drawing. `label_layers` defaults to `layers`; exactly one of
    `control` (≥ 2 points), `origin` (+ `rotation_deg`) or `crs` places it; the rooms must
    land inside `area` (lon/lat box, China) unless `check_area` is off."""

    layers: tuple[str, ...] = ()
    label_layers: tuple[str, ...] | None = None
    hole_layers: tuple[str, ...] = ()
    units: str | None = None
    control: tuple[ControlPoint, ...] = ()
    origin: tuple[float, float] | None = None
    rotation_deg: float = 0.0
    crs: str | None = None
    tolerance_m: float = 1.0
    category: str = "office"
    layer_categories: Mapping[str, str] = field(default_factory=dict)
    status: str = "in_use"
    number_pattern: str = NUMBER_PATTERN
    check_area: bool = True
    area: Area = CHINA_BOUNDS
    skip_invalid: bool = False
    nested_rooms: bool = False
    """Rings inside a room on its layer are rooms of their own (cut out of it), not holes."""


def _check_options(options: DxfOptions) -> None:
    for name, value, allowed in (
        ("category", options.category, ROOM_CATEGORIES),
        ("status", options.status, ROOM_STATUSES),
        *(("layer_categories", v, ROOM_CATEGORIES) for v in options.layer_categories.values()),
    ):
        if value not in allowed:
            raise ImportRefused(
                field=name,
                reason="ingest.reason.unknown_default",
                target=name,
                value=value,
                allowed=", ".join(allowed),
            )
    ways = sum((bool(options.control), options.origin is not None, options.crs is not None))
    if ways != 1:
        raise ImportRefused(field="georeference", reason="dxf.reason.georeference", given=ways)
    try:
        re.compile(options.number_pattern)
    except re.error as exc:
        raise ImportRefused(
            field="number_pattern", reason="dxf.reason.bad_pattern", detail=str(exc)
        ) from exc


def _placement(options: DxfOptions, insunits: int) -> tuple[Georeference, Units, list[Notice]]:
    """The georeference and the drawing units (a CRS brings its own)."""
    if options.crs is None:
        units = resolve_units(options.units, insunits)
        if options.control:
            georef = by_control_points(options.control, units.metres, options.tolerance_m)
        else:
            assert options.origin is not None
            georef = by_origin(*options.origin, options.rotation_deg, units.metres)
        return georef, units, []
    georef, metres = by_crs(options.crs)
    notices = []
    if options.units is not None:
        given = resolve_units(options.units, insunits)
        if abs(given.metres - metres) > 1e-9 * metres:
            raise ImportRefused(
                field="units", reason="dxf.reason.units_crs", units=given.name, crs=georef.crs
            )
    file_metres = metres_per_unit(insunits)
    if file_metres is not None and abs(file_metres - metres) > 1e-9 * metres:
        notices.append(Notice("units_ignored", detail=unit_name(insunits)))
    return georef, Units(metres, "m" if metres == 1 else f"{metres} m", "crs"), notices


def _polygons(drawing: Drawing, metres: float) -> tuple[np.ndarray, list[Problem]]:
    """Closed outlines as polygons in drawing units (None for open or degenerate ones) and
    the problems of those that cannot be rooms."""
    polygons = np.full(len(drawing.outlines), None, dtype=object)
    problems: list[Problem] = []
    for i, outline in enumerate(drawing.outlines):
        if not outline.closed:
            problems.append(Problem(i, None, "geom", "open_outline", f"{outline.gap * metres:.3f}"))
            continue
        distinct = np.unique(outline.points, axis=0)
        if len(distinct) < 3:
            problems.append(Problem(i, None, "geom", "invalid_geometry", "< 3 vertices"))
            continue
        polygons[i] = shapely.Polygon(outline.points)
    reasons = shapely.is_valid_reason(polygons)
    for i in np.flatnonzero(~shapely.is_missing(polygons)).tolist():
        if reasons[i] != "Valid Geometry":
            problems.append(Problem(i, None, "geom", "invalid_geometry", str(reasons[i])))
    return polygons, problems


def _cut_holes(drawing: Drawing, polygons: np.ndarray, usable: np.ndarray) -> list[Notice]:
    """Subtract each hole outline from the smallest usable polygon covering it that is
    larger than the hole (an outline equal to the hole is the room filling it)."""
    notices: list[Notice] = []
    index = np.flatnonzero(usable)
    tree = shapely.STRtree(polygons[index])
    areas = shapely.area(polygons)
    for hole in drawing.holes:
        shape = shapely.Polygon(hole.points) if hole.closed and len(hole.points) > 3 else None
        candidates = [] if shape is None or not shape.is_valid else tree.query(shape, "covered_by")
        owners = [i for i in index[candidates].tolist() if areas[i] > shape.area * (1 + 1e-6)]
        if not owners:
            notices.append(Notice("hole_outside", hole.handle, hole.layer))
            continue
        owner = min(owners, key=lambda i: areas[i])
        polygons[owner] = polygons[owner].difference(shape)
    return notices


def _numbers(
    drawing: Drawing, naming: Naming, taken: set[str], holes: Mapping[int, int]
) -> tuple[list[str | None], list[str], list[Problem]]:
    """Each outline's number and where it came from ("label", "generated"; a hole has
    none), with the problems: several numbers in one outline, a number used twice or
    already on the floor."""
    numbers: list[str | None] = []
    sources: list[str] = []
    problems: list[Problem] = []
    first: dict[str, int] = {}
    for i, outline in enumerate(drawing.outlines):
        found = list(dict.fromkeys(naming.numbers[i]))
        if i in holes:
            numbers.append(None)
            sources.append("hole")
            continue
        if found:
            numbers.append(found[0])
            sources.append("label")
        else:
            numbers.append(f"DXF-{outline.handle}"[:NUMBER_LENGTH])
            sources.append("generated")
        if len(found) > 1:
            problems.append(Problem(i, None, "number", "several_room_numbers", ", ".join(found)))
        number = numbers[i]
        assert number is not None
        if len(number) > NUMBER_LENGTH:
            problems.append(Problem(i, None, "number", "too_long", str(len(number))))
        elif number in taken:
            problems.append(Problem(i, None, "number", "number_taken", number))
        elif number in first:
            detail = f"{number} = #{drawing.outlines[first[number]].handle}"
            problems.append(Problem(i, None, "number", "duplicate_room_number", detail))
        else:
            first[number] = i
    return numbers, sources, problems


def _overlaps(drawing: Drawing, local: np.ndarray, usable: np.ndarray) -> list[Notice]:
    """Pairs of rooms sharing more than the floor tolerance (nested rooms, double outlines)."""
    index = np.flatnonzero(usable)
    notices = []
    pairs = sorted(overlapping_pairs(local[index], ROOM_OUTSIDE_M2), key=lambda p: (p[1], p[0]))
    for b, a, area in pairs:
        one, other = drawing.outlines[index[a]], drawing.outlines[index[b]]
        detail = f"#{other.handle} ({other.layer}), {area:.1f} m²"
        notices.append(Notice("overlap", one.handle, one.layer, detail))
    return notices


def _category(layer: str, options: DxfOptions) -> str:
    for pattern, category in options.layer_categories.items():
        if fnmatchcase(layer.casefold(), pattern.casefold()):
            return category
    return options.category


def _layer_counts(drawing: Drawing, report: DxfReport, rejected: set[int], holes: set[int]) -> None:
    layers: dict[str, LayerCounts] = {}
    for i, outline in enumerate(drawing.outlines):
        counts = layers.setdefault(outline.layer, LayerCounts())
        counts.outlines += outline.closed
        counts.open += not outline.closed
        counts.rejected += i in rejected
        counts.holes += i in holes
        counts.valid += i not in rejected and i not in holes
    for label in drawing.labels:
        layers.setdefault(label.layer, LayerCounts()).labels += 1
    report.layers = dict(sorted(layers.items()))
    kinds: dict[str, int] = {}
    for (_, kind), count in drawing.entities.items():
        kinds[kind] = kinds.get(kind, 0) + count
    report.entities = dict(sorted(kinds.items()))


@dataclass(slots=True)
class _Checked:
    """Every outline checked: its preview line, shapes (drawing metres and lon/lat, None
    where unusable), the problems, the notices and the rings that are holes."""

    rooms: list[RoomLine]
    local: np.ndarray
    geoms: np.ndarray
    problems: list[Problem]
    notices: list[Notice]
    holes: set[int]


def _read(
    source: str | Path, options: DxfOptions
) -> tuple[Drawing, Georeference, Units, list[Notice]]:
    """The drawing's outlines and labels, how it is placed and its units; refused when no
    outline on the chosen layers is closed ("no rooms found")."""
    doc, repairs = open_drawing(Path(source))
    georef, units, notices = _placement(options, int(doc.header.get("$INSUNITS", 0)))
    outline_layers = LayerFilter(options.layers)
    labels = options.layers if options.label_layers is None else options.label_layers
    drawing = collect(
        doc,
        repairs,
        outline_layers=outline_layers,
        label_layers=LayerFilter(labels),
        hole_layers=LayerFilter(options.hole_layers) if options.hole_layers else None,
        flatten_distance=FLATTEN_M / units.metres,
    )
    if not any(outline.closed for outline in drawing.outlines):
        raise ImportRefused(
            field="layers" if options.layers else "file",
            reason="dxf.reason.no_rooms",
            layers=outline_layers.describe(),
            counts=describe_entities(drawing.entities),
        )
    if repairs:
        notices.append(Notice("repaired", detail=str(repairs)))
    return drawing, georef, units, notices


def _check(
    conn: Connectable,
    floor_id: int,
    drawing: Drawing,
    georef: Georeference,
    units: Units,
    options: DxfOptions,
) -> _Checked:
    """Shapes, labels, holes, numbers and placement of every outline."""
    polygons, problems = _polygons(drawing, units.metres)
    usable = ~shapely.is_missing(polygons)
    usable[[p.index for p in problems]] = False
    naming = assign_labels(drawing.labels, polygons, options.number_pattern)
    layers = [outline.layer for outline in drawing.outlines]
    nesting = nest(polygons, usable, layers, options.nested_rooms)
    cut(polygons, nesting)
    usable[list(nesting.holes)] = False
    notices = _cut_holes(drawing, polygons, usable)
    local = shapely.transform(polygons, lambda xy: xy * units.metres)
    check_plausible(units, shapely.area(local[usable]))
    taken = taken_numbers(conn, floor_id)
    numbers, sources, number_problems = _numbers(drawing, naming, taken, nesting.holes)
    geoms = np.full(len(polygons), None, dtype=object)
    geoms[usable] = shapely.transform(polygons[usable], georef.move)
    if usable.any() and options.check_area:
        check_inside(shapely.total_bounds(geoms[usable]).tolist(), options.area, georef.method)
    problems += number_problems + _placed_problems(conn, floor_id, local, geoms, usable)
    names = [" ".join(found) or None for found in naming.names]
    notices += [
        Notice(
            "label_outside",
            label.handle,
            label.layer,
            f"{label.text} ({label.x:.1f}, {label.y:.1f})",
        )
        for label in naming.outside
    ]
    notices += [
        Notice("several_names", drawing.outlines[i].handle, drawing.outlines[i].layer, names[i])
        for i, found in enumerate(naming.names)
        if len(found) > 1
    ]
    notices += _overlaps(drawing, local, usable)
    areas = shapely.area(local)
    notices += _nesting_notices(drawing, nesting, numbers, naming, areas)
    shown = usable.copy()
    shown[list(nesting.holes)] = True
    rooms = [
        RoomLine(
            i,
            outline.handle,
            outline.layer,
            numbers[i],
            sources[i],
            names[i],
            _category(outline.layer, options),
            round(float(areas[i]), 2) if shown[i] else None,
            drawing.outlines[nesting.holes[i]].handle if i in nesting.holes else None,
        )
        for i, outline in enumerate(drawing.outlines)
    ]
    return _Checked(rooms, local, geoms, problems, notices, set(nesting.holes))


def _nesting_notices(
    drawing: Drawing,
    nesting: Nesting,
    numbers: list[str | None],
    naming: Naming,
    areas: np.ndarray,
) -> list[Notice]:
    """Each ring that became a hole (with the texts inside it, in case it was meant as a
    room) or was cut out of the room around it, naming that room."""
    notices = []
    for room, rings in sorted(nesting.cut_out.items()):
        around = drawing.outlines[room]
        for ring in rings:
            outline = drawing.outlines[ring]
            texts = " ".join(naming.numbers[ring] + naming.names[ring])
            detail = f"#{around.handle} ({numbers[room]}), {areas[ring]:.2f} m²"
            detail += f"; {texts}" if texts else ""
            code = "hole_of" if ring in nesting.holes else "cut_from"
            notices.append(Notice(code, outline.handle, outline.layer, detail))
    return notices


@counted("dxf")
def import_dxf(
    conn: Connection | Session,
    source: str | Path,
    *,
    floor_id: int | None = None,
    building: str | None = None,
    ordinal: int | None = None,
    options: DxfOptions | None = None,
    dry_run: bool = False,
    name: str | None = None,
) -> DxfReport:
    """Check every outline of the drawing and, unless this is a dry run, write the rooms
    onto the floor (by id, or building code + ordinal) in the caller's transaction.

    Raises `ImportRefused` (4xx) when the drawing as a whole cannot be used: not a DXF, no
    units, bad georeference, placed outside China (unless `check_area` is off), or no
    closed outline on the chosen layers ("no rooms found").
    """
    started = time.perf_counter()
    options = options or DxfOptions()
    _check_options(options)
    floor = target_floor(conn, floor_id, building, ordinal)
    drawing, georef, units, notices = _read(source, options)
    checked = _check(conn, floor.id, drawing, georef, units, options)
    report = DxfReport(
        layer="room",
        path=name or str(source),
        source_layer=LayerFilter(options.layers).describe(),
        crs=georef.crs,
        crs_from=georef.method,
        dry_run=dry_run,
        skip_invalid=options.skip_invalid,
        read=len(drawing.outlines),
        floor_id=floor.id,
        units=units.name,
        units_from=units.source,
        metres_per_unit=units.metres,
        georeference=georef.figures,
        labels_read=len(drawing.labels),
        numbers_generated=sum(line.number_from == "generated" for line in checked.rooms),
        rooms=checked.rooms,
        notices=notices + checked.notices,
        holes=len(checked.holes),
    )
    report.add(checked.problems)
    rejected = {p.index for p in report.problems}
    _layer_counts(drawing, report, rejected, checked.holes)
    keep = [i for i in range(len(drawing.outlines)) if i not in rejected | checked.holes]
    if not dry_run and keep and (report.ok or options.skip_invalid):
        report.ids = _write(conn, floor.id, options, checked, keep)
        report.written = len(report.ids)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _placed_problems(
    conn: Connectable, floor_id: int, local: np.ndarray, geoms: np.ndarray, usable: np.ndarray
) -> list[Problem]:
    """Rooms too small to store, invalid once on the map, or outside the floor outline."""
    problems: list[Problem] = []
    areas = shapely.area(local)
    reasons = shapely.is_valid_reason(geoms)
    for i in np.flatnonzero(usable).tolist():
        if shapely.get_type_id(local[i]) != POLYGON:
            problems.append(Problem(i, None, "geom", "invalid_geometry", local[i].geom_type))
        elif areas[i] < MIN_AREA_M2:
            problems.append(Problem(i, None, "geom", "area_too_small", f"{areas[i]:.4f}"))
        elif reasons[i] != "Valid Geometry":
            problems.append(Problem(i, None, "geom", "invalid_geometry", str(reasons[i])))
    flawed = {p.index for p in problems}
    index = np.array([i for i in np.flatnonzero(usable).tolist() if i not in flawed], dtype=int)
    wkb = shapely.to_wkb(geoms[index]).tolist()
    for n, out, _ in outside_parent(conn, "floor", [floor_id] * len(wkb), wkb):
        i = int(index[n])
        if out > ROOM_OUTSIDE_M2:
            share = 100 * out / areas[i] if areas[i] else 100.0
            problems.append(
                Problem(i, None, "geom", "outside_floor", f"{out:.1f} m², {share:.1f} %")
            )
    return problems


def _write(
    conn: Connectable, floor_id: int, options: DxfOptions, checked: _Checked, keep: list[int]
) -> list[int]:
    lines = [checked.rooms[i] for i in keep]
    columns: dict[str, list[str | None]] = {
        "floor_id": [str(floor_id)] * len(lines),
        "number": [line.number for line in lines],
        "name": [line.name for line in lines],
        "category": [line.category for line in lines],
        "status": [options.status] * len(lines),
        "usable_area_m2": [f"{line.area_m2:.2f}" for line in lines],
    }
    return insert_rows(
        conn,
        "room",
        columns,
        {
            "geom": (shapely.to_wkb(checked.geoms[keep]).tolist(), SRID),
            "local_geom": (shapely.to_wkb(checked.local[keep]).tolist(), LOCAL_SRID),
        },
    )
