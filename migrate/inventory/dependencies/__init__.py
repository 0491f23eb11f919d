"""Dependency ingestion: exports and host-collected connection lists → ParsedFile(dependencies=...).

    parse_dependency_file(path, "auto" | "azure-migrate" | "ss" | "netstat" | "csv") -> ParsedFile

Every parser aggregates observations into one weighted edge per (source, destination, port,
protocol) and raises InputError with every located problem when the file is not usable.
Text may be UTF-8 (with or without BOM), UTF-16 (Windows PowerShell redirection) or cp1252.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from migrate.inventory.dependencies import azure_migrate, generic, hostlists
from migrate.inventory.dependencies.common import decoded_head, not_text_reason, read_sample, sniff_encoding
from migrate.inventory.dependencies.tables import header_fields
from migrate.inventory.model import InputError, ParsedFile, Problem
from migrate.inventory.names import printable_path

FORMATS = ("azure-migrate", "ss", "netstat", "csv")
"""What `--format` accepts besides auto."""

_PARSERS: dict[str, Callable[[Path, str, str], ParsedFile]] = {
    "azure-migrate": azure_migrate.parse,
    "csv": generic.parse,
    "ss": lambda path, encoding, display: hostlists.parse(path, encoding, display, "ss"),
    "netstat": lambda path, encoding, display: hostlists.parse(path, encoding, display, "netstat"),
}
_SS_HEADER = re.compile(r"^(Netid\s+)?State\s+Recv-Q\s+Send-Q\s+Local\s+Address:Port", re.I)
_NETSTAT_HEADER = re.compile(r"^(Active (Internet )?Connections|Proto\s+(Recv-Q|Local Address))", re.I)


def detect_format(head: str) -> str | None:
    """The format of a file from its first lines, or None."""
    meaningful = [line.strip() for line in head.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not meaningful:
        return None
    first = meaningful[0]
    if azure_migrate.SIGNATURE <= header_fields(first, azure_migrate.ALIASES):
        return "azure-migrate"
    if generic.SIGNATURE <= header_fields(first, generic.ALIASES):
        return "csv"
    for line in meaningful[:30]:
        tokens = line.split()
        if _SS_HEADER.match(line) or tokens[0] in hostlists.SS_STATES or (
                len(tokens) > 1 and tokens[0] in hostlists.SS_NETIDS and tokens[1] in hostlists.SS_STATES):
            return "ss"
        if _NETSTAT_HEADER.match(line) or tokens[0].lower() in hostlists.NETSTAT_PROTOCOLS:
            return "netstat"
    return None


def parse_dependency_file(path: Path, fmt: str = "auto", display: str | None = None) -> ParsedFile:
    display = display or printable_path(path)  # a file name that is not UTF-8 is shown escaped
    reason = not_text_reason(path)
    if reason:
        raise InputError([Problem(display, reason)])
    try:
        sample = read_sample(path)
    except OSError as error:
        raise InputError([Problem(display, f"cannot be read: {error.strerror or error}")]) from None
    encoding = sniff_encoding(sample)
    if fmt == "auto":
        detected = detect_format(decoded_head(sample, encoding))
        if detected is None:
            raise InputError([Problem(display, "cannot tell the format: expected an Azure Migrate dependency "
                                               "export, a CSV with source,destination,port columns, or ss/netstat "
                                               "output (or pass --format)", row=1)])
        fmt = detected
    if fmt not in _PARSERS:
        raise ValueError(f"unknown dependency format {fmt!r}")
    for attempt in (encoding, "cp1252") if encoding == "utf-8-sig" else (encoding,):
        try:
            return _PARSERS[fmt](path, attempt, display)
        except UnicodeDecodeError:
            continue
    raise InputError([Problem(display, "the file is not UTF-8, UTF-16 or Windows-1252 text")])
