"""Real files, cut small into tests/data (see each SOURCE.md): Grand Lyon roofs in
EPSG:3946 with Z as buildings, Cambridge (MA) assessor parcels as land parcels. Both lie
outside China, so they need the area check lifted; every oddity their sources list is
reported per feature, none dropped silently."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import Connection, text

from gis_app.ingest import import_features

DATA = Path(__file__).resolve().parent.parent / "data"
LYON = DATA / "lyon_roofs" / "lyon_roofs_subset.gpkg"
CAMBRIDGE = DATA / "cambridge_parcels" / "cambridge_parcels_subset.gpkg"
ROOFS = {"code": "numero", "name": "numero", "height_m": "htotale"}
PARCELS = {"parcel_code": "ML", "district": "neighborhood"}
PARCEL_DEFAULTS = {
    "landuse_scheme": "GB/T 21010-2017",
    "landuse_code": "0701",
    "ownership": "state",
    "status": "in_use",
}


def test_lyon_roofs_are_refused_outside_china_by_default(conn: Connection) -> None:
    report = import_features(conn, "building", LYON, mapping=ROOFS, defaults={"floors_above": 1})
    assert report.crs == "EPSG:3946" and report.read == 98
    assert Counter(p.code for p in report.problems) == {"out_of_area": 98, "duplicate_key": 2}
    assert report.written == 0


def test_lyon_roofs_become_buildings_in_two_d(conn: Connection) -> None:
    report = import_features(
        conn,
        "building",
        LYON,
        mapping=ROOFS,
        defaults={"floors_above": 1},
        area=None,
        skip_invalid=True,
    )
    assert [(p.field, p.code, p.detail) for p in report.problems] == [
        ("code", "duplicate_key", p.detail) for p in report.problems
    ]
    assert len(report.problems) == 2
    assert report.problems[0].detail.startswith("1840_5175-13484 ×2")
    assert (report.read, report.rejected, report.written) == (98, 2, 96)
    # Roof faces touch with slivers of digitising noise (3,437 pairs "overlap" in the whole
    # set, 1 by more than 1 m²): the one real overlap is noted, and the import goes on.
    assert [(w.index, w.code, w.detail) for w in report.warnings] == [
        (97, "overlaps", "63: 128.6 m²")
    ]
    west, south, east, north, dims, srid, lowest, highest = conn.execute(
        text(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), dims, srid, lowest, highest "
            "FROM (SELECT ST_Extent(geom) AS e, max(ST_NDims(geom)) AS dims, "
            "max(ST_SRID(geom)) AS srid, min(height_m)::float AS lowest, "
            "max(height_m)::float AS highest FROM building WHERE id = ANY(:ids)) x"
        ),
        {"ids": report.ids},
    ).one()
    assert (dims, srid) == (2, 4490)
    assert 2 <= lowest < highest <= 53.2
    # SOURCE.md: the whole set spans 4.8318–4.8490 °E, 45.7604–45.7684 °N.
    assert 4.8318 < west < east < 4.8490 and 45.7604 < south < north < 45.7684


def test_cambridge_parcels_report_every_oddity(conn: Connection) -> None:
    report = import_features(
        conn,
        "parcel",
        CAMBRIDGE,
        layer_name="parcels",
        mapping=PARCELS,
        defaults=PARCEL_DEFAULTS,
        area=None,
    )
    assert report.read == 224 and report.written == 0
    counts = Counter((p.field, p.code) for p in report.problems)
    assert counts == {
        ("geom", "invalid_geometry"): 9,
        ("geom", "empty_geometry"): 1,
        ("parcel_code", "missing_field"): 1,
        ("parcel_code", "duplicate_key"): 23,
    }
    placeholders = Counter(
        p.detail.split(" ×")[0] for p in report.problems if p.code == "duplicate_key"
    )
    assert placeholders == {"---": 12, "--R": 4, "ROAD": 3, "--MD": 2, "104-96": 2}
    assert report.rejected == 32 and report.valid == 192
    invalid = [p.detail for p in report.problems if p.code == "invalid_geometry"]
    assert all(d.startswith(("Self-intersection", "Ring Self-intersection")) for d in invalid)

    options = {"mapping": PARCELS, "defaults": PARCEL_DEFAULTS, "area": None}
    written = import_features(conn, "parcel", CAMBRIDGE, skip_invalid=True, **options)
    assert (written.written, written.rejected) == (192, 32)
    again = import_features(conn, "parcel", CAMBRIDGE, dry_run=True, **options)
    taken = [p for p in again.problems if p.detail and p.detail.endswith("(in the database)")]
    assert len(taken) == 192
