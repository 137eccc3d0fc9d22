"""The one transformation to CGCS2000, against the datum shifts EPSG publishes.

What PROJ offers on this machine (no grids, no network), and what these tests hold to:
- S-JTSK (EPSG:5514): Helmert transformations to WGS 84 of 1 m ("(1)", "(5)") for Czechia
  and one of 6 m ("(3)") for Czechia and Slovakia together; to CGCS2000 only a ballpark
  offset, 117 m off in Prague.
- Beijing 1954: Helmert transformations of 1 m only in the Ordos ("(1)", "(6)") and Tarim
  ("(4)") basins, of 10-15 m in a few offshore areas; elsewhere (Beijing itself) only a
  ballpark offset.
- Xian 1980: nothing but a ballpark offset anywhere.
Data is placed within 1 m of each published 1 m transformation, never by a ballpark one
unless that is asked for, and a declared +towgs84 is applied as pyproj applies it.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Transformer
from pyproj.transformer import AreaOfInterest, TransformerGroup

from gis_app.errors import InvalidParameter
from gis_app.geodesy.area import ground_area_m2
from gis_app.geodesy.transform import to_storage

GEOD = Geod(ellps="GRS80")
PRAGUE = (-743_000.0, -1_043_000.0)
"""S-JTSK / Krovak East North metres of a point in Prague."""
BEIJING_1954_117E = "EPSG:2436"
XIAN_1980_114E = "EPSG:2383"
AS_PROJ = {
    BEIJING_1954_117E: "+proj=tmerc +lon_0=117 +k=1 +x_0=500000 +ellps=krass +units=m",
    XIAN_1980_114E: "+proj=tmerc +lon_0=114 +k=1 +x_0=500000 +ellps=IAU76 +units=m",
}
"""The same projections as a user writes them out to add a datum shift."""
TOWGS84 = "+towgs84=24.0,-123.0,-94.0,0.02,-0.25,-0.13,1.1"
"""Illustrative seven parameters, as a user declares their own survey's (none of these
datums has an EPSG transformation where the test data lies)."""


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def published(crs: str, name: str, lon: float, lat: float) -> Transformer:
    """The EPSG transformation `name` to WGS 84 for the area around lon, lat, as pyproj
    lists it (what an expert would pick by hand)."""
    group = TransformerGroup(
        crs,
        "EPSG:4326",
        always_xy=True,
        allow_ballpark=False,
        area_of_interest=AreaOfInterest(lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1),
    )
    return next(t for t in group.transformers if f"+ {name} +" in t.description)


def ballpark(crs: str) -> Transformer:
    return Transformer.from_crs(crs, "EPSG:4490", always_xy=True)


def around(x: float, y: float, d: float = 500.0) -> tuple[float, float, float, float]:
    return (x - d, y - d, x + d, y + d)


def test_s_jtsk_in_prague_lands_within_a_metre_of_the_published_shifts() -> None:
    way = to_storage("EPSG:5514", around(*PRAGUE))
    placed = tuple(float(v) for v in way.to_storage(*PRAGUE))
    assert way.accuracy_m == 1.0 and not way.ballpark
    for name in ("S-JTSK to WGS 84 (1)", "S-JTSK to WGS 84 (5)"):
        assert metres(placed, published("EPSG:5514", name, 14.42, 50.09).transform(*PRAGUE)) < 1
    # What PROJ's own choice to CGCS2000 did (the defect): no datum shift, 117 m off.
    assert metres(placed, ballpark("EPSG:5514").transform(*PRAGUE)) == pytest.approx(117, abs=1)


def test_s_jtsk_over_both_countries_takes_the_one_shift_covering_them() -> None:
    # Prague to Košice: only "(3)" (6 m) is published for all of it.
    way = to_storage("EPSG:5514", (-750_000.0, -1_250_000.0, -260_000.0, -1_040_000.0))
    assert "S-JTSK to WGS 84 (3)" in way.operation and way.accuracy_m == 6.0


def test_beijing_1954_in_the_ordos_basin_uses_its_published_shift() -> None:
    x, y = Transformer.from_crs("EPSG:4214", "EPSG:2433", always_xy=True).transform(108.5, 37.0)
    way = to_storage("EPSG:2433", around(x, y))
    placed = tuple(float(v) for v in way.to_storage(x, y))
    assert way.accuracy_m == 1.0 and way.summary()["via"] == "WGS 84"
    for name in ("Beijing 1954 to WGS 84 (1)", "Beijing 1954 to WGS 84 (6)"):
        assert metres(placed, published("EPSG:2433", name, 108.5, 37.0).transform(x, y)) < 1
    assert metres(placed, ballpark("EPSG:2433").transform(x, y)) > 40


@pytest.mark.parametrize(
    ("crs", "lon", "lat"),
    [(BEIJING_1954_117E, 116.4, 39.9), (XIAN_1980_114E, 114.3, 30.6)],
    ids=["beijing1954-beijing", "xian1980-wuhan"],
)
def test_a_ballpark_only_crs_is_refused_then_declared_or_accepted(
    crs: str, lon: float, lat: float
) -> None:
    x, y = Transformer.from_crs(CRS(crs).geodetic_crs, crs, always_xy=True).transform(lon, lat)
    with pytest.raises(InvalidParameter) as refused:
        to_storage(crs, around(x, y), field="source_crs")
    message = refused.value.message("en")
    assert refused.value.context["field"] == "source_crs"
    assert CRS(crs).name in message and "CGCS2000 (EPSG:4490)" in message
    assert "+towgs84" in message and "allow_ballpark" in message
    assert CRS(crs).name in refused.value.message("zh-CN")

    # Declared: the same projection with the survey's seven parameters.
    declared = f"{AS_PROJ[crs]} {TOWGS84}"
    way = to_storage(declared, around(x, y))
    placed = tuple(float(v) for v in way.to_storage(x, y))
    expected = Transformer.from_crs(declared, "EPSG:4326", always_xy=True).transform(x, y)
    assert metres(placed, expected) < 1 and not way.ballpark
    assert metres(placed, ballpark(crs).transform(x, y)) > 10

    # Accepted knowingly: PROJ's ballpark offset, and said so.
    loose = to_storage(crs, around(x, y), allow_ballpark=True)
    assert loose.ballpark and loose.summary()["ballpark"] is True
    assert metres(tuple(loose.to_storage(x, y)), ballpark(crs).transform(x, y)) < 1e-6


def test_conversions_are_exact_and_defined_everywhere() -> None:
    # CGCS2000 Gauss-Krüger well outside its 3° zone, and CGCS2000 lon/lat in the South
    # China Sea (beyond EPSG:4490's published area): a projection undone, no datum shift.
    way = to_storage("EPSG:4549", (100_000.0, 3_350_000.0, 101_000.0, 3_351_000.0))
    assert way.accuracy_m == 0.0 and way.summary()["via"] == "CGCS2000"
    expected = Transformer.from_crs("EPSG:4549", "EPSG:4490", always_xy=True)
    lon, lat = way.to_storage(100_500.0, 3_350_500.0)
    assert metres((lon, lat), expected.transform(100_500.0, 3_350_500.0)) < 1e-6
    assert to_storage("EPSG:4490", (112.0, 9.5, 112.1, 9.6)).identity
    assert to_storage("EPSG:3857").summary()["via"] == "WGS 84"


def test_absurd_extents_fall_back_on_the_crs_area() -> None:
    huge = (-1e308, -1e308, 1e308, 1e308)
    assert to_storage("EPSG:4326", huge).summary()["via"] == "WGS 84"
    assert to_storage("EPSG:4326", (float("nan"), 0.0, 1.0, 1.0)).accuracy_m == 0.0


def test_there_and_back_again() -> None:
    way = to_storage("EPSG:5514", around(*PRAGUE))
    lon, lat = way.to_storage(*PRAGUE)
    x, y = way.from_storage(lon, lat)
    # The Helmert shift run backwards returns to within millimetres.
    assert abs(x - PRAGUE[0]) < 0.01 and abs(y - PRAGUE[1]) < 0.01
    box = shapely.box(*around(*PRAGUE, 50.0))
    back = way.geoms_from_storage(way.geoms_to_storage(np.array([box])))[0]
    assert shapely.hausdorff_distance(back, box) < 0.01


def test_the_pipeline_for_gdal_goes_the_same_way() -> None:
    to_mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    way = to_storage("EPSG:5514", around(*PRAGUE))
    pipeline = Transformer.from_pipeline(way.pipeline_to("EPSG:3857"))
    expected = to_mercator.transform(*way.to_storage(*PRAGUE))
    assert np.allclose(pipeline.transform(*PRAGUE), expected, atol=1e-6)
    # EPSG:4549 lists northing first: GDAL hands the pipeline (northing, easting).
    way = to_storage("EPSG:4549")
    pipeline = Transformer.from_pipeline(way.pipeline_to("EPSG:3857"))
    expected = to_mercator.transform(*way.to_storage(500_000.0, 3_350_000.0))
    assert np.allclose(pipeline.transform(3_350_000.0, 500_000.0), expected, atol=1e-6)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('LOCAL_CS["site grid",UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]', "crs_unusable"),
        ("EPSG:999999", "crs_unknown"),
        ("+proj=tmerc +lon_0=120.3 +x_0=50000 +ellps=GRS80", "crs_ballpark_only"),
        ("+proj=merc +k=1e-300 +datum=WGS84", "crs_unusable"),  # read, but PROJ cannot run it
    ],
)
def test_unusable_crs_are_refused_naming_the_field(text: str, reason: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        to_storage(text, field="crs")
    assert refused.value.context["field"] == "crs"
    assert refused.value.context["reason"] == f"reason.{reason}"


def test_ground_areas_agree_with_geodesics() -> None:
    # A 100 m and a 10 km square near Hangzhou and one 900 km away, measured together.
    shapes = [
        shapely.box(120.15, 30.25, 120.151, 30.251),
        shapely.box(120.0, 30.0, 120.1, 30.1),
        shapely.box(114.3, 30.6, 114.301, 30.601),
    ]
    areas = ground_area_m2(np.array([*shapes, None], dtype=object))
    for shape, area in zip(shapes, areas, strict=False):
        dense = shapely.segmentize(shape, 1e-5)
        assert area == pytest.approx(abs(GEOD.geometry_area_perimeter(dense)[0]), rel=1e-6)
    assert np.isnan(areas[-1])
