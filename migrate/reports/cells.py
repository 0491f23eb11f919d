"""Spreadsheet cell safety for every CSV and xlsx carelift writes.

Inventory text is hostile: a VM annotation or CMDB field that starts with `=`, `+`, `-`, `@`,
a tab or a carriage return is run as a formula by Excel, LibreOffice and Google Sheets when
the file is opened (CSV injection, OWASP). Such text is written with a leading apostrophe in
CSV (spreadsheets show the rest as text; `carelift inventory import` strips it on re-import)
and as an explicit string cell in xlsx (never a formula).
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: Any) -> Any:
    """A CSV cell: None is empty; formula-like text gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if is_formula_like(value):
        return "'" + value
    return value


def write_xlsx_cell(worksheet, row: int, column: int, value: Any, cell_format=None) -> None:
    """Write one xlsx cell by its Python type: text always as a string cell, never a formula or URL."""
    if value is None or value == "":
        worksheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, bool):
        worksheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, (int, float)):
        worksheet.write_number(row, column, value, cell_format)
    else:
        worksheet.write_string(row, column, str(value), cell_format)
