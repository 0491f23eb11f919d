"""Delimited text (CSV, semicolon- or tab-separated): the delimiter, the header cells, the records.

Shared by the importers (`importers.tabular`, a whole decoded file) and the dependency parsers
(`dependencies.tables`, a streamed file); each matches the normalised headers against its own
alias tables.
"""

from __future__ import annotations

import csv
import re
from typing import Callable, Iterator

DELIMITERS = (",", ";", "\t")
_SPACES = re.compile(r"\s+")


def sep_hint(line: str) -> str | None:
    """The delimiter named by Excel's `sep=;` hint line (written before the header), or None."""
    text = line.strip()
    if len(text) == 5 and text[:4].lower() == "sep=":
        return text[4]
    return None


def sniff_delimiter(line: str) -> str:
    """The delimiter (comma, semicolon or tab) that splits the header line into the most fields;
    comma when none splits it."""
    best, best_count = ",", 1
    for candidate in DELIMITERS:
        try:
            count = len(next(csv.reader([line], delimiter=candidate)))
        except (csv.Error, StopIteration):
            continue
        if count > best_count:
            best, best_count = candidate, count
    return best


def split_header(line: str) -> list[str]:
    """A header line's cells, split at its sniffed delimiter (for format detection)."""
    return next(csv.reader([line], delimiter=sniff_delimiter(line)), [])


def normalise_header(text: object, *, underscores_as_spaces: bool = False) -> str:
    """`' *Server Name '` → `'server name'`: trimmed, leading `*` dropped (Azure Migrate marks
    mandatory columns so), case-folded, single spaces; an integral float header loses its `.0`.

    `underscores_as_spaces`: the dependency parsers read `first_seen` as `first seen` (exports
    spell the same column both ways). The importers keep underscores: ServiceNow field names
    (`ip_address`, custom `u_...` columns) are matched and told apart by them.
    """
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    text = str(text)
    if underscores_as_spaces:
        text = text.replace("_", " ")
    return _SPACES.sub(" ", text.strip().lstrip("*").strip()).casefold()


def records(reader: Iterator[list[str]], number: int,
            malformed: Callable[[str, int], None]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every record of a csv reader that is not blank; `number` is the row
    number before the reader's first record. Malformed CSV is reported through
    `malformed(message, row)` and ends the stream (the rest of the file cannot be trusted).

    Row numbers count records, so a record with a quoted line break is one row.
    """
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            malformed(f"malformed CSV: {error}", number + 1)
            return
        number += 1
        if any(cell.strip() for cell in cells):
            yield number, cells
