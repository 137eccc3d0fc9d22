"""Buildings, floors, rooms and parcels through the general import: field types and ranges,
natural keys in the file and in the table, parents found by code, rooms inside their floor,
land-use codes; a dry run writes nothing and one problem stops the whole import unless
`skip_invalid` is asked for."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from gis_app.ingest import ImportRefused, import_features
from tests.ingest.helpers import geojson, square

X, Y = 120.150, 30.250


def _count(conn: Connection, table: str) -> int:
    return conn.scalar(text(f"SELECT count(*) FROM {table}"))


def _buildings(conn: Connection, tmp_path: Path) -> list[int]:
    path = geojson(
        tmp_path / "b.geojson",
        [
            ({"BM": "T-1", "MC": "财政大楼", "CS": 6}, square(X, Y, 0.001)),
            ({"BM": "T-2", "MC": "人社大楼", "CS": "4"}, square(X + 0.002, Y, 0.001)),
        ],
    )
    report = import_features(
        conn, "building", path, mapping={"code": "BM", "name": "MC", "floors_above": "CS"}
    )
    assert report.ok and report.written == 2
    return report.ids


def test_buildings_check_types_ranges_codes_and_keys(conn: Connection, tmp_path: Path) -> None:
    _buildings(conn, tmp_path)
    path = geojson(
        tmp_path / "bad.geojson",
        [
            (
                {
                    "code": "N-1",
                    "name": "ok",
                    "floors_above": 3,
                    "year_built": "1998",
                    "safety_grade": "b",
                    "safety_appraised_on": "2021/5/8",
                    "height_m": 12.5,
                },
                square(X, Y + 0.01, 0.001),
            ),
            ({"code": "N-2", "name": "x", "floors_above": "three"}, square(X, Y + 0.02, 0.001)),
            ({"code": "N-3", "name": "x", "floors_above": 0}, square(X, Y + 0.03, 0.001)),
            (
                {"code": "N-4", "name": "x", "floors_above": 2, "year_built": 1700},
                square(X, Y + 0.04, 0.001),
            ),
            (
                {"code": "N-5", "name": "x", "floors_above": 2, "safety_grade": "E"},
                square(X, Y + 0.05, 0.001),
            ),
            (
                {"code": "N-6", "name": "x", "floors_above": 2, "safety_appraised_on": "5/8/21"},
                square(X, Y + 0.06, 0.001),
            ),
            ({"code": "T-1", "name": "x", "floors_above": 2}, square(X, Y + 0.07, 0.001)),
            ({"code": "N-8", "name": None, "floors_above": 2}, square(X, Y + 0.08, 0.001)),
            ({"code": "N-9", "name": "x", "floors_above": 2}, square(X, Y + 0.09, 0.001)),
            ({"code": "N-9", "name": "y", "floors_above": 2}, square(X, Y + 0.10, 0.001)),
            ({"code": "X" * 41, "name": "x", "floors_above": 2}, square(X, Y + 0.11, 0.001)),
        ],
    )
    before = _count(conn, "building")
    report = import_features(conn, "building", path)
    assert [(p.index, p.field, p.code, p.detail) for p in report.problems] == [
        (1, "floors_above", "bad_value", "three"),
        (2, "floors_above", "out_of_range", "0 ∉ [1, 2147483647]"),
        (3, "year_built", "out_of_range", "1700 ∉ [1800, 2100]"),
        (4, "safety_grade", "unknown_code", "E"),
        (5, "safety_appraised_on", "bad_value", "5/8/21"),
        (6, "code", "duplicate_key", "T-1 (in the database)"),
        (7, "name", "missing_field", None),
        (8, "code", "duplicate_key", "N-9 ×2: 8, 9"),
        (9, "code", "duplicate_key", "N-9 ×2: 8, 9"),
        (10, "code", "too_long", "41 > 40"),
    ]
    assert (report.read, report.valid, report.rejected, report.written) == (11, 1, 10, 0)
    assert _count(conn, "building") == before
    assert report.as_dict("en")["problems"][0]["message"] == (
        "feature 1, floors_above: value three is not of the field's type"
    )

    report = import_features(conn, "building", path, skip_invalid=True)
    assert report.written == 1 and report.rejected == 10
    row = conn.execute(
        text(
            "SELECT code, year_built, safety_grade, safety_appraised_on::text, height_m::text, "
            "floors_below, safety_standard FROM building WHERE id = :id"
        ),
        {"id": report.ids[0]},
    ).one()
    assert tuple(row) == ("N-1", 1998, "B", "2021-05-08", "12.50", 0, "JGJ 125-2016")


def test_floors_find_their_building_and_stay_inside_it(conn: Connection, tmp_path: Path) -> None:
    _buildings(conn, tmp_path)
    big = square(X - 0.0001, Y - 0.0001, 0.0012)  # ~19 % of its area outside T-1
    path = geojson(
        tmp_path / "floors.geojson",
        [
            ({"LD": "T-1", "LC": 0}, square(X, Y, 0.001)),
            ({"LD": "T-1", "LC": -1, "name": "地下一层"}, square(X, Y, 0.001)),
            ({"LD": "T-1", "LC": 1}, big),
            ({"LD": "T-9", "LC": 0}, square(X, Y, 0.001)),
            ({"LD": None, "LC": 0}, square(X, Y, 0.001)),
            (
                {"LD": "T-2", "LC": 0},
                {
                    "type": "MultiPolygon",
                    "coordinates": [
                        square(X + 0.002, Y, 0.0004)["coordinates"],
                        square(X + 0.0025, Y, 0.0004)["coordinates"],
                    ],
                },
            ),
        ],
    )
    mapping = {"building_code": "LD", "ordinal": "LC"}
    report = import_features(conn, "floor", path, mapping=mapping)
    assert [(p.index, p.field, p.code) for p in report.problems] == [
        (2, "geom", "outside_parent"),
        (3, "building_code", "unknown_parent"),
        (4, "building_code", "missing_field"),
        (5, "geom", "wrong_geometry_type"),
    ]
    assert report.problems[0].detail.endswith("(30.6 %)")
    report = import_features(conn, "floor", path, mapping=mapping, skip_invalid=True)
    names = conn.execute(
        text("SELECT ordinal, name, GeometryType(geom) FROM floor WHERE id = ANY(:ids) ORDER BY 1"),
        {"ids": report.ids},
    ).all()
    assert [tuple(r) for r in names] == [(-1, "地下一层", "POLYGON"), (0, "1F", "POLYGON")]
    again = import_features(conn, "floor", path, mapping=mapping, dry_run=True)
    assert {(p.index, p.code) for p in again.problems} >= {
        (0, "duplicate_key"),
        (1, "duplicate_key"),
    }


def test_rooms_find_their_floor_get_a_plan_and_stay_inside(
    conn: Connection, tmp_path: Path
) -> None:
    building = _buildings(conn, tmp_path)[0]
    floors = geojson(
        tmp_path / "f.geojson", [({"building_code": "T-1", "ordinal": 2}, square(X, Y, 0.001))]
    )
    floor = import_features(conn, "floor", floors).ids[0]
    d = 0.0001  # ~9.6 m × 11.1 m
    rooms = geojson(
        tmp_path / "rooms.geojson",
        [
            (
                {"number": "301", "category": "office", "status": "in_use", "area": 100},
                square(X, Y, d),
            ),
            ({"number": "302", "category": "Service", "status": "vacant"}, square(X + d, Y, d)),
            (
                {"number": "303", "category": "office", "status": "in_use"},
                square(X + 0.00095, Y, d),
            ),  # half outside
            ({"number": "304", "category": "lounge", "status": "in_use"}, square(X, Y + d, d)),
            (
                {"number": "305", "category": "office", "status": "in_use", "floor_ordinal": 9},
                square(X, Y + 2 * d, d),
            ),
        ],
    )
    defaults = {"building_code": "T-1", "floor_ordinal": 2}
    mapping = {"usable_area_m2": "area"}
    report = import_features(conn, "room", rooms, defaults=defaults, mapping=mapping)
    assert [(p.index, p.field, p.code, p.detail) for p in report.problems] == [
        (2, "geom", "outside_parent", "53.3 m² (50.0 %)"),
        (3, "category", "unknown_code", "lounge"),
        (4, "building_code", "unknown_parent", "T-1|9"),
    ]
    report = import_features(
        conn, "room", rooms, defaults=defaults, mapping=mapping, skip_invalid=True
    )
    rows = conn.execute(
        text(
            "SELECT number, category, floor_id, usable_area_m2::float, "
            "round(ST_Area(local_geom)::numeric, 1)::float, ST_SRID(local_geom), "
            "round(ST_XMin(local_geom)::numeric, 2)::float "
            "FROM room WHERE id = ANY(:ids) ORDER BY number"
        ),
        {"ids": report.ids},
    ).all()
    assert [tuple(r) for r in rows] == [
        ("301", "office", floor, 100.0, 106.7, 0, 0.0),
        ("302", "service", floor, 106.69, 106.7, 0, 9.62),
    ]
    assert building


def test_parcels_need_a_known_landuse_code(conn: Connection, tmp_path: Path) -> None:
    path = geojson(
        tmp_path / "parcels.geojson",
        [
            ({"ZDDM": "330102-001", "DLBM": "0701"}, square(X, Y, 0.001)),
            ({"ZDDM": "330102-002", "DLBM": "9999"}, square(X, Y + 0.001, 0.001)),
            ({"ZDDM": "330102-003", "DLBM": "0701", "MJ": "-5"}, square(X, Y + 0.002, 0.001)),
        ],
    )
    defaults = {"landuse_scheme": "GB/T 21010-2017", "ownership": "state", "status": "idle"}
    mapping = {"parcel_code": "ZDDM", "landuse_code": "DLBM", "area_m2": "MJ"}
    report = import_features(conn, "parcel", path, mapping=mapping, defaults=defaults)
    assert [(p.index, p.field, p.code, p.detail) for p in report.problems] == [
        (1, "landuse_code", "unknown_landuse", "9999 (GB/T 21010-2017)"),
        (2, "area_m2", "out_of_range", "-5 ∉ (0, 999999999999.99]"),
    ]
    report = import_features(
        conn, "parcel", path, mapping=mapping, defaults=defaults, skip_invalid=True
    )
    area, computed = conn.execute(
        text("SELECT area_m2::float, ST_Area(geography(geom)) FROM land_parcel WHERE id = :id"),
        {"id": report.ids[0]},
    ).one()
    assert area == pytest.approx(computed, abs=0.01)


@pytest.mark.parametrize(
    ("kwargs", "field", "reason"),
    [
        ({"target": "cellar"}, "target", "unknown_import_target"),
        ({"defaults": {"floors_above": "many"}}, "defaults", "bad_default"),
        ({"defaults": {"safety_grade": "Z"}}, "defaults", "unknown_default"),
        ({"mapping": {"colour": "x"}}, "mapping", "unknown_target"),
    ],
)
def test_unusable_arguments_are_refused_before_reading(
    conn: Connection, tmp_path: Path, kwargs: dict, field: str, reason: str
) -> None:
    path = geojson(tmp_path / "b.geojson", [({"code": "A"}, square(X, Y, 0.001))])
    args = {"target": "building"} | kwargs
    with pytest.raises(ImportRefused) as excinfo:
        import_features(conn, args.pop("target"), path, **args)
    assert excinfo.value.context["field"] == field
    assert excinfo.value.context["reason"] == f"ingest.reason.{reason}"


def test_parents_by_id_work_as_by_code(conn: Connection, tmp_path: Path) -> None:
    building = _buildings(conn, tmp_path)[1]
    floors = geojson(
        tmp_path / "f.geojson",
        [
            ({"building_id": building, "ordinal": 0}, square(X + 0.002, Y, 0.001)),
            ({"building_id": 999999, "ordinal": 1}, square(X + 0.002, Y, 0.001)),
            ({"building_id": "abc", "ordinal": 2}, square(X + 0.002, Y, 0.001)),
        ],
    )
    report = import_features(conn, "floor", floors, skip_invalid=True)
    assert [(p.index, p.field, p.code) for p in report.problems] == [
        (1, "building_id", "unknown_parent"),
        (2, "building_id", "bad_value"),
    ]
    rooms = geojson(
        tmp_path / "r.geojson",
        [
            (
                {
                    "floor_id": report.ids[0],
                    "number": "101",
                    "category": "equipment",
                    "status": "vacant",
                },
                square(X + 0.002, Y, 0.0001),
            )
        ],
    )
    room = import_features(conn, "room", rooms)
    assert room.ok and room.written == 1
    floor_of_room = conn.scalar(text("SELECT floor_id FROM room WHERE id = :i"), {"i": room.ids[0]})
    assert floor_of_room == report.ids[0]
