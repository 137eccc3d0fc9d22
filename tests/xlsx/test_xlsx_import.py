"""Spreadsheet imports over the API on a demo district of their own: the templates, a new
body, staff (a rank of the wrong level refuses the whole file, naming the row and column),
a dry run that writes nothing, room assignments audited as `xlsx.occupancy` by the user,
scope, rights and files that are not workbooks."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, text

from gis_app.reports.writers import XLSX_MEDIA_TYPE
from gis_app.xlsx.templates import NOTES_SHEET, SPECS

NEW_BODY = "XLSX-TEST-01"


def _counted(name: str, **labels: str) -> float:
    """A series of the process's metrics (`gis_app.ingest.metrics`), 0 before its first use."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _one(owner: Engine, sql: str, **params: Any) -> Any:
    with owner.connect() as conn:
        return conn.execute(text(sql), params).first()


def _counts(owner: Engine) -> dict[str, int]:
    with owner.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608 (fixed names)
            for t in ("organisation", "staff", "room_occupancy", "audit_log")
        } | {
            "rooms allocated": conn.execute(
                text("SELECT count(*) FROM room WHERE organisation_id IS NOT NULL")
            ).scalar_one(),
            "audit max": conn.execute(
                text("SELECT coalesce(max(id), 0) FROM audit_log")
            ).scalar_one(),
        }


def _template(client: TestClient, kind: str) -> openpyxl.Workbook:
    answer = client.get(f"/api/v1/imports/xlsx/templates/{kind}")
    assert answer.status_code == 200, answer.text
    return openpyxl.load_workbook(io.BytesIO(answer.content))


def _filled(client: TestClient, kind: str, rows: list[dict[str, Any]]) -> bytes:
    """The downloaded template with its example row overwritten by `rows` (by column key)."""
    book = _template(client, kind)
    sheet = book.worksheets[0]
    keys = [str(c.value).split(" / ")[1] for c in sheet[1]]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append([row.get(k) for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _send(client: TestClient, kind: str, content: bytes, **form: Any) -> Any:
    return client.post(
        f"/api/v1/imports/xlsx/{kind}",
        files={"file": (f"{kind}.xlsx", content, XLSX_MEDIA_TYPE)},
        data={k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in form.items()},
    )


@pytest.fixture(scope="module")
def parent(owner: Engine) -> Any:
    """A county body under the top one, not sub-provincial anywhere above."""
    return _one(
        owner,
        "SELECT id, code, level FROM organisation WHERE parent_id IS NOT NULL "
        "AND level = 'county' AND NOT sub_provincial ORDER BY id LIMIT 1",
    )


@pytest.fixture(scope="module")
def ranks(owner: Engine, parent: Any) -> dict[str, Any]:
    """Two ranks of the parent's level (one by code, one by Chinese name) and one of another."""
    with owner.connect() as conn:
        own = conn.execute(
            text("SELECT code, name_zh FROM rank WHERE level = :l ORDER BY sort_order"),
            {"l": parent.level},
        ).all()
        other = conn.execute(
            text("SELECT code, name_zh FROM rank WHERE level = 'central' ORDER BY sort_order")
        ).first()
    return {"own": own[-1], "own2": own[-2], "wrong": other}


def test_templates_have_the_headers_and_notes(
    manager: TestClient, client_as: Callable, parent: Any
) -> None:
    for kind, spec in SPECS.items():
        answer = manager.get(f"/api/v1/imports/xlsx/templates/{kind}")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == XLSX_MEDIA_TYPE
        disposition = answer.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=UTF-8''{quote(spec.filename)}" in disposition
        assert disposition.isascii()
        book = openpyxl.load_workbook(io.BytesIO(answer.content))
        assert book.sheetnames == [spec.sheet, NOTES_SHEET]
        headers = [c.value for c in book.worksheets[0][1]]
        assert headers == [f"{c.zh} / {c.key}" for c in spec.columns]
        assert all(" / " in h for h in headers)
        assert [c.value for c in book.worksheets[0][2]] == [c.example for c in spec.columns]
        notes = [r[0] for r in book[NOTES_SHEET].iter_rows(values_only=True)]
        assert set(headers) <= set(notes)
    staff_notes = _template(manager, "staff")[NOTES_SHEET]
    assert any(r[2] == "科级以下" for r in staff_notes.iter_rows(values_only=True) if len(r) > 2)
    assert manager.get("/api/v1/imports/xlsx/templates/nothing").status_code == 422
    viewer = client_as("viewer", parent.code)
    assert viewer.get("/api/v1/imports/xlsx/templates/staff").status_code == 200


def test_a_new_body_under_an_existing_one(manager: TestClient, owner: Engine, parent: Any) -> None:
    content = _filled(
        manager,
        "organisations",
        [
            {
                "code": NEW_BODY,
                "name": "表格导入测试局",
                "parent_code": parent.code,
                "level": "县级",
                "kind": "政府",
                "authorised_staff": 8,
                "sub_provincial": "否",
            }
        ],
    )
    rows = _counted("gis_import_rows_written_total", target="organisations")
    answer = _send(manager, "organisations", content, document_no="机管〔2026〕3号")
    assert answer.status_code == 200, answer.text
    assert _counted("gis_import_rows_written_total", target="organisations") == rows + 1
    report = answer.json()
    assert (report["ok"], report["read"], report["written"]) == (True, 1, 1)
    body = _one(
        owner,
        "SELECT id, parent_id, level, kind, authorised_staff FROM organisation WHERE code = :c",
        c=NEW_BODY,
    )
    assert (body.parent_id, body.level, body.kind, body.authorised_staff) == (
        parent.id,
        "county",
        "government",
        8,
    )
    assert report["ids"] == [body.id]
    audit = _one(
        owner,
        "SELECT who, action, document_no FROM audit_log WHERE table_name = 'organisation' "
        "AND row_key = :k ORDER BY id DESC LIMIT 1",
        k=str(body.id),
    )
    assert tuple(audit) == ("test-office_manager-all", "xlsx.organisations", "机管〔2026〕3号")

    changed = _filled(manager, "organisations", [{"code": NEW_BODY, "authorised_staff": 9}])
    assert _send(manager, "organisations", changed).status_code == 200
    again = _one(
        owner, "SELECT name, authorised_staff FROM organisation WHERE code = :c", c=NEW_BODY
    )
    assert tuple(again) == ("表格导入测试局", 9)


def _staff_rows(ranks: dict[str, Any], third: str) -> list[dict[str, Any]]:
    return [
        {"body_code": NEW_BODY, "name": "表格甲", "rank": ranks["own"].code},
        {"body_code": NEW_BODY, "name": "表格乙", "rank": ranks["own2"].name_zh},
        {"body_code": NEW_BODY, "name": "表格丙", "rank": third},
    ]


def test_a_rank_of_the_wrong_level_refuses_the_file(
    manager: TestClient, owner: Engine, ranks: dict[str, Any]
) -> None:
    content = _filled(manager, "staff", _staff_rows(ranks, ranks["wrong"].code))
    before = _counts(owner)
    answer = _send(manager, "staff", content)
    assert answer.status_code == 422, answer.text
    report = answer.json()
    assert (report["ok"], report["read"], report["rejected"], report["written"]) == (
        False,
        3,
        1,
        0,
    )
    [problem] = report["problems"]
    assert (problem["fid"], problem["index"], problem["field"]) == (4, 2, "职级 / rank")
    assert problem["code"] == "xlsx_invalid"
    assert problem["message"].startswith("第 4 行，职级 / rank：")
    assert ranks["wrong"].code in problem["message"]
    assert report["ids"] == []
    assert _counts(owner) == before

    english = manager.post(
        "/api/v1/imports/xlsx/staff",
        files={"file": ("staff.xlsx", content, XLSX_MEDIA_TYPE)},
        headers={"Accept-Language": "en"},
    )
    assert english.json()["problems"][0]["message"].startswith("row 4, 职级 / rank: ")
    assert _counts(owner) == before


def test_a_dry_run_writes_nothing(manager: TestClient, owner: Engine, ranks: dict) -> None:
    content = _filled(manager, "staff", _staff_rows(ranks, ranks["own"].name_zh))
    before = _counts(owner)
    answer = _send(manager, "staff", content, dry_run=True)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["ok"], report["dry_run"], report["valid"], report["written"]) == (
        True,
        True,
        3,
        0,
    )
    assert _counts(owner) == before


def test_the_corrected_file_imports_in_one_transaction(
    manager: TestClient, owner: Engine, ranks: dict
) -> None:
    content = _filled(manager, "staff", _staff_rows(ranks, ranks["own"].name_zh))
    before = _counts(owner)
    answer = _send(manager, "staff", content, note="年度核对")
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["written"], len(report["ids"])) == (3, 3)
    after = _counts(owner)
    assert after["staff"] == before["staff"] + 3
    with owner.connect() as conn:
        people = conn.execute(
            text(
                "SELECT s.name, s.rank_code FROM staff s JOIN organisation o "
                "ON o.id = s.organisation_id WHERE o.code = :c ORDER BY s.id"
            ),
            {"c": NEW_BODY},
        ).all()
        audits = conn.execute(
            text(
                "SELECT DISTINCT action, note, who FROM audit_log WHERE id > :id "
                "AND table_name = 'staff'"
            ),
            {"id": before["audit max"]},
        ).all()
    assert [p.name for p in people] == ["表格甲", "表格乙", "表格丙"]
    assert people[1].rank_code == ranks["own2"].code
    assert audits == [("xlsx.staff", "年度核对", "test-office_manager-all")]


def _rooms(owner: Engine, count: int) -> list[Any]:
    """Offices nobody sits in, with their building code, floor name and number."""
    with owner.connect() as conn:
        return conn.execute(
            text(
                "SELECT r.id, b.code AS building, f.name AS floor, f.ordinal, r.number "
                "FROM room r JOIN floor f ON f.id = r.floor_id JOIN building b "
                "ON b.id = f.building_id WHERE r.category = 'office' "
                "AND NOT EXISTS (SELECT 1 FROM room_occupancy o WHERE o.room_id = r.id) "
                "AND (SELECT count(*) FROM room x WHERE x.floor_id = r.floor_id "
                "AND x.number = r.number) = 1 ORDER BY r.id LIMIT :n"
            ),
            {"n": count},
        ).all()


def test_occupancy_moves_people_and_allocates_rooms(manager: TestClient, owner: Engine) -> None:
    first, second, third = _rooms(owner, 3)
    with owner.connect() as conn:
        staff = {
            row.name: row.id
            for row in conn.execute(
                text(
                    "SELECT s.id, s.name FROM staff s JOIN organisation o "
                    "ON o.id = s.organisation_id WHERE o.code = :c"
                ),
                {"c": NEW_BODY},
            )
        }
    moved_on = date(date.today().year, 1, 2) if date.today().month > 1 else date.today()
    rows = [
        {
            "building_code": first.building,
            "floor": first.floor,
            "room_number": first.number,
            "body_code": NEW_BODY,
            "staff_id": staff["表格甲"],
            "from_date": moved_on,
        },
        {
            "building_code": second.building,
            "floor": second.ordinal,
            "room_number": second.number,
            "body_code": NEW_BODY,
            "name": "表格乙",
        },
        {
            "building_code": third.building,
            "floor": third.floor,
            "room_number": third.number,
            "body_code": NEW_BODY,
        },
    ]
    content = _filled(manager, "occupancy", rows)
    before = _counts(owner)
    answer = _send(manager, "occupancy", content, document_no="机管〔2026〕7号")
    assert answer.status_code == 200, answer.text
    assert answer.json()["written"] == 3
    body = _one(owner, "SELECT id FROM organisation WHERE code = :c", c=NEW_BODY).id
    for room in (first, second, third):
        assert _one(owner, "SELECT organisation_id FROM room WHERE id = :id", id=room.id)[0] == body
    with owner.connect() as conn:
        stays = conn.execute(
            text(
                "SELECT staff_id, room_id, valid_from FROM room_occupancy "
                "WHERE room_id = ANY (:ids)"
            ),
            {"ids": [first.id, second.id, third.id]},
        ).all()
    assert sorted(stays) == sorted(
        [
            (staff["表格甲"], first.id, moved_on),
            (staff["表格乙"], second.id, date.today()),
        ]
    )
    with owner.connect() as conn:
        audits = conn.execute(
            text(
                "SELECT DISTINCT table_name, action, who, document_no FROM audit_log "
                "WHERE id > :id ORDER BY table_name"
            ),
            {"id": before["audit max"]},
        ).all()
    assert {a.table_name for a in audits} >= {"room", "room_occupancy"}
    assert {(a.action, a.who, a.document_no) for a in audits} == {
        ("xlsx.occupancy", "test-office_manager-all", "机管〔2026〕7号")
    }


def test_a_body_outside_the_scope_is_a_row_problem(
    client_as: Callable, owner: Engine, parent: Any, ranks: dict
) -> None:
    outside = _one(
        owner,
        "SELECT code FROM organisation WHERE NOT id = ANY (gis_org_subtree(:p)) "
        "AND parent_id IS NOT NULL ORDER BY id LIMIT 1",
        p=parent.id,
    ).code
    rows = [
        {"body_code": parent.code, "name": "范围内", "rank": ranks["own"].code},
        {"body_code": outside, "name": "范围外", "rank": ranks["own"].code},
    ]
    scoped = client_as("office_manager", parent.code)
    content = _filled(scoped, "staff", rows)
    before = _counts(owner)
    answer = _send(scoped, "staff", content)
    assert answer.status_code == 422, answer.text
    [problem] = answer.json()["problems"]
    assert (problem["fid"], problem["field"], problem["code"]) == (
        3,
        "单位代码 / body_code",
        "xlsx_not_found",
    )
    assert _counts(owner) == before
    officer = client_as("unit_officer", parent.code)
    before = _counts(owner)
    refused = _send(officer, "staff", content)
    assert refused.status_code == 403
    assert refused.json()["detail"]["right"] == "import"
    assert _counts(owner) == before


def test_a_viewer_may_not_import(client_as: Callable, owner: Engine, parent: Any) -> None:
    viewer = client_as("viewer", parent.code)
    content = _filled(viewer, "organisations", [{"code": "X-1"}])
    before = _counts(owner)
    answer = _send(viewer, "organisations", content)
    assert answer.status_code == 403
    assert answer.json()["detail"]["right"] == "import"
    assert _counts(owner) == before


def test_files_that_are_not_workbooks_name_file(manager: TestClient, owner: Engine) -> None:
    before = _counts(owner)
    failures = _counted("gis_import_failures_total", importer="xlsx")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"\0" * (50 << 20))
    for content, status in (
        (b"code,name\nA,B\n", 422),
        (packed.getvalue(), 422),
        (bomb.getvalue(), 413),
    ):
        answer = _send(manager, "staff", content)
        assert answer.status_code == status, answer.text
        detail = answer.json()["detail"]
        assert detail["field"] == "file"
        assert detail["code"] in ("ImportRefused", "ImportTooLarge")
    headerless = _filled(manager, "occupancy", [])
    book = openpyxl.load_workbook(io.BytesIO(headerless))
    book.worksheets[0].delete_cols(1)
    out = io.BytesIO()
    book.save(out)
    answer = _send(manager, "occupancy", out.getvalue())
    assert answer.status_code == 422
    assert answer.json()["detail"]["field"] == "file"
    assert "building_code" in answer.json()["detail"]["message"]
    assert _counts(owner) == before
    assert _counted("gis_import_failures_total", importer="xlsx") == failures + 4


def test_cell_problems_name_row_and_column(manager: TestClient, owner: Engine) -> None:
    content = _filled(
        manager,
        "organisations",
        [
            {"code": "XLSX-BAD-1", "name": "甲", "level": "区级", "kind": "政府"},
            {
                "code": "XLSX-BAD-2",
                "name": "乙",
                "level": "县级",
                "kind": "政府",
                "authorised_staff": "很多",
            },
            {"code": "XLSX-BAD-2", "name": "丙"},
        ],
    )
    before = _counts(owner)
    answer = _send(manager, "organisations", content, dry_run=True)
    assert answer.status_code == 200
    found = {(p["fid"], p["field"], p["code"]) for p in answer.json()["problems"]}
    assert found == {
        (2, "级别 / level", "unknown_code"),
        (3, "编制数 / authorised_staff", "bad_value"),
        (4, "单位代码 / code", "duplicate_key"),
    }
    assert _counts(owner) == before
