"""Government bodies (机关/单位) per city and their staff by rank.

Staff ids are contiguous per body, leaders first, so a building can be handed a slice of
a body's staff without keeping people in memory; names are drawn per body on demand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from sample_geodata import naming

LIMITS: dict[str, int] = {
    "provincial_deputy": 42,
    "provincial_dept_head": 30,
    "provincial_dept_deputy": 24,
    "municipal_head": 42,
    "municipal_deputy": 30,
    "municipal_bureau_head": 24,
    "municipal_bureau_deputy": 18,
    "municipal_staff": 9,
    "county_head": 30,
    "county_deputy": 24,
    "county_section_head": 18,
    "county_section_deputy": 12,
    "county_staff": 9,
    "township_head": 24,
    "township_deputy": 18,
    "township_staff": 9,
}
"""2014 office-room limits (m² usable) of the ranks used here, mirroring the seed rows."""

SUB_PROVINCIAL_CITIES = frozenset({"杭州", "宁波"})
"""副省级城市 among the generated cities: their municipal bodies carry the flag, and their
department heads and deputies the provincial department ranks (30/24 m², note 1 of the
standard's table) instead of the municipal bureau ones (24/18)."""

SUB_PROVINCIAL_RANKS = {
    "municipal_bureau_head": "provincial_dept_head",
    "municipal_bureau_deputy": "provincial_dept_deputy",
}
"""The ranks a sub-provincial city's municipal bodies use instead (rank_equivalence)."""

SOLO_MIN_LIMIT = 18
"""Leaders whose limit is at least this sit alone; others share rooms 2–4 to a room."""


@dataclass(slots=True)
class Body:
    """One organisation row plus what is needed to regenerate its staff."""

    id: int
    code: str
    name: str
    parent_id: int | None
    level: str
    kind: str
    authorised: int
    city: int
    ranks: list[tuple[str, int]] = field(default_factory=list)
    sub_provincial: bool = False
    staff_start: int = 0

    @property
    def staff_count(self) -> int:
        return sum(n for _, n in self.ranks)

    def rank_list(self) -> list[str]:
        """Rank code of each staff member in id order (leaders first)."""
        return [code for code, n in self.ranks for _ in range(n)]


def _rank_mix(
    rng: np.random.Generator, level: str, core: bool, staff: int
) -> list[tuple[str, int]]:
    """Few heads, more deputies, mostly staff, as in real establishment tables."""
    if level == "municipal":
        lead = (
            [
                ("municipal_head", 1),
                ("municipal_deputy", int(rng.integers(3, 7))),
                ("municipal_bureau_head", int(rng.integers(3, 6))),
                ("municipal_bureau_deputy", int(rng.integers(5, 9))),
            ]
            if core
            else [
                ("municipal_bureau_head", 1),
                ("municipal_bureau_deputy", int(rng.integers(2, 5))),
            ]
        )
        rest = "municipal_staff"
    elif level == "county":
        lead = (
            [
                ("county_head", 1),
                ("county_deputy", int(rng.integers(3, 6))),
                ("county_section_head", int(rng.integers(3, 6))),
            ]
            if core
            else [("county_section_head", 1)]
        )
        lead.append(("county_section_deputy", max(1, staff // 12)))
        rest = "county_staff"
    else:
        lead = [("township_head", 1), ("township_deputy", int(rng.integers(2, 4)))]
        rest = "township_staff"
    n_lead = sum(n for _, n in lead)
    return [*lead, (rest, max(1, staff - n_lead))]


def _uscc(admin: str, seq: int) -> str:
    """An 18-character code shaped like a 统一社会信用代码 (not check-summed)."""
    return f"11{admin}{seq:09d}{seq % 10}"


def make_bodies(
    rng: np.random.Generator,
    city: int,
    city_name: str,
    districts: tuple[str, ...],
    n_counties: int,
    n_townships: int,
    first_id: int,
    staff_factor: float,
) -> list[Body]:
    """Municipal bodies, then per county its bodies, then townships under the counties."""
    admin_city = f"33{city + 1:02d}00"
    bodies: list[Body] = []

    def add(
        name: str,
        kind: str,
        level: str,
        parent: int | None,
        core: bool,
        lo: int,
        hi: int,
        admin: str,
    ) -> Body:
        auth = max(4, round(float(rng.integers(lo, hi)) * staff_factor))
        body = Body(
            first_id + len(bodies),
            _uscc(admin, first_id + len(bodies)),
            name,
            parent,
            level,
            kind,
            auth,
            city,
        )
        staff = int(round(auth * rng.uniform(0.82, 0.98)))
        body.ranks = _rank_mix(rng, level, core, staff)
        if level == "municipal" and city_name in SUB_PROVINCIAL_CITIES:
            body.ranks = [(SUB_PROVINCIAL_RANKS.get(r, r), n) for r, n in body.ranks]
            body.sub_provincial = parent is None
        bodies.append(body)
        return body

    gov = None
    for tpl, kind in naming.MUNICIPAL_CORE:
        b = add(tpl.format(c=city_name), kind, "municipal", None, True, 120, 260, admin_city)
        if kind == "government":
            gov = b
    assert gov is not None
    for tpl, kind in naming.MUNICIPAL_BUREAUS:
        add(tpl.format(c=city_name), kind, "municipal", gov.id, False, 60, 220, admin_city)
    county_govs = []
    for k, district in enumerate(districts[:n_counties]):
        admin = f"33{city + 1:02d}{k + 2:02d}"
        d = district[-1]
        core_gov = None
        for tpl, kind in naming.COUNTY_CORE:
            b = add(tpl.format(c=district[:-1], d=d), kind, "county", gov.id, True, 60, 140, admin)
            if kind == "government":
                core_gov = b
        assert core_gov is not None
        for tpl, kind in naming.COUNTY_BUREAUS:
            add(tpl.format(c=district[:-1], d=d), kind, "county", core_gov.id, False, 25, 80, admin)
        county_govs.append((core_gov, admin))
    used: set[str] = set()
    for t in range(n_townships):
        parent, admin = county_govs[t % len(county_govs)]
        town = naming.town_name(rng)
        while town in used:
            town = naming.town_name(rng) if len(used) < 800 else f"{town[:-1]}{t}{town[-1]}"
        used.add(town)
        town = parent.name.replace("人民政府", "") + town
        for tpl, kind in naming.TOWNSHIP_BODIES:
            add(tpl.format(t=town), kind, "township", parent.id, True, 20, 60, admin)
    return bodies


def assign_staff_ids(bodies: list[Body], first_id: int) -> int:
    """Give each body its contiguous id range; returns the next free staff id."""
    nxt = first_id
    for b in bodies:
        b.staff_start = nxt
        nxt += b.staff_count
    return nxt


def staff_rows(bodies: list[Body], seed: int) -> Iterator[tuple[int, int, str, str]]:
    """(id, organisation_id, rank_code, name) for every staff member, body by body."""
    for b in bodies:
        rng = np.random.default_rng([seed, 11, b.id])
        names = naming.person_names(rng, b.staff_count)
        for i, (rank, name) in enumerate(zip(b.rank_list(), names, strict=True)):
            yield (b.staff_start + i, b.id, rank, name)
