"""Workbook bombs are refused before python-calamine parses them; ordinary workbooks still read.

Every bomb is built here, small: its bulk is one deflate segment repeated (a full flush makes a
segment independent of what precedes it), so a 600 MB sheet is a zip of a few hundred KB.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate.cli import main as cli
from migrate.inventory.importers import parse, xlsx_limits
from migrate.inventory.tables.problems import Problems
from migrate.inventory.importers.workbook import open_workbook
from migrate.inventory.model import InputError

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'.encode()
TAIL = b"</sheetData></worksheet>"
HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>cores</t></is></c></row>'
MB = 1024 * 1024
SAME_ROW = b'<row><c t="inlineStr"><is><t>vm</t></is></c><c><v>4</v></c></row>'  # no r: rows count on


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> tuple[bytes, int]:
    """Raw deflate of head + unit * times + tail without building it: (stream, inflated size)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    segment = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    return start + segment * times + end, len(head) + len(unit) * times + len(tail)


def write_zip(path: Path, members: list[tuple], method: int = 8) -> Path:
    """A zip of (name, raw deflate data, size its headers declare[, CRC-32]), written by hand so a
    test can declare any size. A bomb's CRC is left 0: it is refused before any CRC is checked."""
    local, central = bytearray(), bytearray()
    for name, data, declared, *crc in members:
        encoded = name.encode()
        offset = len(local)
        fields = struct.pack("<HHHHHIIIHH", 20, 0, method, 0, 0, crc[0] if crc else 0, len(data), declared,
                             len(encoded), 0)
        local += b"PK\x03\x04" + fields + encoded + data
        central += (b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, offset)
                    + encoded)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def workbook(path: Path, sheet: tuple[bytes, int] | bytes, shared: bytes | None = None,
             sheet_name: str = "servers") -> Path:
    """A minimal xlsx: one sheet (raw deflate + declared size, or plain XML) and optional shared strings."""
    def member(name: str, xml: bytes) -> tuple:
        return name, deflated(xml), len(xml), zlib.crc32(xml)

    relationships = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                     'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                     + ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        'relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared is not None else "")
                     + "</Relationships>")
    members = [
        member("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
               'officedocument.spreadsheetml.sharedStrings+xml"/>' if shared is not None else "")
            + "</Types>").encode()),
        member("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>').encode()),
        member("xl/workbook.xml", (
            f'<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()),
        member("xl/_rels/workbook.xml.rels", relationships.encode()),
    ]
    if isinstance(sheet, bytes):
        members.append(member("xl/worksheets/sheet1.xml", sheet))
    else:
        members.append(("xl/worksheets/sheet1.xml", *sheet))
    if shared is not None:
        members.append(member("xl/sharedStrings.xml", shared))
    return write_zip(path, members)


def server_rows(first: int, count: int) -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>vm%d</t></is></c><c r="B%d"><v>4</v></c></row>'
                    % (n, n, n, n) for n in range(first, first + count))


def refusal(path: Path, limits: xlsx_limits.Limits | None = None) -> str:
    """The problem reported when the workbook's first sheet is read ('' when it reads)."""
    problems = Problems()
    with xlsx_limits.limits(limits or xlsx_limits.Limits()):
        book = open_workbook(path, problems)
        if book is not None:
            try:
                book.table(book.sheet_names[0], problems)
            finally:
                book.close()
    return "; ".join(str(p) for p in problems.items)


@pytest.fixture
def no_calamine_parse(monkeypatch):
    """Fail the test if python-calamine is asked for a sheet (a bomb must be refused before)."""
    from python_calamine import CalamineWorkbook

    def refuse(*args, **kwargs):
        raise AssertionError("python-calamine was asked to parse a refused sheet")

    monkeypatch.setattr(CalamineWorkbook, "get_sheet_by_name", refuse)


class TestDecompressedSize:
    def test_a_600_mb_sheet_in_a_small_zip_is_refused_from_the_central_directory(self, tmp_path, no_calamine_parse):
        unit = SAME_ROW * 10_000
        stream, size = repeated(HEAD + HEADER_ROW, unit, 600 * MB // len(unit) + 1, TAIL)
        path = workbook(tmp_path / "bomb.xlsx", (stream, size))
        assert path.stat().st_size < 3 * MB  # about 2 MB
        message = refusal(path)
        assert "xl/worksheets/sheet1.xml declares 600 MB uncompressed" in message
        assert "--max-sheet-mb" in message

    def test_a_header_that_understates_the_size_is_caught_while_inflating(self, tmp_path, no_calamine_parse):
        unit = SAME_ROW * 10_000
        stream, size = repeated(HEAD + HEADER_ROW, unit, 40, TAIL)
        path = workbook(tmp_path / "liar.xlsx", (stream, 1 * MB))
        assert size > 2 * MB
        assert "inflates past the 1,048,576 bytes its zip header declares" in refusal(path)

    def test_the_limit_is_raised_with_max_sheet_mb(self, tmp_path):
        path = workbook(tmp_path / "big.xlsx", HEAD + HEADER_ROW + server_rows(2, 30_000) + TAIL)
        assert "more than the 1 MB limit" in refusal(path, xlsx_limits.Limits.from_mb(1))
        assert refusal(path) == ""

    def test_shared_strings_past_the_limit_are_refused_when_the_workbook_opens(self, tmp_path):
        unit = b"<si><t>" + b"x" * 1000 + b"</t></si>"
        stream, size = repeated(b'<sst xmlns="x">', unit, 2 * MB // len(unit), b"</sst>")
        path = workbook(tmp_path / "sst.xlsx", HEAD + HEADER_ROW + TAIL, shared=b"")
        members = [m for m in _members(path) if m[0] != "xl/sharedStrings.xml"]
        write_zip(path, members + [("xl/sharedStrings.xml", stream, size)])
        assert "xl/sharedStrings.xml declares 2 MB uncompressed, more than the 1 MB limit" in refusal(
            path, xlsx_limits.Limits.from_mb(1))

    def test_a_compression_method_excel_does_not_write_is_refused(self, tmp_path):
        path = workbook(tmp_path / "bzip.xlsx", HEAD + HEADER_ROW + TAIL)
        members = _members(path)
        write_zip(path, members, method=12)
        assert "uses zip compression method 12" in refusal(path)


class TestSharedStringExpansion:
    def test_one_long_string_in_many_cells_is_refused(self, tmp_path, no_calamine_parse):
        shared = b'<sst xmlns="x"><si><t>name</t></si><si><t>' + b"A" * MB + b"</t></si></sst>"
        unit = b'<row><c t="s"><v>1</v></c></row>' * 1000
        stream, size = repeated(HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>', unit, 100, TAIL)
        path = workbook(tmp_path / "strings.xlsx", (stream, size), shared=shared)
        assert path.stat().st_size < 100 * 1024  # a 100,000-cell, 100 GB expansion in a small file
        message = refusal(path)
        assert "shared-string cells expand to 100,00" in message  # 100,000 cells x 1 MB

    def test_long_strings_used_once_are_fine(self, tmp_path):
        shared = b'<sst xmlns="x"><si><t>name</t></si>' + b"".join(
            b"<si><t>" + b"note %d " % n + b"x" * 4000 + b"</t></si>" for n in range(300)) + b"</sst>"
        rows = b"".join(b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (n, n, n - 1) for n in range(2, 302))
        path = workbook(tmp_path / "notes.xlsx", HEAD + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + rows + TAIL,
                        shared=shared)
        assert refusal(path, xlsx_limits.Limits.from_mb(2)) == ""


class TestGrid:
    def test_two_cells_far_apart_are_refused(self, tmp_path, no_calamine_parse):
        path = workbook(tmp_path / "sparse.xlsx",
                        HEAD + HEADER_ROW + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + TAIL)
        assert path.stat().st_size < 2048
        assert "1,048,576 rows x 16,384 columns = 17,179,869,184 cells" in refusal(path)

    def test_a_leading_zero_does_not_hide_the_highest_row(self, tmp_path, no_calamine_parse):
        """Row numbers compare by value: A0000002 is row 2, so XFD999999 is the highest (compared
        as text, longer first, the 7-character 0000002 won and the grid was taken as 2 rows)."""
        far = b'<row r="2"><c r="A0000002"><v>1</v></c><c r="XFD999999"><v>1</v></c></row>'
        path = workbook(tmp_path / "zeros.xlsx", HEAD + HEADER_ROW + far + TAIL)
        assert "999,999 rows x 16,384 columns" in refusal(path)

    @pytest.mark.parametrize("far_cell", [
        b"<x:c r='XFD1048576' xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main'><x:v>1</x:v></x:c>",
        b'<c s="0" r = "xfd1048576"><v>1</v></c>',
        b'<c r="XFD5"><v>0</v></c><c><v>1</v></c>',  # a cell without r follows the one before it
    ])
    def test_any_spelling_calamine_reads_is_measured(self, tmp_path, no_calamine_parse, far_cell):
        path = workbook(tmp_path / "odd.xlsx", HEAD + HEADER_ROW + b'<row r="1048576">' + far_cell + b"</row>" + TAIL)
        assert "cells span 1,048,576 rows x 16,38" in refusal(path)

    def test_a_row_tag_that_understates_its_cells_is_not_trusted(self, tmp_path, no_calamine_parse):
        path = workbook(tmp_path / "rows.xlsx", HEAD + HEADER_ROW + b'<row r="2"><c r="ZZZ900000"><v>1</v></c></row>' + TAIL)
        assert "900,000 rows x 18,278 columns" in refusal(path)


class TestOrdinaryWorkbooks:
    def test_an_unusual_but_valid_spelling_still_imports(self, tmp_path):
        sheet = (HEAD + b"<row r='1'><c r='A1' t='inlineStr'><is><t>name</t></is></c>"
                 b"<c r='B1' t='inlineStr'><is><t>cores</t></is></c></row>"
                 b"<row><c t='inlineStr'><is><t>epic-db01</t></is></c><c><v>8</v></c></row>" + TAIL)
        parsed = parse(workbook(tmp_path / "servers.xlsx", sheet), "csv")
        assert [(s.name, s.cores) for s in parsed.servers] == [("epic-db01", 8)]

    @pytest.mark.slow
    def test_the_cli_refuses_a_bomb_with_exit_2_and_accepts_the_flag(self, tmp_path):
        path = workbook(tmp_path / "big.xlsx", HEAD + HEADER_ROW + server_rows(2, 30_000) + TAIL)
        runner = CliRunner()
        workspace = ["--workspace", str(tmp_path / "ws")]
        refused = runner.invoke(cli, [*workspace, "inventory", "import", "--format", "csv", "--max-sheet-mb", "1",
                                      str(path)])
        assert refused.exit_code == 2, refused.output
        assert "more than the 1 MB limit" in refused.output and "Traceback" not in refused.output
        accepted = runner.invoke(cli, [*workspace, "inventory", "import", "--format", "csv", str(path)])
        assert accepted.exit_code == 0, accepted.output
        assert "30000 added" in accepted.output

    def test_a_bomb_is_an_input_error_naming_the_file(self, tmp_path):
        path = workbook(tmp_path / "sparse.xlsx",
                        HEAD + HEADER_ROW + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + TAIL)
        with pytest.raises(InputError) as error:
            parse(path, "csv")
        assert str(error.value.problems[0]).startswith(f"{path}, sheet servers: the sheet's cells span")


def _members(path: Path) -> list[tuple[str, bytes, int]]:
    """The (name, raw data, declared size) of a zip written by `write_zip`."""
    import zipfile

    with zipfile.ZipFile(path) as archive, path.open("rb") as handle:
        found = []
        for info in archive.infolist():
            handle.seek(info.header_offset)
            header = handle.read(30)
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            handle.seek(info.header_offset + 30 + name_length + extra_length)
            found.append((info.filename, handle.read(info.compress_size), info.file_size, info.CRC))
        return found
