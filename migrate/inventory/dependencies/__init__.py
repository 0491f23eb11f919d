"""Dependency ingestion: exports and host-collected connection lists → ParsedFile(dependencies=...).

    parse_dependency_file(path, "auto" | "azure-migrate" | "ss" | "netstat" | "csv") -> ParsedFile

Each format is one module registering itself in `registry.PARSERS` (name, parser, sniffer,
description); `PARSERS.names()` lists them.

Every parser aggregates observations into one weighted edge per (source, destination, port,
protocol) and raises InputError with every located problem when the file is not usable.
Text may be UTF-8 (with or without BOM), UTF-16 (Windows PowerShell redirection) or cp1252.
"""

from __future__ import annotations

from pathlib import Path

from migrate.inventory.dependencies.common import not_text_reason, read_sample
from migrate.inventory.dependencies.registry import PARSERS, detect_format
from migrate.inventory.model import InputError, ParsedFile, Problem
from migrate.inventory.names import printable_path
from migrate.inventory.tables.text import decode_head, stream_encodings


def parse_dependency_file(path: Path, fmt: str = "auto", display: str | None = None) -> ParsedFile:
    display = display or printable_path(path)  # a file name that is not UTF-8 is shown escaped
    reason = not_text_reason(path)
    if reason:
        raise InputError([Problem(display, reason)])
    try:
        sample = read_sample(path)
    except OSError as error:
        raise InputError([Problem(display, f"cannot be read: {error.strerror or error}")]) from None
    encodings = stream_encodings(sample)
    if fmt == "auto":
        detected = detect_format(decode_head(sample, encodings[0]))
        if detected is None:
            raise InputError([Problem(display, "cannot tell the format: expected an Azure Migrate dependency "
                                               "export, a CSV with source,destination,port columns, or ss/netstat "
                                               "output (or pass --format)", row=1)])
        fmt = detected
    parser = PARSERS.get(fmt)
    if parser is None:
        raise ValueError(f"unknown dependency format {fmt!r}")
    for attempt in encodings:
        try:
            return parser.parse(path, attempt, display)
        except UnicodeDecodeError:
            continue
    raise InputError([Problem(display, "the file is not UTF-8, UTF-16 or Windows-1252 text")])


__all__ = ["PARSERS", "detect_format", "parse_dependency_file"]
