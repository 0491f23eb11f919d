"""Bounds an xlsx must keep before python-calamine parses it: decompression and expansion bombs.

calamine reads a sheet whole. It inflates the part, copies a shared string into every cell that
references it, and allocates a dense grid spanning the bounding box of the sheet's cells; an
allocation it cannot make aborts the whole process (a Rust out-of-memory abort, not an exception).
A small file can ask for any of these to be huge: a 2 MB zip of 600 MB of rows, a 75 KB file whose
one 1 MB string fills 100,000 cells (100 GB of copies), a 1 KB file with cells at A1 and
XFD1048576 (a 17-billion-cell grid). So before calamine sees a part, carelift refuses:

- any part it reads (a sheet, the shared strings, the other XML parts read when the workbook
  opens) that inflates to more than `Limits.part_bytes` — measured by inflating the member's raw
  data with a cap, so a central directory that lies about the size is still bounded;
- a sheet whose shared-string cells would expand to more than `Limits.text_bytes` of text: the
  length of each shared string times the number of cells that reference it;
- a sheet whose cells span more than `Limits.grid_cells` cells (rows x columns).

Sheets are checked when they are read, the workbook's other parts when it opens. The scan is
exact and streamed (4 MB at a time). Sheets written the way Excel, RVTools, xlsxwriter and openpyxl
write them (`<c r="A1">`, `<v>`) take a fast path of a few C-level regular-expression passes; any
other spelling (namespace prefixes, cells without `r`, odd quoting) takes a slower path that
follows calamine's own rules for positions, so no spelling escapes the bounds.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Iterator

MB = 1024 * 1024
DEFAULT_MB = 256
MAX_MEMBERS = 10_000
"""A workbook has a few dozen parts; a zip of a million entries is refused before it is indexed."""
CHUNK = 4 * MB
SUSPICIOUS_RATIO = 32
"""Sheets of real workbooks deflate 5-20 to 1; a part declaring more than this is inflated once
before it is scanned."""
SHEET_FOLDERS = ("xl/worksheets/", "xl/chartsheets/", "xl/macrosheets/", "xl/dialogsheets/")


@dataclass(frozen=True)
class Limits:
    part_bytes: int = DEFAULT_MB * MB
    text_bytes: int = DEFAULT_MB * MB
    grid_cells: int = DEFAULT_MB * MB // 8
    """calamine holds 32 bytes per grid cell: 8 x the limit in MB, i.e. 2 GB of grid at 256."""

    @classmethod
    def from_mb(cls, megabytes: int) -> Limits:
        """`--max-sheet-mb N`: every bound scales with N."""
        return cls(part_bytes=megabytes * MB, text_bytes=megabytes * MB, grid_cells=megabytes * MB // 8)

    @property
    def megabytes(self) -> int:
        return self.part_bytes // MB


_LIMITS: ContextVar[Limits] = ContextVar("xlsx_limits", default=Limits())


def current_limits() -> Limits:
    return _LIMITS.get()


@contextmanager
def limits(value: Limits) -> Iterator[Limits]:
    """Apply `value` to the workbooks opened inside the block (the CLI's --max-sheet-mb)."""
    token = _LIMITS.set(value)
    try:
        yield value
    finally:
        _LIMITS.reset(token)


class TooLarge(Exception):
    """A part of the workbook breaks a bound; the message says which and how to raise it."""


class Unreadable(Exception):
    """The zip structure itself is unusable (corrupt, encrypted, an unknown compression method)."""


def _raise_hint(limits_: Limits) -> str:
    return (f"refused before reading (a decompression bomb, or a genuine workbook past the limit: raise it with "
            f"--max-sheet-mb, now {limits_.megabytes})")


# -- the zip ------------------------------------------------------------------------------------

class Package:
    """The zip of a workbook: its members from the central directory, inflated with a cap."""

    def __init__(self, path: Path, limits_: Limits):
        self.path = path
        self.limits = limits_
        self._handle: BinaryIO = path.open("rb")
        try:
            archive = zipfile.ZipFile(self._handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as error:
            self._handle.close()
            raise Unreadable(f"not a valid zip archive ({error})") from None
        self.members = archive.infolist()
        if len(self.members) > MAX_MEMBERS:
            self._handle.close()
            raise Unreadable(f"holds {len(self.members):,} zip entries (a workbook has a few dozen)")
        self.sheet_parts: dict[str, list[str]] = {}
        """sheet name -> part names (lower-case), from workbook.xml and its relationships."""

    def close(self) -> None:
        self._handle.close()

    def named(self, name: str) -> list[zipfile.ZipInfo]:
        """Every entry called `name`, ignoring case (a zip may hold the same name twice)."""
        wanted = name.lower()
        return [m for m in self.members if m.filename.lower() == wanted]

    def check_open_parts(self) -> dict[str, bytes]:
        """Inflate (with the cap) every XML part outside the sheet folders: what calamine reads
        when it opens the workbook. Returns the small ones needed to find each sheet's part."""
        kept: dict[str, bytes] = {}
        for member in self.members:
            name = member.filename.lower()
            if name.startswith(SHEET_FOLDERS) or not name.endswith((".xml", ".rels")):
                continue
            if name == "xl/sharedstrings.xml":
                continue  # measured by `shared_string_lengths`
            keep = name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
            data = bytearray()
            for block in self.inflate(member):
                if keep:
                    data += block
            if keep:
                kept[name] = bytes(data)
        return kept

    def inflate(self, member: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's bytes, in blocks of at most CHUNK, refusing it once it passes the limit."""
        cap = self.limits.part_bytes
        if member.flag_bits & 0x1:
            raise Unreadable(f"{member.filename} is encrypted")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Unreadable(f"{member.filename} uses zip compression method {member.compress_type}, which Excel "
                             "does not write")
        if member.file_size > cap:
            raise TooLarge(f"{member.filename} declares {member.file_size / MB:,.0f} MB uncompressed, more than "
                           f"the {cap // MB} MB limit; {_raise_hint(self.limits)}")
        total = 0
        decompressor = zlib.decompressobj(-15) if member.compress_type == zipfile.ZIP_DEFLATED else None
        for raw in self._raw(member):
            pending = raw
            while pending:
                if decompressor is None:
                    block, pending = pending, b""
                else:
                    block = decompressor.decompress(pending, CHUNK)
                    pending = decompressor.unconsumed_tail
                total += len(block)
                if total > member.file_size:
                    raise Unreadable(f"{member.filename} inflates past the {member.file_size:,} bytes its zip header "
                                     "declares (a corrupt or forged zip)")
                if total > cap:
                    raise TooLarge(f"{member.filename} inflates to more than the {cap // MB} MB limit (its header "
                                   f"declares {member.file_size / MB:,.1f} MB); {_raise_hint(self.limits)}")
                if block:
                    yield block
                if decompressor is not None and decompressor.eof:
                    return

    def _raw(self, member: zipfile.ZipInfo) -> Iterator[bytes]:
        handle = self._handle
        try:
            handle.seek(member.header_offset)
            header = handle.read(30)
            if len(header) != 30 or header[:4] != b"PK\x03\x04":
                raise Unreadable(f"{member.filename}: bad local header")
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            handle.seek(member.header_offset + 30 + name_length + extra_length)
            left = member.compress_size
            while left > 0:
                raw = handle.read(min(left, CHUNK))
                if not raw:
                    raise Unreadable(f"{member.filename} is truncated")
                left -= len(raw)
                yield raw
        except (OSError, zlib.error) as error:
            raise Unreadable(f"{member.filename}: {error}") from None


# -- shared strings -----------------------------------------------------------------------------

_SI = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?si[\s/>]")
_MARKUP = len(b"<si><t></t></si>")


def shared_string_lengths(package: Package) -> list[int]:
    """An upper bound on each shared string's length in bytes: the span of its `<si>` element less
    the least markup around any text (`<si><t>` and `</t></si>`, 16 bytes; calamine reads text
    only from `t` elements). Inflated and measured with the cap. A zip holding the part twice gets,
    per index, the longer of the two."""
    lengths: list[int] = []
    for member in package.named("xl/sharedStrings.xml"):
        starts: list[int] = []
        offset, tail = 0, b""
        for block in package.inflate(member):
            data = tail + block
            cut = max(data.rfind(b"<"), 0)
            starts.extend(offset + m.start() for m in _SI.finditer(data, 0, cut))
            offset += cut
            tail = data[cut:]
        starts.extend(offset + m.start() for m in _SI.finditer(tail))
        ends = starts[1:] + [offset + len(tail)]
        found = [max(end - start - _MARKUP, 0) for start, end in zip(starts, ends, strict=True)]
        # Pairwise over the shorter list; the longer list's tail is appended as it is.
        lengths = [max(a, b) for a, b in zip(lengths, found, strict=False)] + (found[len(lengths):] or lengths[len(found):])
    return lengths


def sheet_parts(workbook_xml: bytes | None, relationships_xml: bytes | None) -> dict[str, list[str]]:
    """Sheet name -> its part (lower-case), resolved as calamine does from workbook.xml and
    xl/_rels/workbook.xml.rels; {} when either is missing or unreadable (every sheet part is then
    checked whichever sheet is read)."""
    import posixpath
    import xml.etree.ElementTree as ElementTree

    if not workbook_xml or not relationships_xml:
        return {}
    try:
        workbook = ElementTree.fromstring(workbook_xml)
        relationships = ElementTree.fromstring(relationships_xml)
    except ElementTree.ParseError:
        return {}
    targets = {}
    for element in relationships.iter():
        rel_id, target = element.get("Id"), element.get("Target")
        if element.tag.rsplit("}", 1)[-1] == "Relationship" and rel_id and target:
            target = target.replace("\\", "/")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            targets[rel_id] = path.lower()
    parts: dict[str, list[str]] = {}
    for element in workbook.iter():
        name = element.get("name")
        if element.tag.rsplit("}", 1)[-1] != "sheet" or name is None:
            continue
        ids = [value for key, value in element.attrib.items() if key.rsplit("}", 1)[-1] == "id" and key != "id"]
        found = [targets[i] for i in ids if i in targets]
        if found:
            parts.setdefault(name, []).extend(found)
    return parts


# -- sheets -------------------------------------------------------------------------------------

# A sheet "spelled the usual way" (as Excel, RVTools, xlsxwriter and openpyxl write it): every cell
# tag is `<c r="LETTERS DIGITS"` (1-3 letters, 1-7 digits), every value tag `<v>`, no prefixes.
_PREFIXED = re.compile(rb":[cv][\s/>]")
_ODD_VALUE = re.compile(rb"<v[\s/]")
_ODD_CELL = re.compile(rb'<c(?:[\t\r\n/>]| (?!r="))')
_PLAIN_REFERENCE = rb'[A-Z]{1,3}[0-9]{1,7}"'
_ROW_ELEMENT = re.compile(rb'<row r="([0-9]{1,7})"')
_PLAIN_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_PLAIN_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_PLAIN_VALUE = re.compile(rb"<v>([0-9]+)<")
# Any spelling calamine accepts: a prefix, attributes in any order, either quote.
_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(c|row)(?=[\s/>])([^>]*)>")
_R_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*(["'])([^"']*)\1""")
_ANY_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?v(?:\s[^>]*)?>\s*\+?([0-9]+)")


@dataclass
class SheetFigures:
    bytes: int = 0
    rows: int = 0
    """An upper bound on the highest row number of a cell."""
    columns: int = 0
    """An upper bound on the highest column number of a cell."""
    value_tags: int = 0
    """An upper bound on the cells whose value may be a shared-string index."""


def _largest(tokens: list[bytes]) -> bytes:
    """The largest of same-alphabet tokens compared as column letters or numbers (longer is larger)."""
    return max(set(tokens), key=lambda token: (len(token), token))


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + (letter - 64)
    return number


def _at_most(token: bytes, alphabet: bytes, end: bytes) -> bytes:
    """A regular expression for the tokens of `alphabet` ([A-Z] or [0-9]) not above `token` (shorter,
    or as long and not higher at the first difference), each followed by `end`. The shorter ones
    are matched possessively, so no cell makes the search backtrack."""
    first, last = alphabet[0:1], alphabet[-1:]
    any_ = b"[" + first + b"-" + last + b"]"
    branches = [any_ + b"{1,%d}+" % (len(token) - 1) + end] if len(token) > 1 else []
    for i, current in enumerate(token):
        if bytes([current]) != first:
            branches.append(token[:i] + b"[" + first + b"-" + bytes([current - 1]) + b"]"
                            + any_ + b"{%d}" % (len(token) - i - 1) + end)
    if token:
        branches.append(token + end)
    return b"(?:" + b"|".join(branches) + b")" if branches else b"(?!)"


@lru_cache(maxsize=64)
def _outside(columns: int, rows: int) -> re.Pattern[bytes]:
    """The cell tags the fast path cannot vouch for, in one search: a tag spelled oddly (no `r`
    first, another separator: `_ODD_CELL`), an unusual reference, or a usual one beyond
    `columns` columns or `rows` rows. (One pass instead of two, and without backtracking: the
    search visits every cell of the sheet.)"""
    within = (_at_most(_letters(columns), b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"(?=[0-9])")
              + _at_most(str(rows).encode(), b"0123456789", b'"'))
    return re.compile(rb'<c(?:[\t\r\n/>]| (?!r="' + within + rb"))")


def _blocks(package: Package, part: str) -> Iterator[bytes]:
    """The part's inflated bytes in blocks that each end just before a `<` (no tag is cut)."""
    tail = b""
    for member in package.named(part):
        for block in package.inflate(member):
            data = tail + block
            cut = data.rfind(b"<")
            if cut <= 0:
                tail = data
                continue
            yield data[:cut]
            tail = data[cut:]
        if tail:
            yield tail
            tail = b""


def _plain_scan(package: Package, part: str) -> SheetFigures | None:
    """Figures of a sheet spelled the usual way, or None as soon as another spelling turns up.

    Cheap: the highest row is guessed from the `<row r>` tags and the highest column from the
    first cells; then one search per block finds any cell reference that is unusual or lies
    beyond the guesses (and only then are that block's references all read)."""
    figures = SheetFigures()
    for block in _blocks(package, part):
        if _PREFIXED.search(block) or _ODD_VALUE.search(block):
            return None
        figures.bytes += len(block)
        figures.value_tags += block.count(b"<v>")  # every shared-string cell has one
        top = max((int(r) for r in _ROW_ELEMENT.findall(block)), default=figures.rows)
        if not figures.columns:
            first = _PLAIN_COLUMN.findall(block, 0, 65536)
            figures.columns = _column_number(_largest(first)) if first else 0
        found = _outside(figures.columns, top).search(block)
        if found is not None:
            if re.match(rb'<c r="' + _PLAIN_REFERENCE, block[found.start():found.start() + 20]) is None:
                return None  # an odd tag or an unusual reference: the exact scan reads it
            if _ODD_CELL.search(block):  # the search stopped at the first usual tag beyond the guesses
                return None
            # By value: a leading zero makes a reference longer, not larger (A0000002 is row 2).
            top = max(int(row) for row in _PLAIN_ROW.findall(block))
            figures.columns = max(figures.columns, _column_number(_largest(_PLAIN_COLUMN.findall(block))))
        figures.rows = max(figures.rows, top)
    return figures


def _letters(column: int) -> bytes:
    """Column number -> letters (1 -> A, 27 -> AA); 0 -> b"" (every column is beyond it)."""
    letters = b""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = bytes([65 + rest]) + letters
    return letters


def _exact_scan(package: Package, part: str) -> SheetFigures:
    """Figures of any spelling, following calamine's positions: a cell's `r`, else the running
    column after the previous cell; a row's `r`, else the next row after `</row>`."""
    figures = SheetFigures()
    row, column = 1, 0
    for block in _blocks(package, part):
        figures.bytes += len(block)
        figures.value_tags += block.count(b"<") // 2 + 1
        for closing, name, attributes in _TAG.findall(block):
            if closing:
                if name == b"row":
                    row, column = row + 1, 0
                continue
            if attributes.rstrip().endswith(b"/"):
                continue  # an empty element: calamine reads no cell (and no row) from it
            found = _R_ATTRIBUTE.search(attributes)
            position = _position(found.group(2)) if found else None
            if name == b"row":
                if position is not None:
                    row = position[0]
                continue
            if position is not None:
                row_here, column = position[0], position[1] or column
            else:
                row_here, column = row, column + 1
            figures.rows = max(figures.rows, row_here)
            figures.columns = max(figures.columns, column)
    return figures


def _position(reference: bytes) -> tuple[int, int] | None:
    """(row, column), 1-based, of a reference as calamine reads it (letters then digits, either
    case); None when calamine would refuse it (it then fails the sheet before allocating)."""
    match = re.fullmatch(rb"([A-Za-z]*)([0-9]*)", reference.strip())
    if not match:
        return None
    letters, digits = match.groups()
    return (int(digits) if digits else 0), (_column_number(letters) if letters else 0)


def _shared_text(package: Package, part: str, lengths: list[int], plain: bool) -> int:
    """The bytes of text the sheet's shared-string cells expand to (every value that is a valid
    index counts, whatever its cell's type: an over-count, never an under-count)."""
    counts: Counter = Counter()
    pattern = _PLAIN_VALUE if plain else _ANY_VALUE
    for block in _blocks(package, part):
        counts.update(pattern.findall(block))
    size = len(lengths)
    return sum(n * lengths[i] for value, n in counts.items() if (i := int(value)) < size)


def check_sheet(package: Package, part: str, lengths: list[int], sheet: str) -> None:
    """Raise TooLarge when the sheet's part passes any bound (see the module docstring)."""
    limits_ = package.limits
    for member in package.named(part):
        if member.file_size > SUSPICIOUS_RATIO * max(member.compress_size, 1):
            # Deflate this dense may hide a header that understates the size: measure it first (a
            # bare inflate is ten times faster than the scans below), so a lie costs no scan.
            for _ in package.inflate(member):
                pass
    figures = _plain_scan(package, part)
    plain = figures is not None
    if figures is None:
        figures = _exact_scan(package, part)
    grid = figures.rows * figures.columns
    if grid > limits_.grid_cells:
        raise TooLarge(f"the sheet's cells span {figures.rows:,} rows x {figures.columns:,} columns = {grid:,} cells, more "
                       f"than the {limits_.grid_cells:,} allowed; {_raise_hint(limits_)}")
    longest = max(lengths, default=0)
    if figures.value_tags * longest > limits_.text_bytes:
        text = _shared_text(package, part, lengths, plain)
        if text > limits_.text_bytes:
            raise TooLarge(f"the sheet's shared-string cells expand to {text / MB:,.0f} MB of text, more than the "
                           f"{limits_.text_bytes // MB} MB limit (a long string repeated in many cells); "
                           f"{_raise_hint(limits_)}")
