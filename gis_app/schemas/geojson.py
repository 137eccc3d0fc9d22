"""GeoJSON feature collections with OGC-style paging fields."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Link(BaseModel):
    """A paging or related link."""

    href: str
    rel: str
    type: str = "application/geo+json"


class Feature(BaseModel):
    """One GeoJSON feature; coordinates are CRS84 (CGCS2000 longitude, latitude)."""

    type: Literal["Feature"] = "Feature"
    id: int | str
    geometry: dict[str, Any] | None
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    """A page of features."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    number_matched: int = Field(serialization_alias="numberMatched")
    number_returned: int = Field(serialization_alias="numberReturned")
    links: list[Link] = []
