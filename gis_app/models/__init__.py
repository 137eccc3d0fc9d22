"""GeoAlchemy2 tables: the schema Alembic migrates to.

Geographic geometries are CGCS2000 (EPSG:4490); floor-plan drawings keep their local
metric coordinates (SRID 0). Enumerations are text with CHECK constraints so that a
migration can extend them without ALTER TYPE.
"""

from gis_app.models.account import ApiToken, AppUser, UserCredential, UserSession
from gis_app.models.base import Base
from gis_app.models.history import HISTORY_TABLES, Reallocation
from gis_app.models.land import LandParcel, LandUseClass, LandUseCrosswalk
from gis_app.models.log import AuditLog
from gis_app.models.org import Organisation, Staff
from gis_app.models.preset import LandQueryPreset
from gis_app.models.raster import ParcelRasterStat, ParcelStatPending, RasterLayer
from gis_app.models.reference import ConstraintZone, Road, TransitStation
from gis_app.models.space import Building, BuildingBody, Campus, Floor, Room, RoomOccupancy
from gis_app.models.standards import OfficeAreaStandard, Rank, ServiceRoomBand, StandardVersion

__all__ = [
    "ApiToken",
    "AppUser",
    "AuditLog",
    "Base",
    "Building",
    "BuildingBody",
    "Campus",
    "ConstraintZone",
    "Floor",
    "HISTORY_TABLES",
    "LandParcel",
    "LandQueryPreset",
    "LandUseClass",
    "LandUseCrosswalk",
    "OfficeAreaStandard",
    "Organisation",
    "ParcelRasterStat",
    "ParcelStatPending",
    "Rank",
    "RasterLayer",
    "Reallocation",
    "Road",
    "Room",
    "RoomOccupancy",
    "ServiceRoomBand",
    "Staff",
    "StandardVersion",
    "TransitStation",
    "UserCredential",
    "UserSession",
]
