"""What an OLE compound file (magic `D0 CF 11 E0`) handed in as an export is.

Excel saves an encrypted workbook — protected by a password, or by a sensitivity label that
encrypts — not as a zip but as a compound file holding an `EncryptedPackage` stream (beside
`EncryptionInfo` and a `\\x06DataSpaces` storage naming the transform: `StrongEncryption…`
for a password, `DRMEncrypted…` for rights management/labels). Legacy Excel 97-2003 files
(`.xls`) are compound files with a `Workbook` (or `Book`) stream. Only the directory's names
are read here, never the content, so this stays cheap and safe on hostile input.

`ole_kind(path)` → "encrypted", "xls" or "ole" (another compound document).
"""

from __future__ import annotations

import struct
from pathlib import Path

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
_MAX_SECTORS = 1 << 16
"""Directory and DIFAT chains followed at most this far (a loop or a huge file is not read on)."""

MESSAGES = {
    "encrypted": "is an encrypted workbook (protected by a password or a sensitivity label), which carelift cannot "
                 "read: open it in Excel and export an unprotected copy (save it without a password, or with a "
                 "label that does not encrypt), or save its sheets as CSV",
    "xls": "is a legacy Excel 97-2003 workbook (.xls): open it in Excel and save it as .xlsx (or save its sheets "
           "as CSV)",
    "ole": "is an OLE compound document (a legacy Office file), not an export",
}


def ole_kind(path: Path) -> str:
    try:
        names = directory_names(path)
    except (OSError, ValueError, struct.error):
        return "ole"
    if "encryptedpackage" in names:
        return "encrypted"
    if names & {"workbook", "book"}:
        return "xls"
    return "ole"


def directory_names(path: Path) -> set[str]:
    """The case-folded names of every storage and stream in the compound file."""
    with path.open("rb") as handle:
        header = handle.read(512)
        if len(header) < 512 or not header.startswith(MAGIC):
            raise ValueError("not a compound file")
        shift = struct.unpack_from("<H", header, 0x1E)[0]
        if shift not in (9, 12):
            raise ValueError("bad sector size")
        size = 1 << shift
        fat_count, first_directory = struct.unpack_from("<II", header, 0x2C)
        first_difat, difat_count = struct.unpack_from("<II", header, 0x44)

        def sector(number: int) -> bytes:
            handle.seek((number + 1) * size)
            data = handle.read(size)
            if len(data) < size:
                raise ValueError("truncated")
            return data

        fat_sectors = [s for s in struct.unpack_from("<109I", header, 0x4C) if s < _END]
        next_difat, hops = first_difat, 0
        while next_difat < _END and hops < min(difat_count, _MAX_SECTORS):
            entries = struct.unpack(f"<{size // 4}I", sector(next_difat))
            fat_sectors += [s for s in entries[:-1] if s < _END]
            next_difat, hops = entries[-1], hops + 1
        fat: list[int] = []
        for number in fat_sectors[:fat_count]:
            fat.extend(struct.unpack(f"<{size // 4}I", sector(number)))

        names: set[str] = set()
        current, hops = first_directory, 0
        while current < _END and current < len(fat) and hops < _MAX_SECTORS:
            data = sector(current)
            for offset in range(0, size, 128):
                length = struct.unpack_from("<H", data, offset + 0x40)[0]
                if 2 <= length <= 64:
                    names.add(data[offset:offset + length - 2].decode("utf-16-le", "replace").casefold())
            current, hops = fat[current], hops + 1
        return names
