"""Floor plans in local metres: double-loaded corridors with rooms on both sides.

A footprint is a main bar along x (length L, depth D) plus an optional wing along y at the
east end (an L-shape). Each bar is cut across its depth into bands (rooms | corridor |
rooms, or rooms | corridor | core strip | corridor | rooms when deep) and rooms are laid
along the bands. Office widths come from the allocator, so a room is sized for the
people who will sit in it; that is what keeps unplanted rooms within the 2014 limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

WALL = 0.1
"""Half a partition wall: each room is drawn this far inside its grid cell."""
CORE = 6.0
"""Length of the stair/toilet core at the ends of a bar."""

KINDS: dict[str, tuple[str, str]] = {
    "office": ("office", "办公室"),
    "meeting": ("service", "会议室"),
    "reception": ("service", "接待大厅"),
    "duty": ("service", "值班室"),
    "mail": ("service", "收发室"),
    "archive": ("service", "档案室"),
    "pantry": ("service", "开水间"),
    "toilet": ("service", "卫生间"),
    "storage": ("service", "储藏室"),
    "transformer": ("equipment", "变配电室"),
    "pump": ("equipment", "水泵房"),
    "hvac": ("equipment", "空调机房"),
    "shaft": ("equipment", "管道井"),
    "lift": ("equipment", "电梯井"),
    "stair": ("ancillary", "楼梯间"),
    "corridor": ("ancillary", "走廊"),
    "garage": ("ancillary", "地下车库"),
}
"""Room kind → (category, Chinese name). Circulation has no own category in the schema;
it is filed as ancillary (附属) so office/service/equipment totals stay clean."""

COMMON_KINDS = frozenset({"toilet", "pantry"})
"""Service rooms that serve the whole building (公共部位): recorded unassigned, as the
analyses treat them (README, "Service rooms")."""


@dataclass(slots=True)
class Draft:
    """A room before ids: its box in local metres, kind and current occupants."""

    x0: float
    y0: float
    x1: float
    y1: float
    kind: str
    occupants: tuple[int, ...] = ()
    tag: str | None = None


@dataclass(slots=True)
class Allocator:
    """Hands out offices in order: solo leaders, then shared groups; `None` when done.

    `planted` maps an index in the queue to a fixed drawn area and a manifest tag.
    """

    queue: list[tuple[tuple[int, ...], float]]
    rng: np.random.Generator
    vacancy: float = 0.04
    planted: dict[int, tuple[float, str]] = field(default_factory=dict)
    pos: int = 0
    paused: bool = False
    quota: int = 1 << 30
    taken: int = 0

    def start_floor(self, floors_left: int, paused: bool) -> None:
        """Spread the remaining people evenly over the floors still to lay out, so no
        unplanted floor ends up wholly empty."""
        self.paused = paused
        self.taken = 0
        left = len(self.queue) - self.pos
        self.quota = -(-left // max(floors_left, 1))

    def peek(self, depth: float) -> tuple[float, tuple[int, ...], str | None]:
        """Width (m), occupants and tag of the next office for rooms `depth` deep."""
        usable = depth - 2 * WALL
        if (
            self.paused
            or self.pos >= len(self.queue)
            or self.taken >= self.quota
            or self.rng.random() < self.vacancy
        ):
            return self._w(self.rng.uniform(14.0, 30.0), usable), (), None
        people, limit = self.queue[self.pos]
        if self.pos in self.planted:
            area, tag = self.planted[self.pos]
            return self._w(area, usable), people, tag
        return self._w(limit * self.rng.uniform(0.78, 0.97), usable), people, None

    def commit(self, occupants: tuple[int, ...]) -> None:
        if occupants:
            self.pos += 1
            self.taken += 1

    @staticmethod
    def _w(area: float, usable_depth: float) -> float:
        return round(area / usable_depth + 2 * WALL, 2)


def bands(depth: float) -> list[tuple[float, float, str]]:
    """Cut a bar's depth into room bands (R), corridors (C) and a core strip (M)."""
    if depth < 17.0:
        a = min(6.6, (depth - 2.1) / 2)
        return [(0.0, a, "R"), (a, depth - a, "C"), (depth - a, depth, "R")]
    a = min(6.6, (depth - 6.6) / 2)
    return [
        (0.0, a, "R"),
        (a, a + 1.8, "C"),
        (a + 1.8, depth - a - 1.8, "M"),
        (depth - a - 1.8, depth - a, "C"),
        (depth - a, depth, "R"),
    ]


def _box(
    along_x: bool,
    ox: float,
    oy: float,
    s0: float,
    s1: float,
    t0: float,
    t1: float,
    kind: str,
    occ: tuple[int, ...] = (),
    tag: str | None = None,
) -> Draft:
    if along_x:
        return Draft(ox + s0 + WALL, oy + t0 + WALL, ox + s1 - WALL, oy + t1 - WALL, kind, occ, tag)
    return Draft(ox + t0 + WALL, oy + s0 + WALL, ox + t1 - WALL, oy + s1 - WALL, kind, occ, tag)


def _fill(
    out: list[Draft],
    seg: tuple[bool, float, float, float, float, float, float],
    lead: list[tuple[str, float]],
    alloc: Allocator,
    offices: bool,
) -> None:
    """Lay rooms along one band segment: the fixed `lead` rooms, then offices (or
    storage when `offices` is False), then a shaft or store in the leftover."""
    along_x, ox, oy, s, s_end, t0, t1 = seg
    depth = t1 - t0
    for kind, width in lead:
        if s + width > s_end:
            break
        out.append(_box(along_x, ox, oy, s, s + width, t0, t1, kind))
        s += width
    while offices:
        width, occ, tag = alloc.peek(depth)
        if s + width > s_end:
            break
        out.append(_box(along_x, ox, oy, s, s + width, t0, t1, "office", occ, tag))
        alloc.commit(occ)
        s += width
    rem = s_end - s
    if rem >= 1.2:
        out.append(_box(along_x, ox, oy, s, s_end, t0, t1, "storage"))
    elif rem >= 0.4:
        out.append(_box(along_x, ox, oy, s, s_end, t0, t1, "shaft"))


def _bar(
    out: list[Draft],
    along_x: bool,
    ox: float,
    oy: float,
    length: float,
    depth: float,
    ordinal: int,
    top: bool,
    alloc: Allocator,
    rng: np.random.Generator,
    cores: tuple[bool, bool],
    main: bool,
) -> None:
    """Lay out one bar of one floor."""
    start = CORE if cores[0] else 0.0
    end = length - CORE if cores[1] else length
    for bi, (t0, t1, kind) in enumerate(bands(depth)):
        seg = (along_x, ox, oy, start, end, t0, t1)
        if kind == "C":
            out.append(_box(along_x, ox, oy, 0.0, length, t0, t1, "corridor"))
            continue
        south = bi == 0
        if cores[0]:
            core = "stair" if south else ("lift" if cores[1] and main else "toilet")
            out.append(_box(along_x, ox, oy, 0.0, CORE, t0, t1, "toilet" if kind == "M" else core))
        if cores[1]:
            core = "stair" if south else "toilet"
            out.append(_box(along_x, ox, oy, length - CORE, length, t0, t1, core))
        if ordinal < 0:
            s = start
            plant = (("transformer", 8.0), ("pump", 6.0), ("hvac", 8.0)) if south and main else ()
            for room, w in plant:
                if s + w <= end:
                    out.append(_box(along_x, ox, oy, s, s + w, t0, t1, room))
                    s += w
            while end - s >= 0.4:
                w = min(30.0, end - s)
                out.append(_box(along_x, ox, oy, s, s + w, t0, t1, "garage"))
                s += w
            continue
        if kind == "M":
            _fill(
                out,
                seg,
                [("archive", 6.0), ("hvac", 4.0), ("toilet", 5.0)] * 8,
                alloc,
                offices=False,
            )
            continue
        lead = []
        if main and ordinal == 0:
            lead = (
                [("reception", float(rng.uniform(12, 18)))]
                if south
                else [("duty", 3.6), ("mail", 3.6)]
            )
        elif main and south and (top or rng.random() < 0.6):
            lead = [("meeting", float(rng.uniform(12, 16) if top else rng.uniform(7, 10)))]
        elif main:
            lead = [("pantry", 2.6)]
        _fill(out, seg, lead, alloc, offices=True)


def layout_floor(
    L: float,
    D: float,
    wing: float,
    ordinal: int,
    top: bool,
    alloc: Allocator,
    rng: np.random.Generator,
) -> list[Draft]:
    """All rooms of one floor; footprint = main bar [0,L]×[0,D] plus wing [L−D,L]×[D,D+wing].
    Basements (ordinal < 0) hold equipment rooms and garage instead of offices."""
    out: list[Draft] = []
    two_cores = L >= 36.0
    _bar(out, True, 0.0, 0.0, L, D, ordinal, top, alloc, rng, (True, two_cores), True)
    if wing > 0:
        _bar(out, False, L - D, D, wing, D, ordinal, top, alloc, rng, (False, True), False)
    return out


def footprint_coords(L: float, D: float, wing: float) -> list[tuple[float, float]]:
    """Outline ring of the footprint (counter-clockwise, closed)."""
    if wing <= 0:
        return [(0, 0), (L, 0), (L, D), (0, D), (0, 0)]
    return [(0, 0), (L, 0), (L, D + wing), (L - D, D + wing), (L - D, D), (0, D), (0, 0)]


def office_slots(L: float, D: float, wing: float) -> float:
    """Rough offices per upper floor: the first guess of how many floors a body needs
    (the planner then lays the building out and adds floors until everyone is seated)."""
    a = bands(D)[0][1]
    width = 24.0 / (a - 2 * WALL) + 2 * WALL
    length = 2 * (L - (2 if L >= 36 else 1) * CORE) - 9.0 + (2 * (wing - CORE) if wing else 0)
    return max(length / width, 1.0)
