"""Imports counted where they write: rows by target table, failures by importer — a file
refused as a whole, or problems and nothing written — and a dry run never a failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Connection

from gis_app.ingest import ImportRefused, import_features
from tests.ingest.helpers import geojson, square

X, Y = 120.150, 30.250


def _rows(target: str) -> float:
    return REGISTRY.get_sample_value("gis_import_rows_written_total", {"target": target}) or 0.0


def _failures() -> float:
    labels = {"importer": "features"}
    return REGISTRY.get_sample_value("gis_import_failures_total", labels) or 0.0


def test_rows_and_failures_are_counted(conn: Connection, tmp_path: Path) -> None:
    good = ({"code": "MET-1", "name": "楼"}, square(X, Y, 0.001))
    bad = ({"code": "MET-2", "name": "楼"}, None)
    path = geojson(tmp_path / "b.geojson", [good, bad])
    rows, failures = _rows("building"), _failures()

    dry = import_features(conn, "building", path, defaults={"floors_above": 2}, dry_run=True)
    assert dry.problems and (_rows("building"), _failures()) == (rows, failures)

    refused = import_features(conn, "building", path, defaults={"floors_above": 2})
    assert refused.written == 0 and (_rows("building"), _failures()) == (rows, failures + 1)

    with pytest.raises(ImportRefused):
        import_features(conn, "cellar", path)
    assert _failures() == failures + 2

    kept = import_features(conn, "building", path, defaults={"floors_above": 2}, skip_invalid=True)
    assert kept.written == 1 and (_rows("building"), _failures()) == (rows + 1, failures + 2)
