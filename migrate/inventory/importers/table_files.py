"""A single-table file — a CSV file, or a workbook's first sheet — opened the same way by every
single-table importer (CMDB, generic, Azure Migrate, application map).

It sits above both readers (`tabular` for CSV and cells, `workbook` for xlsx), so neither has to
import the other. Importing it does not load python-calamine: `workbook` imports it lazily.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from migrate.inventory.importers.tabular import Columns, Table, read_csv
from migrate.inventory.importers.workbook import open_workbook
from migrate.inventory.model import Problem
from migrate.inventory.tables.problems import Problems
from migrate.inventory.tables.text import kind_of


def open_columns(path: Path, display: str, aliases: Mapping[str, Sequence[str]],
                 required: Sequence[str]) -> tuple[Problems, Table, Columns]:
    """A single-table file with its columns located; raises InputError when it is unreadable or a
    required column is missing (so every importer starts the same way)."""
    problems = Problems()
    table = read_table(path, problems, display)
    if table is None:
        raise problems.error()
    columns = Columns(table, aliases)
    if not columns.require(list(required), problems):
        raise problems.error()
    return problems, table, columns


def unmapped_headers(table: Table, columns: Columns) -> list[tuple[int, str]]:
    """(index, header) of the columns no field claimed: kept as tags by the formats that allow it."""
    claimed = set(columns.index.values())
    return [(i, h) for i, h in enumerate(table.header) if h and i not in claimed]


def read_table(path: Path, problems: Problems, display: str | None = None) -> Table | None:
    """The first sheet of a workbook or the whole of a CSV file, for single-table formats."""
    file = display or str(path)
    if kind_of(path) == "xlsx":
        book = open_workbook(path, problems, file)
        if book is None:
            return None
        if not book.sheet_names:
            problems.add(Problem(file, "the workbook has no sheets"))
            return None
        return book.table(book.sheet_names[0], problems)
    return read_csv(path, problems, file)
