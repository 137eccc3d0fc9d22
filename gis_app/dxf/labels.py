"""Which texts name which outline, and whether a text is a room number or a name.

A text belongs to the smallest outline containing its centre (a room drawn inside a hall
takes its own label, not the hall's). A text matching the number pattern (default: up to
two letters, an optional dash, 2–5 digits and an optional letter: 301, B12, A-1203, 1203A)
is the room's number; other texts are its name, joined in reading order (top to bottom,
left to right) when there are several.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import shapely

from gis_app.dxf.read import Label

NUMBER_PATTERN = r"^[A-Z]{0,2}-?\d{2,5}[A-Z]?$"
"""Default room-number pattern, matched ignoring case."""


@dataclass(slots=True)
class Naming:
    """Per outline: its number texts and name texts; the labels inside no outline."""

    numbers: list[list[str]]
    names: list[list[str]]
    outside: list[Label] = field(default_factory=list)


def assign_labels(labels: list[Label], outlines: np.ndarray, number_pattern: str) -> Naming:
    """Each label to the smallest of `outlines` (shapely polygons, invalid ones made valid
    for the test) containing it."""
    pattern = re.compile(number_pattern, re.IGNORECASE)
    naming = Naming([[] for _ in outlines], [[] for _ in outlines])
    if not labels:
        return naming
    shapes = np.where(shapely.is_valid(outlines), outlines, shapely.make_valid(outlines))
    ordered = sorted(labels, key=lambda label: (-label.y, label.x))
    points = shapely.points([(label.x, label.y) for label in ordered])
    tree = shapely.STRtree(shapes)
    label_index, outline_index = tree.query(points, predicate="within")
    areas = shapely.area(shapes)
    owner = np.full(len(ordered), -1)
    for i, j in zip(label_index.tolist(), outline_index.tolist(), strict=True):
        if owner[i] < 0 or areas[j] < areas[owner[i]]:
            owner[i] = j
    for label, j in zip(ordered, owner.tolist(), strict=True):
        if j < 0:
            naming.outside.append(label)
        elif pattern.fullmatch(label.text):
            naming.numbers[j].append(label.text)
        else:
            naming.names[j].append(label.text)
    return naming
