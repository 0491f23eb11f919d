"""Reading the tables hospital exports arrive in: CSV in whatever encoding Excel chose, or xlsx.

Everything here turns hostile bytes into `Table`s or `Problem`s, never a traceback:

- CSV: UTF-8 with or without BOM, UTF-16 (Excel "Unicode text", tab-delimited), cp1252;
  delimiter comma, semicolon or tab, sniffed from the header line (Excel's `sep=;` hint line
  is honoured); an HTML page or binary content saved under a `.csv` name is reported as such.
  Decoding, file kinds and delimiters come from `migrate.inventory.tables`, which the dependency
  parsers share.
- xlsx via python-calamine (`workbook`), one `Table` per sheet, rows streamed.
- Headers match case-insensitively after trimming spaces and a leading `*` (Azure Migrate marks
  mandatory columns that way), through per-format alias tables (`Columns`).
- Cells convert through `Row`, which records a located `Problem` for every bad value.
- `tables.problems.Problems` keeps the first `LIMIT` problems and counts the rest.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Literal, Mapping, Sequence, overload

from infra.inputs import read_input_bytes
from migrate.inventory.model import Problem
from migrate.inventory.tables.delimited import normalise_header, records, sep_hint, sniff_delimiter
from migrate.inventory.tables.problems import Problems
from migrate.inventory.tables.text import KIND_MESSAGES, decode, kind_of, looks_binary

Cell = str | int | float | bool | datetime.date | datetime.datetime | datetime.time | datetime.timedelta | None

_NUMBER_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_NUMBER_EUROPEAN = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")
_NUMBER_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
FORMULA_START = frozenset("=+-@\t\r")
"""What a spreadsheet runs as a formula at the start of a cell; CSV writers guard it with a `'`."""


@dataclass
class Table:
    """One sheet or CSV file: its header and a single-use stream of data rows."""

    file: str
    sheet: str | None
    header: tuple[str, ...]
    """Header cells as written in the file (trimmed)."""
    header_row: int
    """1-based row number of the header."""
    records: Iterator[tuple[int, Sequence[Cell]]]
    """(1-based row number, cells) of every non-empty row after the header."""

    @property
    def normalised(self) -> tuple[str, ...]:
        return tuple(normalise_header(h) for h in self.header)

    def problem(self, message: str, *, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(self.file, message, sheet=self.sheet, row=row, column=column)


class Columns:
    """Where each field of a format sits in a table, found through an alias table.

    `aliases` maps a field to the headers it may appear under, most preferred first, written as
    the format's documentation writes them (the first one is used in messages).
    """

    def __init__(self, table: Table, aliases: Mapping[str, Sequence[str]]):
        self.table = table
        positions: dict[str, int] = {}
        for index, name in enumerate(table.normalised):
            if name:
                positions.setdefault(name, index)
        self.index: dict[str, int] = {}
        self.label: dict[str, str] = {}
        for field, names in aliases.items():
            self.label[field] = names[0]
            for name in names:
                position = positions.get(normalise_header(name))
                if position is not None:
                    self.index[field] = position
                    self.label[field] = table.header[position]
                    break
        used = set(self.index.values())
        self.unused: tuple[str, ...] = tuple(h for i, h in enumerate(table.header) if h and i not in used)
        """Header cells no field claimed, as written."""

    def __contains__(self, field: str) -> bool:
        return field in self.index

    def require(self, fields: Iterable[str], problems: Problems) -> bool:
        """Record a problem for every missing mandatory column; True when all are present."""
        ok = True
        for field in fields:
            if field not in self.index:
                ok = False
                problems.add(self.table.problem(f"missing mandatory column {self.label[field]!r}",
                                                row=self.table.header_row, column=self.label[field]))
        return ok

    def rows(self, problems: Problems) -> Iterator["Row"]:
        for number, cells in self.table.records:
            yield Row(self, number, cells, problems)


# --- cells -------------------------------------------------------------------------------------

def to_text(cell: Cell) -> str | None:
    """A cell as trimmed text; None when empty. Integral floats lose their `.0`. A protective
    apostrophe before a formula-like start (`'=x`, written by carelift's CSV export) is dropped."""
    if cell is None:
        return None
    if isinstance(cell, str):
        text = cell.strip()
        if text[:1] == "'" and text[1:2] in FORMULA_START:
            return text[1:]
        return text or None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        if not math.isfinite(cell):
            return None
        return str(int(cell)) if cell.is_integer() and abs(cell) < 1e16 else repr(cell)
    if isinstance(cell, (datetime.datetime, datetime.date, datetime.time)):
        return cell.isoformat()
    return str(cell).strip() or None


def to_number(cell: Cell) -> float | None:
    """A cell as a finite number; None when empty; ValueError with a reason otherwise.

    Accepts `4`, `4.0`, `1,024` and `1.024,5` (thousands separators), `4,5` (decimal comma).
    """
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, bool):
        raise ValueError(f"expected a number, got {to_text(cell)!r}")
    if isinstance(cell, (int, float)):
        value = float(cell)
    elif isinstance(cell, str):
        text = cell.strip().replace("\u00a0", "").replace(" ", "")
        if _NUMBER_THOUSANDS.fullmatch(text):
            text = text.replace(",", "")
        elif _NUMBER_EUROPEAN.fullmatch(text):
            text = text.replace(".", "").replace(",", ".")
        elif _NUMBER_DECIMAL_COMMA.fullmatch(text):
            text = text.replace(",", ".")
        if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
            raise ValueError(f"expected a number, got {_shown(cell)}")
        value = float(text)
    elif isinstance(cell, (list, dict)):  # YAML
        raise ValueError(f"expected a number, got a {'list' if isinstance(cell, list) else 'mapping'}")
    else:
        raise ValueError(f"expected a number, got {_shown(to_text(cell))}")
    if not math.isfinite(value):
        raise ValueError(f"expected a number, got {_shown(cell)}")
    return value


_TRUE = {"true", "yes", "y", "1", "on", "x"}
_FALSE = {"false", "no", "n", "0", "off"}


def to_bool(cell: Cell) -> bool | None:
    if isinstance(cell, bool):
        return cell
    text = to_text(cell)
    if text is None:
        return None
    lowered = text.casefold()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"expected true or false, got {_shown(text)}")


def _number(value: float) -> str:
    """`67108864` → `67,108,864`; huge or fractional values in short scientific form."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:g}"


def _shown(value: object, limit: int = 40) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


class Row:
    """One data row: typed access to its fields, problems recorded with file/sheet/row/column."""

    __slots__ = ("columns", "index", "number", "cells", "problems", "ok")

    def __init__(self, columns: Columns, number: int, cells: Sequence[Cell], problems: Problems):
        self.columns = columns
        self.index = columns.index
        self.number = number
        self.cells = cells
        self.problems = problems
        self.ok = True
        """False once a problem was recorded for this row."""

    def has(self, field: str) -> bool:
        return field in self.index

    def raw(self, field: str) -> Cell:
        index = self.index.get(field)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def problem(self, field: str | None, message: str) -> None:
        self.ok = False
        column = self.columns.label.get(field, field) if field else None
        self.problems.add(self.columns.table.problem(message, row=self.number, column=column))

    def text(self, field: str, *, required: bool = False, limit: int = 1024) -> str | None:
        if self.__class__ is Row:  # raw() inlined: an RVTools import reads 1.3 million text fields
            index = self.index.get(field)
            cells = self.cells
            cell = cells[index] if index is not None and index < len(cells) else None
        else:  # a subclass with its own raw() (the YAML importer's entries)
            cell = self.raw(field)
        if cell.__class__ is str:  # the common case, inline
            value = cell.strip() or None
            if value and value[0] == "'" and value[1:2] in FORMULA_START:
                value = value[1:]  # the protective apostrophe of a CSV export (see to_text)
        elif isinstance(cell, (list, dict)):  # YAML
            self.problem(field, "expected a single value, not a list or mapping")
            return None
        else:
            value = to_text(cell)
        if value is None:
            if required:
                self.problem(field, "is empty")
            return None
        if len(value) > limit:
            self.problem(field, f"is longer than {limit} characters")
            return None
        return value

    # integer=True gives an int (or None): the overloads let the importers pass it to Server.cores.
    @overload
    def numeric(self, field: str, *, minimum: float = ..., maximum: float = ..., integer: Literal[True],
                required: bool = ..., what: str = ...) -> int | None: ...

    @overload
    def numeric(self, field: str, *, minimum: float = ..., maximum: float = ..., integer: Literal[False] = ...,
                required: bool = ..., what: str = ...) -> float | None: ...

    def numeric(self, field: str, *, minimum: float = 0, maximum: float = 1e12, integer: bool = False,
                required: bool = False, what: str = "") -> float | int | None:
        cell = self.raw(field)
        if cell.__class__ is float or cell.__class__ is int:  # a workbook's number: to_number's own fast path
            value: float | None = float(cell) if math.isfinite(cell) else None
            if value is not None:
                return self.check_number(field, value, minimum=minimum, maximum=maximum, integer=integer,
                                         required=required, what=what)
        try:
            value = to_number(cell)
        except ValueError as error:
            self.problem(field, str(error))
            return None
        return self.check_number(field, value, minimum=minimum, maximum=maximum, integer=integer,
                                 required=required, what=what)

    def check_number(self, field: str, value: float | None, *, minimum: float = 0, maximum: float = 1e12,
                     integer: bool = False, required: bool = False, what: str = "") -> float | int | None:
        if value is None:
            if required:
                self.problem(field, "is empty")
            return None
        described = f"{what} " if what else ""
        if value < minimum:
            self.problem(field, f"{described}must not be {'negative' if minimum == 0 else f'below {minimum:g}'}, "
                                f"got {value:g}")
            return None
        if value > maximum:
            self.problem(field, f"{described}{_number(value)} is implausibly large (at most {_number(maximum)})")
            return None
        if integer:
            if not value.is_integer():
                self.problem(field, f"{described}must be a whole number, got {value:g}")
                return None
            return int(value)
        return value

    def boolean(self, field: str) -> bool | None:
        cell = self.raw(field)
        if cell.__class__ is bool or cell is None:  # a workbook's TRUE/FALSE, or no such cell
            return cell
        try:
            return to_bool(cell)
        except ValueError as error:
            self.problem(field, str(error))
            return None


# --- files -------------------------------------------------------------------------------------

def read_csv(path: Path, problems: Problems, display: str | None = None) -> Table | None:
    """A CSV (or tab-delimited text) file as a Table, or None with the reason in `problems`."""
    file = display or str(path)
    kind = kind_of(path)
    if kind != "text":
        problems.add(Problem(file, KIND_MESSAGES.get(kind, "is not a CSV file")))
        return None
    try:
        text = decode(read_input_bytes(path))
    except ValueError as error:
        problems.add(Problem(file, f"cannot be read as text: {error}"))
        return None
    except OSError as error:
        problems.add(Problem(file, f"cannot be read: {error.strerror or error}"))
        return None
    if looks_binary(text):
        problems.add(Problem(file, KIND_MESSAGES["binary"]))
        return None
    return table_from_text(text, file, problems)


def table_from_text(text: str, file: str, problems: Problems, sheet: str | None = None) -> Table | None:
    """A decoded CSV as a Table: blank lines before the header (and around a `sep=` hint) skipped."""
    lines = text.splitlines(keepends=True)
    first = _skip_blank(lines, 0)
    delimiter = sep_hint(lines[first]) if first < len(lines) else None
    if delimiter is not None:
        first = _skip_blank(lines, first + 1)
    if first >= len(lines):
        problems.add(Problem(file, "is empty (no header row)", sheet=sheet))
        return None
    if delimiter is None:
        delimiter = sniff_delimiter(lines[first])
    reader = csv.reader(io.StringIO("".join(lines[first:]), newline=""), delimiter=delimiter, strict=False)
    try:
        header = tuple(cell.strip() for cell in next(reader))
    except csv.Error as error:
        problems.add(Problem(file, f"malformed header: {error}", sheet=sheet, row=first + 1))
        return None
    if not any(header):
        problems.add(Problem(file, "the header row is empty", sheet=sheet, row=first + 1))
        return None

    def malformed(message: str, row: int) -> None:
        problems.add(Problem(file, message, sheet=sheet, row=row))

    return Table(file, sheet, header, first + 1, records(reader, first + 1, malformed))


def _skip_blank(lines: Sequence[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index
