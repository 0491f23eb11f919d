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


def test_the_inventory_csv_export_uses_it():
    from migrate.cli.inventory_views import write_csv
    from migrate.inventory.model import Server

    out = io.StringIO()
    write_csv(out, [Server(name="web01", owner="=cmd|' /C calc'!A0", business_unit="@finance")])
    row = out.getvalue().splitlines()[1]
    assert "'=cmd|' /C calc'!A0" in row and "'@finance" in row


def test_the_estate_generators_csv_files_use_it(tmp_path):
    from migrate.estate.files import _write_csv

    _write_csv(tmp_path / "x.csv", ("a", "b"), [["-1+2", 3]])
    assert (tmp_path / "x.csv").read_text().splitlines()[1] == "'-1+2,3"
