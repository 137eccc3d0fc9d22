"""Drawing units: what one drawing unit is in metres, from the user or from `$INSUNITS`.

A drawing that says nothing about its units ($INSUNITS 0) is refused rather than guessed,
and a unit that makes the rooms absurdly large or small (a 12,000,000 m² office is a
drawing in millimetres read as metres) is refused with the unit that would fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ezdxf import units as dxf_units

from gis_app.ingest.report import ImportRefused

UNITS: dict[str, int] = {
    "mm": dxf_units.MM,
    "cm": dxf_units.CM,
    "dm": dxf_units.DM,
    "m": dxf_units.M,
    "km": dxf_units.KM,
    "in": dxf_units.IN,
    "ft": dxf_units.FT,
    "yd": dxf_units.YD,
}
"""Unit names a user may give → their `$INSUNITS` code."""
NAMES = {code: name for name, code in UNITS.items()}
PLAUSIBLE_ROOM_M2 = (0.5, 20_000.0)
"""Median outline area a floor plan can have, m² (a broom cupboard to a station hall)."""
TYPICAL_ROOM_M2 = 25.0
"""The median the likeliest unit comes closest to (an office of a few people)."""


@dataclass(frozen=True, slots=True)
class Units:
    """Metres per drawing unit, the unit's name and where it came from ("units", "file",
    "crs")."""

    metres: float
    name: str
    source: str


def metres_per_unit(code: int) -> float | None:
    """Metres in one unit of `$INSUNITS` code, None for unitless and unknown codes."""
    factors = dxf_units.METER_FACTOR
    per_metre = factors[code] if 0 <= code < len(factors) else None
    return 1.0 / per_metre if per_metre else None


def unit_name(code: int) -> str:
    return NAMES.get(code) or dxf_units.unit_name(code).lower()


def resolve_units(given: str | None, insunits: int) -> Units:
    """The user's unit (which wins) or the drawing's `$INSUNITS`; refused when neither."""
    if given is not None:
        code = UNITS.get(given.strip().lower())
        if code is None:
            raise ImportRefused(
                field="units",
                reason="dxf.reason.unknown_units",
                units=given,
                allowed=", ".join(UNITS),
            )
        return Units(metres_per_unit(code) or 1.0, NAMES[code], "units")
    metres = metres_per_unit(insunits)
    if metres is None:
        raise ImportRefused(
            field="units", reason="dxf.reason.no_units", insunits=insunits, allowed=", ".join(UNITS)
        )
    return Units(metres, unit_name(insunits), "file")


def check_plausible(units: Units, areas_m2: np.ndarray) -> None:
    """Refuse a unit under which the median outline is not room-sized, naming the unit
    that would make it so."""
    if not areas_m2.size:
        return
    median = float(np.median(areas_m2))
    low, high = PLAUSIBLE_ROOM_M2
    if low <= median <= high:
        return
    drawing_units2 = median / units.metres**2
    fits = {
        name: drawing_units2 * (metres_per_unit(code) or 0.0) ** 2 for name, code in UNITS.items()
    }
    plausible = {name: area for name, area in fits.items() if low <= area <= high}
    best = min(plausible, key=lambda n: abs(math.log(plausible[n] / TYPICAL_ROOM_M2)), default="-")
    raise ImportRefused(
        field="units",
        reason="dxf.reason.implausible_units",
        units=units.name,
        median=f"{median:,.0f}" if median >= 1 else f"{median:.2g}",
        suggestion=best,
    )
