"""Land parcels: a street grid cut into blocks, blocks subdivided, land-use codes.

Parcels tile each city frame without overlaps: road strips (1004) between blocks, water
(1101) where the river crosses, forest and tea gardens (0301/0202) on the western hills,
campus blocks as single 0801 parcels, and the rest split into one to four urban parcels.
Codes are drawn in GB/T 21010-2017; the last district of each city records them in the
2023 用地用海分类 (`GB_TO_MNR`), as a district re-surveyed after 2023 would. A `BlockPlan`
(the reference layers') may turn blocks into farmland and plant chosen parcels.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import shapely

from sample_geodata.geo import CityFrame, as_array, hex_ewkb

SCHEME = "GB/T 21010-2017"
SCHEME_2023 = "MNR-YDYH-2023"
URBAN_MIX: tuple[tuple[str, float], ...] = (
    ("0701", 0.36),
    ("0501", 0.08),
    ("0505", 0.06),
    ("0801", 0.05),
    ("0803", 0.07),
    ("0805", 0.03),
    ("0807", 0.02),
    ("0810", 0.07),
    ("0601", 0.09),
    ("0604", 0.03),
    ("0809", 0.02),
    ("1201", 0.04),
    ("0702", 0.04),
    ("0101", 0.04),
)
"""Share of each code among ordinary urban parcels (mostly housing, then industry,
schools, parks); 1201 空闲地 parcels are the idle ones."""
COLLECTIVE = {"0702", "0101", "0103", "0202", "0301"}
GB_TO_MNR = {
    "0101": "01",
    "0103": "01",
    "0202": "02",
    "0301": "03",
    "0501": "090101",
    "0505": "0902",
    "0601": "10",
    "0604": "11",
    "0701": "07",
    "0702": "07",
    "0801": "0801",
    "0803": "0804",
    "0805": "0806",
    "0807": "0803",
    "0809": "13",
    "0810": "1401",
    "1004": "1207",
    "1101": "17",
    "1201": "2301",
}
"""The nearest 2023 用地用海分类 code of each generated GB/T 21010-2017 code (the 2023
classification numbers education, health and culture differently, and 空闲地 is 2301)."""
RESERVABLE = {"0501", "0505", "0601", "0701"}
"""Codes of which about 4 % are held in the land reserve (储备); their own random stream
leaves every other draw as it was."""
DENSIFY = 20.0
"""Max edge length (m) before projecting: long straight edges bend in lon/lat, and shared
edges must bend the same way or neighbouring parcels would overlap by centimetres."""
HANGZHOU_ADMIN = {
    "西湖区": "330106",
    "上城区": "330102",
    "拱墅区": "330105",
    "滨江区": "330108",
    "萧山区": "330109",
    "余杭区": "330110",
}


@dataclass(slots=True)
class Grid:
    """Block edges of a city's street grid (city-frame metres)."""

    xs: np.ndarray
    ys: np.ndarray
    road: float

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.xs) - 1, len(self.ys) - 1

    def block(self, i: int, j: int, inset: float = 0.0) -> tuple[float, float, float, float]:
        """Block (i, j) without its half of the surrounding roads (and `inset` more)."""
        h = self.road / 2 + inset
        return (
            float(self.xs[i] + h),
            float(self.ys[j] + h),
            float(self.xs[i + 1] - h),
            float(self.ys[j + 1] - h),
        )


Rect = tuple[float, float, float, float]


class Planted(Protocol):
    """A planted case; learns the row of the parcel it became."""

    def record(self, row: tuple) -> None: ...


Part = tuple[Rect, str, int | None, str, Planted | None]
"""One parcel of a block: rectangle, GB code, owner, status, planted case or None."""


class BlockPlan(Protocol):
    """Changes a block's parcels before they are written (farmland, planted cases)."""

    def adjust(self, block: tuple[int, int], parts: list[Part]) -> list[Part]: ...


def make_grid(frame: CityFrame, pitch: float, road: float) -> Grid:
    nx = max(2, round(2 * frame.half_w / pitch))
    ny = max(2, round(2 * frame.half_h / pitch))
    return Grid(
        np.linspace(-frame.half_w, frame.half_w, nx + 1),
        np.linspace(-frame.half_h, frame.half_h, ny + 1),
        road,
    )


def block_kinds(frame: CityFrame, grid: Grid) -> np.ndarray:
    """Per block: 'W' river, 'H' hill, 'F' flood-prone bank, 'U' urban."""
    nx, ny = grid.shape
    cx = (grid.xs[:-1] + grid.xs[1:]) / 2
    cy = (grid.ys[:-1] + grid.ys[1:]) / 2
    gx, gy = np.meshgrid(cx, cy, indexing="ij")
    kinds = np.full((nx, ny), "U", dtype="<U1")
    dist = np.abs(gy - frame.river_centre(gx))
    half = (grid.ys[1] - grid.ys[0]) / 2
    kinds[dist < 4 * frame.river_width + half] = "F"
    kinds[frame.elevation(gx, gy) > 45.0] = "H"
    kinds[dist < frame.river_width / 2 + half * 0.6] = "W"
    return kinds


def district_of(x: float, y: float, n: int) -> int:
    """Districts as angular sectors around the centre (the first one to the west)."""
    a = (math.atan2(y, x) + math.pi + math.pi / n) % (2 * math.pi)
    return min(int(a / (2 * math.pi) * n), n - 1)


def admin_code(city: int, district: str, k: int) -> str:
    if city == 0 and district in HANGZHOU_ADMIN:
        return HANGZHOU_ADMIN[district]
    return f"33{city + 1:02d}{k + 2:02d}"


def _split(rng: np.random.Generator, rect: Rect) -> list[Rect]:
    """Cut a block into 1–4 parcels along its long side or into quarters."""
    x0, y0, x1, y1 = rect
    k = int(rng.choice([1, 2, 2, 3, 4]))
    if k == 4:
        mx, my = x0 + (x1 - x0) * rng.uniform(0.4, 0.6), y0 + (y1 - y0) * rng.uniform(0.4, 0.6)
        return [(x0, y0, mx, my), (mx, y0, x1, my), (x0, my, mx, y1), (mx, my, x1, y1)]
    cuts = np.sort(rng.uniform(0.25, 0.75, k - 1)) if k > 1 else np.array([])
    edges = np.concatenate([[0.0], cuts, [1.0]])
    if x1 - x0 >= y1 - y0:
        return [
            (x0 + (x1 - x0) * a, y0, x0 + (x1 - x0) * b, y1)
            for a, b in zip(edges[:-1], edges[1:], strict=True)
        ]
    return [
        (x0, y0 + (y1 - y0) * a, x1, y0 + (y1 - y0) * b)
        for a, b in zip(edges[:-1], edges[1:], strict=True)
    ]


def parcel_rows(
    frame: CityFrame,
    grid: Grid,
    campus_owner: dict[tuple[int, int], int],
    other_owners: list[int],
    seed: int,
    first_id: int,
    n_districts: int,
    plan: BlockPlan | None = None,
) -> Iterator[tuple]:
    """(id, parcel_code, scheme, code, area_m2, ownership, owner_id, status, district, geom)
    rows of one city, row of blocks by row of blocks so memory stays small.

    `plan` adjusts every block except campuses and water after the random draws, so the
    other parcels come out the same with or without it."""
    rng = np.random.default_rng([seed, 31, frame.index])
    reserve = np.random.default_rng([seed, 32, frame.index])
    kinds = block_kinds(frame, grid)
    nx, ny = grid.shape
    codes, weights = zip(*URBAN_MIX, strict=True)
    p = np.array(weights) / sum(weights)
    pid = first_id
    seq = 0

    def emit(rects: list[shapely.Geometry], meta: list[tuple]) -> Iterator[tuple]:
        nonlocal pid, seq
        geoms = shapely.segmentize(as_array(rects), DENSIFY)
        areas = shapely.area(geoms)
        c = shapely.centroid(geoms)
        cx, cy = shapely.get_x(c), shapely.get_y(c)
        geo = [
            shapely.MultiPolygon([g]) if g.geom_type == "Polygon" else g
            for g in frame.georeference(geoms)
        ]
        for g, area, x, y, (code, owner, status, row, col, tag) in zip(
            hex_ewkb(as_array(geo), 4490),
            areas.tolist(),
            cx.tolist(),
            cy.tolist(),
            meta,
            strict=True,
        ):
            k = district_of(x, y, n_districts)
            district = frame.districts[k]
            own = "collective" if code in COLLECTIVE else "state"
            pc = f"{admin_code(frame.index, district, k)}{row:03d}{col:03d}"
            pc += f"{'GB' if own == 'state' else 'JC'}{seq:05d}"
            scheme = SCHEME
            if n_districts > 1 and k == n_districts - 1:
                scheme, code = SCHEME_2023, GB_TO_MNR[code]
            out = (pid, pc, scheme, code, round(area, 2), own, owner, status, district, g)
            if tag is not None:
                tag.record(out)
            yield out
            pid += 1
            seq += 1

    road_rects: list[shapely.Geometry] = []
    road_meta: list[tuple] = []
    h = grid.road / 2
    for i in range(1, nx):
        road_rects.append(shapely.box(grid.xs[i] - h, grid.ys[0], grid.xs[i] + h, grid.ys[-1]))
        road_meta.append(("1004", None, "in_use", 0, i, None))
    for j in range(1, ny):
        segs = [
            shapely.box(
                grid.xs[i] + (h if i else 0),
                grid.ys[j] - h,
                grid.xs[i + 1] - (h if i + 1 < nx else 0),
                grid.ys[j] + h,
            )
            for i in range(nx)
        ]
        road_rects.append(shapely.MultiPolygon(segs))
        road_meta.append(("1004", None, "in_use", j, 0, None))
    yield from emit(road_rects, road_meta)

    for j in range(ny):
        rects: list[shapely.Geometry] = []
        meta: list[tuple] = []
        for i in range(nx):
            rect = grid.block(i, j)
            kind = kinds[i, j]
            parts: list[Part]
            if (i, j) in campus_owner:
                parts = [(rect, "0801", campus_owner[(i, j)], "in_use", None)]
            elif kind == "W":
                parts = [(rect, "1101", None, "in_use", None)]
            elif kind == "H":
                parts = [
                    (r, "0202" if rng.random() < 0.3 else "0301", None, "in_use", None)
                    for r in _split(rng, rect)
                ]
            else:
                parts = []
                for r in _split(rng, rect):
                    code = str(rng.choice(codes, p=p))
                    if kind == "F" and code in ("0801", "0803", "0805"):
                        code = "0810"
                    owner = None
                    status = "in_use"
                    if code == "1201":
                        status = "idle"
                    elif code == "0801":
                        owner = other_owners[int(rng.integers(len(other_owners)))]
                        status = "reserved" if rng.random() < 0.15 else "in_use"
                    elif code == "0601" and rng.random() < 0.05:
                        status = "idle"
                    elif code in RESERVABLE and reserve.random() < 0.04:
                        status = "reserved"
                    parts.append((r, code, owner, status, None))
            if plan is not None and (i, j) not in campus_owner and kind != "W":
                parts = plan.adjust((i, j), parts)
            for r, code, owner, status, tag in parts:
                rects.append(shapely.box(*r))
                meta.append((code, owner, status, j + 1, i + 1, tag))
        yield from emit(rects, meta)
