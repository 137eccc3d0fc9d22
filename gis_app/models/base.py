"""Declarative base, naming convention and the vocabularies the CHECK constraints use."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, MetaData, text
from sqlalchemy.orm import DeclarativeBase

SRID = 4490
"""CGCS2000 geographic 2D: every georeferenced geometry is stored in it."""
CGCS2000_BOUNDS = (73.62, 16.7, 134.77, 53.56)
"""EPSG:4490 area of use (China onshore and offshore): lon/lat outside it are refused."""
MAX_INT = 2**31 - 1
"""Largest id a PostgreSQL integer column holds; bigger ids are a 422, not a 500."""
MAX_BIGINT = 2**63 - 1
LOCAL_SRID = 0
"""Floor-plan drawing coordinates in metres, not georeferenced. PostGIS stores SRID 0;
GeoAlchemy2 spells the unconstrained column srid=-1."""

JURISDICTION_LEVELS = ("central", "provincial", "municipal", "county", "township")
ORG_KINDS = (
    "party",
    "government",
    "npc",
    "cppcc",
    "court",
    "procuratorate",
    "supervision",
    "mass_org",
    "public_institution",
    "other",
)
ROOM_CATEGORIES = ("office", "service", "equipment", "ancillary")
ROOM_STATUSES = ("in_use", "vacant", "renovation", "leased_out")
SAFETY_GRADES = ("A", "B", "C", "D")
PARCEL_STATUSES = ("in_use", "idle", "reserved")
OWNERSHIPS = ("state", "collective")
LANDUSE_SCHEMES = ("GB/T 21010-2017", "MNR-YDYH-2023", "TD/T 1055-2019")
"""GB/T 21010-2017 土地利用现状分类; the 2023 用地用海分类 (自然资发〔2023〕234号); the 三调
working classification (国土调查工作分类, TD/T 1055-2019): codes mean different things in each."""
LANDUSE_RELATIONS = ("same", "narrower", "broader", "partial")
"""How a class of one scheme relates to a class of another (landuse_crosswalk)."""
ROAD_CLASSES = ("expressway", "arterial", "secondary", "local")
STATION_MODES = ("metro", "rail", "bus")
CONSTRAINT_KINDS = (
    "basic_farmland",
    "ecological_redline",
    "flood_zone",
    "urban_boundary",
    "heritage",
    "geohazard",
)
RASTER_KINDS = ("dem", "slope", "flood_depth", "land_cover", "other")
PRESET_KINDS = ("search", "site_selection")
VALID_FROM = "Date this version took effect (0001-01-01: recorded without a date)"
VALID_FROM_DEFAULT = text(
    "COALESCE((NULLIF(current_setting('gis_app.effective_date'::text, true), ''::text))::date,"
    " '0001-01-01'::date)"
)
"""Rows written by an edit take its effective date; imports record the state as found."""
ROLES = ("admin", "office_manager", "unit_officer", "viewer", "auditor")
"""Account roles; what each may do is `gis_app.accounts.rights`."""

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names are stable so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    """CHECK that `column` holds one of `values` (NULL allowed; NOT NULL says otherwise)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)
