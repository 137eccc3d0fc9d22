"""The demo district's reference layers: loaded through the import every user file goes
through, consistent with the rasters, and the planted site-selection cases really where the
manifest says."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import psycopg
import pytest
import rasterio
from sqlalchemy import text

from gis_app.db import migrate
from gis_app.db.engine import libpq_url
from sample_geodata.generate import SampleWorld
from sample_geodata.load import load_sample
from sample_geodata.reference import LAYER_FILES, write_all

EXCLUSIONS = ("basic_farmland", "ecological_redline", "flood_zone")


def rows(engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


def test_roads_are_the_grid_lines_and_the_riverside_road(sample_engine, sample_db: dict) -> None:
    # 16 north–south lines (i = 1…16) and 15 east–west lines (j = 1…15) between the 17 × 16
    # blocks, plus the riverside road. Every 4th line is an arterial, the other even ones
    # secondary, the odd ones local; i = 14 and j = 13 are the expressways.
    found = dict(rows(sample_engine, "SELECT road_class, count(*) FROM road GROUP BY road_class"))
    assert found == {"expressway": 2, "arterial": 4 + 3, "secondary": 3 + 4 + 1, "local": 8 + 7}
    assert sample_db["result"]["counts"]["road"] == 32


def test_every_layer_is_loaded(sample_engine, sample_db: dict) -> None:
    modes = dict(rows(sample_engine, "SELECT mode, count(*) FROM transit_station GROUP BY mode"))
    # Metro every second crossing (~900 m): line 1 under 经八路 at j = 2…14 less the one in
    # the river (6), line 2 under 纬十二路 at i = 6…16 less the interchange at i = 8 (5);
    # i = 2 and 4 lie in the hills.
    assert modes["metro"] == 6 + 5 and modes["rail"] == 1 and 20 <= modes["bus"] <= 60
    kinds = dict(rows(sample_engine, "SELECT kind, count(*) FROM constraint_zone GROUP BY kind"))
    assert set(kinds) == {"basic_farmland", "ecological_redline", "flood_zone", "urban_boundary"}
    counts = sample_db["result"]["counts"]
    assert counts["transit_station"] == sum(modes.values())
    assert counts["constraint_zone"] == sum(kinds.values())
    invalid = rows(
        sample_engine,
        "SELECT count(*) FROM constraint_zone WHERE NOT ST_IsValid(geom) OR ST_SRID(geom) <> 4490",
    )
    assert invalid == [(0,)]


def test_the_layers_went_through_the_import_and_its_audit(sample_engine, sample_db: dict) -> None:
    audited = dict(
        rows(
            sample_engine,
            "SELECT table_name, sum(CAST(after ->> 'rows' AS integer)) FROM audit_log "
            "WHERE operation = 'INSERT' AND after ->> 'bulk' = 'true' "
            "AND table_name IN ('road', 'transit_station', 'constraint_zone') GROUP BY 1",
        )
    )
    counts = sample_db["result"]["counts"]
    assert audited == {t: counts[t] for t in ("road", "transit_station", "constraint_zone")}
    files = sample_db["result"]["manifest"]["reference"]["HZ"]
    assert set(files) == {stem for stem, _, _ in LAYER_FILES}
    doc = json.loads(Path(files["flood_zone"]).read_text("utf-8"))
    assert doc["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4490"
    assert Path(files["roads"]).parent == sample_db["out_dir"]


def test_zone_areas_are_those_of_the_blocks_and_terrain(sample_engine) -> None:
    areas = dict(
        rows(
            sample_engine,
            "SELECT kind, round(sum(ST_Area(geography(geom)))::numeric / 1e6, 1) FROM constraint_zone "
            "GROUP BY kind",
        )
    )
    # The district is 8.0 × 7.2 km = 57.6 km². Farmland: 22 edge blocks (11 in the east
    # column, 11 in the south row) of (8000/17 − 30) × (7200/16 − 30) = 440.6 × 420 m
    # = 4.07 km²; the red line covers the western hills; the boundary takes the rest.
    assert float(areas["basic_farmland"]) == 4.1
    assert 12 < areas["ecological_redline"] < 25
    assert 2 < areas["flood_zone"] < 6
    assert 25 < areas["urban_boundary"] < 45
    overlap = rows(
        sample_engine,
        "SELECT count(*) FROM constraint_zone u JOIN constraint_zone z ON ST_Intersects(u.geom, "
        "z.geom) WHERE u.kind = 'urban_boundary' AND z.kind IN ('basic_farmland', "
        "'ecological_redline') AND ST_Area(ST_Intersection(u.geom, z.geom)::geography) > 1",
    )
    assert overlap == [(0,)]


def test_planted_constrained_parcels_lie_in_their_zone(sample_engine, manifest: dict) -> None:
    planted = manifest["constrained_parcels"]
    assert set(planted) == set(EXCLUSIONS)
    for kind, cases in planted.items():
        assert len(cases) == 1
        for case in cases:
            found = rows(
                sample_engine,
                "SELECT p.status, p.landuse_code, round(ST_Area(ST_Intersection(p.geom, z.geom)"
                "::geography)::numeric / ST_Area(p.geom::geography)::numeric, 2) FROM land_parcel p "
                "JOIN constraint_zone z ON ST_Intersects(p.geom, z.geom) "
                "WHERE p.id = :p AND z.kind = :k AND z.name = :z",
                p=case["parcel_id"],
                k=kind,
                z=case["zone"],
            )
            assert len(found) == 1
            status, code, share = found[0]
            assert status == "idle" and code in ("1201", "2301")
            assert share > (0.99 if kind != "flood_zone" else 0.2)


def test_ideal_parcels_are_by_a_metro_station_flat_and_unconstrained(
    sample_engine, manifest: dict, sample_db: dict
) -> None:
    ideal = manifest["ideal_parcels"]
    assert [(c["landuse_code"], c["status"]) for c in ideal] == [("1201", "idle"), ("0801", "idle")]
    for case in ideal:
        ((metro_m, blocked, in_town),) = rows(
            sample_engine,
            "SELECT (SELECT min(ST_Distance(p.geom::geography, s.geom::geography)) "
            "FROM transit_station s WHERE s.mode = 'metro' "
            "AND ST_DWithin(p.geom::geography, s.geom::geography, 800)), "
            "(SELECT count(*) FROM constraint_zone z WHERE z.kind = ANY(:k) "
            "AND ST_Intersects(z.geom, p.geom)), "
            "(SELECT bool_or(ST_Within(p.geom, z.geom)) FROM constraint_zone z "
            "WHERE z.kind = 'urban_boundary') FROM land_parcel p WHERE p.id = :p",
            k=list(EXCLUSIONS),
            p=case["parcel_id"],
        )
        # A block corner is half a 30 m road from each centre line: √(15² + 15²) = 21 m.
        assert metro_m == pytest.approx(case["nearest_metro_m"], abs=1.0)
        assert metro_m < 25 and blocked == 0 and in_town is True
        assert case["max_slope_deg"] < 1.0
    with rasterio.open(sample_db["out_dir"] / "dem.tif") as dem:
        for case in ideal:
            points = rows(
                sample_engine,
                "SELECT ST_X(g), ST_Y(g) FROM land_parcel p, "
                "ST_Dump(ST_GeneratePoints(p.geom, 50, 7)) d(path, g) WHERE p.id = :p",
                p=case["parcel_id"],
            )
            heights = np.array([v[0] for v in dem.sample(points)])
            assert heights.max() - heights.min() < 5.0  # a 250 m parcel on the plain


def test_no_other_idle_or_reserved_parcel_is_near_the_metro(sample_engine, manifest: dict) -> None:
    near = {
        r[0]
        for r in rows(
            sample_engine,
            "SELECT p.id FROM land_parcel p WHERE p.status IN ('idle', 'reserved') AND EXISTS "
            "(SELECT 1 FROM transit_station s WHERE s.mode = 'metro' "
            "AND ST_DWithin(p.geom::geography, s.geom::geography, :m))",
            m=manifest["metro_quiet_m"] - 1,
        )
    }
    planted = {c["parcel_id"] for c in manifest["ideal_parcels"]} | {
        c["parcel_id"] for cases in manifest["constrained_parcels"].values() for c in cases
    }
    assert near <= planted
    assert {c["parcel_id"] for c in manifest["ideal_parcels"]} <= near


def test_flood_zones_lie_on_wet_raster_cells(sample_engine, sample_db: dict) -> None:
    points = rows(
        sample_engine,
        "SELECT ST_X(g), ST_Y(g) FROM constraint_zone z, "
        "ST_Dump(ST_GeneratePoints(z.geom, 400, 11)) d(path, g) WHERE z.kind = 'flood_zone'",
    )
    assert len(points) >= 400
    with rasterio.open(sample_db["out_dir"] / "flood_depth.tif") as flood:
        depth = np.array([v[0] for v in flood.sample(points)])
    assert depth.min() > 0
    with rasterio.open(sample_db["out_dir"] / "dem.tif") as dem:
        red = rows(
            sample_engine,
            "SELECT ST_X(g), ST_Y(g) FROM constraint_zone z, ST_Dump(ST_GeneratePoints("
            "z.geom, 400, 13)) d(path, g) WHERE z.kind = 'ecological_redline'",
        )
        height = np.array([v[0] for v in dem.sample(red)])
    assert np.mean(height > 45.0) > 0.95


def test_parcels_mix_statuses_and_both_classifications(sample_engine) -> None:
    found = dict(
        rows(sample_engine, "SELECT status, count(*) FROM land_parcel GROUP BY status ORDER BY 1")
    )
    assert set(found) == {"idle", "in_use", "reserved"}
    assert found["idle"] >= 5 and found["reserved"] >= 2
    schemes = dict(
        rows(
            sample_engine, "SELECT landuse_scheme, count(*) FROM land_parcel GROUP BY 1 ORDER BY 1"
        )
    )
    assert set(schemes) == {"GB/T 21010-2017", "MNR-YDYH-2023"}
    assert schemes["MNR-YDYH-2023"] > 100
    farmland = rows(
        sample_engine,
        "SELECT count(*) FILTER (WHERE p.landuse_code IN ('0101', '0103', '01')), count(*) "
        "FROM land_parcel p JOIN constraint_zone z ON ST_Intersects(p.geom, z.geom) "
        "WHERE z.kind = 'basic_farmland' "
        "AND ST_Area(ST_Intersection(p.geom, z.geom)) > 0.999 * ST_Area(p.geom)",
    )
    (fields, inside) = farmland[0]
    assert inside > 20 and fields == inside - 1  # all fields but the planted idle parcel


def test_reference_files_are_deterministic(tmp_path: Path) -> None:
    first = write_all(SampleWorld().references, tmp_path / "a")
    second = write_all(SampleWorld().references, tmp_path / "b")
    for stem, path in first["HZ"].items():
        assert Path(path).read_bytes() == Path(second["HZ"][stem]).read_bytes()


def test_at_scale_each_city_gets_its_layers_in_one_audit_row_each(
    new_database, tmp_path: Path
) -> None:
    url = new_database()
    migrate.upgrade(url)
    with psycopg.connect(libpq_url(url)) as conn:
        result = load_sample(conn, tmp_path, scale=0.01, progress=False)
    assert set(result["reference"]) == {"HZ", "SX"}  # 0.01 × 200 = 2 cities
    assert Path(result["reference"]["SX"]["flood_zone"]).name == "flood_zone_SX.geojson"
    with psycopg.connect(libpq_url(url)) as conn:
        per_city = conn.execute(
            "SELECT c.abbr, count(*) FROM transit_station s JOIN (VALUES "
            "('HZ', 120.15, 30.26), ('SX', 120.58, 30.0)) c(abbr, lon, lat) "
            "ON ST_DWithin(s.geom::geography, ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4490)::geography, 10000) "
            "WHERE s.mode = 'metro' GROUP BY 1 ORDER BY 1"
        ).fetchall()
        audit = conn.execute(
            "SELECT table_name, count(*), sum((after ->> 'rows')::int) FROM audit_log "
            "WHERE table_name = 'constraint_zone' GROUP BY 1"
        ).fetchall()
    assert [abbr for abbr, n in per_city if n >= 5] == ["HZ", "SX"]
    # Six files per city; the four zone files are one INSERT each, audited as one bulk row.
    assert audit == [("constraint_zone", 8, result["counts"]["constraint_zone"])]
    assert result["manifest"]["ideal_parcels"] and result["manifest"]["constrained_parcels"]
