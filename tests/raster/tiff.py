"""Writing the tiny GeoTIFFs the raster tests reason about by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine


def write_tif(
    path: Path, array: np.ndarray, crs: Any, transform: Affine, nodata: float | None, **extra: Any
) -> Path:
    """One-band GeoTIFF of `array` (its dtype) on the grid `transform` in `crs`."""
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=array.shape[1],
        height=array.shape[0],
        count=1,
        dtype=array.dtype.name,
        crs=crs,
        transform=transform,
        nodata=nodata,
        **extra,
    ) as dst:
        dst.write(array, 1)
    return path
