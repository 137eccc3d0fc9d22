"""Reading a filled-in template: the file is checked as the zip it is (the import's
zip-bomb limits) before openpyxl opens it read-only; each cell is read by its column's type,
and what cannot be read is a problem of that row and column, not a refusal of the file."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from gis_app.i18n import DEFAULT_LANGUAGE, t
from gis_app.ingest.report import ImportRefused, ImportTooLarge, Problem
from gis_app.ingest.zipguard import DEFAULT_LIMITS, ZipLimits, ZipReasons, check_zip
from gis_app.xlsx.templates import SPECS, YES_NO, Column, Kind

MAX_ROWS = 20_000
"""Most data rows one file may carry (each is checked through the editing rules)."""
REASONS = ZipReasons(corrupt="xlsx.reason.not_xlsx")
WORKBOOK = "xl/workbook.xml"
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


@dataclass(frozen=True, slots=True)
class RowProblem(Problem):
    """A problem of one spreadsheet row: `index` is the data row's 0-based position, `fid`
    the row number the spreadsheet shows, `field` the column's header."""

    def describe(self, lang: str = DEFAULT_LANGUAGE) -> str:
        problem = t(f"ingest.problem.{self.code}", lang, detail=self.detail or "")
        return t("xlsx.problem_line", lang, row=self.fid, column=self.field, problem=problem)


@dataclass(slots=True)
class Row:
    """One data row: its position, its number in the sheet and the cells read (by column
    key; empty cells left out)."""

    index: int
    number: int
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Sheet:
    """The data sheet of a filled-in template."""

    kind: Kind
    title: str
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: Row, key: str, code: str, detail: object = None) -> RowProblem:
        header = self.kind.column(key).header if key in _keys(self.kind) else key
        text = None if detail is None else str(detail)
        return RowProblem(row.index, row.number, header, code, text)


def _keys(kind: Kind) -> set[str]:
    return {c.key for c in kind.columns}


def _refused(reason: str, **values: object) -> ImportRefused:
    return ImportRefused(field="path", reason=reason, **values)


def _norm(text: object) -> str:
    return re.sub(r"\s+", "", str(text or "")).lower()


def _header_map(kind: Kind, header: tuple[Any, ...]) -> dict[int, Column]:
    """Cell position → column, by the header `中文 / english`, or either half alone."""
    names: dict[str, Column] = {}
    for column in kind.columns:
        for name in (column.header, column.key, column.zh):
            names[_norm(name)] = column
    found: dict[int, Column] = {}
    for position, cell in enumerate(header):
        column = names.get(_norm(cell))
        if column is not None and column not in found.values():
            found[position] = column
    missing = [c.header for c in kind.columns if c.required and c not in found.values()]
    if missing:
        raise _refused("xlsx.reason.missing_column", column="、".join(missing))
    if not found:
        raise _refused("xlsx.reason.no_header", sheet=kind.sheet)
    return found


def _text(value: Any) -> str:
    """A cell as text: a whole number typed into a code cell (1001 → 1001.0) without `.0`."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.fullmatch(_text(value))
    if match is None:
        raise ValueError(value)
    return date(*(int(g) for g in match.groups()))


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(value)
    if not re.fullmatch(r"[+-]?\d{1,10}", text):
        raise ValueError(value)
    return int(text)


def cell_value(column: Column, value: Any) -> tuple[Any, str | None]:
    """(the value as the column takes it, None) or (None, the problem code)."""
    try:
        if column.type == "int":
            number = _int(value)
            if not 0 <= number <= 2_147_483_647:
                return None, "out_of_range"
            return number, None
        if column.type == "date":
            return _date(value), None
        if column.type == "bool":
            return YES_NO[_text(value).lower()], None
        text = _text(value)
        if column.type == "choice":
            return column.choices[text.lower() if text.isascii() else text], None
        if len(text) > column.max_length:
            return None, "too_long"
        return text, None
    except (ValueError, KeyError, OverflowError):
        return None, "unknown_code" if column.type == "choice" else "bad_value"


def _guarded(path: Path, limits: ZipLimits) -> None:
    """Refuse what is not a zip holding a workbook, or unpacks past the limits."""
    if WORKBOOK not in check_zip(path, limits, REASONS):
        raise _refused("xlsx.reason.not_xlsx", detail=WORKBOOK)


def read_sheet(path: Path, kind: str, limits: ZipLimits = DEFAULT_LIMITS) -> Sheet:
    """The first sheet of the workbook at `path` read as `kind`: rows and cell problems.
    Refusals (`ImportRefused`, `ImportTooLarge`) name the field `path`."""
    spec = SPECS[kind]
    _guarded(path, limits)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _refused("xlsx.reason.not_xlsx", detail=str(exc)[:200]) from exc
    try:
        data = book.worksheets[0]
        sheet = Sheet(spec, data.title)
        lines = data.iter_rows(values_only=True)
        columns = _header_map(spec, next(lines, ()))
        for number, line in enumerate(lines, start=2):
            cells = {
                columns[p]: v
                for p, v in enumerate(line)
                if p in columns and v is not None and _text(v) != ""
            }
            if not cells:
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise ImportTooLarge(
                    field="path", reason="xlsx.reason.too_many_rows", limit=MAX_ROWS
                )
            row = Row(len(sheet.rows), number)
            sheet.rows.append(row)
            for column, raw in cells.items():
                value, problem = cell_value(column, raw)
                if problem is None:
                    row.values[column.key] = value
                else:
                    sheet.problems.append(sheet.problem(row, column.key, problem, _text(raw)))
            for column in spec.columns:
                if column.required and column not in cells:
                    sheet.problems.append(sheet.problem(row, column.key, "missing_field"))
    finally:
        book.close()
    return sheet
