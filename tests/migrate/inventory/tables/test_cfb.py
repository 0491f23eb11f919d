"""Compound files handed in as exports: an encrypted workbook is named as such, a legacy .xls too."""

from __future__ import annotations

import struct

import pytest

from migrate.inventory.importers import parse
from migrate.inventory.model import InputError
from migrate.inventory.tables.cfb import MAGIC, ole_kind

FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
# The directory Excel writes for a password-protected workbook (MS-OFFCRYPTO "agile" encryption).
ENCRYPTED = [("Root Entry", 5), ("\x06DataSpaces", 1), ("Version", 2), ("DataSpaceMap", 2), ("DataSpaceInfo", 1),
             ("StrongEncryptionDataSpace", 2), ("TransformInfo", 1), ("StrongEncryptionTransform", 1),
             ("\x06Primary", 2), ("EncryptionInfo", 2), ("EncryptedPackage", 2)]
LEGACY_XLS = [("Root Entry", 5), ("Workbook", 2), ("\x05SummaryInformation", 2)]


def compound_file(entries: list[tuple[str, int]]) -> bytes:
    """A version-3 compound file (512-byte sectors): the header, one FAT sector, then the
    directory over as many sectors as it needs, chained through the FAT. Streams are empty:
    only the directory's names matter here."""
    directory_sectors = -(-len(entries) // 4)
    fat = [FAT_SECTOR] + [n + 2 for n in range(1, directory_sectors)] + [END]
    fat += [FREE] * (128 - len(fat))
    header = MAGIC + bytes(16) + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 4096, END, 0,
                                             END, 0)
    header += struct.pack("<I", 0) + struct.pack("<108I", *[FREE] * 108)
    directory = b""
    for name, kind in entries:
        encoded = (name + "\0").encode("utf-16-le")
        directory += encoded.ljust(64, b"\0") + struct.pack("<HBB3I16sIQQIQ", len(encoded), kind, 1, FREE, FREE,
                                                             FREE, bytes(16), 0, 0, 0, END, 0)
    directory = directory.ljust(directory_sectors * 512, b"\0")
    return header + struct.pack("<128I", *fat) + directory


def message_of(path, format="auto") -> str:
    with pytest.raises(InputError) as caught:
        parse(path, format)
    [problem] = caught.value.problems
    return problem.message


def test_an_encrypted_workbook_is_named_with_what_to_do(tmp_path):
    path = tmp_path / "RVTools_export_all.xlsx"
    path.write_bytes(compound_file(ENCRYPTED))   # 11 entries: a directory over three chained sectors
    assert ole_kind(path) == "encrypted"
    message = message_of(path)
    assert "is an encrypted workbook (protected by a password or a sensitivity label)" in message
    assert "export an unprotected copy" in message and "binary" not in message
    assert "encrypted workbook" in message_of(path, "rvtools")


def test_a_legacy_xls_is_named_and_any_other_compound_file_is_not_an_export(tmp_path):
    legacy = tmp_path / "export.xls"
    legacy.write_bytes(compound_file(LEGACY_XLS))
    assert "legacy Excel 97-2003 workbook (.xls): open it in Excel and save it as .xlsx" in message_of(legacy)
    other = tmp_path / "notes.xlsx"
    other.write_bytes(compound_file([("Root Entry", 5), ("WordDocument", 2)]))
    assert ole_kind(other) == "ole"


def test_a_truncated_compound_file_is_still_refused_cleanly(tmp_path):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(compound_file(ENCRYPTED)[:700])
    assert ole_kind(path) == "ole"
    assert "OLE compound document" in message_of(path)
