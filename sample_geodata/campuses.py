"""Campuses and building specifications: where each body sits and how big its houses are.

Only small specs are kept in memory (one per building); rooms are drawn later from them.
Each building belongs to one body and gets a contiguous slice of that body's staff, so
the room pass for one building needs nothing from any other building.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from sample_geodata import naming
from sample_geodata.bodies import LIMITS, SOLO_MIN_LIMIT, Body
from sample_geodata.floorplan import footprint_coords, office_slots
from sample_geodata.geo import CityFrame
from sample_geodata.parcels import Grid, district_of

MAX_PER_CAMPUS = 8


@dataclass(slots=True)
class Campus:
    id: int
    code: str
    name: str
    address: str
    city: int
    block: tuple[int, int]
    rect: tuple[float, float, float, float]
    owner_id: int


@dataclass(slots=True)
class BuildingSpec:
    """Everything needed to regenerate a building, its floors and its rooms."""

    id: int
    code: str
    name: str
    city: int
    campus_id: int
    body_id: int | None
    x: float
    y: float
    L: float
    D: float
    wing: float
    floors_above: int
    floors_below: int
    year: int
    grade: str
    appraised_on: date
    title_holder_id: int
    certificate: str
    address: str
    coefficient: float
    solo: tuple[int, int]
    grouped: tuple[int, int]
    floor_start: int = 0
    plant: dict = field(default_factory=dict)

    @property
    def n_floors(self) -> int:
        return self.floors_above + self.floors_below

    def ordinals(self) -> range:
        return range(-self.floors_below, self.floors_above)

    def outline(self) -> list[tuple[float, float]]:
        return footprint_coords(self.L, self.D, self.wing)

    @property
    def footprint_area(self) -> float:
        return self.L * self.D + self.wing * self.D


def solo_count(body: Body) -> int:
    """Leaders that sit alone are the first ranks of the body's list."""
    return sum(n for code, n in body.ranks if LIMITS[code] >= SOLO_MIN_LIMIT)


def choose_campus_blocks(
    rng: np.random.Generator, frame: CityFrame, grid: Grid, kinds: np.ndarray, n: int
) -> list[tuple[int, int]]:
    """Dry, flat blocks, mostly near the centre where government compounds cluster."""
    nx, ny = grid.shape
    cand = [(i, j) for i in range(nx) for j in range(ny) if kinds[i, j] == "U"]
    cx = [(grid.xs[i] + grid.xs[i + 1]) / 2 for i, _ in cand]
    cy = [(grid.ys[j] + grid.ys[j + 1]) / 2 for _, j in cand]
    score = np.hypot(cx, cy) / max(frame.half_w, frame.half_h) + rng.uniform(0, 0.6, len(cand))
    order = np.argsort(score, kind="stable")
    if len(cand) < n:
        raise ValueError(f"{frame.name}: only {len(cand)} free blocks for {n} campuses")
    return [cand[k] for k in order[:n]]


def group_bodies(rng: np.random.Generator, per_body: list[int], n_campus: int) -> list[list[int]]:
    """Consecutive bodies share a campus until it holds about its share of buildings."""
    total = sum(per_body)
    target = total / n_campus
    groups: list[list[int]] = [[]]
    load = 0
    for k, nb in enumerate(per_body):
        remaining_campuses = n_campus - len(groups)
        if (
            groups[-1]
            and (load + nb > MAX_PER_CAMPUS or load >= target * rng.uniform(0.7, 1.3))
            and remaining_campuses > 0
        ):
            groups.append([])
            load = 0
        groups[-1].append(k)
        load += nb
    while len(groups) < n_campus:
        big = max(range(len(groups)), key=lambda g: len(groups[g]))
        if len(groups[big]) < 2:
            break
        groups.append([groups[big].pop()])
    return groups


def _dims(
    rng: np.random.Generator, slot_w: float, slot_h: float, small: bool
) -> tuple[float, float, float]:
    """Footprint length, depth and L-wing length fitting a slot."""
    D = float(
        rng.choice(
            [15.0, 15.6, 16.2, 16.8, 18.0, 19.2, 21.0, 24.0] if not small else [15.0, 15.6, 16.2]
        )
    )
    D = min(D, slot_h - 14.0)
    lmax = min(slot_w - 14.0, 40.0 if small else 96.0)
    L = round(float(rng.uniform(20.0 if small else 36.0, lmax)), 1)
    room_for_wing = slot_h - 14.0 - D
    wing = 0.0
    if not small and room_for_wing >= 14.0 and rng.random() < 0.3:
        wing = round(float(rng.uniform(12.0, min(30.0, room_for_wing))), 1)
    return round(L, 1), round(D, 1), wing


def plan_buildings(
    rng: np.random.Generator,
    frame: CityFrame,
    grid: Grid,
    bodies: list[Body],
    campus_blocks: list[tuple[int, int]],
    groups: list[list[int]],
    per_body: list[int],
    ids: dict[str, int],
    small: bool,
    affairs_id: int,
    idle_campus: int | None = None,
) -> tuple[list[Campus], list[BuildingSpec]]:
    """Campuses on the chosen blocks and the buildings of each body placed inside them;
    campus number `idle_campus` also gets one empty building (a planted case)."""
    campuses: list[Campus] = []
    specs: list[BuildingSpec] = []
    for c, ((bi, bj), members) in enumerate(zip(campus_blocks, groups, strict=False)):
        x0, y0, x1, y1 = grid.block(bi, bj, inset=4.0)
        cid = ids["campus"]
        ids["campus"] += 1
        first = bodies[members[0]]
        k_d = district_of((x0 + x1) / 2, (y0 + y1) / 2, len(frame.districts))
        district = frame.districts[k_d]
        road = naming.ROADS[int(rng.integers(len(naming.ROADS)))]
        address = f"浙江省{frame.name}市{district}{road}{int(rng.integers(1, 400))}号"
        name = (
            (first.name.split("委员会")[0] + "大院")
            if first.level != "township"
            else first.name + "驻地"
        )
        campuses.append(
            Campus(
                cid,
                f"{frame.abbr}-C{cid:05d}",
                name,
                address,
                frame.index,
                (bi, bj),
                (x0, y0, x1, y1),
                first.id,
            )
        )
        jobs: list[tuple[int | None, int]] = [(m, k) for m in members for k in range(per_body[m])]
        if c == idle_campus:
            jobs.append((None, 0))
        n = len(jobs)
        cols = 2 if (x1 - x0) >= 180 and n > 1 else 1
        rows = math.ceil(n / cols)
        sw, sh = (x1 - x0 - 16) / cols, (y1 - y0 - 16) / rows
        for slot, (m, k) in enumerate(jobs):
            body = None if m is None else bodies[m]
            nb = 1 if m is None else per_body[m]
            L, D, wing = _dims(rng, sw, sh, small)
            sx = x0 + 8 + (slot % cols) * sw + 7 + rng.uniform(0, max(sw - 14 - L, 0))
            sy = y0 + 8 + (slot // cols) * sh + 7 + rng.uniform(0, max(sh - 14 - D - wing, 0))
            specs.append(
                _spec(
                    rng,
                    frame,
                    body,
                    k,
                    nb,
                    L,
                    D,
                    wing,
                    float(sx),
                    float(sy),
                    cid,
                    ids,
                    small,
                    affairs_id,
                    address,
                )
            )
    return campuses, specs


def _spec(
    rng: np.random.Generator,
    frame: CityFrame,
    body: Body | None,
    k: int,
    nb: int,
    L: float,
    D: float,
    wing: float,
    x: float,
    y: float,
    campus_id: int,
    ids: dict[str, int],
    small: bool,
    affairs_id: int,
    address: str,
) -> BuildingSpec:
    bid = ids["building"]
    ids["building"] += 1
    if body is None:
        solo = grouped = (0, 0)
        name = "原综合办公楼（闲置）"
    else:
        n_solo = solo_count(body)
        n_grp = body.staff_count - n_solo
        g0 = body.staff_start + n_solo
        share = [n_grp * i // nb for i in range(nb + 1)]
        solo = (body.staff_start, body.staff_start + n_solo) if k == 0 else (0, 0)
        grouped = (g0 + share[k], g0 + share[k + 1])
        name = f"{body.name}{'办公楼' if nb == 1 else f'{k + 1}号楼'}"
    offices = (solo[1] - solo[0]) + math.ceil((grouped[1] - grouped[0]) / 3)
    L, above = _size(offices * 1.03 + 1, L, D, wing, small)
    below = 0 if rng.random() < (0.9 if small else 0.5) else (1 if rng.random() < 0.8 else 2)
    year = int(rng.integers(1985, 2021))
    return BuildingSpec(
        id=bid,
        code=f"{frame.abbr}-B{bid:06d}",
        name=name,
        city=frame.index,
        campus_id=campus_id,
        body_id=None if body is None else body.id,
        x=x,
        y=y,
        L=L,
        D=D,
        wing=wing,
        floors_above=above,
        floors_below=below,
        year=year,
        grade="A" if rng.random() < 0.7 or year > 2005 else "B",
        appraised_on=date(2018, 1, 1) + timedelta(days=int(rng.integers(0, 2900))),
        title_holder_id=affairs_id if rng.random() < 0.85 or body is None else body.id,
        certificate=f"浙({year + int(rng.integers(1, 6))}){frame.name}市不动产权第"
        f"{int(rng.integers(1, 10**7)):07d}号",
        address=address,
        coefficient=round(float(rng.uniform(0.62, 0.74)), 3),
        solo=solo,
        grouped=grouped,
    )


def _size(offices: float, lmax: float, D: float, wing: float, small: bool) -> tuple[float, int]:
    """Shortest length (≤ lmax) and floor count that seat `offices` offices, so bodies get
    buildings of their size instead of mostly empty ones (the ground floor counts half)."""
    lo, top = (1, 8) if small else (3, 20)
    floors = min(max(round(math.sqrt(offices) / (1.5 if small else 0.7)), lo), top)
    lmin = min(16.0 if small else 27.0, lmax)
    L = lmin
    while lmax > L and office_slots(L, D, wing) * (floors - 0.5) < offices:
        L = min(L + 1.2, lmax)
    need = math.ceil(offices / office_slots(L, D, wing) + 0.5)
    return round(L, 1), min(max(need, lo), top)
