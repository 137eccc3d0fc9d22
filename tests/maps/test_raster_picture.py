"""A raster on another datum is pictured where its data lies: the picture's lon/lat box and
its pixels both follow the datum shift its statistics use: EPSG's published Helmert for
S-JTSK, the registered declaration (+towgs84, which the GeoTIFF cannot hold) for Beijing
1954, never PROJ's ballpark guess tens to hundreds of metres away."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from affine import Affine
from pyproj import Transformer
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from gis_app.maps.raster_picture import overlay_bounds, render_png
from tests.geodesy.test_transform import PRAGUE, metres, published
from tests.raster.test_registration import BEIJING_1954_120E, DECLARED
from tests.raster.tiff import write_tif

TO_MERCATOR = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
S_JTSK = published("EPSG:5514", "S-JTSK to WGS 84 (1)", 14.42, 50.09)
BEIJING = Transformer.from_crs(DECLARED, "EPSG:4326", always_xy=True)


@pytest.mark.parametrize(
    ("file_crs", "registered", "corner", "truth"),
    [
        ("EPSG:5514", None, PRAGUE, S_JTSK),
        (BEIJING_1954_120E, DECLARED, (520_000.0, 3_350_000.0), BEIJING),
    ],
    ids=["s-jtsk", "beijing1954-declared"],
)
def test_a_wet_block_is_drawn_where_its_datum_shift_puts_it(
    tmp_path: Path,
    file_crs: str,
    registered: str | None,
    corner: tuple[float, float],
    truth: Transformer,
) -> None:
    # 600 m of 2 m cells, dry except one wet 20 m block 300..320 m east, 200..220 m south.
    x0, y0 = corner[0] - 300, corner[1] + 300
    depth = np.zeros((300, 300), "float32")
    depth[100:110, 150:160] = 1.0
    path = write_tif(tmp_path / "wet.tif", depth, file_crs, Affine(2, 0, x0, 0, -2, y0), -1)
    png = render_png(path, "ramp", size=600, crs=registered)
    with warnings.catch_warnings(), MemoryFile(png) as memory:
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with memory.open() as picture:
            alpha = picture.read(4)
    rows, cols = np.nonzero(alpha)
    west, south, east, north = overlay_bounds(path, registered)
    left, bottom = TO_MERCATOR.transform(west, south)
    right, top = TO_MERCATOR.transform(east, north)
    height, width = alpha.shape
    x = left + (cols.mean() + 0.5) * (right - left) / width
    y = top - (rows.mean() + 0.5) * (top - bottom) / height
    drawn = TO_MERCATOR.transform(x, y, direction="INVERSE")
    assert metres(drawn, truth.transform(x0 + 310, y0 - 210)) < 3  # about two pixels
