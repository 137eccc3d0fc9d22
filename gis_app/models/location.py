"""A point a request names (a body's place, a distance target), checked against CGCS2000's
area of use before any SQL runs."""

from __future__ import annotations

from pydantic import Field

from gis_app.models.base import CGCS2000_BOUNDS
from gis_app.models.request import RequestModel


class Location(RequestModel):
    """A point in CGCS2000 longitude/latitude."""

    lon: float = Field(ge=CGCS2000_BOUNDS[0], le=CGCS2000_BOUNDS[2], examples=[120.15])
    lat: float = Field(ge=CGCS2000_BOUNDS[1], le=CGCS2000_BOUNDS[3], examples=[30.26])
