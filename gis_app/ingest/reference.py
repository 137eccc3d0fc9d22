"""Import reference layers for land search — roads, transit stations, constraint zones —
from GeoJSON, GeoPackage, zipped Shapefile, CSV or any file OGR reads.

Usage::

    report = import_reference(conn, "constraint_zone", "flood.gpkg",
                              defaults={"kind": "flood_zone"}, dry_run=True)
    if report.ok: import_reference(conn, "constraint_zone", "flood.gpkg", ...)

A reference layer is one of the general import's targets (`importer.import_features`);
this entry point only keeps to those three and names the layer argument as they do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from gis_app.db.driver import Connectable
from gis_app.ingest.importer import import_features
from gis_app.ingest.report import ImportRefused, ImportReport
from gis_app.ingest.targets import REFERENCE_LAYERS

ReferenceLayer = Literal["road", "transit_station", "constraint_zone"]


def import_reference(
    conn: Connectable, layer: ReferenceLayer, path: str | Path, **options: Any
) -> ImportReport:
    """`import_features` for a reference layer (same options: `layer_name`, `mapping`,
    `defaults`, `source_crs`, `dry_run`, …); `unknown_layer` for any other table."""
    if layer not in REFERENCE_LAYERS:
        raise ImportRefused(
            field="layer",
            reason="ingest.reason.unknown_layer",
            layer=layer,
            layers=", ".join(REFERENCE_LAYERS),
        )
    return import_features(conn, layer, path, **options)
