"""The files imports take and the bad ones they refuse: zipped Shapefiles (GBK attributes
with or without .cpg), corrupt zips and zip bombs, CSV with WKT or lon/lat, GCJ-02 declared
and converted, data outside China with and without the area check."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import geopandas as gpd
import prcoords
import pyogrio
import pytest
import shapely
from sqlalchemy import Connection, text

from gis_app.ingest import ImportRefused, ImportTooLarge, import_features
from gis_app.ingest.zipguard import ZipLimits
from tests.ingest.helpers import geojson, square, understate

X, Y = 120.150, 30.250
NAMES = ["财政局大楼", "人力资源和社会保障局"]


def _gbk_shapefile(folder: Path, cpg: bool = True) -> Path:
    """A Shapefile whose .dbf holds GBK text, zipped as users send them."""
    frame = gpd.GeoDataFrame(
        {"BM": ["G-1", "G-2"], "MC": NAMES, "CS": [5, 7]},
        geometry=[
            shapely.box(X, Y, X + 0.001, Y + 0.001),
            shapely.box(X + 0.002, Y, X + 0.003, Y + 0.001),
        ],
        crs="EPSG:4490",
    )
    shp = folder / "shp" / "楼宇.shp"
    shp.parent.mkdir()
    pyogrio.write_dataframe(frame, shp, encoding="GBK")
    if not cpg:
        shp.with_suffix(".cpg").unlink()
    archive = folder / "buildings.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for part in shp.parent.iterdir():
            out.write(part, part.name)
    return archive


MAPPING = {"code": "BM", "name": "MC", "floors_above": "CS"}


def _names(conn: Connection, ids: list[int]) -> list[str]:
    return list(
        conn.scalars(text("SELECT name FROM building WHERE id = ANY(:i) ORDER BY code"), {"i": ids})
    )


def test_a_zipped_gbk_shapefile_comes_out_right(conn: Connection, tmp_path: Path) -> None:
    report = import_features(conn, "building", _gbk_shapefile(tmp_path), mapping=MAPPING)
    assert report.ok and report.crs == "EPSG:4490"
    assert _names(conn, report.ids) == NAMES


def test_without_cpg_the_encoding_must_be_given(conn: Connection, tmp_path: Path) -> None:
    archive = _gbk_shapefile(tmp_path, cpg=False)
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, "building", archive, mapping=MAPPING, dry_run=True)
    assert excinfo.value.context == {"field": "encoding", "reason": "ingest.reason.encoding_needed"}
    report = import_features(conn, "building", archive, mapping=MAPPING, encoding="GBK")
    assert _names(conn, report.ids) == NAMES
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, "building", archive, mapping=MAPPING, encoding="KLINGON")
    assert excinfo.value.context["reason"] == "ingest.reason.unknown_encoding"
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, "building", archive, mapping=MAPPING, encoding="UTF-8")
    assert excinfo.value.context["reason"] == "ingest.reason.wrong_encoding"


def test_a_corrupt_zip_is_refused_naming_the_file(conn: Connection, tmp_path: Path) -> None:
    good = _gbk_shapefile(tmp_path).read_bytes()
    broken = tmp_path / "broken.zip"
    broken.write_bytes(good[: len(good) // 2])
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, "building", broken, mapping=MAPPING)
    assert excinfo.value.context["field"] == "path"
    assert excinfo.value.context["reason"] == "ingest.reason.corrupt_zip"
    empty = tmp_path / "nothing.zip"
    with zipfile.ZipFile(empty, "w") as out:
        out.writestr("readme.txt", "no shapefile here")
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, "building", empty)
    assert excinfo.value.context["reason"] == "ingest.reason.no_shapefile"


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(
    conn: Connection, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("a.shp", b"\0" * 50_000_000)
        out.writestr("a.shx", b"")
        out.writestr("a.dbf", b"")
    assert bomb.stat().st_size < 100_000
    with pytest.raises(ImportTooLarge) as excinfo:
        import_features(conn, "building", bomb)
    assert excinfo.value.context["reason"] == "ingest.reason.zip_ratio"
    assert excinfo.value.status_code == 413
    with pytest.raises(ImportTooLarge) as excinfo:
        import_features(conn, "building", bomb, zip_limits=ZipLimits(max_bytes=10_000_000))
    assert excinfo.value.context["reason"] == "ingest.reason.zip_too_large"


def test_a_zip_whose_headers_understate_it_is_refused(conn: Connection, tmp_path: Path) -> None:
    liar = tmp_path / "liar.zip"
    with zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("a.shp", os.urandom(3_000_000))
        out.writestr("a.shx", b"")
        out.writestr("a.dbf", b"")
    understate(liar, "a.shp", 1000)
    with pytest.raises(ImportTooLarge) as excinfo:
        import_features(conn, "building", liar, zip_limits=ZipLimits(max_bytes=1_000_000))
    assert excinfo.value.context["reason"] == "ingest.reason.zip_too_large"
    assert excinfo.value.context["field"] == "path"
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, "building", liar)
    assert excinfo.value.context["reason"] == "ingest.reason.corrupt_zip"


def test_csv_with_wkt_or_lon_lat_needs_a_declared_crs(conn: Connection, tmp_path: Path) -> None:
    wkt = tmp_path / "zones.csv"
    wkt.write_text(
        "kind,name,WKT\n"
        f'heritage,古建筑,"{shapely.box(X, Y, X + 0.001, Y + 0.001).wkt}"\n'
        'heritage,坏的,"POLYGON((1 2"\n'
        "heritage,空的,\n",
        "utf-8",
    )
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, "constraint_zone", wkt)
    assert excinfo.value.context["field"] == "source_crs"
    report = import_features(conn, "constraint_zone", wkt, source_crs="EPSG:4490")
    assert [(p.index, p.fid, p.code, p.detail) for p in report.problems] == [
        (1, 2, "unreadable_geometry", "WKT=POLYGON((1 2"),
        (2, 3, "missing_geometry", None),
    ]
    points = tmp_path / "stations.csv"
    points.write_text(
        "名称,类型,经度,纬度\n凤起路站,metro,120.169,30.263\n武林广场站,metro,abc,30.27\n",
        "utf-8",
    )
    options = {"source_crs": "EPSG:4490", "mapping": {"name": "名称", "mode": "类型"}}
    report = import_features(conn, "transit_station", points, **options)
    assert [(p.index, p.code, p.detail) for p in report.problems] == [
        (1, "unreadable_geometry", "经度=∅ 纬度=30.27")
    ]
    report = import_features(conn, "transit_station", points, skip_invalid=True, **options)
    lon, lat, name = conn.execute(
        text("SELECT ST_X(geom), ST_Y(geom), name FROM transit_station WHERE id = :i"),
        {"i": report.ids[0]},
    ).one()
    assert (lon, lat, name) == (120.169, 30.263, "凤起路站")


def test_gcj02_is_refused_unless_declared_then_converted(conn: Connection, tmp_path: Path) -> None:
    wgs = (120.169, 30.263)
    gcj = prcoords.wgs_gcj((wgs[1], wgs[0]))
    path = geojson(
        tmp_path / "amap.geojson",
        [({"mode": "metro"}, {"type": "Point", "coordinates": [gcj.lon, gcj.lat]})],
    )
    with pytest.raises(ImportRefused):
        import_features(conn, "transit_station", path, source_crs="GCJ-02")
    report = import_features(conn, "transit_station", path, gcj02=True)
    assert report.crs == "GCJ-02" and report.crs_from == "gcj02"
    off_m = conn.scalar(
        text(
            "SELECT ST_Distance(geography(geom), geography(ST_SetSRID(ST_MakePoint(:x, :y), 4490))) "
            "FROM transit_station WHERE id = :i"
        ),
        {"x": wgs[0], "y": wgs[1], "i": report.ids[0]},
    )
    assert off_m < 0.01  # the GCJ-02 offset here is ~500 m
    projected = tmp_path / "gk.gpkg"
    gpd.GeoDataFrame(
        {"mode": ["bus"]}, geometry=[shapely.Point(514914, 3350498)], crs="EPSG:4549"
    ).to_file(projected)
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, "transit_station", projected, gcj02=True)
    assert excinfo.value.context["reason"] == "ingest.reason.gcj02_not_lonlat"


def test_mixed_types_and_missing_geometries_are_reported(conn: Connection, tmp_path: Path) -> None:
    path = geojson(
        tmp_path / "mixed.geojson",
        [
            ({"code": "M-1", "name": "a", "floors_above": 1}, square(X, Y, 0.001)),
            (
                {"code": "M-2", "name": "b", "floors_above": 1},
                {"type": "Point", "coordinates": [X, Y]},
            ),
            ({"code": "M-3", "name": "c", "floors_above": 1}, None),
            (
                {"code": "M-4", "name": "d", "floors_above": 1},
                {"type": "LineString", "coordinates": [[X, Y], [X + 0.001, Y]]},
            ),
        ],
    )
    report = import_features(conn, "building", path)
    assert [(p.index, p.code, p.detail) for p in report.problems] == [
        (1, "wrong_geometry_type", "Point"),
        (2, "missing_geometry", None),
        (3, "wrong_geometry_type", "LineString"),
    ]
    assert report.written == 0


def test_data_outside_china_needs_the_area_check_lifted(conn: Connection, tmp_path: Path) -> None:
    path = geojson(
        tmp_path / "paris.geojson",
        [
            (
                {"code": "P-1", "name": "Hôtel de Ville", "floors_above": 5},
                square(2.351, 48.856, 0.001),
            )
        ],
    )
    report = import_features(conn, "building", path)
    assert [p.code for p in report.problems] == ["out_of_area"]
    report = import_features(conn, "building", path, area=None)
    assert report.ok and report.written == 1
    report = import_features(conn, "building", path, area=(-10.0, 35.0, 30.0, 60.0), dry_run=True)
    assert [(p.code, p.detail) for p in report.problems] == [
        ("duplicate_key", "P-1 (in the database)")
    ]


def test_a_gbk_csv_needs_its_encoding_named(conn: Connection, tmp_path: Path) -> None:
    path = tmp_path / "站点.csv"
    path.write_bytes("名称,类型,经度,纬度\n凤起路站,metro,120.169,30.263\n".encode("gbk"))
    options = {"source_crs": "EPSG:4490", "mapping": {"name": "名称", "mode": "类型"}}
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, "transit_station", path, **options)
    assert excinfo.value.context["reason"] == "ingest.reason.wrong_encoding"
    report = import_features(conn, "transit_station", path, encoding="GBK", **options)
    name = conn.scalar(text("SELECT name FROM transit_station WHERE id = :i"), {"i": report.ids[0]})
    assert name == "凤起路站"
