"""Writing the CLI's output files: one rule for every `-o/--out` and report writer.

- ``-`` (and ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``) writes to that
  open descriptor: standard output, or a shell's process substitution ``>(gzip > x.gz)``.
- A character device (``/dev/null``, a terminal) or a FIFO is written straight through: it is
  opened for writing, never created, truncated, replaced or renamed over.
- A regular file or a new path is written whole or not at all: a temporary file beside it
  (mode 0600 whatever the umask), flushed to disk, then renamed over it.
- Anything else is refused with exit 2 and one line: a symbolic link (carelift does not write
  through links: give the path they point to), a directory, a block device, a socket, a missing
  directory, and every error the operating system reports (read-only file system, permission
  denied, no space left on device).

``check_output(path)`` answers before minutes of work; ``open_output(path)`` is a context manager
yielding a handle (text or binary) whose content reaches the destination only if the block ends
without an exception; ``write_output(path, data)`` writes ``str`` or ``bytes`` in one call. The CLI
uses ``require_output``, ``writing`` (a streaming ``open_output``) and ``write_output``, which exit 2
with one line instead of raising.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

from infra.errors import CareliftError
from migrate.cli.errors import fail

STANDARD_OUTPUT = "-"
_DESCRIPTOR_PATHS = re.compile(r"/(?:dev/fd|proc/self/fd)/(\d+)")
_NAMED_STREAMS = {"/dev/stdout": 1, "/dev/stderr": 2}


class OutputError(CareliftError):
    """The destination cannot be written; the message is one line naming it."""


@dataclass(frozen=True)
class Destination:
    """Where an output goes: `kind` is "descriptor", "device" (character device or FIFO) or "file"."""

    path: str
    kind: str
    descriptor: int | None = None


def destination(path: Path | str) -> Destination:
    """Classify `path` without writing anything; OutputError for a destination carelift refuses."""
    text = os.fsdecode(path) if not isinstance(path, str) else path
    if text == STANDARD_OUTPUT or text in _NAMED_STREAMS:
        return Destination(text, "descriptor", _NAMED_STREAMS.get(text, 1))
    match = _DESCRIPTOR_PATHS.fullmatch(text)
    if match:
        return Destination(text, "descriptor", int(match.group(1)))
    shown = _shown(text)
    try:
        info = os.lstat(text)
    except FileNotFoundError:
        parent = os.path.dirname(os.path.abspath(text))
        if not os.path.isdir(parent):
            raise OutputError(f"cannot write {shown}: directory {_shown(parent)} does not exist") from None
        return Destination(text, "file")
    except OSError as error:
        raise OutputError(f"cannot write {shown}: {error.strerror or error}") from None
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        raise OutputError(f"refusing to write {shown}: it is a symbolic link (to {_shown(os.readlink(text))}); "
                          "carelift does not write through links, give the path of the file itself")
    if stat.S_ISREG(mode):
        return Destination(text, "file")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return Destination(text, "device")
    raise OutputError(f"cannot write {shown}: it is {describe_mode(mode)}; carelift writes to a regular file, "
                      "a new path, a character device, a FIFO or - (standard output)")


def check_output(path: Path | str) -> Destination:
    """`destination(path)`, and for a file, prove now that its directory takes a new file
    (read-only file system, permissions), so a long computation does not end in a refusal."""
    target = destination(path)
    if target.kind == "file":
        try:
            handle, probe = tempfile.mkstemp(dir=_directory(target.path), prefix=".carelift-probe.", suffix=".tmp")
            os.close(handle)
            os.unlink(probe)
        except OSError as error:
            raise OutputError(f"cannot write {_shown(target.path)}: {error.strerror or error}") from None
    return target


@contextlib.contextmanager
def open_output(path: Path | str, *, binary: bool = False) -> Iterator[IO]:
    """A handle for the output at `path`; OutputError for refused or failing destinations.

    For a file, the content appears only when the block ends without an exception.
    """
    target = destination(path)
    if target.kind == "descriptor":
        with _descriptor_stream(target) as raw, _guard(target):
            stream = raw if binary else raw.text_stream if isinstance(raw, _BytesToText) else _text(raw)
            yield stream
            stream.flush()
        return
    if target.kind == "device":
        with _guard(target):
            descriptor = os.open(target.path, os.O_WRONLY | os.O_NOCTTY | os.O_NOFOLLOW | os.O_CLOEXEC)
            mode = os.fstat(descriptor).st_mode
            if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):  # replaced since destination() looked
                os.close(descriptor)
                raise OutputError(f"cannot write {_shown(target.path)}: it changed while carelift was writing")
            with os.fdopen(descriptor, "wb") as raw:
                stream = raw if binary else _text(raw)
                yield stream
                stream.flush()
        return
    with _guard(target):
        handle, temporary = tempfile.mkstemp(dir=_directory(target.path), prefix=f".{os.path.basename(target.path)}.",
                                             suffix=".tmp")
    try:
        with _guard(target):
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "wb") as raw:
                stream = raw if binary else _text(raw)
                yield stream
                stream.flush()
                os.fsync(raw.fileno())
            os.replace(temporary, target.path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_output(path: Path | str, data: str | bytes) -> None:
    """Write `data` (text as UTF-8) to `path` by the rule above; exit 2 with one line when refused."""
    try:
        with open_output(path, binary=True) as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    except OutputError as error:
        fail(str(error))


@contextlib.contextmanager
def writing(path: Path | str, *, binary: bool = False) -> Iterator[IO]:
    """`open_output` for the CLI: a refused or failing destination exits 2 with one line.

    For writers that stream (an inventory of 100,000 servers as CSV, a workbook) instead of
    building one string for `write_output`.
    """
    try:
        with open_output(path, binary=binary) as handle:
            yield handle
    except OutputError as error:
        fail(str(error))


def require_output(path: Path | str) -> Destination:
    """`check_output` for the CLI: exit 2 with one line when the destination is refused."""
    try:
        return check_output(path)
    except OutputError as error:
        fail(str(error))


write_atomically = write_output
"""The former name: every writer now follows the same rule."""


def is_standard_output(path: Path | str | None) -> bool:
    """True when `path` names standard output (`-`, /dev/stdout, /dev/fd/1): say nothing else there."""
    if path is None:
        return False
    text = os.fsdecode(path) if not isinstance(path, str) else path
    match = _DESCRIPTOR_PATHS.fullmatch(text)
    return text in (STANDARD_OUTPUT, "/dev/stdout") or bool(match and match.group(1) == "1")


def describe_mode(mode: int) -> str:
    """'a directory', 'a FIFO', ... for a stat mode."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISLNK, "a symbolic link"),
                       (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISREG, "a regular file")):
        if test(mode):
            return name
    return "not a regular file"


# -- helpers ------------------------------------------------------------------------------------

def _directory(path: str) -> str:
    return os.path.dirname(os.path.abspath(path))


def _shown(path: str) -> str:
    from migrate.cli.terminal import shorten

    return shorten(path, 200)


def _text(raw: IO[bytes]) -> IO[str]:
    # newline="" writes the text's own line endings (CSV's \r\n stays \r\n); the wrapper must not
    # close the underlying stream (standard output outlives it).
    class _Unclosing(io.TextIOWrapper):
        def close(self) -> None:
            if not self.closed:
                self.flush()
                self.detach()

    return _Unclosing(raw, encoding="utf-8", newline="")


@contextlib.contextmanager
def _descriptor_stream(target: Destination) -> Iterator[IO[bytes]]:
    descriptor = target.descriptor
    assert descriptor is not None, "destination() gives every descriptor target its number"
    if descriptor in (1, 2):
        text_stream = sys.stdout if descriptor == 1 else sys.stderr
        text_stream.flush()  # what was echoed before comes first
        buffer: IO[bytes] | None = getattr(text_stream, "buffer", None)  # absent on io.StringIO
        stream = buffer or _BytesToText(text_stream)
        yield stream
        stream.flush()
        return
    try:
        os.fstat(descriptor)
    except OSError:
        raise OutputError(f"cannot write {target.path}: descriptor {descriptor} is not open") from None
    with os.fdopen(os.dup(descriptor), "wb") as stream:
        yield stream


class _BytesToText(io.BytesIO):
    """A binary face for a text-only standard stream (one replaced by io.StringIO, say): the bytes
    written are passed on, decoded as UTF-8, at each flush (open_output flushes when its block ends).
    A BytesIO, so it is the binary file object open_output promises, writelines and all."""

    def __init__(self, text_stream: IO[str]):
        super().__init__()
        self.text_stream = text_stream

    def flush(self) -> None:
        data = self.getvalue()
        if data:
            self.seek(0)
            self.truncate()
            self.text_stream.write(data.decode("utf-8"))
        self.text_stream.flush()


@contextlib.contextmanager
def _guard(target: Destination) -> Iterator[None]:
    """Operating-system errors become one OutputError line naming the destination."""
    try:
        yield
    except OutputError:
        raise
    except OSError as error:
        reason = error.strerror or str(error)
        if error.errno == errno.ENOSPC:
            reason = "no space left on device; nothing was written" if target.kind == "file" else reason
        raise OutputError(f"cannot write {_shown(target.path)}: {reason}") from None
