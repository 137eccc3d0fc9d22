"""DXF floor plans into rooms, against a migrated PostGIS: outlines on chosen layers, labels
inside them, units, arcs, blocks, and every kind of bad drawing reported or refused."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from gis_app.dxf.rooms import DxfOptions, import_dxf
from gis_app.errors import NotFound
from gis_app.ingest.report import ImportRefused
from tests.dxf.conftest import ORIGIN, box, new_drawing, plan, room, save

PLACE = DxfOptions(origin=ORIGIN, layers=("ROOM*",))


def _codes(report) -> list[tuple[int, str]]:
    return [(p.index, p.code) for p in report.problems]


def _count(conn: Connection, floor: int) -> int:
    return conn.scalar(text("SELECT count(*) FROM room WHERE floor_id = :f"), {"f": floor})


def test_rooms_in_mm_with_numbers_and_names(conn, floor_id, rooms_of, tmp_path: Path) -> None:
    doc = new_drawing(insunits=4)
    room(doc, box(0, 0, 6000, 4000), "ROOM", "301")
    room(doc, box(6000, 0, 3000, 4000), "ROOM_B", "302A")
    doc.modelspace().add_mtext(
        r"{\fSimSun|b1;会议室}\PMeeting", dxfattribs={"layer": "ROOM", "insert": (1000, 3500)}
    )
    doc.modelspace().add_lwpolyline(
        box(0, 0, 500, 500), close=True, dxfattribs={"layer": "FURNITURE"}
    )
    doc.modelspace().add_line((0, 0), (9000, 0), dxfattribs={"layer": "WALL"})
    report = import_dxf(conn, save(doc, tmp_path), floor_id=floor_id, options=PLACE)
    assert report.ok, report.as_dict("en")["problems"]
    assert (report.read, report.valid, report.written, report.rejected) == (2, 2, 2, 0)
    assert (report.units, report.units_from, report.metres_per_unit) == ("mm", "file", 0.001)
    assert report.crs_from == "origin" and report.numbers_generated == 0
    rows = rooms_of(floor_id)
    assert [r[:6] for r in rows] == [
        ("301", "会议室 Meeting", "office", "in_use", 24.0, 24.0),
        ("302A", None, "office", "in_use", 12.0, 12.0),
    ]
    # On the ellipsoid the georeferenced rooms keep their drawn area (transverse Mercator
    # centred on the origin: scale error ~1e-12 at 10 m).
    assert [round(r[6], 3) for r in rows] == [24.0, 12.0]
    assert {(r[7], r[8]) for r in rows} == {(0, 4490)}
    assert set(report.layers) == {"ROOM", "ROOM_B"}


def test_metres_polyline2d_and_arcs_flattened(conn, floor_id, rooms_of, tmp_path: Path) -> None:
    doc = new_drawing(insunits=6)
    msp = doc.modelspace()
    # A 4 m × 2 m rectangle whose top edge bulges out into a half circle of radius 2 m:
    # 8 + π·2²/2 = 14.283 m².
    msp.add_lwpolyline(
        [(0, 0, 0), (4, 0, 0), (4, 2, 1), (0, 2, 0)],
        format="xyb",
        close=True,
        dxfattribs={"layer": "ROOM"},
    )
    msp.add_text("101", height=0.3, dxfattribs={"layer": "ROOM", "insert": (2, 1)})
    msp.add_polyline2d(box(10, 0, 5, 5), close=True, dxfattribs={"layer": "ROOM"})
    msp.add_text("102", height=0.3, dxfattribs={"layer": "ROOM", "insert": (12, 2)})
    report = import_dxf(conn, save(doc, tmp_path), floor_id=floor_id, options=PLACE)
    assert report.ok and report.written == 2
    areas = {r[0]: r[4] for r in rooms_of(floor_id)}
    assert areas == {"101": pytest.approx(8 + 2 * math.pi, abs=0.02), "102": 25.0}


def test_no_closed_outline_is_no_rooms_found(conn, floor_id, tmp_path: Path) -> None:
    doc = new_drawing()
    room(doc, box(0, 0, 5000, 5000), "ROOM", "301", closed=False)
    for start, end in [((0, 0), (9000, 0)), ((9000, 0), (9000, 9000))]:
        doc.modelspace().add_line(start, end, dxfattribs={"layer": "WALL"})
    with pytest.raises(ImportRefused) as refused:
        import_dxf(conn, save(doc, tmp_path), floor_id=floor_id, options=PLACE)
    assert refused.value.context["field"] == "layers"
    zh, en = refused.value.message("zh-CN"), refused.value.message("en")
    assert "未找到房间" in zh and "no rooms found" in en
    assert "ROOM*" in en and "LINE 2 on WALL" in en and "LWPOLYLINE 1, TEXT 1 on ROOM" in en
    assert _count(conn, floor_id) == 0


def test_open_and_self_intersecting_outlines_are_rejected_with_reasons(
    conn, floor_id, rooms_of, tmp_path: Path
) -> None:
    doc = new_drawing()
    room(doc, box(0, 0, 5000, 5000), "ROOM", "301")
    room(doc, box(6000, 0, 5000, 5000), "ROOM", "302", closed=False)
    room(doc, [(0, 6000), (5000, 11000), (5000, 6000), (0, 11000)], "ROOM", "303")
    path = save(doc, tmp_path)
    report = import_dxf(conn, path, floor_id=floor_id, options=PLACE)
    assert _codes(report) == [(1, "open_outline"), (2, "invalid_geometry")]
    assert report.problems[0].detail == "5.000"  # gap from the last vertex back to the first
    assert report.problems[1].detail.startswith("Self-intersection")
    assert (report.read, report.valid, report.rejected, report.written) == (3, 1, 2, 0)
    assert _count(conn, floor_id) == 0
    problems = report.as_dict("en")["problems"]
    assert [(p["layer"], p["handle"]) for p in problems] == [
        ("ROOM", report.rooms[1].handle),
        ("ROOM", report.rooms[2].handle),
    ]
    assert "outline not closed (gap 5.000 m)" in problems[0]["message"]
    assert report.layers["ROOM"].open == 1 and report.layers["ROOM"].rejected == 2

    skipping = DxfOptions(origin=ORIGIN, layers=("ROOM*",), skip_invalid=True)
    report = import_dxf(conn, path, floor_id=floor_id, options=skipping)
    assert report.written == 1 and report.rejected == 2 and not report.ok
    assert [r[0] for r in rooms_of(floor_id)] == ["301"]


def test_labels_outside_twice_and_missing(conn, floor_id, rooms_of, tmp_path: Path) -> None:
    doc = new_drawing()
    room(doc, box(0, 0, 5000, 5000), "ROOM", "401", "402")
    room(doc, box(6000, 0, 5000, 5000), "ROOM", "档案室", "Archive")
    unlabelled = room(doc, box(12000, 0, 5000, 5000), "ROOM")
    doc.modelspace().add_text(
        "499", height=300, dxfattribs={"layer": "ROOM", "insert": (40000, 40000)}
    )
    report = import_dxf(conn, save(doc, tmp_path), floor_id=floor_id, options=PLACE)
    assert _codes(report) == [(0, "several_room_numbers")]
    assert report.problems[0].detail == "401, 402"
    assert [(n.code, n.detail[:5]) for n in report.notices] == [
        ("label_outside", "499 ("),
        ("several_names", "档案室 A"),
    ]
    assert (
        report.rooms[2].number == f"DXF-{unlabelled}" and report.rooms[2].number_from == "generated"
    )
    assert report.numbers_generated == 2
    assert _count(conn, floor_id) == 0


def test_numbers_twice_in_the_drawing_and_already_on_the_floor(
    conn, floor_id, tmp_path: Path
) -> None:
    twice = plan(tmp_path, (box(0, 0, 5000, 5000), "501"), (box(6000, 0, 5000, 5000), "501"))
    report = import_dxf(conn, twice, floor_id=floor_id, options=PLACE)
    assert _codes(report) == [(1, "duplicate_room_number")]

    good = new_drawing()
    room(good, box(0, 0, 5000, 5000), "ROOM", "601")
    path = save(good, tmp_path, "good.dxf")
    assert import_dxf(conn, path, floor_id=floor_id, options=PLACE).written == 1
    again = import_dxf(conn, path, floor_id=floor_id, options=PLACE)
    assert _codes(again) == [(0, "number_taken")] and again.written == 0


def test_dry_run_writes_nothing_and_floor_by_building_and_ordinal(
    conn, floor_id, tmp_path: Path
) -> None:
    path = plan(tmp_path, (box(0, 0, 5000, 5000), "701"))
    report = import_dxf(conn, path, building="DXF-TEST", ordinal=2, options=PLACE, dry_run=True)
    assert report.ok and report.floor_id == floor_id and report.written == 0
    assert [(r.number, r.area_m2) for r in report.rooms] == [("701", 25.0)]
    assert _count(conn, floor_id) == 0
    with pytest.raises(NotFound):
        import_dxf(conn, path, building="DXF-TEST", ordinal=9, options=PLACE)


def test_a_room_outside_the_floor_is_rejected(conn, floor_id, tmp_path: Path) -> None:
    doc = new_drawing(insunits=6)
    room(doc, box(0, 0, 5, 5), "ROOM", "801")
    room(doc, box(180, 0, 20, 10), "ROOM", "802")  # the floor ends 192.5 m east of (0, 0)
    report = import_dxf(conn, save(doc, tmp_path), floor_id=floor_id, options=PLACE)
    assert _codes(report) == [(1, "outside_floor")]
    outside, share = report.problems[0].detail.split(", ")
    assert 70 < float(outside.split()[0]) < 80 and share.endswith("%")


def test_blocks_are_exploded_with_their_attributes(
    conn, floor_id, rooms_of, tmp_path: Path
) -> None:
    doc = new_drawing()
    block = doc.blocks.new("ROOM_TAG")
    block.add_lwpolyline(box(0, 0, 4000, 3000), close=True)  # layer 0: takes the INSERT's
    block.add_attdef("NUMBER", (2000, 1500), height=200)
    msp = doc.modelspace()
    for k, (number, angle) in enumerate([("A-101", 0), ("A-102", 90)]):
        ref = msp.add_blockref(
            "ROOM_TAG", (10000 * (k + 1), 0), dxfattribs={"layer": "ROOM", "rotation": angle}
        )
        ref.add_auto_attribs({"NUMBER": number})
    report = import_dxf(conn, save(doc, tmp_path), floor_id=floor_id, options=PLACE)
    assert report.ok, report.as_dict("en")
    assert [(r[0], r[4]) for r in rooms_of(floor_id)] == [("A-101", 12.0), ("A-102", 12.0)]
    assert report.entities["INSERT"] == 2


def test_holes_on_their_own_layer_are_cut_out(conn, floor_id, rooms_of, tmp_path: Path) -> None:
    doc = new_drawing()
    room(doc, box(0, 0, 10000, 10000), "ROOM", "901")
    room(doc, box(4000, 4000, 2000, 2000), "SHAFT")
    room(doc, box(50000, 50000, 1000, 1000), "SHAFT")
    options = DxfOptions(origin=ORIGIN, layers=("ROOM",), hole_layers=("SHAFT",))
    report = import_dxf(conn, save(doc, tmp_path), floor_id=floor_id, options=options)
    assert report.ok and report.read == 1
    assert [n.code for n in report.notices] == ["hole_outside"]
    assert [r[4] for r in rooms_of(floor_id)] == [96.0]


def test_units_missing_given_or_implausible(conn, floor_id, rooms_of, tmp_path: Path) -> None:
    doc = new_drawing(insunits=0)
    room(doc, box(0, 0, 5000, 4000), "ROOM", "111")
    path = save(doc, tmp_path)
    with pytest.raises(ImportRefused) as refused:
        import_dxf(conn, path, floor_id=floor_id, options=PLACE)
    assert refused.value.context["field"] == "units" and "$INSUNITS=0" in refused.value.message(
        "en"
    )
    metres = DxfOptions(origin=ORIGIN, layers=("ROOM*",), units="m")
    with pytest.raises(ImportRefused) as refused:
        import_dxf(conn, path, floor_id=floor_id, options=metres)
    message = refused.value.message("en")
    assert "20,000,000 m²" in message and "probably in mm:" in message
    millimetres = DxfOptions(origin=ORIGIN, layers=("ROOM*",), units="mm")
    assert import_dxf(conn, path, floor_id=floor_id, options=millimetres).written == 1
    assert rooms_of(floor_id)[0][4] == 20.0


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not_dxf"),
        (b"PK\x03\x04 a zip, not a drawing", "not_dxf"),
        (b"AC1032\x00\x00\x00 a DWG header", "dwg"),
        (b"0\nSECTION\n2\nENTITIES\n0\nLWPOLYLINE\n8\nROOM\n90\nnot-a-number\n", "unreadable"),
    ],
)
def test_a_file_that_is_no_dxf_is_refused_naming_file(
    conn, floor_id, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "plan.dxf"
    path.write_bytes(content)
    with pytest.raises(ImportRefused) as refused:
        import_dxf(conn, path, floor_id=floor_id, options=PLACE)
    assert refused.value.context["field"] == "file"
    assert refused.value.context["reason"] == f"dxf.reason.{reason}"


def test_georeference_must_be_given_exactly_once(conn, floor_id, tmp_path: Path) -> None:
    path = plan(tmp_path, (box(0, 0, 5000, 4000), "111"))
    for options in (DxfOptions(), DxfOptions(origin=ORIGIN, crs="EPSG:4549")):
        with pytest.raises(ImportRefused) as refused:
            import_dxf(conn, path, floor_id=floor_id, options=options)
        assert refused.value.context["field"] == "georeference"


def test_number_pattern_and_outlines_closed_by_their_last_vertex(
    conn, floor_id, tmp_path: Path
) -> None:
    doc = new_drawing()
    room(doc, box(0, 0, 5000, 5000), "ROOM", "RM-7", "301")
    room(doc, [*box(6000, 0, 5000, 5000), (6000, 0)], "ROOM", "RM-" + "X" * 22, closed=False)
    options = DxfOptions(origin=ORIGIN, number_pattern=r"RM-\w+")
    report = import_dxf(conn, save(doc, tmp_path), floor_id=floor_id, options=options)
    assert [(r.number, r.name) for r in report.rooms] == [("RM-7", "301"), ("RM-" + "X" * 22, None)]
    assert _codes(report) == [(1, "too_long")] and report.problems[0].detail == "25"
    assert report.layers["ROOM"].open == 0  # the last vertex returns to the first
