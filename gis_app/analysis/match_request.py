"""The idle-space match request (调剂申请), validated before any SQL runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import ConfigDict, Field

from gis_app.models.base import MAX_INT
from gis_app.models.location import Location
from gis_app.models.request import RequestModel


class RoomMix(RequestModel):
    """How many offices and meeting rooms at least."""

    office: int = Field(default=0, ge=0, le=1_000)
    meeting: int = Field(default=0, ge=0, le=100)


class MatchRequest(RequestModel):
    """A body's new need for office space (调剂申请)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": 20,
                    "area_m2": 200,
                    "rooms": {"office": 8, "meeting": 1},
                    "location": None,
                    "max_distance_m": 3000,
                }
            ]
        },
    )

    organisation_id: int = Field(ge=1, le=MAX_INT, description="The body asking")
    area_m2: Decimal = Field(gt=0, le=100_000, description="Usable area needed, m²")
    rooms: RoomMix = RoomMix()
    location: Location | None = Field(
        default=None, description="Where; default: the buildings the body uses now"
    )
    max_distance_m: float = Field(default=5_000, gt=0, le=500_000)
    as_of: date | None = None
    limit: int = Field(default=10, ge=1, le=100)
