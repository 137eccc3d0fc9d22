"""Features as files a GIS opens: GeoPackage, zipped Shapefile, GeoJSON.

GDAL (through pyogrio) writes them: a Shapefile gets its .cpg (UTF-8) so Chinese attributes
come back right in QGIS and ArcGIS, and field names cut to ten characters by the format.
"""

from __future__ import annotations

import io
import tempfile
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd

GPKG_MEDIA_TYPE = "application/geopackage+sqlite3"
ZIP_MEDIA_TYPE = "application/zip"
VECTOR_FORMATS = {"gpkg": GPKG_MEDIA_TYPE, "shp": ZIP_MEDIA_TYPE}


def write_vector(frame: gpd.GeoDataFrame, layer: str, fmt: str) -> bytes:
    """`frame` as a GeoPackage (`fmt="gpkg"`) or a zipped Shapefile (`fmt="shp"`)."""
    with tempfile.TemporaryDirectory() as folder:
        if fmt == "gpkg":
            path = Path(folder) / f"{layer}.gpkg"
            frame.to_file(path, layer=layer, driver="GPKG")
            return path.read_bytes()
        path = Path(folder) / f"{layer}.shp"
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Column names longer than 10", UserWarning)
            frame.to_file(path, driver="ESRI Shapefile", encoding="UTF-8")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(folder).iterdir()):
                archive.write(part, part.name)
        return buffer.getvalue()
