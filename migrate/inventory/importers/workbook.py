"""Excel workbooks through python-calamine: sheets as `Table`s, read side by side on multi-core machines.

A truncated or corrupt file, or a failure inside the Rust reader, becomes a `Problem`. Before
calamine sees a part, `xlsx_limits` bounds it (decompressed size, shared-string expansion, grid
size): a bomb is a `Problem` too, never an out-of-memory abort.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from migrate.inventory.importers import xlsx_limits
from migrate.inventory.importers.tabular import Cell, Table, to_text
from migrate.inventory.model import Problem
from migrate.inventory.tables.problems import Problems
from migrate.inventory.tables.text import kind_message, kind_of


class Workbook:
    """An xlsx workbook read through python-calamine; sheets become Tables on demand."""

    def __init__(self, path: Path, display: str, book, package: xlsx_limits.Package | None = None,
                 lengths: list[int] | None = None, parts: dict[str, list[str]] | None = None):
        self.path = path
        self.file = display
        self._book = book
        self.sheet_names: tuple[str, ...] = tuple(book.sheet_names)
        self._prefetched: dict[str, Future] = {}
        self._executor: ThreadPoolExecutor | None = None
        self._package = package
        self._lengths = lengths or []
        self._parts = parts or {}
        self._verdicts: dict[str, str | None] = {}
        self._lock = threading.Lock()  # the package's file handle is shared with the prefetch thread
        self._closed = False

    def refusal(self, sheet: str) -> str | None:
        """Why `sheet` must not be handed to calamine (a bound of `xlsx_limits` broken), or None."""
        if self._package is None:
            return None
        with self._lock:
            if sheet not in self._verdicts:
                parts = self._parts.get(sheet) or sorted({m.filename.lower() for m in self._package.members
                                                         if m.filename.lower().startswith(xlsx_limits.SHEET_FOLDERS)})
                verdict = None
                try:
                    for part in parts:
                        xlsx_limits.check_sheet(self._package, part, self._lengths, sheet)
                except (xlsx_limits.TooLarge, xlsx_limits.Unreadable) as error:
                    verdict = str(error)
                self._verdicts[sheet] = verdict
            return self._verdicts[sheet]

    def prefetch(self, sheets: Iterable[str]) -> None:
        """Start decoding `sheets` in a background thread while the caller works on another one.

        python-calamine releases the GIL while it parses a sheet, so on a machine with two or more
        cores a large workbook's sheets load side by side. The thread has its own workbook handle
        (one handle cannot parse two sheets at once).
        """
        sheets = [s for s in sheets if s in self.sheet_names and s not in self._prefetched]
        if not sheets or (os.cpu_count() or 1) < 2:
            return
        from python_calamine import CalamineWorkbook

        handle: list = []

        def load(sheet: str):
            if self.refusal(sheet) is not None:
                return None  # table() reports it
            if not handle:
                handle.append(CalamineWorkbook.from_path(str(self.path)))
            return handle[0].get_sheet_by_name(sheet)

        self._executor = self._executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-prefetch")
        for sheet in sheets:
            self._prefetched[sheet] = self._executor.submit(load, sheet)

    def find(self, name: str) -> str | None:
        """The sheet called `name`, ignoring case and surrounding spaces."""
        wanted = name.strip().casefold()
        return next((s for s in self.sheet_names if s.strip().casefold() == wanted), None)

    def table(self, sheet: str, problems: Problems) -> Table | None:
        future = self._prefetched.pop(sheet, None)
        refusal = self.refusal(sheet)
        if refusal is not None:
            if future is not None:
                future.result()
            problems.add(Problem(self.file, refusal, sheet=sheet))
            return None
        try:
            rows = (future.result() if future else self._book.get_sheet_by_name(sheet)).iter_rows()
            number, header = 0, None
            for cells in rows:
                number += 1
                if any(_filled(c) for c in cells):
                    header = tuple(to_text(c) or "" for c in cells)
                    break
        except BaseException as error:
            if not _reader_failed(error):
                raise
            problems.add(Problem(self.file, f"cannot read the sheet: {_calamine_message(error)}", sheet=sheet))
            return None
        if header is None:
            problems.add(Problem(self.file, "the sheet is empty (no header row)", sheet=sheet))
            return None
        return Table(self.file, sheet, header, number, self._records(rows, number, sheet, problems))

    def _records(self, rows, number: int, sheet: str, problems: Problems) -> Iterator[tuple[int, Sequence[Cell]]]:
        try:
            for cells in rows:
                number += 1
                if cells.count("") < len(cells):  # calamine gives "" for an empty cell
                    yield number, cells
        except BaseException as error:
            if not _reader_failed(error):
                raise
            problems.add(Problem(self.file, f"cannot read the sheet: {_calamine_message(error)}", sheet=sheet,
                                 row=number + 1))

    def close(self) -> None:
        if self._closed:  # a workbook handed over by `reusing` is closed by its reader and by the block
            return
        self._closed = True
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self._prefetched.clear()
        if self._package is not None:
            self._package.close()
        try:
            self._book.close()
        except BaseException as error:
            if not _reader_failed(error):
                raise


def _filled(cell: Cell) -> bool:
    return cell is not None and cell != ""


def _reader_failed(error: BaseException) -> bool:
    """True for any failure of the Excel reader, including a Rust panic (pyo3's PanicException is a
    BaseException); False for the interpreter's own exits, which must propagate."""
    return not isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError))


def _calamine_message(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) <= 200 else text[:200] + "…"


_HANDED_OVER: ContextVar[Workbook | None] = ContextVar("workbook_handed_over", default=None)


@contextmanager
def reusing(book: Workbook | None) -> Iterator[None]:
    """Inside the block, the first `open_workbook` of `book`'s path returns `book` instead of opening
    and bounds-checking the file again (format detection opened it to read its sheet names: 0.3 s
    on a 32 MB RVTools export). `book` is closed when the block ends, read or not."""
    token = _HANDED_OVER.set(book)
    try:
        yield
    finally:
        _HANDED_OVER.reset(token)
        if book is not None:
            book.close()


def open_workbook(path: Path, problems: Problems, display: str | None = None) -> Workbook | None:
    """An xlsx workbook, or None with the reason (truncated, corrupt, not a workbook) in `problems`."""
    file = display or str(path)
    handed = _HANDED_OVER.get()
    if handed is not None and handed.path == path:
        _HANDED_OVER.set(None)  # once: a second reader of the file opens its own
        handed.file = file
        return handed
    kind = kind_of(path)
    if kind != "xlsx":
        problems.add(Problem(file, "is not an Excel workbook" if kind == "text" else kind_message(kind)))
        return None
    from python_calamine import CalamineWorkbook  # imported here: only workbook imports pay for it

    package: xlsx_limits.Package | None = None
    try:
        # What calamine reads when it opens the workbook is bounded first (xlsx_limits).
        package = xlsx_limits.Package(path, xlsx_limits.current_limits())
        kept = package.check_open_parts()
        lengths = xlsx_limits.shared_string_lengths(package)
        parts = xlsx_limits.sheet_parts(kept.get("xl/workbook.xml"), kept.get("xl/_rels/workbook.xml.rels"))
    except xlsx_limits.TooLarge as error:
        if package is not None:  # Package() itself raises only Unreadable; checked all the same
            package.close()
        problems.add(Problem(file, str(error)))
        return None
    except xlsx_limits.Unreadable as error:
        if package is not None:
            package.close()
        problems.add(Problem(file, f"cannot be read as an Excel workbook (truncated or corrupt?): {error}"))
        return None
    try:
        book = CalamineWorkbook.from_path(str(path))
    except BaseException as error:
        package.close()
        if not _reader_failed(error):
            raise
        problems.add(Problem(file, f"cannot be read as an Excel workbook (truncated or corrupt?): "
                                   f"{_calamine_message(error)}"))
        return None
    return Workbook(path, file, book, package, lengths, parts)
