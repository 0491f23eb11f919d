"""Delimited dependency files (Azure Migrate export, generic CSV): header matching and row streaming."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from migrate.inventory.dependencies.common import FileProblems
from migrate.inventory.tables.delimited import normalise_header, records, sep_hint, sniff_delimiter, split_header
from migrate.inventory.tables.text import open_text


@dataclass(frozen=True)
class Header:
    columns: dict[str, int]
    """field → column index"""
    names: dict[str, str]
    """field → the header text as the file spells it (for messages)"""
    ignored: tuple[str, ...]
    duplicates: tuple[str, ...]


def match_header(row: list[str], aliases: Mapping[str, tuple[str, ...]]) -> Header:
    lookup = {alias: name for name, spellings in aliases.items() for alias in spellings}
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored, duplicates = [], []
    for index, raw in enumerate(row):
        key = lookup.get(normalise_header(raw, underscores_as_spaces=True))
        if key is None:
            if raw.strip():
                ignored.append(raw.strip())
        elif key in columns:
            duplicates.append(raw.strip())
        else:
            columns[key] = index
            names[key] = raw.strip()
    return Header(columns, names, tuple(ignored), tuple(duplicates))


def checked_header(cells: list[str], number: int, aliases: Mapping[str, tuple[str, ...]], required: tuple[str, ...],
                   problems: FileProblems, *, capitalize: bool = False) -> Header | None:
    """The header row matched against `aliases`; None (after reporting) when a required column is missing.

    A missing column is named by its first alias (capitalised as the format's own headers are, when
    asked); a duplicate as the file spells it.
    """
    header = match_header(cells, aliases)
    missing = [name for name in required if name not in header.columns]
    for name in missing:
        label = aliases[name][0].capitalize() if capitalize else aliases[name][0]
        problems.at(f"missing mandatory column {label!r}", number, label)
    for name in header.duplicates:
        problems.at(f"column {name!r} appears twice", number, name)
    return None if missing else header


def header_fields(first_line: str, aliases: Mapping[str, tuple[str, ...]]) -> set[str]:
    """The fields a header line provides (for format detection)."""
    return set(match_header(split_header(first_line), aliases).columns)


def rows(path: Path, encoding: str, problems: FileProblems) -> Iterator[tuple[int, list[str]]]:
    """(row number as a spreadsheet shows it, cells) for every non-blank record, header first.

    Streams the file (a dependency export can hold millions of rows). Excel's `sep=;` hint line
    is honoured, as by the inventory importers.
    """
    with open_text(path, encoding) as handle:
        first = handle.readline()
        delimiter = sep_hint(first)
        if delimiter is None:
            delimiter, offset = sniff_delimiter(first), 0
            handle.seek(0)
        else:
            offset = 1
        yield from records(csv.reader(handle, delimiter=delimiter), offset, problems.at)
