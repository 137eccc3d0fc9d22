"""A name typed as a formula stays text in the CSV and XLSX reports (OWASP CSV injection)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from gis_app.reports.writers import to_csv, to_xlsx

NAME = '=HYPERLINK("http://example.invalid","点击")'


def test_a_formula_in_a_cell_is_written_as_text() -> None:
    book = load_workbook(io.BytesIO(to_xlsx("标题", "副标题", ["名称", "面积"], [[NAME, -3.5]])))
    name, area = book.active["A5"], book.active["B5"]
    assert name.data_type == "s" and name.value == "'" + NAME
    assert area.value == -3.5  # numbers stay numbers, negative ones included
    text = to_csv(["名称"], [["@SUM(A1)"], ["西湖区"]]).decode("utf-8-sig").splitlines()
    assert text == ["名称", "'@SUM(A1)", "西湖区"]
