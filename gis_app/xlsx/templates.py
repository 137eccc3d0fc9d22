"""The three spreadsheet kinds (bodies, staff, who sits where): their columns, and the
template an office downloads, fills in and imports.

Every header is `中文 / english` in one row (e.g. `职级 / rank`): the reader accepts either
half alone too. The data sheet holds the header and one example row (to be overwritten);
the second sheet, 说明 Notes, lists each column, whether it is required, what it means and
the values it allows (the ranks from the `rank` table).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gis_app.i18n import t
from gis_app.models.base import JURISDICTION_LEVELS, ORG_KINDS

KINDS = ("organisations", "staff", "occupancy")
NOTES_SHEET = "说明 Notes"
MAX_TEXT = 200
"""Longest text cell taken (names; codes have their own, shorter limit)."""

LEVEL_NAMES = {"中央": "central", "省级": "provincial", "市级": "municipal", "县级": "county"}
LEVEL_NAMES |= {"乡镇": "township"}
KIND_NAMES = {
    "党委": "party",
    "政府": "government",
    "人大": "npc",
    "政协": "cppcc",
    "法院": "court",
    "检察院": "procuratorate",
    "监委": "supervision",
    "群团": "mass_org",
    "事业单位": "public_institution",
    "其他": "other",
}
YES_NO = {"是": True, "否": False, "true": True, "false": False, "yes": True, "no": False}
YES_NO |= {"y": True, "n": False, "1": True, "0": False}


def _choices(values: Sequence[str], names: dict[str, str]) -> dict[str, str]:
    """Accepted text (lower case) → stored value: each value itself and its Chinese name."""
    return {v: v for v in values} | names


@dataclass(frozen=True, slots=True, eq=False)
class Column:
    """One column of a kind: `key` is its English name (what the report names), `zh` its
    Chinese one; `type` says how a cell is read (text, int, date, bool, choice)."""

    key: str
    zh: str
    type: str = "text"
    required: bool = False
    max_length: int = MAX_TEXT
    choices: dict[str, str] = field(default_factory=dict)
    example: Any = None

    @property
    def header(self) -> str:
        return f"{self.zh} / {self.key}"

    def allowed(self) -> str:
        """The values a choice column takes, Chinese name first."""
        if self.type == "bool":
            return "是 / 否"
        names = {v: zh for zh, v in self.choices.items() if zh != v}
        return "、".join(
            f"{names[v]} / {v}" if v in names else v for v in dict.fromkeys(self.choices.values())
        )


@dataclass(frozen=True, slots=True)
class Kind:
    """A spreadsheet kind: its columns, the sheet's title and the template's file name."""

    name: str
    zh: str
    columns: tuple[Column, ...]

    @property
    def sheet(self) -> str:
        return f"{self.zh} {self.name}"

    @property
    def filename(self) -> str:
        return f"{self.zh}模板_{self.name}.xlsx"

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


ORGANISATIONS = Kind(
    "organisations",
    "单位",
    (
        Column("code", "单位代码", required=True, max_length=40, example="DEMO-0001"),
        Column("name", "单位名称", example="示例局办公室"),
        Column("parent_code", "上级单位代码", max_length=40, example="DEMO-0000"),
        Column(
            "level",
            "级别",
            "choice",
            choices=_choices(JURISDICTION_LEVELS, LEVEL_NAMES),
            example="县级",
        ),
        Column(
            "kind", "单位类别", "choice", choices=_choices(ORG_KINDS, KIND_NAMES), example="政府"
        ),
        Column("authorised_staff", "编制数", "int", example=12),
        Column("sub_provincial", "副省级", "bool", example="否"),
        Column("equivalence", "级别对应关系", max_length=40),
    ),
)
STAFF = Kind(
    "staff",
    "人员",
    (
        Column("staff_id", "人员ID", "int"),
        Column("body_code", "单位代码", max_length=40, example="DEMO-0001"),
        Column("name", "姓名", example="张三"),
        Column("rank", "职级", max_length=40, example="科级以下"),
        Column("left_on", "离岗日期", "date"),
    ),
)
OCCUPANCY = Kind(
    "occupancy",
    "用房",
    (
        Column("building_code", "建筑代码", required=True, max_length=40, example="DEMO-B01"),
        Column("floor", "楼层", required=True, max_length=16, example="3F"),
        Column("room_number", "房间号", required=True, max_length=24, example="301"),
        Column("body_code", "使用单位代码", required=True, max_length=40, example="DEMO-0001"),
        Column("staff_id", "人员ID", "int"),
        Column("name", "姓名", example="张三"),
        Column("from_date", "入驻日期", "date"),
    ),
)
SPECS = {k.name: k for k in (ORGANISATIONS, STAFF, OCCUPANCY)}

BOLD = Font(bold=True)
EXAMPLE = Font(italic=True, color="808080")
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _widths(sheet: Any, rows: Sequence[Sequence[Any]]) -> None:
    for index in range(1, max(len(r) for r in rows) + 1):
        longest = max(len(str(r[index - 1])) if index <= len(r) else 0 for r in rows)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest * 1.6, 10), 70)


def _validation(sheet: Any, index: int, values: list[str]) -> None:
    """A drop-down of `values` on column `index` (rows 2 to 10000); other text is
    refused by Excel and WPS, and by the import all the same."""
    listed = ",".join(values)
    if len(listed) > 250:  # Excel's limit for an inline list
        return
    letter = get_column_letter(index)
    rule = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    rule.add(f"{letter}2:{letter}10000")
    sheet.add_data_validation(rule)


def template(kind: str, ranks: Sequence[dict[str, Any]] = ()) -> bytes:
    """The template of `kind` as XLSX: header and example row, and the 说明 Notes sheet
    (`ranks`: code, name_zh, name_en, level of the rank table, for the staff kind)."""
    spec = SPECS[kind]
    book = Workbook()
    data = book.active
    data.title = spec.sheet
    headers = [c.header for c in spec.columns]
    example = [c.example for c in spec.columns]
    data.append(headers)
    data.append(example)
    for cell in data[1]:
        cell.font, cell.fill = BOLD, HEAD_FILL
    for cell in data[2]:
        cell.font = EXAMPLE
    data.freeze_panes = "A2"
    for index, column in enumerate(spec.columns, start=1):
        if column.type == "choice":
            _validation(data, index, [zh for zh, v in column.choices.items() if zh != v])
        elif column.type == "bool":
            _validation(data, index, ["是", "否"])
        elif column.type == "date":
            for cell in data[get_column_letter(index)][1:]:
                cell.number_format = "yyyy-mm-dd"
    _widths(data, [headers, example])

    notes = book.create_sheet(NOTES_SHEET)
    rows: list[list[Any]] = [[t("xlsx.notes.title", "zh-CN", kind=spec.zh)]]
    rows.append([t("xlsx.notes.title", "en", kind=spec.name)])
    rows += [[t(f"xlsx.notes.{kind}", "zh-CN")], [t(f"xlsx.notes.{kind}", "en")]]
    rows += [[t("xlsx.notes.example", "zh-CN")], [t("xlsx.notes.example", "en")], []]
    head = ["列 / Column", "必填 / Required", "说明", "Meaning", "允许值 / Allowed values"]
    rows.append(head)
    head_row = len(rows)
    for column in spec.columns:
        required = "是 / yes" if column.required else ""
        key = f"xlsx.column.{kind}.{column.key}"
        rows.append(
            [
                column.header,
                required,
                t(key, "zh-CN"),
                t(key, "en"),
                column.allowed() if column.type in ("choice", "bool") else "",
            ]
        )
    if ranks:
        rows += [[], ["职级 / Ranks", "代码 / code", "名称", "Name", "级别 / level"]]
        rank_head = len(rows)
        rows += [["", r["code"], r["name_zh"], r["name_en"], r["level"]] for r in ranks]
    for row in rows:
        notes.append(row)
    for cell in (notes["A1"], notes["A2"]):
        cell.font = Font(bold=True, size=13)
    for cell in notes[head_row]:
        cell.font, cell.fill = BOLD, HEAD_FILL
    if ranks:
        for cell in notes[rank_head]:
            cell.font, cell.fill = BOLD, HEAD_FILL
    _widths(notes, rows[head_row - 1 :])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
