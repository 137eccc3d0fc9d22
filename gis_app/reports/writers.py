"""CSV (UTF-8 with BOM, so that Excel shows the Chinese) and XLSX (openpyxl) writers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from gis_app.i18n import t
from gis_app.reports.columns import COLUMNS

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CODED = {"category": "category", "status": "room_status", "level": "jurisdiction"}
"""Columns holding a code, written as its text (`<prefix>.<code>` in the catalogue)."""


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes for the start of a formula (CSV/formula injection, OWASP)."""


def inert(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (a body or room name typed as
    `=HYPERLINK(…)`), kept as text by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(key: str, value: Any, lang: str) -> Any:
    if isinstance(value, bool):
        return t("report.yes" if value else "report.no", lang)
    if isinstance(value, Decimal):
        return float(value * 100) if key == "vacancy_rate" else float(value)
    if isinstance(value, float) and key == "vacancy_rate":
        return round(value * 100, 2)
    if key == "occupants" and isinstance(value, list):
        rank = "rank_en" if lang == "en" else "rank_zh"
        return "、".join(f"{o[rank]}（{o['limit_m2']} m²）" for o in value)
    if key in CODED and value is not None:
        return t(f"{CODED[key]}.{value}", lang)
    if key == "severity" and value:
        return t(f"safety.severity.{value}", lang)
    if key == "bodies" and isinstance(value, list):
        return "、".join(t("report.body_people", lang, **body) for body in value)
    if isinstance(value, list | dict):
        return str(value)
    return value


def table(
    analysis: str, level: str, rows: Sequence[dict[str, Any]], lang: str
) -> tuple[list[str], list[list[Any]]]:
    """Headers and cells of a report."""
    keys = COLUMNS[(analysis, level)]
    headers = [t(f"column.{key}", lang) for key in keys]
    cells = [[_cell(key, row.get(key), lang) for key in keys] for row in rows]
    return headers, cells


def title(analysis: str, level: str, lang: str) -> str:
    """e.g. 超标准配备使用情况（按房间）."""
    return t(f"report.{analysis}", lang, level=t(f"report.level.{level}", lang))


def to_csv(headers: list[str], cells: list[list[Any]]) -> bytes:
    """CSV text with a BOM: Excel on a Chinese desktop then opens it right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([inert(h) for h in headers])
    writer.writerows([inert(v) for v in row] for row in cells)
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: its title, subtitle, header row and cells."""

    heading: str
    subtitle: str
    headers: list[str]
    cells: list[list[Any]]


def _fill(sheet: Any, part: Sheet) -> None:
    """Title, subtitle (standard, date, filters), bold header, frozen panes, fitted widths."""
    sheet.append([part.heading])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([part.subtitle])
    sheet.append([])
    sheet.append(part.headers)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in part.cells:
        sheet.append([inert(v) for v in row])
    sheet.freeze_panes = "A5"
    for index, header in enumerate(part.headers, start=1):
        width = max([len(str(header)) * 2] + [len(str(r[index - 1])) for r in part.cells[:200]])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 60)


def to_xlsx_book(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of one sheet per part, each named by its heading (Excel allows 31
    characters and no []:*?/\\)."""
    book = Workbook()
    book.remove(book.active)
    for part in sheets:
        name = "".join(c for c in part.heading if c not in "[]:*?/\\")[:31]
        _fill(book.create_sheet(name or "Sheet"), part)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_xlsx(heading: str, subtitle: str, headers: list[str], cells: list[list[Any]]) -> bytes:
    """One sheet: title, subtitle (standard, tolerance, date), bold header, frozen panes."""
    return to_xlsx_book([Sheet(heading, subtitle, headers, cells)])


def filename(analysis: str, level: str, as_of: date, extension: str) -> str:
    """ASCII file name, e.g. over-standard_room_2026-11-28.xlsx."""
    return f"{analysis}_{level}_{as_of.isoformat()}.{extension}"
