"""Bad records are refused with a message naming the record and the reason; nothing is
half-written; every write is audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, IntegrityError

SQUARE = "POLYGON((120.1 30.25,120.1003 30.25,120.1003 30.2503,120.1 30.2503,120.1 30.25))"
SQUARE_LOCAL = "POLYGON((0 0,30 0,30 30,0 30,0 0))"
INSIDE = "POLYGON((120.1001 30.2501,120.1002 30.2501,120.1002 30.2502,120.1001 30.2502,120.1001 30.2501))"
OUTSIDE = "POLYGON((120.1002 30.2501,120.1006 30.2501,120.1006 30.2502,120.1002 30.2502,120.1002 30.2501))"
BOWTIE = "POLYGON((120.1 30.25,120.1003 30.2503,120.1003 30.25,120.1 30.2503,120.1 30.25))"


def _geom(wkt: str, srid: int = 4490) -> str:
    return f"ST_GeomFromText('{wkt}', {srid})"


@pytest.fixture
def floor_id(conn: Connection) -> int:
    conn.execute(
        text(
            "INSERT INTO organisation (id, code, name, level, kind, authorised_staff) "
            "VALUES (900, 'T-ORG', '测试局', 'municipal', 'government', 10)"
        )
    )
    conn.execute(
        text(
            "INSERT INTO building (id, code, name, floors_above, floors_below, geom) VALUES "
            f"(900, 'T-B', '测试楼', 5, 0, ST_Multi({_geom(SQUARE)}))"
        )
    )
    conn.execute(
        text(
            f"INSERT INTO floor (id, building_id, ordinal, name, geom) VALUES (900, 900, 2, '3F', {_geom(SQUARE)})"
        )
    )
    return 900


def _insert_room(conn: Connection, number: str, geom_sql: str) -> None:
    conn.execute(
        text(
            "INSERT INTO room (floor_id, number, category, usable_area_m2, status, local_geom, geom) "
            f"VALUES (900, '{number}', 'office', 20, 'vacant', {_geom(SQUARE_LOCAL, 0)}, {geom_sql})"
        )
    )


def _error_text(excinfo: pytest.ExceptionInfo[DBAPIError]) -> str:
    return excinfo.value.orig.diag.message_primary


def test_room_inside_its_floor_is_accepted(conn: Connection, floor_id: int) -> None:
    _insert_room(conn, "301", _geom(INSIDE))
    assert conn.scalar(text("SELECT count(*) FROM room WHERE floor_id = 900")) == 1


def test_room_outside_its_floor_is_refused_naming_room_and_floor(
    conn: Connection, floor_id: int
) -> None:
    with pytest.raises(IntegrityError) as excinfo:
        _insert_room(conn, "302", _geom(OUTSIDE))
    message = _error_text(excinfo)
    assert "room 302" in message and f"floor {floor_id}" in message
    assert "outside its floor outline" in message


def test_self_intersecting_building_is_refused_with_reason(conn: Connection) -> None:
    with pytest.raises(IntegrityError) as excinfo:
        conn.execute(
            text(
                "INSERT INTO building (code, name, floors_above, geom) "
                f"VALUES ('BAD-1', '坏楼', 3, ST_Multi({_geom(BOWTIE)}))"
            )
        )
    message = _error_text(excinfo)
    assert message.startswith("building BAD-1: geometry invalid: Self-intersection")


def test_empty_geometry_is_refused(conn: Connection) -> None:
    with pytest.raises(IntegrityError) as excinfo:
        conn.execute(
            text(
                "INSERT INTO campus (code, name, geom) "
                "VALUES ('EMPTY', '空', ST_GeomFromText('MULTIPOLYGON EMPTY', 4490))"
            )
        )
    assert _error_text(excinfo) == "campus EMPTY: geometry empty"


def test_wrong_geometry_type_is_refused(conn: Connection) -> None:
    with pytest.raises(DBAPIError) as excinfo:
        conn.execute(
            text(
                "INSERT INTO campus (code, name, geom) VALUES ('PT', '点', "
                "ST_GeomFromText('POINT(120.1 30.2)', 4490))"
            )
        )
    assert "does not match column type" in _error_text(excinfo)


def test_wrong_srid_is_refused(conn: Connection) -> None:
    with pytest.raises(DBAPIError) as excinfo:
        conn.execute(
            text(
                f"INSERT INTO campus (code, name, geom) VALUES ('3857', 'x', ST_Multi({_geom(SQUARE, 3857)}))"
            )
        )
    assert "SRID" in _error_text(excinfo)


def test_unclosed_ring_is_refused(conn: Connection) -> None:
    with pytest.raises(DBAPIError) as excinfo:
        conn.execute(
            text(
                "INSERT INTO campus (code, name, geom) VALUES ('OPEN', 'x', ST_GeomFromText("
                "'MULTIPOLYGON(((120.1 30.25,120.2 30.25,120.2 30.3,120.1 30.3)))', 4490))"
            )
        )
    assert "closed" in _error_text(excinfo).lower()


def test_unknown_rank_is_refused_naming_staff(conn: Connection, floor_id: int) -> None:
    with pytest.raises(IntegrityError) as excinfo:
        conn.execute(
            text(
                "INSERT INTO staff (organisation_id, rank_code, name) VALUES (900, 'mayor_for_life', '张三')"
            )
        )
    assert _error_text(excinfo) == "staff 张三 (organisation 900): unknown rank code mayor_for_life"


@pytest.mark.parametrize(
    ("scheme", "code", "accepted"),
    [
        ("GB/T 21010-2017", "0801", True),
        ("MNR-YDYH-2023", "0801", True),
        ("MNR-YDYH-2023", "1201", True),  # 铁路用地 (GB/T 1201 is 空闲地)
        ("TD/T 1055-2019", "08H1", True),
        ("GB/T 21010-2017", "2301", False),
        ("GB/T 21010-2017", "08H1", False),
        ("MNR-YDYH-2023", "1210", False),
    ],
)
def test_land_use_code_must_exist_in_its_scheme(
    conn: Connection, scheme: str, code: str, accepted: bool
) -> None:
    insert = text(
        "INSERT INTO land_parcel (parcel_code, landuse_scheme, landuse_code, area_m2, ownership, "
        f"status, geom) VALUES ('P-1', :scheme, :code, 900, 'state', 'idle', ST_Multi({_geom(SQUARE)}))"
    )
    if accepted:
        conn.execute(insert, {"scheme": scheme, "code": code})
        return
    with pytest.raises(IntegrityError) as excinfo:
        conn.execute(insert, {"scheme": scheme, "code": code})
    assert (
        _error_text(excinfo) == f"land_parcel P-1: unknown land-use code {code} in scheme {scheme}"
    )


def test_a_refused_row_leaves_nothing_of_its_transaction(engine, floor_id: int) -> None:
    with (
        engine.connect() as other,
        pytest.raises(IntegrityError, match="no_such_rank"),
        other.begin(),
    ):
        other.execute(
            text(
                "INSERT INTO organisation (code, name, level, kind) "
                "VALUES ('HALF', '半截局', 'county', 'government')"
            )
        )
        other.execute(
            text(
                "INSERT INTO staff (organisation_id, rank_code) "
                "SELECT id, 'no_such_rank' FROM organisation WHERE code = 'HALF'"
            )
        )
    with engine.connect() as check:
        assert check.scalar(text("SELECT count(*) FROM organisation WHERE code = 'HALF'")) == 0
        assert (
            check.scalar(text("SELECT count(*) FROM audit_log WHERE after ->> 'code' = 'HALF'"))
            == 0
        )


def test_writes_are_audited_with_who_before_and_after(conn: Connection, floor_id: int) -> None:
    conn.execute(text("UPDATE organisation SET authorised_staff = 12 WHERE id = 900"))
    conn.execute(text("DELETE FROM floor WHERE id = 900"))
    rows = conn.execute(
        text(
            "SELECT table_name, operation, row_key, who, before, after FROM audit_log "
            "WHERE row_key = '900' ORDER BY id"
        )
    ).all()
    ops = [(r.table_name, r.operation) for r in rows]
    assert ops == [
        ("organisation", "INSERT"),
        ("building", "INSERT"),
        ("floor", "INSERT"),
        ("organisation", "UPDATE"),
        ("floor", "DELETE"),
    ]
    update = rows[3]
    assert update.who == "pytest"
    assert update.before["authorised_staff"] == 10 and update.after["authorised_staff"] == 12
    assert rows[4].before["name"] == "3F" and rows[4].after is None
    assert rows[2].after["geom"]["type"] == "Polygon"


def test_bulk_summary_mode_writes_one_audit_row_per_statement(conn: Connection) -> None:
    conn.execute(text("SET LOCAL gis_app.audit = 'summary'"))
    conn.execute(
        text(
            "INSERT INTO organisation (code, name, level, kind) "
            "SELECT 'BULK-' || g, '批量' || g, 'county', 'government' FROM generate_series(1, 50) g"
        )
    )
    rows = conn.execute(
        text(
            "SELECT row_key, after FROM audit_log WHERE table_name = 'organisation' "
            "AND operation = 'INSERT' AND after ? 'bulk'"
        )
    ).all()
    assert len(rows) == 1
    assert rows[0].row_key is None and rows[0].after == {"bulk": True, "rows": 50}


def test_who_sat_where_on_a_date(conn: Connection, floor_id: int) -> None:
    _insert_room(conn, "305", _geom(INSIDE))
    conn.execute(
        text(
            "INSERT INTO staff (id, organisation_id, rank_code, name) VALUES "
            "(901, 900, 'municipal_bureau_head', '李四')"
        )
    )
    room = conn.scalar(text("SELECT id FROM room WHERE number = '305'"))
    conn.execute(
        text(
            "INSERT INTO room_occupancy (room_id, staff_id, valid_from, valid_to) VALUES "
            "(:r, 901, '2020-01-01', '2023-07-01'), (:r, 901, '2024-01-01', NULL)"
        ),
        {"r": room},
    )
    on_date = text(
        "SELECT count(*) FROM room_occupancy WHERE room_id = :r "
        "AND daterange(valid_from, valid_to) @> CAST(:d AS date)"
    )
    assert conn.scalar(on_date, {"r": room, "d": date(2022, 5, 1)}) == 1
    assert conn.scalar(on_date, {"r": room, "d": date(2023, 9, 1)}) == 0
    assert conn.scalar(on_date, {"r": room, "d": date(2026, 11, 28)}) == 1


def test_overlapping_occupancy_of_the_same_room_is_refused(conn: Connection, floor_id: int) -> None:
    _insert_room(conn, "306", _geom(INSIDE))
    conn.execute(
        text(
            "INSERT INTO staff (id, organisation_id, rank_code) VALUES (902, 900, 'municipal_staff')"
        )
    )
    room = conn.scalar(text("SELECT id FROM room WHERE number = '306'"))
    conn.execute(
        text(
            "INSERT INTO room_occupancy (room_id, staff_id, valid_from) VALUES (:r, 902, '2024-01-01')"
        ),
        {"r": room},
    )
    with pytest.raises(IntegrityError) as excinfo:
        conn.execute(
            text(
                "INSERT INTO room_occupancy (room_id, staff_id, valid_from, valid_to) "
                "VALUES (:r, 902, '2025-01-01', '2025-06-01')"
            ),
            {"r": room},
        )
    assert excinfo.value.orig.diag.constraint_name == "room_occupancy_no_overlap"


def test_a_renamed_key_keeps_before_and_after_paired(conn: Connection) -> None:
    conn.execute(text("UPDATE rank SET code = 'county_clerk' WHERE code = 'county_staff'"))
    rows = conn.execute(
        text(
            "SELECT row_key, before ->> 'code' AS old, after ->> 'code' AS new FROM audit_log "
            "WHERE table_name = 'rank' AND operation = 'UPDATE'"
        )
    ).all()
    assert [(r.row_key, r.old, r.new) for r in rows] == [
        ("county_clerk", "county_staff", "county_clerk")
    ]
    cascaded = conn.execute(
        text(
            "SELECT row_key, before ->> 'rank_code', after ->> 'rank_code' FROM audit_log "
            "WHERE table_name = 'office_area_standard' AND operation = 'UPDATE'"
        )
    ).all()
    assert [tuple(r) for r in cascaded] == [
        ("CN-2014|county_clerk", "county_staff", "county_clerk")
    ]


def test_an_unchanged_update_is_not_audited(conn: Connection, floor_id: int) -> None:
    conn.execute(text("UPDATE organisation SET name = name WHERE id = 900"))
    assert conn.scalar(text("SELECT count(*) FROM audit_log WHERE operation = 'UPDATE'")) == 0


def test_truncate_is_audited(conn: Connection) -> None:
    conn.execute(text("TRUNCATE room_occupancy"))
    assert (
        conn.scalar(
            text(
                "SELECT count(*) FROM audit_log WHERE table_name = 'room_occupancy' AND operation = 'TRUNCATE'"
            )
        )
        == 1
    )


def test_shrinking_a_floor_outline_under_its_rooms_is_refused(
    conn: Connection, floor_id: int
) -> None:
    _insert_room(conn, "310", _geom(INSIDE))
    smaller = "POLYGON((120.1 30.25,120.10005 30.25,120.10005 30.25005,120.1 30.25005,120.1 30.25))"
    with pytest.raises(IntegrityError) as excinfo:
        conn.execute(text(f"UPDATE floor SET geom = {_geom(smaller)} WHERE id = 900"))
    assert _error_text(excinfo) == "floor 3F (building 900): new outline leaves room 310 outside"


def test_only_one_standard_version_is_the_default(conn: Connection) -> None:
    with pytest.raises(IntegrityError) as excinfo:
        conn.execute(
            text(
                "INSERT INTO standard_version (code, name_zh, name_en, equipment_max_ratio, "
                "leader_toilet_max_m2, is_default) VALUES ('ZJ-2018', '浙江', 'Zhejiang', 0.09, 6, true)"
            )
        )
    assert excinfo.value.orig.diag.constraint_name == "uq_standard_version_one_default"


def test_service_room_bands_may_not_overlap(conn: Connection) -> None:
    with pytest.raises(IntegrityError) as excinfo:
        conn.execute(
            text(
                "INSERT INTO service_room_band (standard_code, level, staff_above, staff_up_to, "
                "rate_intercept, rate_slope, verified) VALUES ('CN-2014', 'municipal', 150, 250, 8, 0, false)"
            )
        )
    assert excinfo.value.orig.diag.constraint_name == "service_room_band_no_overlap"
