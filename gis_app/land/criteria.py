"""Land search and site-selection requests: criteria as data, validated before any SQL runs."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator
from shapely.geometry import shape
from shapely.validation import explain_validity

from gis_app.models.base import (
    CGCS2000_BOUNDS,
    CONSTRAINT_KINDS,
    LANDUSE_RELATIONS,
    LANDUSE_SCHEMES,
    PARCEL_STATUSES,
    ROAD_CLASSES,
    STATION_MODES,
)
from gis_app.models.location import Location
from gis_app.models.request import RequestModel

Target = Literal["point", "road", "station", "office"]
Stat = Literal["min", "mean", "max", "majority"]
OutputFormat = Literal["json", "geojson", "csv", "gpkg", "html"]
_CRS_NAMES = {
    "EPSG:4490",
    "urn:ogc:def:crs:EPSG::4490",
    "http://www.opengis.net/def/crs/EPSG/0/4490",
    "OGC:CRS84",
    "urn:ogc:def:crs:OGC:1.3:CRS84",
    "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
}


class Landuse(RequestModel):
    """Land-use classes of one classification; a code takes every class below it. Parcels
    coded in the other schemes match through the crosswalk, each result saying how
    (`landuse_match`)."""

    scheme: Literal[LANDUSE_SCHEMES] = Field(examples=["GB/T 21010-2017"])  # type: ignore[valid-type]
    codes: list[str] = Field(min_length=1, max_length=200, examples=[["0801", "1201"]])
    crosswalk: list[Literal[LANDUSE_RELATIONS]] = Field(  # type: ignore[valid-type]
        default=["same", "narrower", "broader"],
        max_length=4,
        description=(
            "Crosswalk relations by which a parcel coded in another scheme matches: same, "
            "narrower (its class lies within the asked one), broader (its class contains the "
            "asked one: it may be of it), partial (they overlap); [] = the asked scheme only"
        ),
    )


class Range(RequestModel):
    """A closed interval; either end may be left open."""

    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


def _check_positions(value: Any, depth: int, where: str) -> None:
    """`value` is lists `depth` deep ending in positions of two or three finite numbers,
    checked before shapely sees it (which fails on `[{}]` with a KeyError)."""
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list")
    if depth == 0:
        numbers = [v for v in value if isinstance(v, int | float) and not isinstance(v, bool)]
        if not 2 <= len(value) <= 3 or len(numbers) != len(value):
            raise ValueError(f"{where} must be a position [lon, lat]")
        if not all(math.isfinite(v) for v in numbers):
            raise ValueError(f"{where} must be finite numbers")
        return
    for i, item in enumerate(value):
        _check_positions(item, depth - 1, f"{where}[{i}]")


class Area(RequestModel):
    """A drawn or given polygon in CGCS2000 lon/lat (GeoJSON geometry, with optional crs)."""

    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]
    crs: str | None = Field(default=None, description="EPSG:4490 or CRS84; nothing else")

    @model_validator(mode="after")
    def _usable(self) -> Area:
        if self.crs is not None and self.crs not in _CRS_NAMES:
            raise ValueError("crs must be EPSG:4490 (CGCS2000) or CRS84 longitude/latitude")
        _check_positions(self.coordinates, 2 if self.type == "Polygon" else 3, "coordinates")
        try:
            geom = shape({"type": self.type, "coordinates": self.coordinates})
        except (ValueError, TypeError, IndexError, AttributeError) as exc:
            raise ValueError(f"not a {self.type}: {exc}") from None
        if geom.is_empty:
            raise ValueError("polygon is empty")
        if not geom.is_valid:
            raise ValueError(f"polygon is invalid: {explain_validity(geom)}")
        west, south, east, north = geom.bounds
        lon_min, lat_min, lon_max, lat_max = CGCS2000_BOUNDS
        if west < lon_min or east > lon_max or south < lat_min or north > lat_max:
            raise ValueError("polygon lies outside CGCS2000 longitude/latitude bounds")
        return self

    def wkt(self) -> str:
        """The polygon as WKT, for binding into SQL."""
        return shape({"type": self.type, "coordinates": self.coordinates}).wkt


class Distance(RequestModel):
    """Distance in metres (on the ellipsoid) from a parcel to the nearest target."""

    to: Target = Field(description="point | road | station | office (government buildings)")
    point: Location | None = Field(default=None, description="Required when to = point")
    road_classes: list[Literal[ROAD_CLASSES]] | None = None  # type: ignore[valid-type]
    station_modes: list[Literal[STATION_MODES]] | None = None  # type: ignore[valid-type]
    within_m: float | None = Field(default=None, gt=0, le=200_000)
    beyond_m: float | None = Field(default=None, ge=0, le=200_000)

    @model_validator(mode="after")
    def _complete(self) -> Distance:
        if (self.to == "point") != (self.point is not None):
            raise ValueError("point is required exactly when to is 'point'")
        if self.road_classes is not None and self.to != "road":
            raise ValueError("road_classes only apply to roads")
        if self.station_modes is not None and self.to != "station":
            raise ValueError("station_modes only apply to stations")
        within, beyond = self.within_m, self.beyond_m
        if within is not None and beyond is not None and beyond >= within:
            raise ValueError("beyond_m must be less than within_m")
        return self


class Constraint(RequestModel):
    """Constraint zones a parcel must avoid, or must lie in (interiors overlapping)."""

    kinds: list[Literal[CONSTRAINT_KINDS]] = Field(min_length=1)  # type: ignore[valid-type]
    mode: Literal["avoid", "intersect"] = "avoid"


class RasterThreshold(RequestModel):
    """A registered raster's statistic over the parcel, within a range (e.g. mean slope ≤ 8)."""

    raster: str = Field(max_length=40, examples=["dem_slope"])
    stat: Stat = "mean"
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounded(self) -> RasterThreshold:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


class LandCriteria(RequestModel):
    """Every filter of a land search; all given ones must hold."""

    landuse: Landuse | None = None
    area_m2: Range | None = Field(default=None, description="Measured parcel area, m²")
    status: list[Literal[PARCEL_STATUSES]] | None = None  # type: ignore[valid-type]
    district: str | None = Field(default=None, max_length=100)
    within: Area | None = None
    distances: list[Distance] = Field(default=[], max_length=10)
    constraints: list[Constraint] = Field(default=[], max_length=10)
    rasters: list[RasterThreshold] = Field(default=[], max_length=10)


class LandSearch(LandCriteria):
    """POST /api/v1/land/search."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "landuse": {"scheme": "GB/T 21010-2017", "codes": ["0801", "1201"]},
                    "area_m2": {"min": 5000},
                    "status": ["idle", "reserved"],
                    "distances": [{"to": "station", "station_modes": ["metro"], "within_m": 1000}],
                    "constraints": [
                        {"kinds": ["basic_farmland", "ecological_redline"], "mode": "avoid"}
                    ],
                    "rasters": [{"raster": "dem_slope", "stat": "mean", "max": 8}],
                }
            ]
        },
    )
    limit: int = Field(default=100, ge=1, le=10_000)
    offset: int = Field(default=0, ge=0, le=10_000_000)


Measure = Literal["area", "distance", "raster", "landuse"]
Shape = Literal["linear_up", "linear_down", "ideal", "classes"]


class Normalise(RequestModel):
    """How a raw value becomes a 0–1 score.

    linear_up: 0 at `low`, 1 at `high` (more is better); linear_down: the reverse; ideal: 1 at
    `ideal`, falling linearly to 0 at `tolerance` away; classes: a score per land-use code
    (a code applies to the classes below it, the deepest given wins; others score `default`)."""

    shape: Shape
    low: float | None = None
    high: float | None = None
    ideal: float | None = None
    tolerance: float | None = Field(default=None, gt=0)
    classes: dict[str, float] | None = None
    default: float = Field(default=0, ge=0, le=1)

    @model_validator(mode="after")
    def _parameters(self) -> Normalise:
        if self.shape in ("linear_up", "linear_down"):
            if self.low is None or self.high is None or self.low >= self.high:
                raise ValueError("linear shapes need low < high")
        elif self.shape == "ideal":
            if self.ideal is None or self.tolerance is None:
                raise ValueError("the ideal shape needs ideal and tolerance")
        elif not self.classes or any(not 0 <= v <= 1 for v in self.classes.values()):
            raise ValueError("the classes shape needs classes with scores between 0 and 1")
        return self


class Scored(RequestModel):
    """One scored criterion: what is measured and how it is normalised."""

    name: str = Field(max_length=60, description="Shown in the explanation")
    measure: Measure
    distance: Distance | None = None
    raster: str | None = Field(default=None, max_length=40)
    stat: Stat = "mean"
    scheme: Literal[LANDUSE_SCHEMES] | None = Field(  # type: ignore[valid-type]
        default=None, description="Classification of the codes in normalise.classes"
    )
    normalise: Normalise

    @model_validator(mode="after")
    def _measure_given(self) -> Scored:
        if (self.measure == "distance") != (self.distance is not None):
            raise ValueError("distance is required exactly when measure is 'distance'")
        if (self.measure == "raster") != (self.raster is not None):
            raise ValueError("raster is required exactly when measure is 'raster'")
        if (self.measure == "landuse") != (self.normalise.shape == "classes"):
            raise ValueError("land use is scored by classes, and only land use is")
        if (self.measure == "landuse") != (self.scheme is not None):
            raise ValueError("scheme is required exactly when measure is 'landuse'")
        return self


class Weights(RequestModel):
    """Weights given directly, or derived by AHP from a pairwise comparison matrix."""

    values: list[float] | None = Field(default=None, description="One per scored criterion")
    ahp: list[list[float]] | None = Field(
        default=None, description="Saaty matrix: a[i][j] = importance of i over j"
    )

    @model_validator(mode="after")
    def _one_way(self) -> Weights:
        if (self.values is None) == (self.ahp is None):
            raise ValueError("give either values or ahp")
        return self


class SiteSelection(RequestModel):
    """POST /api/v1/land/site-selection: hard constraints, then weighted scores."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "exclude": {
                        "status": ["idle", "reserved"],
                        "area_m2": {"min": 3000},
                        "constraints": [
                            {"kinds": ["basic_farmland", "ecological_redline"], "mode": "avoid"}
                        ],
                    },
                    "scores": [
                        {
                            "name": "近地铁",
                            "measure": "distance",
                            "distance": {"to": "station", "station_modes": ["metro"]},
                            "normalise": {"shape": "linear_down", "low": 0, "high": 2000},
                        },
                        {
                            "name": "坡度平缓",
                            "measure": "raster",
                            "raster": "dem_slope",
                            "normalise": {"shape": "linear_down", "low": 0, "high": 15},
                        },
                        {
                            "name": "面积适中",
                            "measure": "area",
                            "normalise": {"shape": "ideal", "ideal": 20000, "tolerance": 15000},
                        },
                    ],
                    "weights": {"ahp": [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]},
                    "limit": 20,
                }
            ]
        },
    )
    exclude: LandCriteria = LandCriteria()
    scores: list[Scored] = Field(min_length=1, max_length=12)
    weights: Weights
    limit: int = Field(default=50, ge=1, le=10_000)
    offset: int = Field(default=0, ge=0, le=10_000_000)
    excluded_limit: int = Field(
        default=50,
        ge=0,
        le=10_000,
        description=(
            "Excluded parcels shown, nearest misses first: fewest failed criteria, then score"
        ),
    )

    @model_validator(mode="after")
    def _weights_fit(self) -> SiteSelection:
        n = len(self.scores)
        if self.weights.values is not None and len(self.weights.values) != n:
            raise ValueError(f"weights.values needs {n} numbers, one per score")
        if self.weights.ahp is not None and len(self.weights.ahp) != n:
            raise ValueError(f"weights.ahp needs {n} rows, one per score")
        return self
