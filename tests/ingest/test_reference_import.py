"""Reference-layer imports against a migrated PostGIS: CRS detected or declared and moved
to CGCS2000, GCJ-02 refused, every problem reported per feature, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely
from pyproj import CRS
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from gis_app.db.engine import libpq_url
from gis_app.ingest import ImportRefused, Problem, import_reference
from tests.ingest.helpers import geojson

GK_POINT = (514914.0, 3350498.0)
"""EPSG:4549 (CGCS2000 / 3-degree GK CM 120E) easting/northing near West Lake…"""
GK_LONLAT = (120.15499867930856, 30.27400206732694)
"""…and the same place in EPSG:4490, from PROJ 9 (cs2cs EPSG:4549 EPSG:4490)."""
BOWTIE = [[120.10, 30.25], [120.11, 30.26], [120.11, 30.25], [120.10, 30.26], [120.10, 30.25]]
SQUARE = [[120.12, 30.25], [120.13, 30.25], [120.13, 30.26], [120.12, 30.26], [120.12, 30.25]]


def _line(*points: tuple[float, float]) -> dict:
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def _count(conn: Connection, table: str) -> int:
    return conn.scalar(text(f"SELECT count(*) FROM {table}"))


@pytest.fixture
def roads_4326(tmp_path: Path) -> Path:
    multi = {
        "type": "MultiLineString",
        "coordinates": [[[120.14, 30.27], [120.15, 30.27]], [[120.15, 30.27], [120.16, 30.28]]],
    }
    return geojson(
        tmp_path / "roads.geojson",
        [
            ({"name": "延安路", "road_class": "arterial"}, _line((120.16, 30.24), (120.16, 30.29))),
            ({"name": "庆春路", "road_class": " Secondary "}, multi),
            ({"name": None, "road_class": "local"}, _line((120.15, 30.26), (120.152, 30.26))),
        ],
    )


def test_a_good_geojson_in_wgs84_is_written_in_cgcs2000(conn: Connection, roads_4326) -> None:
    report = import_reference(conn, "road", roads_4326)
    assert report.ok and report.crs == "EPSG:4326" and report.crs_from == "file"
    assert (report.read, report.valid, report.written, report.rejected) == (3, 3, 3, 0)
    rows = conn.execute(
        text(
            "SELECT name, road_class, ST_SRID(geom), GeometryType(geom), ST_NumGeometries(geom), "
            "round(ST_Length(geography(geom))) FROM road WHERE id = ANY(:ids) ORDER BY id"
        ),
        {"ids": report.ids},
    ).all()
    # On the ellipsoid 1° of latitude near 30.26°N is 110.86 km, 1° of longitude
    # 111.32 km × cos 30.27° = 96.2 km: 0.05° N = 5,543 m; 0.01° E = 962 m, then 0.01° E and
    # 0.01° N = √(962² + 1,109²) = 1,468 m; 0.002° E = 192 m.
    assert [tuple(r) for r in rows] == [
        ("延安路", "arterial", 4490, "MULTILINESTRING", 1, 5543),
        ("庆春路", "secondary", 4490, "MULTILINESTRING", 2, 962 + 1468),
        (None, "local", 4490, "MULTILINESTRING", 1, 192),
    ]


def test_a_gpkg_in_gauss_kruger_metres_lands_within_a_centimetre(
    conn: Connection, tmp_path: Path
) -> None:
    path = tmp_path / "stations.gpkg"
    gpd.GeoDataFrame(
        {"MC": ["凤起路站", "武林广场站"], "LX": ["metro", "metro"]},
        geometry=[shapely.Point(GK_POINT), shapely.Point(GK_POINT[0] + 800, GK_POINT[1])],
        crs="EPSG:4549",
    ).to_file(path, layer="stations")
    report = import_reference(conn, "transit_station", path, mapping={"name": "MC", "mode": "LX"})
    assert report.ok and report.crs == "EPSG:4549" and report.written == 2
    first = min(report.ids)
    off_m, back_m = conn.execute(
        text(
            "SELECT ST_Distance(geography(geom), "
            "geography(ST_SetSRID(ST_MakePoint(:lon, :lat), 4490))), "
            "ST_Distance(ST_Transform(geom, 4549), ST_SetSRID(ST_MakePoint(:e, :n), 4549)) "
            "FROM transit_station WHERE id = :id"
        ),
        {"lon": GK_LONLAT[0], "lat": GK_LONLAT[1], "e": GK_POINT[0], "n": GK_POINT[1], "id": first},
    ).one()
    assert off_m < 0.01 and back_m < 0.01
    apart = conn.scalar(
        text(
            "SELECT ST_Distance(ST_Transform(a.geom, 4549), ST_Transform(b.geom, 4549)) "
            "FROM transit_station a, transit_station b WHERE a.id = :a AND b.id = :b"
        ),
        {"a": first, "b": max(report.ids)},
    )
    assert apart == pytest.approx(800.0, abs=0.01)
    assert conn.scalar(text("SELECT name FROM transit_station WHERE id = :id"), {"id": first}) == (
        "凤起路站"
    )


def test_every_problem_is_reported_and_nothing_written(conn: Connection, tmp_path: Path) -> None:
    zones = geojson(
        tmp_path / "zones.geojson",
        [
            ({"kind": "flood_zone", "name": "ok"}, {"type": "Polygon", "coordinates": [SQUARE]}),
            (
                {"kind": "flood_zone", "name": "bowtie"},
                {"type": "Polygon", "coordinates": [BOWTIE]},
            ),
            ({"kind": None, "name": "no kind"}, {"type": "Polygon", "coordinates": [SQUARE]}),
            ({"kind": "wetland", "name": "unknown"}, {"type": "Polygon", "coordinates": [SQUARE]}),
            ({"kind": "heritage", "name": "no shape"}, None),
            (
                {"kind": "heritage", "name": "a point"},
                {"type": "Point", "coordinates": [120.1, 30.2]},
            ),
        ],
    )
    before = _count(conn, "constraint_zone")
    report = import_reference(conn, "constraint_zone", zones)
    assert not report.ok
    assert (report.read, report.valid, report.written, report.rejected) == (6, 1, 0, 5)
    assert report.problems == [
        Problem(1, 1, "geom", "invalid_geometry", "Self-intersection[120.105 30.255]"),
        Problem(2, 2, "kind", "missing_field"),
        Problem(3, 3, "kind", "unknown_code", "wetland"),
        Problem(4, 4, "geom", "missing_geometry"),
        Problem(5, 5, "geom", "wrong_geometry_type", "Point"),
    ]
    assert _count(conn, "constraint_zone") == before
    lines = [p.describe("en") for p in report.problems]
    assert lines[0] == "feature 1, geom: invalid geometry: Self-intersection[120.105 30.255]"
    assert report.as_dict("zh-CN")["problems"][2]["message"] == (
        "第 3 个要素，kind：代码 wetland 不在代码表中"
    )

    roads = geojson(
        tmp_path / "roads.geojson",
        [
            ({"road_class": "highway"}, _line((120.1, 30.2), (120.2, 30.2))),
            ({"road_class": "local"}, _line((120.1, 30.2), (120.2, 30.2))),
            ({"road_class": "local"}, _line((120.1, 30.2))),
        ],
    )
    report = import_reference(conn, "road", roads)
    assert [(p.index, p.field, p.code) for p in report.problems] == [
        (0, "road_class", "unknown_code"),
        (2, "geom", "unreadable_geometry"),
    ]
    assert "point array must contain 0 or >1 elements" in report.problems[1].describe("en")
    assert report.written == 0 and _count(conn, "road") == 0


def test_a_default_fills_a_whole_file(conn: Connection, tmp_path: Path) -> None:
    zones = geojson(
        tmp_path / "flood.geojson",
        [({"name": "滨江低地"}, {"type": "Polygon", "coordinates": [SQUARE]})],
    )
    report = import_reference(
        conn, "constraint_zone", zones, defaults={"kind": "flood_zone", "source": "水利局 2024"}
    )
    assert report.written == 1
    row = conn.execute(
        text("SELECT kind, name, source, GeometryType(geom) FROM constraint_zone WHERE id = :i"),
        {"i": report.ids[0]},
    ).one()
    assert tuple(row) == ("flood_zone", "滨江低地", "水利局 2024", "MULTIPOLYGON")
    with pytest.raises(ImportRefused) as excinfo:
        import_reference(conn, "constraint_zone", zones, defaults={"kind": "swamp"})
    assert excinfo.value.context["field"] == "defaults"


def test_no_crs_in_the_file_and_none_declared_is_refused(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "nocrs.gpkg"
    frame = gpd.GeoDataFrame(
        {"kind": ["heritage"]},
        geometry=[shapely.box(*GK_POINT, GK_POINT[0] + 50, GK_POINT[1] + 50)],
    )
    with pytest.warns(UserWarning, match="crs"):
        frame.to_file(path, layer="zones")
    with pytest.raises(ImportRefused) as excinfo:
        import_reference(conn, "constraint_zone", path)
    assert excinfo.value.context == {"field": "source_crs", "reason": "ingest.reason.no_crs"}
    assert "source_crs" in excinfo.value.message("en")
    report = import_reference(conn, "constraint_zone", path, source_crs="EPSG:4549")
    assert report.crs_from == "source_crs" and report.written == 1
    area = conn.scalar(
        text("SELECT ST_Area(geography(geom)) FROM constraint_zone WHERE id = :i"),
        {"i": report.ids[0]},
    )
    assert area == pytest.approx(2500.0, rel=1e-3)


@pytest.mark.parametrize("declared", ["GCJ-02", "gcj02", "BD-09", "bd09ll"])
def test_gcj02_and_bd09_are_refused(conn: Connection, roads_4326: Path, declared: str) -> None:
    with pytest.raises(ImportRefused) as excinfo:
        import_reference(conn, "road", roads_4326, source_crs=declared)
    assert excinfo.value.context["reason"] == "ingest.reason.obfuscated_crs"
    assert excinfo.value.message("zh-CN").startswith(
        f"参数 source_crs 无效：{declared} 是加密偏移坐标"
    )
    assert _count(conn, "road") == 0


def test_a_file_whose_crs_is_named_gcj02_is_refused(conn: Connection, tmp_path: Path) -> None:
    gcj = CRS.from_wkt(
        'GEOGCS["GCJ-02",DATUM["GCJ02",SPHEROID["WGS 84",6378137,298.257223563]],'
        'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]'
    )
    path = tmp_path / "mars.gpkg"
    gpd.GeoDataFrame({"mode": ["bus"]}, geometry=[shapely.Point(120.15, 30.27)], crs=gcj).to_file(
        path
    )
    with pytest.raises(ImportRefused) as excinfo:
        import_reference(conn, "transit_station", path)
    assert excinfo.value.context["field"] == "path"
    assert excinfo.value.context["reason"] == "ingest.reason.obfuscated_crs"


def test_a_dry_run_checks_everything_and_writes_nothing(conn: Connection, roads_4326) -> None:
    report = import_reference(conn, "road", roads_4326, dry_run=True)
    assert report.ok and report.dry_run
    assert (report.read, report.valid, report.written, report.ids) == (3, 3, 0, [])
    assert _count(conn, "road") == 0
    assert conn.scalar(text("SELECT count(*) FROM audit_log WHERE table_name = 'road'")) == 0


def test_three_d_coordinates_are_stored_in_two_d(conn: Connection, tmp_path: Path) -> None:
    cube = [[*xy, 12.5] for xy in SQUARE]
    path = geojson(
        tmp_path / "z.geojson",
        [({"kind": "ecological_redline"}, {"type": "Polygon", "coordinates": [cube]})],
    )
    gpkg = tmp_path / "z.gpkg"
    gpd.GeoDataFrame(
        {"mode": ["rail"]}, geometry=[shapely.Point(*GK_POINT, 8.0)], crs="EPSG:4549"
    ).to_file(gpkg)
    zone = import_reference(conn, "constraint_zone", path)
    station = import_reference(conn, "transit_station", gpkg)
    assert zone.crs == "EPSG:4326"  # the file says EPSG:4979 (WGS 84 3-D)
    dims = conn.execute(
        text(
            "SELECT (SELECT ST_NDims(geom) FROM constraint_zone WHERE id = :z), "
            "(SELECT ST_NDims(geom) FROM transit_station WHERE id = :s)"
        ),
        {"z": zone.ids[0], "s": station.ids[0]},
    ).one()
    assert tuple(dims) == (2, 2)


def test_metres_declared_as_degrees_are_reported_outside_china(
    conn: Connection, tmp_path: Path
) -> None:
    path = geojson(
        tmp_path / "wrong.geojson",
        [
            ({"mode": "bus"}, {"type": "Point", "coordinates": list(GK_POINT)}),
            ({"mode": "bus"}, {"type": "Point", "coordinates": [30.27, 120.15]}),
            ({"mode": "bus"}, {"type": "Point", "coordinates": [120.15, 30.27]}),
        ],
    )
    report = import_reference(conn, "transit_station", path, source_crs="EPSG:4490")
    assert [(p.index, p.code) for p in report.problems] == [(0, "out_of_area"), (1, "out_of_area")]
    assert report.problems[1].detail == "30.27, 120.15, 30.27, 120.15"
    assert report.written == 0


def test_several_layers_need_a_name_unless_one_is_called_like_the_target(
    conn: Connection, tmp_path: Path
) -> None:
    path = tmp_path / "reference.gpkg"
    for layer, mode in (("stations", "metro"), ("bus", "bus")):
        gpd.GeoDataFrame(
            {"mode": [mode]}, geometry=[shapely.Point(120.15, 30.27)], crs="EPSG:4490"
        ).to_file(path, layer=layer)
    with pytest.raises(ImportRefused) as excinfo:
        import_reference(conn, "transit_station", path, dry_run=True)
    assert excinfo.value.context == {
        "field": "layer_name",
        "reason": "ingest.reason.several_layers",
        "layers": "stations, bus",
    }
    report = import_reference(conn, "transit_station", path, layer_name="bus", dry_run=True)
    assert report.source_layer == "bus" and report.ok
    with pytest.raises(ImportRefused) as excinfo:
        import_reference(conn, "transit_station", path, layer_name="rail")
    assert excinfo.value.context["field"] == "layer_name"


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        ({"layer": "river"}, "layer", "unknown_layer"),
        ({"mapping": {"colour": "name"}}, "mapping", "unknown_target"),
        ({"mapping": {"name": "MC"}}, "mapping", "no_source_field"),
        ({"source_crs": "EPSG:999999"}, "source_crs", "unknown_crs"),
        ({"path": "missing.geojson"}, "path", "unreadable"),
    ],
)
def test_unusable_arguments_name_the_parameter(
    conn: Connection, roads_4326: Path, tmp_path: Path, kwargs: dict, field: str, reason: str
) -> None:
    args = {"layer": "road", "path": roads_4326} | kwargs
    if kwargs.get("path"):
        args["path"] = tmp_path / kwargs["path"]
    with pytest.raises(ImportRefused) as excinfo:
        import_reference(conn, args.pop("layer"), args.pop("path"), **args)
    assert excinfo.value.context["field"] == field
    assert excinfo.value.context["reason"] == f"ingest.reason.{reason}"
    assert excinfo.value.status_code == 422


def test_a_session_and_a_psycopg_connection_write_in_the_callers_transaction(
    conn: Connection, db_url: str, roads_4326: Path
) -> None:
    session = Session(bind=conn)
    report = import_reference(session, "road", roads_4326)
    assert session.scalar(text("SELECT count(*) FROM road")) == report.written == 3
    session.close()
    with psycopg.connect(libpq_url(db_url)) as raw:
        written = import_reference(raw, "road", roads_4326).written
        assert raw.execute("SELECT count(*) FROM road").fetchone() == (written,)
        raw.rollback()
        assert raw.execute("SELECT count(*) FROM road").fetchone() == (0,)
