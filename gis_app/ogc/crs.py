"""The coordinate reference systems the OGC API serves and accepts (Features Part 2).

Coordinates are written in each CRS's own axis order, as Part 2 requires: EPSG:4490 and
EPSG:4326 are latitude first, EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E) is
northing first; CRS84 is longitude first and is the default. Storage is EPSG:4490 with
longitude first, so those CRSs get their axes swapped in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pyproj import CRS

from gis_app.errors import BadRequest
from gis_app.models.base import SRID

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"
SERVED_EPSG = (4490, 4326, 3857, 4549)
"""Besides CRS84: CGCS2000, WGS 84, Web Mercator, CGCS2000 Gauss-Kruger CM 120°E."""
_FORMS = (
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/0/(\d+)$"),
    re.compile(r"^\[?EPSG:(\d+)\]?$", re.IGNORECASE),
)


@dataclass(frozen=True)
class ServedCrs:
    """One CRS: its URI, the SRID PostGIS transforms to, and whether axes are swapped
    relative to PostGIS's x=east/longitude order."""

    uri: str
    srid: int
    swap_axes: bool


@cache
def _epsg(code: int) -> ServedCrs:
    first_axis = CRS.from_epsg(code).axis_info[0].direction.lower()
    return ServedCrs(_EPSG_URI.format(code=code), code, first_axis in ("north", "south"))


def served() -> list[ServedCrs]:
    """Every CRS a collection offers, CRS84 (the default) first."""
    return [ServedCrs(CRS84, SRID, False), *(_epsg(code) for code in SERVED_EPSG)]


def uris() -> list[str]:
    return [c.uri for c in served()]


def parse(value: str | None, field: str) -> ServedCrs:
    """The CRS named by a `crs`, `bbox-crs` or `filter-crs` parameter (URI, or EPSG:n);
    400 naming `field` for one we do not serve."""
    if value is None or value.strip() in (CRS84, "[OGC:CRS84]", "OGC:CRS84", "CRS84"):
        return served()[0]
    text = value.strip()
    for form in _FORMS:
        match = form.match(text)
        if match and int(match.group(1)) in SERVED_EPSG:
            return _epsg(int(match.group(1)))
    raise BadRequest(
        field=field, reason="reason.ogc.unsupported_crs", crs=text, supported=", ".join(uris())
    )
