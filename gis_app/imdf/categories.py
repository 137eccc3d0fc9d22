"""IMDF 1.0.0 vocabularies (OGC 20-094, "Categories") and the mapping between IMDF unit
categories and our room category/subtype.

Our rooms carry the categories of the 2014 office-space standard (办公室/服务用房/设备用房/
附属用房) and a subtype; IMDF units carry one of its unit categories. The mapping goes both
ways for the kinds both know; an IMDF category with no counterpart keeps our category of
its family (a generic "room" is a service room, "nonpublic" equipment) with no subtype.
"""

from __future__ import annotations

UNIT = frozenset(
    [
        "auditorium",
        "brick",
        "classroom",
        "column",
        "concrete",
        "conferenceroom",
        "drywall",
        "elevator",
        "escalator",
        "fieldofplay",
        "firstaid",
        "fitnessroom",
        "foodservice",
        "footbridge",
        "glass",
        "huddleroom",
        "kitchen",
        "laboratory",
        "library",
        "lobby",
        "lounge",
        "mailroom",
        "mothersroom",
        "movietheater",
        "movingwalkway",
        "nonpublic",
        "office",
        "opentobelow",
        "parking",
        "phoneroom",
        "platform",
        "privatelounge",
        "ramp",
        "recreation",
        "restroom",
        "restroom.family",
        "restroom.female",
        "restroom.female.wheelchair",
        "restroom.male",
        "restroom.male.wheelchair",
        "restroom.transgender",
        "restroom.transgender.wheelchair",
        "restroom.unisex",
        "restroom.unisex.wheelchair",
        "restroom.wheelchair",
        "road",
        "room",
        "serverroom",
        "shower",
        "smokingarea",
        "stairs",
        "steps",
        "storage",
        "structure",
        "terrace",
        "theater",
        "unenclosedarea",
        "unspecified",
        "vegetation",
        "waitingroom",
        "walkway",
        "walkway.island",
        "wood",
    ]
)
LEVEL = frozenset(
    [
        "arrivals",
        "arrivals.domestic",
        "arrivals.intl",
        "departures",
        "departures.domestic",
        "departures.intl",
        "parking",
        "transit",
        "unspecified",
    ]
)
VENUE = frozenset(
    [
        "airport",
        "airport.intl",
        "aquarium",
        "businesscampus",
        "casino",
        "communitycenter",
        "conventioncenter",
        "governmentfacility",
        "healthcarefacility",
        "hotel",
        "museum",
        "parkingfacility",
        "resort",
        "retailstore",
        "shoppingcenter",
        "stadium",
        "stripmall",
        "theater",
        "themepark",
        "trainstation",
        "transitstation",
        "university",
    ]
)
BUILDING = frozenset(["parking", "transit", "transit.bus", "transit.train", "unspecified"])
FOOTPRINT = frozenset(["aerial", "ground", "subterranean"])
OPENING = frozenset(
    [
        "automobile",
        "bicycle",
        "emergencyexit",
        "pedestrian",
        "pedestrian.principal",
        "pedestrian.transit",
        "service",
    ]
)
RESTRICTION = frozenset(["employeesonly", "restricted"])

CATEGORIES: dict[str, frozenset[str]] = {
    "unit": UNIT,
    "level": LEVEL,
    "venue": VENUE,
    "building": BUILDING,
    "footprint": FOOTPRINT,
    "opening": OPENING,
}
"""Feature type → its closed category list (the types whose lists we check)."""

NOT_ROOMS = frozenset(
    [
        "brick",
        "column",
        "concrete",
        "drywall",
        "glass",
        "opentobelow",
        "road",
        "structure",
        "vegetation",
        "wood",
    ]
)
"""Unit categories that are no room: walls and columns (by material), voids, roads and
planting. Imported as rooms they add their area to every floor's rooms."""


def is_room(unit_category: object) -> bool:
    """Whether a unit of this category becomes a room (an unknown category does)."""
    return str(unit_category or "").strip().lower() not in NOT_ROOMS


_FROM_IMDF: dict[str, tuple[str, str | None]] = {
    "office": ("office", "office"),
    "privatelounge": ("office", "rest_room"),
    "conferenceroom": ("service", "meeting"),
    "huddleroom": ("service", "meeting"),
    "classroom": ("service", "meeting"),
    "auditorium": ("service", "meeting"),
    "phoneroom": ("service", "meeting"),
    "lobby": ("service", "reception"),
    "waitingroom": ("service", "reception"),
    "mailroom": ("service", "mail"),
    "library": ("service", "archive"),
    "kitchen": ("service", "pantry"),
    "storage": ("service", "storage"),
    "room": ("service", None),
    "serverroom": ("equipment", None),
    "nonpublic": ("equipment", None),
    "elevator": ("equipment", "lift"),
    "stairs": ("ancillary", "stair"),
    "steps": ("ancillary", "stair"),
    "escalator": ("ancillary", "stair"),
    "walkway": ("ancillary", "corridor"),
    "walkway.island": ("ancillary", "corridor"),
    "movingwalkway": ("ancillary", "corridor"),
    "footbridge": ("ancillary", "corridor"),
    "ramp": ("ancillary", "corridor"),
    "parking": ("ancillary", "garage"),
}

_TO_IMDF: dict[tuple[str, str | None], str] = {
    ("office", "office"): "office",
    ("office", "rest_room"): "privatelounge",
    ("office", "private_toilet"): "restroom",
    ("service", "meeting"): "conferenceroom",
    ("service", "reception"): "lobby",
    ("service", "duty"): "room",
    ("service", "mail"): "mailroom",
    ("service", "archive"): "library",
    ("service", "pantry"): "kitchen",
    ("service", "toilet"): "restroom",
    ("service", "storage"): "storage",
    ("equipment", "lift"): "elevator",
    ("ancillary", "stair"): "stairs",
    ("ancillary", "corridor"): "walkway",
    ("ancillary", "garage"): "parking",
}
_FAMILY = {
    "office": "office",
    "service": "room",
    "equipment": "nonpublic",
    "ancillary": "unspecified",
}


def room_kind(unit_category: str | None) -> tuple[str, str | None]:
    """Our (category, subtype) for an IMDF unit category; restrooms of every kind are
    toilets, anything else unknown is ancillary (附属) so office totals stay clean."""
    category = (unit_category or "").strip().lower()
    if category.startswith("restroom"):
        return "service", "toilet"
    return _FROM_IMDF.get(category, ("ancillary", None))


def unit_category(category: str, subtype: str | None) -> str:
    """The IMDF unit category for one of our rooms."""
    return _TO_IMDF.get((category, subtype)) or _FAMILY.get(category, "unspecified")
