"""The inventory importers' registry, what their sniffers look at, and format detection.

Each importer module registers a `Format` in `IMPORTERS` whose `parse(path, display, *, strict)`
reads a file and whose `sniff(sample)` scores a `Sample`. Detection looks at a file twice, the cheap
look first, and the best score wins:

1. its layout: the directory, the file name, the workbook's sheets, a YAML file's name or first
   line (`sample.header` is None);
2. only when no format claims that, its header row (`sample.header`, normalised names).

Scores, highest first (each format returns its own; they never tie across levels):

| score | evidence |
|---|---|
| 1.0 | RVTools: a directory or file named `RVTools_tab*.csv`, a workbook with a vInfo sheet |
| 0.95 | YAML: a `.yaml`/`.yml` name, or a first line `---`, `servers:` or `applications:` |
| 0.9 | RVTools' vInfo columns (`VM` with `Powerstate`, `CPUs`, ...) |
| 0.8 | Azure Migrate's (`*Server name` with `*Cores`, ...) |
| 0.7 | an application mapping's (`server` with `application`, `environment`, ...; no sizes) |
| under 0.5 | ServiceNow and carelift's CSV: more of their signature columns, higher (`signature_score`) |

Two formats sharing the best score is ambiguous: the user is asked to name one (`--format`).
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Callable

from migrate.inventory.formats import Registry
from migrate.inventory.importers.tabular import table_from_text
from migrate.inventory.importers.workbook import Workbook, open_workbook
from migrate.inventory.model import InputError, ParsedFile, Problem
from migrate.inventory.names import printable_path
from migrate.inventory.tables.problems import Problems
from migrate.inventory.tables.text import decode, kind_message, kind_of

IMPORTERS = Registry("migrate.inventory.importers")

LAYOUT = 1.0
YAML = 0.95
RVTOOLS_COLUMNS = 0.9
AZURE_MIGRATE_COLUMNS = 0.8
MAPPING_COLUMNS = 0.7

# Said when nothing matches. It names every format: a new one adds its phrase here.
EXPECTED = ("expected one of: an RVTools export (xlsx with a vInfo sheet, or RVTools_tabvInfo.csv); an Azure "
            "Migrate import CSV (*Server name, *Cores, *Memory (In MB), *OS name); a ServiceNow cmdb_ci_server "
            "export (name, ip_address, os, cpu_core_count, ram, ...); carelift's CSV (name, ips, os, cores, "
            "memory_mb, disks, ...) or YAML (servers:); an application mapping (server, application, "
            "environment, tier, data_classification, owner). Or name the format with --format")
_DEPENDENCY_HEADERS = {"destination port", "destination ip", "destination server name", "timeslot", "time slot"}
_HEAD_BYTES = 64 * 1024


def signature_score(matches: int) -> float:
    """A score under 0.5 that grows with the number of signature columns a header has (0 for none)."""
    return 0.5 * matches / (matches + 1)


class Sample:
    """What the sniffers see of one input; read lazily, so a format decided by its name reads nothing."""

    def __init__(self, path: Path, display: str, kind: str):
        self.path = path
        self.display = display
        self.kind = kind
        """kind_of(path): directory, xlsx or text (detection refuses the others before sniffing)."""
        self.header: tuple[str, ...] | None = None
        """The header row's normalised names, once `read_header` ran (the second look)."""
        self.problems = Problems()
        self._book: Workbook | None = None

    @cached_property
    def sheets(self) -> tuple[str, ...]:
        """A workbook's sheet names (empty for text, or a workbook that cannot be opened: then the
        reason is in `problems`, raised by `read_header`)."""
        if self.kind != "xlsx":
            return ()
        self._book = open_workbook(self.path, self.problems, self.display)
        return tuple(self._book.sheet_names) if self._book is not None else ()

    def has_sheet(self, name: str) -> bool:
        """A sheet called `name`, ignoring case and surrounding spaces (as `Workbook.find`)."""
        wanted = name.strip().casefold()
        return any(sheet.strip().casefold() == wanted for sheet in self.sheets)

    @cached_property
    def head(self) -> str:
        """The first 64 KiB of a text file, decoded (ValueError when no encoding fits)."""
        with self.path.open("rb") as handle:
            return decode(handle.read(_HEAD_BYTES), partial=True)

    @cached_property
    def first_line(self) -> str:
        """A text file's first line that is neither blank nor a `#` comment, stripped."""
        if self.kind != "text":
            return ""
        try:
            lines = self.head.splitlines()
        except ValueError:
            return ""  # read_header raises it, as detection always did
        return next((line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")), "")

    @property
    def columns(self) -> frozenset[str]:
        return frozenset(self.header or ())

    def read_header(self) -> None:
        """Read the header row (a workbook's first sheet); InputError when there is none to read."""
        if self.kind == "xlsx":
            self.sheets  # noqa: B018 - opens the workbook (once)
            if self._book is None:
                raise self.problems.error()
            names = self._book.sheet_names
            table = self._book.table(names[0], self.problems) if names else None
            self.header = table.normalised if table is not None else ()
            if not self.header:
                self.problems.raise_if_any()
                raise InputError([Problem(self.display, f"the workbook has no header row; {EXPECTED}")])
            return
        table = table_from_text(self.head, self.display, self.problems)  # only its header is read
        if table is None:
            raise self.problems.error()
        self.header = table.normalised

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None


def detect(path: str | Path) -> str:
    """The format of `path`, from its sheets, headers or name; InputError saying what was expected otherwise."""
    name, book = detect_keeping_workbook(path)
    if book is not None:
        book.close()
    return name


def detect_keeping_workbook(path: str | Path) -> tuple[str, Workbook | None]:
    """`detect`, and the workbook it opened to read the sheet names, still open (None for other
    inputs): the caller parses it through `workbook.reusing` instead of opening and bounds-checking
    the file a second time."""
    path = Path(path)
    sample = Sample(path, printable_path(path), kind_of(path))
    if sample.kind not in ("directory", "xlsx", "text"):
        raise InputError([Problem(sample.display, kind_message(sample.kind))])
    try:
        found = IMPORTERS.best(sample)
        if not found:
            if sample.kind == "directory":
                raise InputError([Problem(sample.display, "is a directory without RVTools_tabvInfo.csv (only "
                                                          "RVTools CSV exports are read from a directory)")])
            sample.read_header()
            _refuse_dependency_export(sample)
            found = IMPORTERS.best(sample)
        if len(found) > 1:
            raise InputError([Problem(sample.display, f"could be {' or '.join(f.noun for f in found)}: name the "
                                                      f"format with {' or '.join(f'--format {f.name}' for f in found)}")])
        if not found:
            shown = ", ".join(h for h in (sample.header or ())[:12] if h) or "none"
            raise InputError([Problem(sample.display, f"format not recognised from its headers ({shown}); {EXPECTED}")])
    except BaseException:
        sample.close()
        raise
    book, sample._book = sample._book, None
    return found[0].name, book


def _refuse_dependency_export(sample: Sample) -> None:
    names = sample.columns
    if names & _DEPENDENCY_HEADERS and ("destination port" in names or "source server name" in names):
        raise InputError([Problem(sample.display, "is a dependency export, not an inventory: import it with "
                                                  "`carelift deps import`")])


def without_strict(parse: Callable[[Path, str], ParsedFile]) -> Callable[..., ParsedFile]:
    """An importer without a strict mode, called as every importer is: `(path, display, *, strict)`."""
    def parse_file(path: Path, display: str, *, strict: bool = False) -> ParsedFile:
        return parse(path, display)

    return parse_file
