"""Closed outlines drawn inside another closed outline of the same layer.

CAD drafters draw a courtyard, a light well or a column block inside a hall on the hall's
own layer. Read as rooms, such a ring becomes an extra room while the hall keeps its full
area, so a floor's rooms add up to more than the floor. By default rings nest even-odd, as
a fill does: a ring inside a room is a hole of that room, a ring inside that hole is a room
again (an island), and so on. With `nested_rooms` every ring stays a room and is cut out of
the room around it (a shop drawn inside a hall): no area is counted twice either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely

LARGER = 1 + 1e-6
"""How much larger a ring must be to hold another (an equal ring is a double outline)."""


@dataclass(slots=True)
class Nesting:
    """`holes`: ring index → index of the room it is a hole of; `cut_out`: room index →
    the rings (holes or nested rooms) taken out of its area."""

    holes: dict[int, int] = field(default_factory=dict)
    cut_out: dict[int, list[int]] = field(default_factory=dict)


def _parents(polygons: np.ndarray, usable: np.ndarray, layers: list[str]) -> dict[int, int]:
    """Each usable ring's smallest larger usable ring on the same layer covering it."""
    index = np.flatnonzero(usable)
    if not index.size:
        return {}
    areas = shapely.area(polygons)
    inner, outer = shapely.STRtree(polygons[index]).query(polygons[index], "covered_by")
    parents: dict[int, int] = {}
    for i, j in zip(index[inner].tolist(), index[outer].tolist(), strict=True):
        if layers[i] != layers[j] or areas[j] <= areas[i] * LARGER:
            continue
        if i not in parents or areas[j] < areas[parents[i]]:
            parents[i] = j
    return parents


def _depth(ring: int, parents: dict[int, int]) -> int:
    depth = 0
    while ring in parents:
        ring, depth = parents[ring], depth + 1
    return depth


def nest(
    polygons: np.ndarray, usable: np.ndarray, layers: list[str], nested_rooms: bool
) -> Nesting:
    """Which rings are holes and what each room loses (see the module's docstring)."""
    parents = _parents(polygons, usable, layers)
    nesting = Nesting()
    for ring, parent in sorted(parents.items()):
        if nested_rooms:
            nesting.cut_out.setdefault(parent, []).append(ring)
        elif _depth(ring, parents) % 2:
            nesting.holes[ring] = parent
            nesting.cut_out.setdefault(parent, []).append(ring)
    return nesting


def cut(polygons: np.ndarray, nesting: Nesting) -> None:
    """Take each room's holes and nested rooms out of it, by their drawn outline."""
    drawn = polygons.copy()
    for room, rings in nesting.cut_out.items():
        polygons[room] = shapely.difference(drawn[room], shapely.union_all(drawn[rings]))
