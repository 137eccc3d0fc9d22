"""A drawing in a projected CRS on another datum is placed by that datum's published shift
for the drawing's extent (S-JTSK within a metre; PROJ's ballpark choice put it 117 m off),
and a CRS with no shift but a ballpark one is refused naming `crs` unless declared."""

from __future__ import annotations

import numpy as np
import pytest

from gis_app.dxf.georef import by_crs
from gis_app.ingest.report import ImportRefused
from tests.geodesy.test_transform import (
    AS_PROJ,
    BEIJING_1954_117E,
    PRAGUE,
    TOWGS84,
    metres,
    published,
)


def test_a_drawing_in_s_jtsk_lands_within_a_metre() -> None:
    georef, metres_per_unit = by_crs("EPSG:5514")
    corners = np.array([PRAGUE, (PRAGUE[0] + 60.0, PRAGUE[1] + 40.0)])
    placed = georef.move(corners)
    assert metres_per_unit == 1.0
    assert georef.figures["transformation"]["accuracy_m"] == 1.0
    for name in ("S-JTSK to WGS 84 (1)", "S-JTSK to WGS 84 (5)"):
        shift = published("EPSG:5514", name, 14.42, 50.09)
        for (x, y), (lon, lat) in zip(corners, placed, strict=True):
            assert metres((lon, lat), shift.transform(x, y)) < 1


def test_a_ballpark_only_crs_is_refused_unless_declared() -> None:
    with pytest.raises(ImportRefused) as refused:
        by_crs(BEIJING_1954_117E)
    assert refused.value.context["field"] == "crs"
    assert refused.value.context["reason"] == "reason.crs_ballpark_only"
    georef, _ = by_crs(f"{AS_PROJ[BEIJING_1954_117E]} {TOWGS84}")
    lon, lat = georef.move(np.array([[450_000.0, 4_420_000.0]]))[0]
    assert 116 < lon < 117 and 39 < lat < 40.5
    assert georef.figures["transformation"]["ballpark"] is False
