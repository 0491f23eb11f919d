from __future__ import annotations

import pytest

from migrate.inventory.importers.table_files import read_table
from migrate.inventory.importers.tabular import Columns, read_csv, to_bool, to_number, to_text
from migrate.inventory.tables.problems import Problems

from .conftest import write_csv, write_xlsx

ROWS = [["Name", "Size", "Note"], ["café-01", "1,024", "Zürich"], ["srv02", "2048", ""]]


def read_all(path):
    problems = Problems()
    table = read_csv(path, problems)
    assert not problems, [str(p) for p in problems.items]
    return table.header, list(table.records)


@pytest.mark.parametrize("encoding,delimiter", [
    ("utf-8", ","), ("utf-8-sig", ","), ("utf-8", ";"), ("cp1252", ";"),
    ("utf-16", "\t"),      # Excel "Unicode text": UTF-16 with BOM, tab-delimited
    ("utf-16-le", "\t"),   # the same without a BOM
    ("utf-8", "\t"),
])
def test_csv_reads_every_encoding_and_delimiter_excel_produces(tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "export.csv", ROWS, encoding=encoding, delimiter=delimiter)
    header, records = read_all(path)
    assert header == ("Name", "Size", "Note")
    assert records == [(2, ["café-01", "1,024", "Zürich"]), (3, ["srv02", "2048", ""])]


def test_excel_sep_hint_line_sets_the_delimiter_and_rows_keep_their_numbers(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("sep=;\nName;Size\n\na,b;1\n", encoding="utf-8")
    header, records = read_all(path)
    assert header == ("Name", "Size")
    # The header is on line 2 and the data on line 4: numbers are the lines a text editor shows.
    assert records == [(4, ["a,b", "1"])]


@pytest.mark.parametrize("content,message", [
    (b"", "is empty"),
    (b"<html><body>Session expired</body></html>", "HTML page"),
    (b"\x00\x01\x02\x03garbage\x00\x00\x10\x11" * 50, "binary data"),
])
def test_read_csv_reports_a_located_problem_instead_of_failing(tmp_path, content, message):
    path = tmp_path / "servers.csv"
    path.write_bytes(content)
    problems = Problems()
    assert read_csv(path, problems) is None
    assert problems.count == 1
    assert problems.items[0].file == str(path)
    assert message in problems.items[0].message


def test_missing_file_is_a_problem(tmp_path):
    problems = Problems()
    assert read_csv(tmp_path / "nope.csv", problems) is None
    assert "does not exist" in problems.items[0].message


def test_columns_take_the_first_alias_found_and_report_missing_mandatory_ones(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["*server NAME", "Provisioned MB", "Provisioned MiB", "Extra"], ["a", 1, 2, 3]])
    problems = Problems()
    table = read_csv(path, problems)
    columns = Columns(table, {"name": ("*Server name",), "size": ("Provisioned MiB", "Provisioned MB"),
                              "cores": ("*Cores",)})
    assert columns.index == {"name": 0, "size": 2}
    assert columns.label["name"] == "*server NAME"   # messages quote the header as the file writes it
    assert columns.unused == ("Provisioned MB", "Extra")
    assert not columns.require(["name", "cores"], problems)
    assert [(p.row, p.column, p.message) for p in problems.items] == [(1, "*Cores", "missing mandatory column '*Cores'")]


@pytest.mark.parametrize("cell,value", [
    (4, 4.0), (4.0, 4.0), ("4", 4.0), (" 4.5 ", 4.5), ("1,024", 1024.0), ("1,024,000.5", 1024000.5),
    ("1.024,5", 1024.5), ("4,5", 4.5), ("1e3", 1000.0), ("1\u00a0024", 1024.0), ("-3", -3.0), ("", None), (None, None),
])
def test_numbers_in_the_forms_exports_write_them(cell, value):
    assert to_number(cell) == value


@pytest.mark.parametrize("cell", ["abc", "nan", "inf", "-inf", "1e999", True, "12 GB", "0x10", "1..2"])
def test_things_that_are_not_numbers(cell):
    with pytest.raises(ValueError, match="expected a number"):
        to_number(cell)


def test_booleans_and_text():
    assert [to_bool(v) for v in (True, "TRUE", "False", "yes", "0", "", None)] == [True, True, False, True, False,
                                                                                 None, None]
    with pytest.raises(ValueError):
        to_bool("maybe")
    assert [to_text(v) for v in (" a ", 4.0, 4.5, True, None, "")] == ["a", "4", "4.5", "true", None, None]


def test_read_table_reads_the_first_sheet_of_a_workbook_with_its_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"Servers": [[], ["Name", "Cores"], ["a", 4], [], ["b", 2.0]],
                                            "Other": [["z"]]})
    problems = Problems()
    table = read_table(path, problems)
    assert (table.sheet, table.header, table.header_row) == ("Servers", ("Name", "Cores"), 2)
    assert list(table.records) == [(3, ["a", 4.0]), (5, ["b", 2.0])]


@pytest.mark.parametrize("cut", [100, 1000, -200])
def test_truncated_workbook_is_a_problem_not_a_crash(tmp_path, cut):
    whole = write_xlsx(tmp_path / "whole.xlsx", {"S": [["Name"], *[[f"s{n}"] for n in range(500)]]}).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(whole[:cut])
    problems = Problems()
    assert read_table(path, problems) is None
    assert "truncated or corrupt" in problems.items[0].message


def test_a_rows_typed_cells_read_as_their_text_would():
    """Row.numeric, boolean and text take workbook numbers, booleans and strings without going
    through to_number / to_bool / raw(): the answers and problems are the same as for text."""
    from migrate.inventory.importers.tabular import Row, Table

    header = ("n", "b", "t")
    table = Table("f.xlsx", "S", header, 1, iter(()))
    columns = Columns(table, {"n": ("n",), "b": ("b",), "t": ("t",), "missing": ("missing",)})
    problems = Problems()

    def row(*cells):
        return Row(columns, 2, cells, problems)

    assert [row(c).numeric("n") for c in (4, 4.5, "4,5", None, "")] == [4.0, 4.5, 4.5, None, None]
    assert row(7.0).numeric("n", integer=True) == 7 and isinstance(row(7.0).numeric("n", integer=True), int)
    assert row(3).numeric("missing") is None
    for bad, message in ((float("nan"), "expected a number"), (float("inf"), "expected a number"),
                         (True, "expected a number"), (-1, "must not be negative"),
                         (2.5, "must be a whole number"), (10 ** 13, "implausibly large")):
        before = problems.count
        assert row(bad).numeric("n", integer=bad == 2.5) is None
        assert problems.count == before + 1 and message in problems.items[-1].message, (bad, problems.items[-1])
        assert (problems.items[-1].row, problems.items[-1].column) == (2, "n")
    assert [row(None, c).boolean("b") for c in (True, False, None, "yes", "0", "", 1)] == [True, False, None, True,
                                                                                         False, None, True]
    assert row(None, "maybe").boolean("b") is None and "expected true or false" in problems.items[-1].message
    assert row(None, None, "  x ").text("t") == "x" and row(None, None, "'=1").text("t") == "=1"
    assert row(None, None, 4.0).text("t") == "4" and row(1).text("t") is None and row(1).text("missing") is None
