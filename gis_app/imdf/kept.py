"""What an export gives back of an imported IMDF archive (`imdf_source` of a row): labels
in the languages they were read in, unit categories, venue, addresses, footprints.

A kept value is used only while the row still says the same thing (a room renamed in the
app is exported with its new name), so an export never contradicts the database.
"""

from __future__ import annotations

import re
from typing import Any

import shapely
from shapely.geometry import shape

from gis_app.imdf.categories import room_kind, unit_category
from gis_app.imdf.read import address_text, label

DEFAULT_LANGUAGE = "zh-Hans"
"""Language of labels we write for rows of our own with Chinese text."""
UNDETERMINED = "und"
"""BCP 47's tag for a text whose language we do not know (a name from OSM, say)."""
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
SAME_SHAPE = 1e-6
"""Largest share of a footprint's area by which a kept one may differ (coordinate rounding)."""


def language_of(text: str, language: str | None = None) -> str:
    """zh-Hans for a text in Chinese characters, else `language` (the archive's) or
    undetermined: never a guess."""
    return DEFAULT_LANGUAGE if HAN.search(text) else language or UNDETERMINED


def labels(stored: Any, text: str | None, language: str | None = None) -> dict[str, str] | None:
    """The LABELS object as read while it still reads `text`; else `text` tagged by its
    script or with `language` (`language_of`)."""
    if isinstance(stored, dict) and stored and label(stored, language) == text:
        return stored
    if not text:
        return None
    return {language_of(text, language): text}


def room_number_labels(properties: dict[str, Any], number: str, name: str | None) -> Any:
    """A unit's `alt_name`: as read while it gives the room's number; none when the number
    was made at import from the name or the id (`U-…`)."""
    stored = properties.get("alt_name")
    if stored is None and (number == name or number.startswith("U-")):
        return None
    return labels(stored, number)


def unit_category_of(properties: dict[str, Any] | None, category: str, subtype: str | None) -> str:
    """The unit category as read (restroom.female, escalator, foodservice …) while it
    still maps to the room's category and subtype; else ours for them."""
    read = (properties or {}).get("category")
    if isinstance(read, str) and room_kind(read) == (category, subtype):
        return read
    return unit_category(category, subtype)


def address_text_of(feature: dict[str, Any] | None) -> str | None:
    """The address line of an address feature as read (None for none)."""
    return address_text(feature.get("properties") or {}) if feature else None


def same_address(stored: dict[str, Any] | None, text: str | None) -> bool:
    """The address feature as read still gives the building's address line."""
    return bool(stored) and address_text(stored.get("properties") or {}) == (text or "")


def footprints(
    source: dict[str, Any] | None, geometry: dict[str, Any], derived: dict[str, Any]
) -> list[dict[str, Any]]:
    """A building's footprints: those read (ground, aerial, subterranean, each as it was)
    while the ground ones still make the building's outline; else `derived` for the
    ground and the others as read."""
    kept = (source or {}).get("footprints") or []
    ground = [f for f in kept if (f.get("properties") or {}).get("category") == "ground"]
    others = [f for f in kept if f not in ground]
    if ground:
        union = shapely.union_all([shape(f["geometry"]) for f in ground])
        outline = shape(geometry)
        if union.symmetric_difference(outline).area <= SAME_SHAPE * outline.area:
            return kept
    return [derived, *others]
