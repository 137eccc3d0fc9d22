"""Vector imports: read a GeoJSON/GeoPackage layer (`read`), fit and check its geometries
(`geometry`), report every problem per feature (`report`) and insert all rows in one
statement of the caller's transaction (`write`). `reference` imports roads, transit
stations and constraint zones; the sample district loads its layers through it too.
"""

from gis_app.ingest.reference import import_reference
from gis_app.ingest.report import ImportRefused, ImportReport, Problem

__all__ = ["ImportRefused", "ImportReport", "Problem", "import_reference"]
