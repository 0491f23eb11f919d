"""Reading a file a user named: regular files only, with a size cap.

Every file option of carelift (``--settings``, ``--waivers``, ``--arm``, stack files, the
overrides and catalog files settings point at, inventory and dependency files) reads through
this module, so that ``--settings /dev/zero`` is refused instead of filling memory, a FIFO
(``<(cmd)``) is refused instead of hanging, and a 40 GB file is refused before it is read.

The file is opened non-blocking (a FIFO without a writer does not wait), its type checked on
the open descriptor (no race between looking and reading), and at most ``limit + 1`` bytes are
read. Refusals are `InputFileError`, an `OSError` whose ``str()`` and ``strerror`` are one
phrase such as "is a FIFO (named pipe), not a regular file", so the readers' existing
``except OSError`` handlers name the file and carry on as for any unreadable file.

Limits: CONFIG_LIMIT for YAML settings, waivers, stacks and catalogs; DATA_LIMIT for ARM files
and inventory or dependency exports. The environment variable CARELIFT_MAX_INPUT_MB replaces
both (for an estate whose exports are larger). This module is stdlib-only and lives in
``infra`` because ``infra`` never imports ``migrate``; ``migrate`` uses it too.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from pathlib import Path
from typing import BinaryIO

MIB = 1024 * 1024
CONFIG_LIMIT = 16 * MIB
DATA_LIMIT = 512 * MIB
LIMIT_VARIABLE = "CARELIFT_MAX_INPUT_MB"


class InputFileError(OSError):
    """A file carelift will not read: not a regular file, or larger than the limit."""

    def __init__(self, path: Path | str, reason: str, code: int = errno.EINVAL):
        super().__init__(code, reason, os.fsdecode(path))

    def __str__(self) -> str:
        return self.strerror or ""  # always the reason given above; OSError types strerror as optional


def limit(default: int) -> int:
    """`default`, or CARELIFT_MAX_INPUT_MB when it is set to a positive whole number."""
    configured = os.environ.get(LIMIT_VARIABLE, "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured) * MIB
    return default


def open_input(path: Path | str, max_bytes: int = DATA_LIMIT) -> BinaryIO:
    """A binary handle on `path` once it is known to be a regular file of at most the limit."""
    cap = limit(max_bytes)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            code = errno.EISDIR if stat.S_ISDIR(info.st_mode) else errno.EINVAL
            raise InputFileError(path, f"is {_kind(info.st_mode)}, not a regular file", code)
        if info.st_size > cap:
            raise InputFileError(path, _too_large(info.st_size, cap), errno.EFBIG)
        flags = fcntl.fcntl(descriptor, fcntl.F_GETFL)
        fcntl.fcntl(descriptor, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def check_input(path: Path | str, max_bytes: int = DATA_LIMIT) -> int:
    """Refuse `path` as `open_input` would, for readers that need the path itself; returns its size."""
    with open_input(path, max_bytes) as handle:
        return os.fstat(handle.fileno()).st_size


def read_input_bytes(path: Path | str, max_bytes: int = DATA_LIMIT) -> bytes:
    """The content of a regular file of at most the limit (it may not grow past it while read)."""
    cap = limit(max_bytes)
    with open_input(path, max_bytes) as handle:
        data = handle.read(cap + 1)
    if len(data) > cap:
        raise InputFileError(path, f"grew past the {_megabytes(cap)} limit for an input file while it was read "
                                   f"(set {LIMIT_VARIABLE} to raise it)", errno.EFBIG)
    return data


def read_input_text(path: Path | str, max_bytes: int = CONFIG_LIMIT, encoding: str = "utf-8") -> str:
    """`read_input_bytes` decoded (UnicodeDecodeError as `bytes.decode` raises it)."""
    return read_input_bytes(path, max_bytes).decode(encoding)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a file"


def _too_large(size: int, cap: int) -> str:
    return f"is {_megabytes(size)}, over the {_megabytes(cap)} limit for an input file (set {LIMIT_VARIABLE} to raise it)"


def _megabytes(size: int) -> str:
    return f"{size / MIB:,.1f} MB" if size < 10 * MIB else f"{size // MIB:,} MB"
