"""Put an uploaded GeoTIFF into the raster store only once it is known to be usable.

A refused or half-copied file never appears under its final name: the copy is made under a
temporary name in the same folder, checked again (a GeoTIFF whose CRS lived in a sidecar
file loses it here), and renamed; on any failure the temporary copy is removed.
"""

from __future__ import annotations

import os
import shutil
import uuid
from os import PathLike
from pathlib import Path

from gis_app.raster.inspect import RasterInfo, describe


def store_raster(
    upload: str | PathLike[str], directory: str | PathLike[str], name: str, band: int = 1
) -> tuple[Path, RasterInfo]:
    """Check `upload`, copy it to `directory/name` and return that path with its facts.
    Raises InvalidParameter like `describe`, leaving `directory` as it was."""
    describe(upload, band)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    part = folder / f".{name}.{uuid.uuid4().hex[:8]}.part"
    try:
        shutil.copyfile(upload, part)
        info = describe(part, band)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target, info
