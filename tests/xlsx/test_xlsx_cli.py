"""`gis-app import-xlsx`: the same report and exits as the other import commands (0 written,
3 problems, 2 a refused file), written as `--as` with the edit's action."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner, Result

from gis_app.cli.main import app
from gis_app.config import get_settings
from gis_app.xlsx.templates import template


@pytest.fixture
def run(xlsx_db: dict) -> Iterator[Callable[..., Result]]:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        get_settings.cache_clear()
        return runner.invoke(app, list(args), env={"DATABASE_URL": xlsx_db["url"]})

    yield invoke
    get_settings.cache_clear()


def _file(folder: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.load_workbook(io.BytesIO(template("organisations")))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append(row)
    path = folder / "bodies.xlsx"
    book.save(path)
    return path


def _parent(owner: Engine) -> str:
    with owner.connect() as conn:
        return conn.execute(
            text("SELECT code FROM organisation WHERE parent_id IS NOT NULL ORDER BY id LIMIT 1")
        ).scalar_one()


def test_import_xlsx_command(run, owner: Engine, tmp_path: Path) -> None:
    parent = _parent(owner)
    good = _file(tmp_path, [["XLSX-CLI-1", "命令行导入局", parent, "县级", "政府", 3, "否"]])
    dry = run("import-xlsx", "organisations", str(good), "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["dry_run"] is True
    with owner.connect() as conn:
        assert not conn.execute(
            text("SELECT 1 FROM organisation WHERE code = 'XLSX-CLI-1'")
        ).first()

    done = run("--as", "李四", "import-xlsx", "organisations", str(good), "--document-no", "文1")
    assert done.exit_code == 0, done.output
    assert "写入 1" in done.output
    with owner.connect() as conn:
        audit = conn.execute(
            text(
                "SELECT a.who, a.action, a.document_no FROM audit_log a JOIN organisation o "
                "ON a.row_key = o.id::text WHERE a.table_name = 'organisation' "
                "AND o.code = 'XLSX-CLI-1'"
            )
        ).one()
    assert tuple(audit) == ("李四", "xlsx.organisations", "文1")

    bad = _file(tmp_path, [["XLSX-CLI-2", "缺级别局", parent]])
    refused = run("import-xlsx", "organisations", str(bad), "--json")
    assert refused.exit_code == 3, refused.output
    problems = json.loads(refused.output)["problems"]
    assert {(p["fid"], p["field"], p["code"]) for p in problems} == {
        (2, "级别 / level", "missing_field"),
        (2, "单位类别 / kind", "missing_field"),
    }

    text_file = tmp_path / "bodies.csv"
    text_file.write_text("code,name\n", "utf-8")
    wrong = run("import-xlsx", "organisations", str(text_file), "--json")
    assert wrong.exit_code == 2
    assert json.loads(wrong.output)["detail"]["field"] == "path"
