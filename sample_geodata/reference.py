"""Reference layers of the sample — roads, transit stations, constraint zones — and the
parcels planted for site selection.

Each city's layers are drawn in its frame from the same street grid, river and hills as the
parcels and rasters: roads on the grid lines, metro lines under two arterials, bus stops by
the arterials' crossings; basic farmland on the edge blocks, the ecological red line around
the hills (elevation > 45 m), flood zones where the flood-depth function is wet, and the
urban development boundary around the rest. They are written as GeoJSON (EPSG:4490, with a
`crs` member) and loaded through `gis_app.ingest.reference.import_reference`, the import
every user's file goes through. Only the first city gets planted parcels.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from rasterio.features import shapes
from rasterio.transform import Affine

from gis_app.ingest.reference import ReferenceLayer
from sample_geodata.geo import CityFrame, as_array
from sample_geodata.parcels import DENSIFY, Grid, Part, Rect, block_kinds

HILL_M = 45.0
"""Elevation above which ground is hill (the same threshold as `block_kinds`)."""
RELIEF_CELL_M = 20.0
FLOOD_CELL_M = 10.0
FLOOD_MIN_DEPTH_M = 0.05
FLOOD_INSET_M = 15.0
"""Flood zones are drawn this far inside the wet area, so any point of a zone falls in a
flood-raster cell (10 m, centre ≤ 7.1 m away) whose depth is > 0."""
MIN_ZONE_M2 = 20_000.0
METRO_SPACING_M = 900.0
BUS_SPACING_M = 800.0
LINE_DENSIFY_M = 200.0
QUIET_M = 500.0
"""In the first city, no parcel within this distance of a metro station is idle or reserved
unless planted, so the planted ideal parcels rank first on nearness to the metro."""
CLEARANCE_M = 100.0
"""Ideal parcels lie at least this far from the red line and the flood zones."""
FLAT_DEG = 1.0
SOURCE = "示例数据（合成）"
LAYER_FILES: tuple[tuple[str, ReferenceLayer, dict[str, str]], ...] = (
    ("roads", "road", {}),
    ("transit_stations", "transit_station", {}),
    ("basic_farmland", "constraint_zone", {"kind": "basic_farmland"}),
    ("ecological_redline", "constraint_zone", {"kind": "ecological_redline"}),
    ("flood_zone", "constraint_zone", {"kind": "flood_zone"}),
    ("urban_boundary", "constraint_zone", {"kind": "urban_boundary"}),
)
"""GeoJSON file stem, target layer and import defaults (each zone file is one kind)."""
ZONE_NAMES = {
    "basic_farmland": "永久基本农田",
    "ecological_redline": "生态保护红线",
    "flood_zone": "洪水淹没区",
    "urban_boundary": "城镇开发边界",
}

Block = tuple[int, int]


def _cn(n: int) -> str:
    """1 → 一, 12 → 十二, 40 → 四十; from 100 on, Arabic digits."""
    digits = "零一二三四五六七八九"
    if n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if not tens:
        return digits[ones]
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def _slope_deg(frame: CityFrame, rect: Rect) -> float:
    """Steepest ground slope (°) at 5 × 5 points of `rect`, by central differences."""
    x = np.linspace(rect[0], rect[2], 5)
    y = np.linspace(rect[1], rect[3], 5)
    gx, gy = (a.ravel() for a in np.meshgrid(x, y))
    h = 5.0
    dzx = (frame.elevation(gx + h, gy) - frame.elevation(gx - h, gy)) / (2 * h)
    dzy = (frame.elevation(gx, gy + h) - frame.elevation(gx, gy - h)) / (2 * h)
    return float(np.degrees(np.arctan(np.hypot(dzx, dzy))).max())


def _rect_distance(rect: Rect, points: np.ndarray) -> float:
    """Shortest distance (m) from a rectangle to any of `points` (N×2); inf for none."""
    if not len(points):
        return math.inf
    dx = np.maximum.reduce([rect[0] - points[:, 0], points[:, 0] - rect[2], np.zeros(len(points))])
    dy = np.maximum.reduce([rect[1] - points[:, 1], points[:, 1] - rect[3], np.zeros(len(points))])
    return float(np.hypot(dx, dy).min())


def _polygons(mask: np.ndarray, transform: Affine) -> list[shapely.Polygon]:
    """The areas where `mask` is True, as polygons in the transform's coordinates."""
    found = shapes(mask.astype("uint8"), mask=mask, transform=transform, connectivity=4)
    return [shapely.geometry.shape(g) for g, _ in found]


def _parts(geom: shapely.Geometry, min_area: float) -> list[shapely.Polygon]:
    """Valid polygon parts of at least `min_area` m², largest first."""
    geom = shapely.make_valid(geom)
    polys = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
    return sorted((p for p in polys if p.area >= min_area), key=lambda p: -p.area)


def redline_polygons(frame: CityFrame) -> list[shapely.Polygon]:
    """Hill ground above `HILL_M`, from the elevation sampled on a 20 m grid of the west."""
    cell = RELIEF_CELL_M
    x0, x1 = -frame.half_w, -0.1 * frame.half_w
    y0, y1 = -frame.half_h, frame.half_h
    xc = np.arange(x0 + cell / 2, x1, cell)
    yc = np.arange(y1 - cell / 2, y0, -cell)
    gx, gy = np.meshgrid(xc, yc)
    hills = frame.elevation(gx, gy) > HILL_M
    merged = shapely.union_all(_polygons(hills, Affine(cell, 0, x0, 0, -cell, y1)))
    return _parts(shapely.simplify(merged, cell / 2), MIN_ZONE_M2)


def flood_polygons(frame: CityFrame) -> list[shapely.Polygon]:
    """Where the design flood is wet, inset by `FLOOD_INSET_M`.

    Sampled on a 10 m grid that follows the river (x, distance from its centre line), since
    water only stands within three channel widths of it; the outlines are bent back onto
    the river afterwards."""
    cell, band = FLOOD_CELL_M, 3.5 * frame.river_width
    x0, v1 = -frame.half_w, band
    xc = np.arange(x0 + cell / 2, frame.half_w, cell)
    vc = np.arange(v1 - cell / 2, -band, -cell)
    gx, gv = np.meshgrid(xc, vc)
    gy = gv + frame.river_centre(gx)
    wet = (frame.flood_depth(gx, gy) > FLOOD_MIN_DEPTH_M) & (np.abs(gy) <= frame.half_h)
    sheared = shapely.segmentize(as_array(_polygons(wet, Affine(cell, 0, x0, 0, -cell, v1))), cell)

    def unshear(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([xy[:, 0], xy[:, 1] + frame.river_centre(xy[:, 0])])

    wet_area = shapely.union_all(shapely.make_valid(shapely.transform(sheared, unshear)))
    inset = shapely.buffer(wet_area, -FLOOD_INSET_M)
    return _parts(shapely.simplify(inset, 1.0), MIN_ZONE_M2)


@dataclass(slots=True)
class Plant:
    """A parcel to plant: the part of its block that overlaps `target` most gets `code`
    and `status`; `facts` end up in the manifest."""

    key: str
    code: str
    status: str
    target: shapely.Geometry
    facts: dict[str, Any] = field(default_factory=dict)

    def record(self, row: tuple) -> None:
        self.facts.update(
            parcel_id=row[0],
            parcel_code=row[1],
            landuse_scheme=row[2],
            landuse_code=row[3],
            area_m2=row[4],
            status=row[7],
        )


@dataclass(slots=True)
class ParcelPlan:
    """What the reference layers decide about parcels: farmland blocks, planted parcels,
    and (first city) no unplanted idle or reserved parcel near a metro station."""

    frame: CityFrame
    metro: np.ndarray
    farmland: frozenset[Block] = frozenset()
    plants: dict[Block, Plant] = field(default_factory=dict)
    quiet_m: float = 0.0

    def adjust(self, block: Block, parts: list[Part]) -> list[Part]:
        if block in self.farmland:
            parts = [
                (p[0], "0103" if k % 3 == 2 else "0101", None, "in_use", None)
                for k, p in enumerate(parts)
            ]
        if self.quiet_m:
            parts = [
                (p[0], "0701", None, "in_use", None)
                if (p[3] != "in_use" or p[1] == "1201")
                and _rect_distance(p[0], self.metro) < self.quiet_m
                else p
                for p in parts
            ]
        plant = self.plants.get(block)
        if plant is not None:
            overlap = [shapely.box(*p[0]).intersection(plant.target).area for p in parts]
            k = int(np.argmax(overlap))
            rect = parts[k][0]
            plant.facts.update(
                nearest_metro_m=round(_rect_distance(rect, self.metro)),
                max_slope_deg=round(_slope_deg(self.frame, rect), 2),
            )
            parts = [*parts[:k], (rect, plant.code, None, plant.status, plant), *parts[k + 1 :]]
        return parts

    def manifest(self) -> dict[str, Any]:
        """Manifest entries of the planted parcels (after the parcel rows were generated)."""
        constrained: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("basic_farmland", "ecological_redline", "flood_zone")
        }
        ideal = []
        for plant in self.plants.values():
            (ideal if plant.key == "ideal" else constrained[plant.key]).append(plant.facts)
        return {"ideal_parcels": ideal, "constrained_parcels": constrained}


@dataclass(slots=True)
class CityReference:
    """One city's reference features in frame metres: (properties, geometry) per file."""

    frame: CityFrame
    files: dict[str, list[tuple[dict[str, str], shapely.Geometry]]]
    plan: ParcelPlan


class _Layout:
    """Which grid lines are what, and the names of the roads on them."""

    def __init__(self, frame: CityFrame, grid: Grid) -> None:
        self.frame, self.grid = frame, grid
        nx, ny = grid.shape
        self.metro_i = int(np.clip(4 * round(nx / 8), 1, nx - 1))
        self.metro_j = int(np.clip(4 * round(0.7 * ny / 4), 1, ny - 1))
        self.express_i = nx - 3 if nx - 3 not in (self.metro_i, 0) else nx - 1
        self.express_j = ny - 3 if ny - 3 not in (self.metro_j, 0) else ny - 1

    def road_class(self, k: int, vertical: bool) -> str:
        if k == (self.express_i if vertical else self.express_j):
            return "expressway"
        return "arterial" if k % 4 == 0 else "secondary" if k % 2 == 0 else "local"

    def name(self, k: int, vertical: bool) -> str:
        if self.road_class(k, vertical) == "expressway":
            return f"{self.frame.name}{'南北' if vertical else '东西'}高架路"
        return f"{'经' if vertical else '纬'}{_cn(k)}路"

    def usable(self, x: float, y: float) -> bool:
        """A place for a stop: inside the frame, on neither the river nor the hills."""
        f = self.frame
        xa, ya = np.array([x]), np.array([y])
        return bool(
            abs(x) < f.half_w
            and abs(y) < f.half_h
            and not f.in_river(xa, ya, 40.0)[0]
            and f.elevation(xa, ya)[0] <= HILL_M
        )


def _roads(lay: _Layout) -> Iterator[tuple[dict[str, str], shapely.Geometry]]:
    f, g = lay.frame, lay.grid
    nx, ny = g.shape
    for i in range(1, nx):
        line = shapely.LineString([(g.xs[i], g.ys[0]), (g.xs[i], g.ys[-1])])
        yield {"name": lay.name(i, True), "road_class": lay.road_class(i, True)}, line
    for j in range(1, ny):
        line = shapely.LineString([(g.xs[0], g.ys[j]), (g.xs[-1], g.ys[j])])
        yield {"name": lay.name(j, False), "road_class": lay.road_class(j, False)}, line
    x = np.linspace(-f.half_w, f.half_w, int(2 * f.half_w // 40) + 1)
    y = f.river_centre(x) + f.river_width / 2 + 20.0
    keep = np.abs(y) < f.half_h
    if keep.sum() >= 2:
        bank = shapely.LineString(np.column_stack([x[keep], y[keep]]))
        yield {"name": f"{f.name}滨江路", "road_class": "secondary"}, bank


def _metro(lay: _Layout) -> list[tuple[str, float, float]]:
    """Stations of two lines under the metro arterials, about every 900 m."""
    g = lay.grid
    nx, ny = g.shape
    step_i = max(1, round(METRO_SPACING_M / (g.xs[1] - g.xs[0])))
    step_j = max(1, round(METRO_SPACING_M / (g.ys[1] - g.ys[0])))
    nodes = [
        (lay.name(j, False), lay.metro_i, j)
        for j in range(1, ny)
        if (j - lay.metro_j) % step_j == 0
    ] + [
        (lay.name(i, True), i, lay.metro_j)
        for i in range(1, nx)
        if (i - lay.metro_i) % step_i == 0 and i != lay.metro_i
    ]
    out = []
    for name, i, j in nodes:
        if lay.usable(g.xs[i], g.ys[j]):
            out.append((f"{name}站", float(g.xs[i]), float(g.ys[j])))
    return out


def _stations(lay: _Layout, metro: list[tuple[str, float, float]]) -> Iterator[tuple]:
    g = lay.grid
    nx, ny = g.shape
    for name, x, y in metro:
        yield {"name": name, "mode": "metro"}, shapely.Point(x, y)
    for j in (ny // 2, ny // 2 + 1, ny // 2 - 1):
        x, y = g.xs[lay.express_i] + 60.0, g.ys[j]
        if lay.usable(x, y):
            yield {"name": f"{lay.frame.name}东站", "mode": "rail"}, shapely.Point(x, y)
            break
    step = max(1, round(BUS_SPACING_M / (g.xs[1] - g.xs[0])))
    for vertical, count, across in ((True, nx, ny), (False, ny, nx)):
        for k in range(1, count):
            if lay.road_class(k, vertical) != "arterial":
                continue
            for c in range(1, across, step):
                if vertical:
                    x, y = g.xs[k] + 8.0, g.ys[c] + 35.0
                else:
                    x, y = g.xs[c] + 35.0, g.ys[k] - 8.0
                if lay.usable(x, y):
                    name = f"{lay.name(k, vertical)}{lay.name(c, not vertical)}口"
                    yield {"name": name, "mode": "bus"}, shapely.Point(x, y)


def _farmland_blocks(grid: Grid, kinds: np.ndarray, campus: set[Block]) -> dict[str, list]:
    """Urban-kind blocks of the east column and the south row: the outskirts' fields."""
    nx, ny = grid.shape
    edges = {"东郊": [(nx - 1, j) for j in range(ny)], "南郊": [(i, 0) for i in range(nx - 1)]}
    return {
        side: [b for b in blocks if kinds[b] == "U" and b not in campus]
        for side, blocks in edges.items()
    }


def _nearest(blocks: list[Block], grid: Grid, metro: np.ndarray) -> list[Block]:
    """Blocks ordered by distance to the nearest metro station (then by index)."""
    return sorted(blocks, key=lambda b: (round(_rect_distance(grid.block(*b), metro)), b))


def plan_reference(
    frame: CityFrame, grid: Grid, campus_blocks: set[Block], *, plant: bool
) -> CityReference:
    """The city's reference features and what they mean for its parcels."""
    lay = _Layout(frame, grid)
    kinds = block_kinds(frame, grid)
    metro = _metro(lay)
    metro_xy = np.array([(x, y) for _, x, y in metro]).reshape(-1, 2)
    red = redline_polygons(frame)
    flood = flood_polygons(frame)
    farm = _farmland_blocks(grid, kinds, campus_blocks)
    farm_geoms = {
        side: shapely.MultiPolygon([shapely.box(*grid.block(*b)) for b in blocks])
        for side, blocks in farm.items()
        if blocks
    }
    frame_box = shapely.box(-frame.half_w, -frame.half_h, frame.half_w, frame.half_h)
    outside_town = shapely.union_all(
        [shapely.buffer(p, CLEARANCE_M) for p in red]
        + [shapely.buffer(g, grid.road / 2, join_style="mitre") for g in farm_geoms.values()]
    )
    urban = _parts(frame_box.difference(outside_town), 5 * MIN_ZONE_M2)
    files: dict[str, list[tuple[dict[str, str], shapely.Geometry]]] = {
        "roads": list(_roads(lay)),
        "transit_stations": list(_stations(lay, metro)),
    }

    def zones(kind: str, named: list[tuple[str, shapely.Geometry]]) -> None:
        files[kind] = [
            ({"name": name, "source": SOURCE}, shapely.segmentize(geom, DENSIFY))
            for name, geom in named
        ]

    zones(
        "basic_farmland",
        [
            (f"{frame.name}{side}{ZONE_NAMES['basic_farmland']}", g)
            for side, g in farm_geoms.items()
        ],
    )
    zones(
        "ecological_redline",
        [
            (f"{frame.name}西部山地{ZONE_NAMES['ecological_redline']}{k + 1}", p)
            for k, p in enumerate(red)
        ],
    )
    zones(
        "flood_zone",
        [(f"{frame.name}{ZONE_NAMES['flood_zone']}{k + 1}", p) for k, p in enumerate(flood)],
    )
    zones("urban_boundary", [(f"{frame.name}{ZONE_NAMES['urban_boundary']}", p) for p in urban])
    farmland = frozenset(b for blocks in farm.values() for b in blocks)
    plan = ParcelPlan(frame, metro_xy, farmland)
    if plant:
        plan.quiet_m = QUIET_M
        plan.plants = _plants(lay, kinds, campus_blocks, farmland, files, metro)
    return CityReference(frame, files, plan)


def _zone_name(files: dict, kind: str, geom: shapely.Geometry) -> str:
    """Name of the `kind` zone overlapping `geom` most."""
    named = files[kind]
    return max(named, key=lambda f: f[1].intersection(geom).area)[0]["name"]


def _plants(
    lay: _Layout,
    kinds: np.ndarray,
    campus: set[Block],
    farmland: frozenset[Block],
    files: dict[str, list[tuple[dict[str, str], shapely.Geometry]]],
    metro: list[tuple[str, float, float]],
) -> dict[Block, Plant]:
    """Two ideal idle parcels by metro stations and one idle parcel in each exclusion zone."""
    frame, grid = lay.frame, lay.grid
    nx, ny = grid.shape
    metro_xy = np.array([(x, y) for _, x, y in metro]).reshape(-1, 2)
    red = shapely.union_all([g for _, g in files["ecological_redline"]])
    flood = shapely.union_all([g for _, g in files["flood_zone"]])
    urban = shapely.union_all([g for _, g in files["urban_boundary"]])
    plants: dict[Block, Plant] = {}
    ideal_codes = ["1201", "0801"]
    for name, x, y in metro:
        i, j = int(np.argmin(np.abs(grid.xs - x))), int(np.argmin(np.abs(grid.ys - y)))
        for b in ((i, j), (i - 1, j), (i, j - 1), (i - 1, j - 1)):
            if not ideal_codes:
                break
            if not (0 <= b[0] < nx and 0 <= b[1] < ny) or kinds[b] != "U":
                continue
            if b in campus or b in farmland:
                continue
            box = shapely.box(*grid.block(*b))
            if (
                box.distance(red) < CLEARANCE_M
                or box.distance(flood) < CLEARANCE_M
                or not urban.contains(box)
                or _slope_deg(frame, grid.block(*b)) > FLAT_DEG
            ):
                continue
            target = shapely.Point(x, y).buffer(200.0)
            plants[b] = Plant("ideal", ideal_codes.pop(0), "idle", target, {"station": name})
            break
    wanted = {
        "basic_farmland": lambda b, _box: b in farmland,
        "ecological_redline": lambda b, box: kinds[b] == "H" and red.contains(box),
        "flood_zone": lambda b, box: (
            kinds[b] == "F" and box.intersection(flood).area > 0.2 * MIN_ZONE_M2
        ),
    }
    for kind, fits in wanted.items():
        blocks = [
            b
            for b in np.ndindex(nx, ny)
            if b not in campus and b not in plants and fits(b, shapely.box(*grid.block(*b)))
        ]
        if blocks:
            b = _nearest(blocks, grid, metro_xy)[0]
            zone = _zone_name(files, kind, shapely.box(*grid.block(*b)))
            target = shapely.union_all([g for _, g in files[kind]])
            plants[b] = Plant(kind, "1201", "idle", target, {"zone": zone})
    return plants


def write_reference(ref: CityReference, out_dir: Path, suffix: str = "") -> dict[str, str]:
    """One GeoJSON file per entry of `LAYER_FILES`, in EPSG:4490; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for stem, _layer, _defaults in LAYER_FILES:
        features = ref.files[stem]
        dense = [
            shapely.segmentize(g, LINE_DENSIFY_M) if g.geom_type == "LineString" else g
            for _, g in features
        ]
        geoms = shapely.to_geojson(ref.frame.georeference(as_array(dense))).tolist()
        lines = [
            f'{{"type": "Feature", "properties": {json.dumps(p, ensure_ascii=False)}, '
            f'"geometry": {g}}}'
            for (p, _), g in zip(features, geoms, strict=True)
        ]
        path = out_dir / f"{stem}{suffix}.geojson"
        path.write_text(
            '{"type": "FeatureCollection", '
            '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}, '
            '"features": [\n' + ",\n".join(lines) + "\n]}\n",
            "utf-8",
        )
        paths[stem] = str(path)
    return paths


def write_all(refs: list[CityReference], out_dir: Path) -> dict[str, dict[str, str]]:
    """Every city's files (no suffix when there is a single city, as for the rasters)."""
    single = len(refs) == 1
    return {
        r.frame.abbr: write_reference(r, out_dir, "" if single else f"_{r.frame.abbr}")
        for r in refs
    }
