"""Import reference layers for land search — roads, transit stations, constraint zones —
from GeoJSON, GeoPackage or any file OGR reads.

Usage::

    report = import_reference(conn, "constraint_zone", "flood.gpkg",
                              defaults={"kind": "flood_zone"}, dry_run=True)
    if report.ok: import_reference(conn, "constraint_zone", "flood.gpkg", ...)

Every feature is checked before anything is written; one problem anywhere and nothing is
written, and the report lists every problem (feature index, field, code, detail).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import shapely

from gis_app.ingest.geometry import GeometryKind, conform
from gis_app.ingest.read import Features, read_features
from gis_app.ingest.report import ImportRefused, ImportReport, Problem
from gis_app.ingest.write import Connectable, insert_rows
from gis_app.models.base import CONSTRAINT_KINDS, ROAD_CLASSES, STATION_MODES

ReferenceLayer = Literal["road", "transit_station", "constraint_zone"]


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """A reference table: its text columns, the one required code column and its
    vocabulary, and the geometry kind it stores."""

    fields: tuple[str, ...]
    code_field: str
    vocabulary: tuple[str, ...]
    geometry: GeometryKind


LAYERS: dict[str, LayerSpec] = {
    "road": LayerSpec(("name", "road_class"), "road_class", ROAD_CLASSES, "line"),
    "transit_station": LayerSpec(("name", "mode"), "mode", STATION_MODES, "point"),
    "constraint_zone": LayerSpec(("kind", "name", "source"), "kind", CONSTRAINT_KINDS, "polygon"),
}


def _text(value: object) -> str | None:
    """A cell as text: None for nulls, NaN and blanks; 3.0 as "3"."""
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        if float(value).is_integer():
            value = int(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).strip()
    return text or None


def _check_arguments(
    layer: str, mapping: Mapping[str, str], defaults: Mapping[str, object]
) -> LayerSpec:
    spec = LAYERS.get(layer)
    if spec is None:
        raise ImportRefused(
            field="layer",
            reason="ingest.reason.unknown_layer",
            layer=layer,
            layers=", ".join(LAYERS),
        )
    for argument, given in (("mapping", mapping), ("defaults", defaults)):
        for target in given:
            if target not in spec.fields:
                raise ImportRefused(
                    field=argument,
                    reason="ingest.reason.unknown_target",
                    target=target,
                    targets=", ".join(spec.fields),
                )
    code = _text(defaults.get(spec.code_field))
    if code is not None and code.lower() not in spec.vocabulary:
        raise ImportRefused(
            field="defaults",
            reason="ingest.reason.unknown_default",
            target=spec.code_field,
            value=code,
            allowed=", ".join(spec.vocabulary),
        )
    return spec


def _column_values(
    features: Features, spec: LayerSpec, mapping: Mapping[str, str], defaults: Mapping[str, object]
) -> tuple[dict[str, list[str | None]], list[Problem]]:
    """Each target column's values (mapped, else same-named, else the default) and the
    problems of the required code column."""
    values: dict[str, list[str | None]] = {}
    problems: list[Problem] = []
    n = len(features)
    for target in spec.fields:
        source = mapping.get(target, target)
        column = features.column(source)
        if column is None and target in mapping:
            raise ImportRefused(
                field="mapping",
                reason="ingest.reason.no_source_field",
                source=source,
                fields=", ".join(features.columns) or "-",
            )
        default = _text(defaults.get(target))
        cells = [_text(v) for v in column] if column is not None else [None] * n
        values[target] = [default if v is None else v for v in cells]
    codes = values[spec.code_field]
    for i, code in enumerate(codes):
        if code is None:
            problems.append(Problem(i, features.fid(i), spec.code_field, "missing_field"))
        elif code.lower() not in spec.vocabulary:
            problems.append(Problem(i, features.fid(i), spec.code_field, "unknown_code", code))
        else:
            codes[i] = code.lower()
    return values, problems


def import_reference(
    conn: Connectable,
    layer: ReferenceLayer,
    path: str | Path,
    *,
    layer_name: str | None = None,
    mapping: Mapping[str, str] | None = None,
    defaults: Mapping[str, object] | None = None,
    source_crs: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Check every feature of `path` and, when none has a problem and this is no dry run,
    insert them all into `layer`'s table in the caller's transaction (never committed here).

    `mapping` maps target columns to the file's field names (unmapped ones are looked up by
    their own name, ignoring case); `defaults` fills target columns a feature leaves empty,
    e.g. ``{"kind": "flood_zone"}`` for a whole file. `source_crs` declares the CRS of the
    coordinates and wins over the file's. Raises `ImportRefused` when the file as a whole
    cannot be used; per-feature problems go into the report.
    """
    mapping, defaults = dict(mapping or {}), dict(defaults or {})
    spec = _check_arguments(layer, mapping, defaults)
    features = read_features(
        path, layer_name=layer_name, preferred_layer=layer, source_crs=source_crs
    )
    report = ImportReport(
        layer=layer,
        path=str(path),
        source_layer=features.layer,
        crs=features.crs,
        crs_from=features.crs_from,
        dry_run=dry_run,
        read=len(features),
    )
    geoms, problems = conform(features.geoms, features.fids, spec.geometry)
    values, field_problems = _column_values(features, spec, mapping, defaults)
    report.add(features.problems + problems + field_problems)
    if report.ok and not dry_run and report.read:
        report.ids = insert_rows(conn, layer, values, shapely.to_wkb(geoms).tolist())
        report.written = len(report.ids)
    return report
