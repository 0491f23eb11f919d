"""Importers for the inventory exports hospital IT already has.

`parse(path, format="auto")` reads one input into a `ParsedFile` or raises `InputError` listing
every problem (file, sheet, row, column); `detect(path)` names the format from the file's
sheets, headers and name. Each format is one module that registers itself in
`registry.IMPORTERS` (name, parser, sniffer, description); `IMPORTERS.names()` lists them. Formats:

| format | input |
|---|---|
| `rvtools` | RVTools `.xlsx`, or its CSV export (`RVTools_tabvInfo.csv` and siblings: give the directory or any tab file) |
| `azure-migrate` | Azure Migrate import CSV (`*Server name`, `*Cores`, `*Memory (In MB)`, `*OS name`, ...) |
| `cmdb` | ServiceNow `cmdb_ci_server` export, field names or labels |
| `csv` | carelift's generic CSV (schema in `generic`) |
| `yaml` | carelift's generic YAML (schema in `generic`) |
| `appmap` | application mapping `server,application,environment,tier,data_classification,owner` |

The tabular formats also read an `.xlsx` (its first sheet).
"""

from __future__ import annotations

from pathlib import Path

from migrate.inventory.importers.registry import IMPORTERS, detect, detect_keeping_workbook
from migrate.inventory.importers.workbook import reusing
from migrate.inventory.model import InputError, ParsedFile, Problem
from migrate.inventory.names import printable_path
from migrate.inventory.tables.bulk import quiet_gc


def parse(path: str | Path, format: str = "auto", *, strict: bool = False) -> ParsedFile:
    """Read `path` as `format` (or the detected one); InputError with every problem otherwise.

    `strict`: an RVTools side sheet's problems are errors instead of warnings."""
    path = Path(path)
    display = printable_path(path)  # a file name that is not UTF-8 is shown (and stored) escaped
    book = None
    if format == "auto":
        format, book = detect_keeping_workbook(path)
    with reusing(book):  # the workbook detection opened is parsed, not opened a second time
        importer = IMPORTERS.get(format)
        if importer is None:
            raise InputError([Problem(display, f"unknown format {format!r} (expected auto or one of "
                                               f"{', '.join(IMPORTERS.names())})")])
        with quiet_gc():  # millions of live rows and cells, no cycles among them (tables.bulk)
            return importer.parse(path, display, strict=strict)


__all__ = ["IMPORTERS", "detect", "parse"]
