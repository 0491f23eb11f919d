"""Bytes → text, for every export read as text, and what a path holds at first sight.

One encoding sniff serves both readers: a UTF-8 or UTF-16 BOM, or the NUL pattern of BOM-less
UTF-16 in the first 4 KiB, proves an encoding; without such evidence a file is UTF-8, else cp1252.
The readers apply it in two ways (see `decode` and `stream_encodings`): the importers decode a
whole file in memory, the dependency parsers stream theirs (an export can hold millions of rows).
"""

from __future__ import annotations

import codecs
import errno
import re
from pathlib import Path
from typing import IO

from infra.inputs import InputFileError, open_input
from migrate.inventory.tables import cfb

XLSX_MAGIC = b"PK\x03\x04"
SNIFFED_BYTES = 4096
"""How much of a file's head the UTF-16 NUL pattern and the binary check look at."""
_HTML = re.compile(r"\s*(<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.IGNORECASE)


# --- encodings -----------------------------------------------------------------------------------

def sniff_encoding(sample: bytes) -> str | None:
    """The encoding a file's head proves, or None when nothing does (then: UTF-8, else cp1252).

    `utf-8-sig` for a UTF-8 BOM, `utf-16` for either UTF-16 BOM, `utf-16-le`/`utf-16-be` for
    BOM-less UTF-16 (Windows PowerShell redirection, Excel "Unicode text"), told by where the NULs
    of ASCII characters fall.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = sample[:SNIFFED_BYTES]
    if len(head) >= 4:
        odd_nuls = head[1::2].count(0) / (len(head) // 2)
        even_nuls = head[0::2].count(0) / ((len(head) + 1) // 2)
        if odd_nuls > 0.3 and even_nuls < 0.05:
            return "utf-16-le"
        if even_nuls > 0.3 and odd_nuls < 0.05:
            return "utf-16-be"
    return None


def decode(data: bytes, *, partial: bool = False) -> str:
    """A whole file's bytes → text (the importers): the sniffed encoding, else UTF-8, else cp1252.

    A file with a UTF-8 BOM must be UTF-8: it does not fall back to cp1252 (unlike a streamed one).
    `partial` tolerates a multi-byte character cut at the end (when sniffing a file's head).
    ValueError, naming the encoding and the byte offset, when no encoding fits.
    """
    encoding = sniff_encoding(data)
    if encoding == "utf-8-sig":
        return _decode(data[len(codecs.BOM_UTF8):], "utf-8", partial)
    if encoding is not None:
        return _decode(data, encoding, partial)
    try:
        return _decode(data, "utf-8", partial)
    except ValueError:
        return _decode(data, "cp1252", partial)


def _decode(data: bytes, encoding: str, partial: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        return decoder.decode(data, final=not partial)
    except UnicodeDecodeError as error:
        raise ValueError(f"not valid {encoding} text ({error.reason} at byte {error.start})") from None


def stream_encodings(sample: bytes) -> tuple[str, ...]:
    """The encodings to stream a file in, in order (the dependency parsers): the next one is tried
    when a read meets bytes the previous cannot decode.

    UTF-16 is certain once sniffed. Otherwise UTF-8 (`utf-8-sig` drops a BOM), then cp1252 — also
    after a UTF-8 BOM, unlike `decode`: a streamed file is only known to be wrong once read, and
    the dependency parsers have always retried it as cp1252 then.
    """
    encoding = sniff_encoding(sample)
    if encoding is None or encoding == "utf-8-sig":
        return "utf-8-sig", "cp1252"
    return (encoding,)


def decode_head(sample: bytes, encoding: str) -> str:
    """A file's head as text for format sniffing: undecodable bytes replaced, a multi-byte
    character cut at the end tolerated."""
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)


def open_text(path: Path, encoding: str) -> IO[str]:
    """A text file to stream. newline="" lets the csv module see quoted line breaks; strict errors
    raise UnicodeDecodeError, which moves the caller on to the next of `stream_encodings`."""
    return open(path, encoding=encoding, errors="strict", newline="")


# --- what a file is --------------------------------------------------------------------------------

def kind_of(path: Path) -> str:
    """What a path holds at first sight: directory, missing, unreadable, special, too-large, empty,
    xlsx, encrypted/xls/ole (compound files), html, binary or text."""
    try:
        if path.is_dir():
            return "directory"
        if not path.exists():
            return "missing"
        with open_input(path) as handle:  # regular files within the size cap only: no FIFO, no /dev/zero
            head = handle.read(SNIFFED_BYTES)
    except InputFileError as error:
        return "too-large" if error.errno == errno.EFBIG else "special"
    except OSError:
        return "unreadable"
    if not head:
        return "empty"
    if head.startswith(XLSX_MAGIC):
        return "xlsx"
    if head.startswith(cfb.MAGIC[:4]):  # an encrypted workbook or a legacy .xls: say which
        return cfb.ole_kind(path)
    try:
        text = decode(head, partial=True)
    except ValueError:
        return "binary"
    if not text.strip():
        return "empty"
    if _HTML.match(text):
        return "html"
    if looks_binary(text):
        return "binary"
    return "text"


def looks_binary(text: str) -> bool:
    """Decoded text that is really binary: a NUL, or more than 1% control characters in its head."""
    if "\x00" in text:
        return True
    controls = sum(1 for ch in text[:SNIFFED_BYTES] if ord(ch) < 32 and ch not in "\r\n\t\f\v")
    return controls > max(2, len(text[:SNIFFED_BYTES]) // 100)


KIND_MESSAGES = {
    "missing": "does not exist",
    "unreadable": "cannot be read (permissions?)",
    "directory": "is a directory, not a file",
    "special": "is not a regular file (a FIFO, a device or a socket): give the file itself",
    "too-large": "is larger than the input size limit (512 MB; CARELIFT_MAX_INPUT_MB raises it)",
    "empty": "is empty",
    "html": "is an HTML page, not an export (was a login or error page saved instead of the file?)",
    "binary": "holds binary data, not text (is it the right file?)",
    "xlsx": "is an Excel workbook, not a CSV file",
    **cfb.MESSAGES,
}
"""What to tell the user about a file of each kind that is not what a reader expected."""


def kind_message(kind: str) -> str:
    return KIND_MESSAGES.get(kind, "is not a supported file")
