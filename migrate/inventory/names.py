"""Text that came from the file system, made safe to store and print.

A file name is bytes: on a UTF-8 system a name written under another locale (`caf\\xe9.csv` from
a Latin-1 share) reaches Python as a string holding lone surrogates (PEP 383), which SQLite, JSON
and the terminal all refuse. Such bytes are kept visible as `\\xNN` escapes instead, so the import
proceeds and its history still says which file it was.
"""

from __future__ import annotations

from os import PathLike


def printable(text: str) -> str:
    """`text` with every byte that was not UTF-8 written as a `\\xNN` escape (unchanged otherwise)."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that does not stand for a byte: escape it as a code point
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def printable_path(path: str | PathLike) -> str:
    return printable(str(path))
