"""The sample world: plans cities, bodies, campuses and buildings up front (small), then
streams table rows on demand in foreign-key order.

`SampleWorld(seed)` is the demo district (one Hangzhou district, 42 bodies, 60
buildings, ~7,600 rooms, ~630 parcels). `SampleWorld(seed, scale=s)` spreads
s × (100k buildings, ~2M rooms, 200k parcels, 30k bodies) over nine Zhejiang cities.
The same seed always yields the same rows; planted cases live in the first city.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import shapely

from sample_geodata import DEFAULT_SEED, naming
from sample_geodata.bodies import Body, assign_staff_ids, make_bodies, staff_rows
from sample_geodata.campuses import (
    BuildingSpec,
    Campus,
    choose_campus_blocks,
    group_bodies,
    plan_buildings,
)
from sample_geodata.geo import CityFrame, as_array, hex_ewkb, make_frames
from sample_geodata.parcels import Grid, block_kinds, make_grid, parcel_rows
from sample_geodata.reference import CityReference, plan_reference
from sample_geodata.rooms import RoomPass, building_and_floor_rows

ABBR = ("HZ", "SX", "JX", "HUZ", "JH", "QZ", "LS", "WZ", "TZ")
FULL = {"buildings": 100_000, "rooms": 2_000_000, "parcels": 200_000, "bodies": 30_000}
"""Scale 1.0: a province's worth of office space."""
STAFF_PER_ROOM = {False: 1.1, True: 0.66}
"""Staff to plan per wanted room, demo vs scale mode: the small buildings of scale mode
carry more corridors, stairs and lobbies per office."""


def _per_body(bodies: list[Body], total: int) -> list[int]:
    """Buildings per body: at least one, the rest by staff size, at most eight."""
    n = len(bodies)
    staff = np.array([b.staff_count for b in bodies], dtype=float)
    extra = max(total - n, 0) * staff / staff.sum()
    counts = np.minimum(1 + np.floor(extra).astype(int), 8)
    short = total - int(counts.sum())
    for k in np.argsort(-(extra - np.floor(extra)), kind="stable")[: max(short, 0)]:
        if counts[k] < 8:
            counts[k] += 1
    return counts.tolist()


class SampleWorld:
    """Plans the sample and yields rows table by table (see `TABLES`)."""

    TABLES = (
        "organisation",
        "staff",
        "campus",
        "building",
        "floor",
        "room",
        "room_occupancy",
        "land_parcel",
    )

    def __init__(self, seed: int = DEFAULT_SEED, scale: float | None = None) -> None:
        self.seed, self.scale = seed, scale
        rng = np.random.default_rng([seed, 1])
        self.manifest: dict[str, Any] = {
            "seed": seed,
            "scale": scale,
            "leaders_over_standard": [],
            "shared_rooms_over_standard": [],
            "vacant_floors": [],
            "vacant_floors_incidental": [],
            "idle_buildings": [],
            "dangerous_buildings": {"C": [], "D": []},
            "idle_parcels": [],
            "area_mismatch_rooms": [],
            "over_authorised_bodies": [],
            "multiple_offices": [],
            "historical_occupancies": 0,
            "ideal_parcels": [],
            "constrained_parcels": {},
        }
        if scale is None:
            cities = [("杭州", "HZ", 120.15, 30.26, ("西湖区", "上城区", "拱墅区"))]
            sizes = [(4000.0, 3600.0)]
            per_city = {"buildings": 60, "rooms": 8000, "parcels": 600, "bodies": 42}
            counties, pitch, road = 1, None, 30.0
        else:
            n = max(1, min(len(naming.CITIES), round(scale * 200)))
            per_city = {k: max(1, round(v * scale / n)) for k, v in FULL.items()}
            cities = [(c[0], ABBR[i], c[1], c[2], c[3]) for i, c in enumerate(naming.CITIES[:n])]
            pitch, road = 300.0, 24.0
            side = math.sqrt(per_city["parcels"] / 1.95) * pitch
            sizes = [(side / 2, side / 2)] * n
            counties = 5
        self.frames = make_frames(rng, cities, sizes)
        self.small = scale is not None
        self.bodies: list[Body] = []
        self.campuses: list[Campus] = []
        self.specs: list[list[BuildingSpec]] = []
        self.grids: list[Grid] = []
        self.campus_blocks: list[dict[tuple[int, int], int]] = []
        ids = {"campus": 1, "building": 1}
        for frame in self.frames:
            if pitch is None:
                area = 4 * frame.half_w * frame.half_h
                grid = make_grid(frame, math.sqrt(area * 2.2 / per_city["parcels"]), road)
            else:
                grid = make_grid(frame, pitch, road)
            self.grids.append(grid)
            self._plan_city(rng, frame, grid, per_city, counties, ids)
        self.references: list[CityReference] = [
            plan_reference(frame, grid, set(blocks), plant=frame.index == 0)
            for frame, grid, blocks in zip(self.frames, self.grids, self.campus_blocks, strict=True)
        ]
        assign_staff_ids(self.bodies, 1)
        self._slice_staff()
        self.body_by_id = {b.id: b for b in self.bodies}
        self.room_pass = RoomPass(seed, self.body_by_id, self.manifest)
        self._plant_after_ids()

    def _plan_city(
        self,
        rng: np.random.Generator,
        frame: CityFrame,
        grid: Grid,
        per_city: dict[str, int],
        counties: int,
        ids: dict[str, int],
    ) -> None:
        core = len(naming.MUNICIPAL_CORE) + len(naming.MUNICIPAL_BUREAUS)
        county = len(naming.COUNTY_CORE) + len(naming.COUNTY_BUREAUS)
        n_counties = min(counties, len(frame.districts))
        towns = max(0, (per_city["bodies"] - core - n_counties * county) // 3)
        raw = make_bodies(
            rng,
            frame.index,
            frame.name,
            frame.districts,
            n_counties,
            towns,
            len(self.bodies) + 1,
            1.0,
        )
        want = per_city["rooms"] * STAFF_PER_ROOM[self.small]
        factor = want / sum(b.staff_count for b in raw)
        rng_b = np.random.default_rng([self.seed, 2, frame.index])
        bodies = make_bodies(
            rng_b,
            frame.index,
            frame.name,
            frame.districts,
            n_counties,
            towns,
            len(self.bodies) + 1,
            factor,
        )
        if frame.index == 0:
            self._plant_bodies(bodies)
        self.bodies.extend(bodies)
        kinds = block_kinds(frame, grid)
        per_body = _per_body(bodies, per_city["buildings"] - (frame.index == 0))
        n_campus = max(1, min(len(bodies), round(per_city["buildings"] / 4)))
        blocks = choose_campus_blocks(rng, frame, grid, kinds, n_campus)
        groups = group_bodies(rng, per_body, n_campus)
        affairs = next(b.id for b in bodies if "机关事务" in b.name)
        campuses, specs = plan_buildings(
            rng,
            frame,
            grid,
            bodies,
            blocks,
            groups,
            per_body,
            ids,
            self.small,
            affairs,
            idle_campus=0 if frame.index == 0 else None,
        )
        self.campuses.extend(campuses)
        self.specs.append(specs)
        self.campus_blocks.append({c.block: c.owner_id for c in campuses})

    def _slice_staff(self) -> None:
        """Shift staff slices to absolute ids now that they are known (specs were planned
        with body-relative offsets)."""
        for specs in self.specs:
            for s in specs:
                if s.body_id is None:
                    continue
                base = self.bodies[s.body_id - 1].staff_start
                s.solo = (s.solo[0] + base, s.solo[1] + base) if s.solo[1] else (0, 0)
                s.grouped = (s.grouped[0] + base, s.grouped[1] + base)

    def _plant_bodies(self, bodies: list[Body]) -> None:
        """A body with more staff than its authorised establishment."""
        b = next(b for b in bodies if b.name.endswith("市统计局"))
        code, n = b.ranks[-1]
        b.ranks[-1] = (code, n + 8)
        b.authorised = b.staff_count - 8
        self.manifest["over_authorised_bodies"].append(
            {
                "organisation_id": b.id,
                "code": b.code,
                "name": b.name,
                "authorised_staff": b.authorised,
                "staff": b.staff_count,
            }
        )

    def _plant_after_ids(self) -> None:
        """Mark the planted buildings of the first city (see README for the list), then
        number the floors (planting adds floors)."""
        specs = self.specs[0]

        def first(suffix: str) -> BuildingSpec:
            body = next(b for b in self.bodies if b.city == 0 and b.name.endswith(suffix))
            return next(s for s in specs if s.body_id == body.id)

        first("市财政局").plant["leader_over"] = 36.0
        gov = first("区人民政府")
        gov.plant["leader_over"] = 40.0
        gov.plant["second_office"] = gov.solo[0] + 1
        first("市教育局").plant["shared_over"] = True
        first("市统计局").plant["vacant_floor"] = 1
        low, top, lmin = (1, 8, 16.0) if self.small else (3, 20, 30.0)
        for s in (x for city in self.specs for x in city):
            if s.body_id is not None:
                self.room_pass.fit_floors(s, low, top, min(lmin, s.L))
        audit = first("市审计局")
        audit.floors_above += 1
        audit.plant["vacant_floor"] = audit.floors_above - 1
        # fully staffed: its office quota (on the establishment) has no unfilled posts, so the
        # empty floor it keeps is all over the quota
        auditor = self.body_by_id[audit.body_id]
        auditor.authorised = auditor.staff_count
        first("市规划和自然资源局").plant["mismatch"] = (1.25, 0.82, 1.3)
        first("市司法局").grade = "C"
        first("区民政局").grade = "D"
        floor_id = 1
        for s in (x for city in self.specs for x in city):
            s.floor_start = floor_id
            floor_id += s.n_floors
            if "vacant_floor" in s.plant:
                o = s.plant["vacant_floor"]
                self.manifest["vacant_floors"].append(
                    {
                        "floor_id": s.floor_start + o + s.floors_below,
                        "building": s.code,
                        "ordinal": o,
                    }
                )
            if s.body_id is None:
                self.manifest["idle_buildings"].append({"building_id": s.id, "code": s.code})
            if s.grade in ("C", "D"):
                self.manifest["dangerous_buildings"][s.grade].append(
                    {"building_id": s.id, "code": s.code}
                )

    def counts_hint(self) -> dict[str, int | None]:
        """Exact counts where known before generating, for progress bars."""
        specs = [s for c in self.specs for s in c]
        return {
            "organisation": len(self.bodies),
            "staff": sum(b.staff_count for b in self.bodies),
            "campus": len(self.campuses),
            "building": len(specs),
            "floor": sum(s.n_floors for s in specs),
            "room": None,
            "room_occupancy": None,
            "land_parcel": None,
        }

    def rows(self, table: str) -> Iterator[tuple]:
        """Rows of `table` in the column order of `COLUMNS[table]`."""
        if table == "organisation":
            for b in self.bodies:
                yield (
                    b.id,
                    b.code,
                    b.name,
                    b.parent_id,
                    b.level,
                    b.kind,
                    b.authorised,
                    b.sub_provincial,
                )
        elif table == "staff":
            yield from staff_rows(self.bodies, self.seed)
        elif table == "campus":
            yield from self._campus_rows()
        elif table in ("building", "floor"):
            for frame, specs in zip(self.frames, self.specs, strict=True):
                yield from building_and_floor_rows(frame, specs, table)
        elif table == "room":
            for frame, specs in zip(self.frames, self.specs, strict=True):
                yield from self.room_pass.rows(frame, specs)
            self.manifest["unseated_staff"] = self.room_pass.unseated
        elif table == "room_occupancy":
            yield from self.room_pass.occupancy_rows()
        elif table == "land_parcel":
            yield from self._parcel_rows()
        else:
            raise KeyError(table)

    def _campus_rows(self) -> Iterator[tuple]:
        for frame in self.frames:
            mine = [c for c in self.campuses if c.city == frame.index]
            polys = as_array(
                [
                    shapely.MultiPolygon([shapely.segmentize(shapely.box(*c.rect), 20.0)])
                    for c in mine
                ]
            )
            for c, g in zip(mine, hex_ewkb(frame.georeference(polys), 4490), strict=True):
                yield (c.id, c.code, c.name, c.address, g)

    def _parcel_rows(self) -> Iterator[tuple]:
        pid = 1
        for frame, grid, owners, ref in zip(
            self.frames, self.grids, self.campus_blocks, self.references, strict=True
        ):
            others = [b.id for b in self.bodies if b.city == frame.index]
            for row in parcel_rows(
                frame, grid, owners, others, self.seed, pid, len(frame.districts), ref.plan
            ):
                if row[7] == "idle":
                    self.manifest["idle_parcels"].append(row[1])
                pid = row[0] + 1
                yield row
        self.manifest.update(self.references[0].plan.manifest())
        self.manifest["metro_quiet_m"] = self.references[0].plan.quiet_m


COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": (
        "id",
        "code",
        "name",
        "parent_id",
        "level",
        "kind",
        "authorised_staff",
        "sub_provincial",
    ),
    "staff": ("id", "organisation_id", "rank_code", "name"),
    "campus": ("id", "code", "name", "address", "geom"),
    "building": (
        "id",
        "code",
        "name",
        "campus_id",
        "address",
        "floors_above",
        "floors_below",
        "height_m",
        "year_built",
        "gross_floor_area_m2",
        "usable_coefficient",
        "title_holder_id",
        "title_certificate_no",
        "safety_grade",
        "safety_appraised_on",
        "safety_standard",
        "geom",
    ),
    "floor": ("id", "building_id", "ordinal", "name", "geom"),
    "room": (
        "id",
        "floor_id",
        "number",
        "name",
        "category",
        "subtype",
        "usable_area_m2",
        "organisation_id",
        "status",
        "local_geom",
        "geom",
    ),
    "room_occupancy": ("id", "room_id", "staff_id", "valid_from", "valid_to"),
    "land_parcel": (
        "id",
        "parcel_code",
        "landuse_scheme",
        "landuse_code",
        "area_m2",
        "ownership",
        "owner_id",
        "status",
        "district",
        "geom",
    ),
}
