"""Cell safety: text a spreadsheet would run as a formula is written as text, in CSV and xlsx."""

from __future__ import annotations

import io
import zipfile

import pytest

from migrate.reports.cells import csv_cell, is_formula_like, write_xlsx_cell


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_formula_like_text_gets_a_leading_apostrophe_in_csv(value):
    assert is_formula_like(value)
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value,expected", [("ehr-prd-odb01", "ehr-prd-odb01"), (None, ""), (-3, -3), (2.5, 2.5),
                                            ("a=b", "a=b"), ("", "")])
def test_other_values_are_unchanged(value, expected):
    assert csv_cell(value) == expected


def test_xlsx_cells_are_strings_never_formulas():
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("s")
    for row, value in enumerate(["=1+1", "+cmd|' /C calc'!A0", "-2", "@x", 5, None, True]):
        write_xlsx_cell(sheet, row, 0, value)
    workbook.close()
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    assert xml.count('t="s"') == 4  # the four texts are shared strings
    assert '<v>5</v>' in xml and 't="b"' in xml
