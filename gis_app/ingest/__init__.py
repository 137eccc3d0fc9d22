"""Vector imports: open a GeoJSON/GeoPackage/zipped Shapefile/CSV (`source`), read a layer
into CGCS2000 (`read`), fit and check its geometries (`geometry`) and values (`values`)
against the target's fields (`targets`) and the database (`lookups`), report every problem
per feature (`report`) and insert all rows in one statement of the caller's transaction
(`write`). `importer.import_features` does it for every target; `reference` is its case for
roads, transit stations and constraint zones, which the sample district loads through.
"""

from gis_app.ingest.importer import import_features
from gis_app.ingest.reference import import_reference
from gis_app.ingest.report import ImportRefused, ImportReport, ImportTooLarge, Problem
from gis_app.ingest.targets import TARGETS

__all__ = [
    "TARGETS",
    "ImportRefused",
    "ImportReport",
    "ImportTooLarge",
    "Problem",
    "import_features",
    "import_reference",
]
