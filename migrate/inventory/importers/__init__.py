"""Importers for the inventory exports hospital IT already has.

`parse(path, format="auto")` reads one input into a `ParsedFile` or raises `InputError` listing
every problem (file, sheet, row, column); `detect(path)` names the format from the file's
sheets, headers and name. Formats:

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

from migrate.inventory.importers.tabular import Problems, decode, kind_message, kind_of, table_from_text
from migrate.inventory.model import InputError, ParsedFile, Problem
from migrate.inventory.names import printable_path

FORMATS = ("rvtools", "azure-migrate", "cmdb", "csv", "yaml", "appmap")
EXPECTED = ("expected one of: an RVTools export (xlsx with a vInfo sheet, or RVTools_tabvInfo.csv); an Azure "
            "Migrate import CSV (*Server name, *Cores, *Memory (In MB), *OS name); a ServiceNow cmdb_ci_server "
            "export (name, ip_address, os, cpu_core_count, ram, ...); carelift's CSV (name, ips, os, cores, "
            "memory_mb, disks, ...) or YAML (servers:); an application mapping (server, application, "
            "environment, tier, data_classification, owner). Or name the format with --format")
_DEPENDENCY_HEADERS = {"destination port", "destination ip", "destination server name", "timeslot", "time slot"}
_HEAD_BYTES = 64 * 1024


def parse(path: str | Path, format: str = "auto", *, strict: bool = False) -> ParsedFile:
    """Read `path` as `format` (or the detected one); InputError with every problem otherwise.

    `strict`: an RVTools side sheet's problems are errors instead of warnings."""
    path = Path(path)
    display = printable_path(path)  # a file name that is not UTF-8 is shown (and stored) escaped
    if format == "auto":
        format = detect(path)
    if format not in FORMATS:
        raise InputError([Problem(display, f"unknown format {format!r} (expected auto or one of "
                                           f"{', '.join(FORMATS)})")])
    if format == "rvtools":
        from migrate.inventory.importers import rvtools
        return rvtools.parse(path, display, strict=strict)
    if format == "azure-migrate":
        from migrate.inventory.importers import azure_migrate
        return azure_migrate.parse(path, display)
    if format == "cmdb":
        from migrate.inventory.importers import cmdb
        return cmdb.parse(path, display)
    if format == "csv":
        from migrate.inventory.importers import generic
        return generic.parse_csv(path, display)
    if format == "yaml":
        from migrate.inventory.importers import generic_yaml
        return generic_yaml.parse(path, display)
    from migrate.inventory.importers import appmap
    return appmap.parse(path, display)


def detect(path: str | Path) -> str:
    """The format of `path`, from its sheets, headers or name; InputError saying what was expected otherwise."""
    from migrate.inventory.importers import rvtools

    path = Path(path)
    display = printable_path(path)
    kind = kind_of(path)
    if kind == "directory":
        if any(tab.casefold() == "vinfo" for tab in rvtools.csv_set(path)):
            return "rvtools"
        raise InputError([Problem(display, "is a directory without RVTools_tabvInfo.csv (only RVTools CSV exports "
                                           "are read from a directory)")])
    if kind not in ("xlsx", "text"):
        raise InputError([Problem(display, kind_message(kind))])
    if rvtools.CSV_NAME.fullmatch(path.name):
        return "rvtools"
    problems = Problems()
    if kind == "xlsx":
        from migrate.inventory.importers.workbook import open_workbook

        book = open_workbook(path, problems, display)
        if book is None:
            raise problems.error()
        try:
            if book.find("vInfo") is not None:
                return "rvtools"
            table = book.table(book.sheet_names[0], problems) if book.sheet_names else None
            header = table.normalised if table is not None else ()
        finally:
            book.close()
        if not header:
            problems.raise_if_any()
            raise InputError([Problem(display, f"the workbook has no header row; {EXPECTED}")])
        return _from_header(header, display)
    if path.suffix.casefold() in (".yaml", ".yml"):
        return "yaml"
    with path.open("rb") as handle:
        head = decode(handle.read(_HEAD_BYTES), partial=True)
    first = next((line.strip() for line in head.splitlines() if line.strip() and not line.lstrip().startswith("#")),
                 "")
    if first == "---" or first.startswith(("servers:", "applications:")):
        return "yaml"
    table = table_from_text(head, display, problems)  # only its header is read
    if table is None:
        raise problems.error()
    return _from_header(table.normalised, display)


def _from_header(header: tuple[str, ...], display: str) -> str:
    from migrate.inventory.importers import azure_migrate, cmdb, generic

    names = set(header)
    if names & _DEPENDENCY_HEADERS and ("destination port" in names or "source server name" in names):
        raise InputError([Problem(display, "is a dependency export, not an inventory: import it with "
                                           "`carelift deps import`")])
    if "vm" in names and names & {"powerstate", "cpus", "os according to the vmware tools", "template"}:
        return "rvtools"
    if "server name" in names and names & set(azure_migrate.SIGNATURE[1:]):
        return "azure-migrate"
    if "server" in names and (names & {"application", "app"} or
                              names & {"environment", "tier", "data_classification", "data classification"}):
        if not names & {"cores", "memory_mb", "ips"}:
            return "appmap"
    cmdb_score = len(names & (cmdb.SIGNATURE_FIELDS | cmdb.SIGNATURE_LABELS))
    generic_score = len(names & generic.SIGNATURE)
    if "name" in names or "sys_id" in names:
        if cmdb_score > generic_score:
            return "cmdb"
        if generic_score > cmdb_score:
            return "csv"
        if cmdb_score:
            raise InputError([Problem(display, "could be a ServiceNow export or carelift's CSV: name the format "
                                               "with --format cmdb or --format csv")])
    shown = ", ".join(h for h in header[:12] if h) or "none"
    raise InputError([Problem(display, f"format not recognised from its headers ({shown}); {EXPECTED}")])


__all__ = ["FORMATS", "detect", "parse"]
