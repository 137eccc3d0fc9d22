"""What the land search form offers: first-level land-use classes per scheme, the districts
parcels lie in, and which rasters are registered (slope and flood criteria need theirs)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis_app.models import LandParcel, LandUseClass, RasterLayer


def first_level_classes(session: Session) -> list[tuple[str, str, str, str | None]]:
    """(scheme, code, name_zh, name_en) of every class without a parent, by scheme and code."""
    rows = session.execute(
        select(LandUseClass.scheme, LandUseClass.code, LandUseClass.name_zh, LandUseClass.name_en)
        .where(LandUseClass.parent_code.is_(None))
        .order_by(LandUseClass.scheme, LandUseClass.code)
    )
    return [(scheme, code, zh, en) for scheme, code, zh, en in rows]


def districts(session: Session) -> list[str]:
    """Every district a parcel names, in order."""
    found = session.scalars(
        select(LandParcel.district)
        .distinct()
        .where(LandParcel.district.is_not(None))
        .order_by(LandParcel.district)
    )
    return list(found)


def raster_codes(session: Session) -> set[str]:
    """Codes of the registered rasters."""
    return set(session.scalars(select(RasterLayer.code)))


@dataclass(frozen=True)
class RasterLabel:
    """How a raster is named and what unit its values are in (`degree`, `m`)."""

    name_zh: str
    name_en: str | None
    units: str


def raster_labels(session: Session) -> dict[str, RasterLabel]:
    """Every registered raster's names and units, by code: explanations say '坡度 3.2°',
    not 'dem_slope 3.2'."""
    rows = session.execute(
        select(RasterLayer.code, RasterLayer.name_zh, RasterLayer.name_en, RasterLayer.units)
    )
    return {code: RasterLabel(zh, en, units) for code, zh, en, units in rows}
