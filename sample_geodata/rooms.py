"""Rows for buildings, floors, rooms and occupancies, drawn building by building.

Rooms are never all in memory: each building is laid out, georeferenced in one vectorised
transform and turned into rows, then dropped. Occupancies are kept as four int32 arrays
(16 bytes each) because they must be copied after every room exists.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import numpy as np
import shapely

from gis_app.models.space import floor_label
from sample_geodata.bodies import LIMITS, Body
from sample_geodata.campuses import BuildingSpec
from sample_geodata.floorplan import COMMON_KINDS, KINDS, Allocator, layout_floor
from sample_geodata.geo import CityFrame, as_array, hex_ewkb

FIRST_DAY = date(2012, 1, 1).toordinal()
LAST_DAY = date(2025, 12, 31).toordinal()


def footprints(frame: CityFrame, specs: list[BuildingSpec]) -> list[shapely.Polygon]:
    """Georeferenced outlines of many buildings with one transform call."""
    local = as_array([shapely.Polygon(s.outline()) for s in specs])
    coords, idx = shapely.get_coordinates(local, return_index=True)
    offsets = np.array([(s.x, s.y) for s in specs])[idx]
    return list(shapely.set_coordinates(local.copy(), frame.to_lonlat(coords + offsets)))


def building_and_floor_rows(
    frame: CityFrame, specs: list[BuildingSpec], table: str, chunk: int = 2000
) -> Iterator[tuple]:
    """Rows of `building` or `floor` for a city's specs (floor outline = footprint)."""
    for start in range(0, len(specs), chunk):
        part = specs[start : start + chunk]
        polys = footprints(frame, part)
        if table == "floor":
            hexes = hex_ewkb(as_array(polys), 4490)
            for s, g in zip(part, hexes, strict=True):
                for k, o in enumerate(s.ordinals()):
                    yield (s.floor_start + k, s.id, o, floor_label(o), g)
            continue
        multi = hex_ewkb(as_array([shapely.MultiPolygon([p]) for p in polys]), 4490)
        for s, g in zip(part, multi, strict=True):
            yield (
                s.id,
                s.code,
                s.name,
                s.campus_id,
                s.address,
                s.floors_above,
                s.floors_below,
                round(4.5 + 3.6 * (s.floors_above - 1), 2),
                s.year,
                round(s.footprint_area * s.n_floors, 2),
                s.coefficient,
                s.title_holder_id,
                s.certificate,
                s.grade,
                s.appraised_on,
                "JGJ 125-2016",
                g,
            )


def _groups(rng: np.random.Generator, n: int, first_pair: bool) -> list[int]:
    """Split n people into rooms of 2–4 (a lone person only when n is 1)."""
    sizes: list[int] = []
    left = n
    while left > 0:
        k = 2 if first_pair and not sizes else int(rng.choice([2, 3, 3, 4, 4]))
        if left <= 4:
            k = left
        elif left - k == 1:
            k -= 1
        sizes.append(k)
        left -= k
    return sizes


class RoomPass:
    """Generates room rows for the buildings given, recording occupancies and planted cases."""

    def __init__(self, seed: int, bodies: dict[int, Body], manifest: dict[str, Any]) -> None:
        self.seed = seed
        self.bodies = bodies
        self.manifest = manifest
        self.next_room = 1
        self.next_occ = 1
        self.occ = {k: array("i") for k in ("id", "room", "staff", "from", "to")}
        self.unseated = 0
        self._seat_rooms: list[tuple[int, int]] = []

    def _queue(
        self, spec: BuildingSpec, rng: np.random.Generator
    ) -> tuple[list[tuple[tuple[int, ...], float]], dict[int, tuple[float, str]]]:
        if spec.body_id is None:
            return [], {}
        body = self.bodies[spec.body_id]
        ranks = body.rank_list()
        base = body.staff_start
        queue = [((sid,), float(LIMITS[ranks[sid - base]])) for sid in range(*spec.solo)]
        planted: dict[int, tuple[float, str]] = {}
        if "leader_over" in spec.plant:
            planted[0] = (spec.plant["leader_over"], "leader_over")
        if "second_office" in spec.plant:
            who = spec.plant["second_office"]
            planted[len(queue)] = (0.8 * LIMITS[ranks[who - base]], "second_office")
            queue.append(((who,), float(LIMITS[ranks[who - base]])))
        sid = spec.grouped[0]
        first_group = len(queue)
        for size in _groups(rng, spec.grouped[1] - spec.grouped[0], "shared_over" in spec.plant):
            people = tuple(range(sid, sid + size))
            queue.append((people, float(sum(LIMITS[ranks[p - base]] for p in people))))
            sid += size
        if "shared_over" in spec.plant and len(queue) > first_group:
            planted[first_group] = (max(30.0, 1.6 * queue[first_group][1]), "shared_over")
        return queue, planted

    def rows(self, frame: CityFrame, specs: Iterable[BuildingSpec]) -> Iterator[tuple]:
        for spec in specs:
            yield from self._building(frame, spec)

    def _layout(self, spec: BuildingSpec) -> tuple[np.random.Generator, dict[int, list], int]:
        """Lay out every floor; returns the building's generator (for what follows),
        the drafts per ordinal and how many people found no office."""
        rng = np.random.default_rng([self.seed, 41, spec.id])
        queue, planted = self._queue(spec, rng)
        alloc = Allocator(
            queue, rng, vacancy=0.0 if spec.body_id is None else 0.04, planted=planted
        )
        vacant_floor = spec.plant.get("vacant_floor")
        per_floor = {}
        open_floors = [o for o in spec.ordinals() if o >= 0 and o != vacant_floor]
        for o in spec.ordinals():
            alloc.start_floor(len([f for f in open_floors if f >= o]), o == vacant_floor)
            per_floor[o] = layout_floor(
                spec.L, spec.D, spec.wing, o, o == spec.floors_above - 1, alloc, rng
            )
        return rng, per_floor, sum(len(p) for p, _ in queue[alloc.pos :])

    def fit_floors(self, spec: BuildingSpec, low: int, top: int, lmin: float) -> None:
        """Add floors until the building seats its people (or reaches `top` floors), drop
        floors it does not need (down to `low`), then shorten it (bisection on its
        length, ≥ `lmin`) while everyone still fits, so bodies do not get half-empty
        buildings or wholly empty floors."""
        while spec.floors_above < top and self._layout(spec)[2] > 0:
            spec.floors_above += 1
        if self._layout(spec)[2] > 0:
            return
        while spec.floors_above > low:
            spec.floors_above -= 1
            if self._layout(spec)[2] > 0:
                spec.floors_above += 1
                break
        lo, hi = lmin, spec.L
        for _ in range(4):
            if hi - lo < 1.0:
                break
            spec.L = round((lo + hi) / 2, 1)
            if self._layout(spec)[2] > 0:
                lo = spec.L
            else:
                hi = spec.L
        spec.L = hi

    def _building(self, frame: CityFrame, spec: BuildingSpec) -> Iterator[tuple]:
        rng, per_floor, unseated = self._layout(spec)
        self.unseated += unseated
        idle = spec.body_id is None
        vacant_floor = spec.plant.get("vacant_floor")
        drafts = [(k, o, d) for k, o in enumerate(spec.ordinals()) for d in per_floor[o]]
        x0, y0, x1, y1 = (
            np.array([getattr(d, a) for _, _, d in drafts]) for a in ("x0", "y0", "x1", "y1")
        )
        local = shapely.box(x0, y0, x1, y1)
        drawn = np.round((x1 - x0) * (y1 - y0), 2)
        noise = np.clip(rng.normal(0.0, 0.004, len(drafts)), -0.01, 0.01)
        recorded = np.round(drawn * (1 + noise), 2)
        local_hex = hex_ewkb(local, 0)
        geo_hex = hex_ewkb(frame.georeference(local, spec.x, spec.y), 4490)
        mismatch = list(spec.plant.get("mismatch", ()))
        seats: list[tuple[int, int]] = []
        vacant_rooms: list[int] = []
        seq: dict[int, int] = {}
        for i, (k, o, d) in enumerate(drafts):
            rid = self.next_room
            self.next_room += 1
            seq[o] = seq.get(o, 0) + 1
            category, name = KINDS[d.kind]
            area = float(recorded[i])
            if mismatch and d.kind in ("meeting", "archive", "reception", "storage"):
                area = round(float(drawn[i]) * mismatch.pop(0), 2)
                self.manifest["area_mismatch_rooms"].append(
                    {
                        "room_id": rid,
                        "building": spec.code,
                        "recorded_m2": area,
                        "drawn_m2": float(drawn[i]),
                    }
                )
            surplus = d.kind == "office" and not d.occupants and o != vacant_floor
            vacant = idle or o == vacant_floor or surplus
            shared = category in ("equipment", "ancillary") or d.kind in COMMON_KINDS
            org = None if idle or shared or surplus else spec.body_id
            number = f"{floor_label(o)[:-1] if o >= 0 else floor_label(o)}{seq[o]:02d}"
            yield (
                rid,
                spec.floor_start + k,
                number,
                name,
                category,
                d.kind,
                area,
                org,
                "vacant" if vacant else "in_use",
                local_hex[i],
                geo_hex[i],
            )
            if d.kind == "office" and not d.occupants:
                vacant_rooms.append(rid)
            for sid in d.occupants:
                start = int(rng.integers(FIRST_DAY, LAST_DAY))
                self._occupy(rid, sid, start, 0)
                seats.append((sid, start))
                self._seat_rooms.append((rid, sid))
            if d.tag:
                self._record(d.tag, spec, rid, d, float(drawn[i]), area)
        self._history(rng, seats, vacant_rooms)
        self._empty_floors(spec, per_floor, vacant_floor)
        if "second_office" in spec.plant:
            who = spec.plant["second_office"]
            rooms = [rid for rid, s in self._seat_rooms if s == who]
            self.manifest["multiple_offices"].append(
                {"staff_id": who, "building": spec.code, "room_ids": rooms}
            )
        self._seat_rooms.clear()

    def _empty_floors(
        self, spec: BuildingSpec, per_floor: dict[int, list], planted: int | None
    ) -> None:
        """Record unplanted floors whose offices all ended up empty (rare: tiny bodies)."""
        if spec.body_id is None:
            return
        for k, o in enumerate(spec.ordinals()):
            offices = [d for d in per_floor[o] if d.kind == "office"]
            if o != planted and offices and not any(d.occupants for d in offices):
                self.manifest["vacant_floors_incidental"].append(
                    {"floor_id": spec.floor_start + k, "building": spec.code, "ordinal": o}
                )

    def _occupy(self, room: int, staff: int, start: int, end: int) -> None:
        for key, v in (
            ("id", self.next_occ),
            ("room", room),
            ("staff", staff),
            ("from", start),
            ("to", end),
        ):
            self.occ[key].append(v)
        self.next_occ += 1

    def _history(
        self, rng: np.random.Generator, seats: list[tuple[int, int]], vacant_rooms: list[int]
    ) -> None:
        """People who moved: an earlier, closed stay in a now-vacant room that ends the
        day their current stay begins."""
        if not seats:
            return
        for rid in vacant_rooms:
            if rng.random() < 0.3:
                sid, start = seats[int(rng.integers(len(seats)))]
                self._occupy(rid, sid, start - int(rng.integers(300, 2500)), start)
                self.manifest["historical_occupancies"] += 1

    def _record(
        self, tag: str, spec: BuildingSpec, rid: int, d: Any, drawn: float, recorded: float
    ) -> None:
        body = self.bodies[spec.body_id] if spec.body_id is not None else None
        ranks = body.rank_list() if body else []
        people = (
            [{"staff_id": s, "rank": ranks[s - body.staff_start]} for s in d.occupants]
            if body
            else []
        )
        entry = {
            "room_id": rid,
            "building": spec.code,
            "drawn_m2": drawn,
            "recorded_m2": recorded,
            "occupants": people,
            "limit_sum_m2": sum(LIMITS[p["rank"]] for p in people),
        }
        if tag == "leader_over":
            self.manifest["leaders_over_standard"].append(entry)
        elif tag == "shared_over":
            self.manifest["shared_rooms_over_standard"].append(entry)

    def occupancy_rows(self) -> Iterator[tuple]:
        """(id, room_id, staff_id, valid_from, valid_to) in id order."""
        o = self.occ
        for i in range(len(o["id"])):
            end = o["to"][i]
            yield (
                o["id"][i],
                o["room"][i],
                o["staff"][i],
                date.fromordinal(o["from"][i]),
                date.fromordinal(end) if end else None,
            )
