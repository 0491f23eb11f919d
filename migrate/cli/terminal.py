"""Printing data on a terminal: inventories, ARM files and stack files are hostile text.

A server named ``\\x1b]0;pwned\\x07`` must not retitle the window, a process named
``\\x1b[2J`` must not clear the screen, and an owner called ``[red]x[/]`` or ``[/]`` is a name,
not rich markup (nor a MarkupError traceback). So:

- ``console()`` is the one rich Console of the CLI: markup, emoji codes and highlighting are off,
  every string is cleaned (and its lines bounded) before rich measures it, and any control character left in a
  renderable (a ``Text`` built from data) is dropped before it reaches the terminal. Styling is
  done with ``Text``/``styled()``, never by formatting data into markup.
- ``clean(text)`` shows control characters (C0 but newline and tab, DEL, C1, and the bidi
  overrides of "Trojan source") as visible escapes such as ``\\x1b``.
- ``message(text)`` is `clean` plus bounds: a quoted value longer than QUOTED characters is cut
  with an ellipsis, and so is any line longer than LINE characters.
- ``echo()`` is click.echo of a cleaned, bounded message (for human-readable lines).
- ``echo_data()`` and ``DataStream`` print data (JSON, CSV) as it is to a file or a pipe, and
  cleaned to a terminal: the bytes a script reads are the data, what a person sees is safe.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Iterable

import click
from rich.console import Console
from rich.segment import Segment
from rich.text import Text

QUOTED = 80
LINE = 10_000  # long enough for a plan note naming a hundred servers; short of a 10 MB cell
ELLIPSIS = "…"

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Lone surrogates \udc80-\udcff are the bytes of a file name that is not UTF-8 (os.fsdecode): shown as \xNN.
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\udc80-\udcff]")
_CONTROL_OR_LINE_BREAK = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\udc80-\udcff]")
# A quoted value as repr() or an f-string's '…' writes it (single or double quotes, escapes inside).
_QUOTED_VALUE = re.compile(r"""'(?:[^'\\\n]|\\.){%d,}'|"(?:[^"\\\n]|\\.){%d,}\"""" % (QUOTED + 1, QUOTED + 1))


def _escape(match: re.Match) -> str:
    char = match.group(0)
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        code -= 0xDC00
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def clean(text: Any, *, keep_line_breaks: bool = True) -> str:
    """`text` with control characters shown as escapes (newline and tab kept unless told not to)."""
    pattern = _CONTROL if keep_line_breaks else _CONTROL_OR_LINE_BREAK
    return pattern.sub(_escape, str(text))


def shorten(text: Any, limit: int = QUOTED) -> str:
    """`text` cut to `limit` characters, the last one an ellipsis when it was longer."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + ELLIPSIS


def value(text: Any, limit: int = QUOTED) -> str:
    """One data value for a message line: cleaned (line breaks escaped too) and bounded."""
    return shorten(clean(text, keep_line_breaks=False), limit)


def quote(text: Any, limit: int = QUOTED) -> str:
    """A data value quoted for a message: `'epic-prd-01'`, cleaned and at most `limit` characters inside."""
    return repr(shorten(str(text), limit))


def message(text: Any) -> str:
    """A human-readable line (or lines) made safe to print: cleaned, quoted values and lines bounded."""
    text = clean(text)

    def cut_quoted(match: re.Match) -> str:
        token = match.group(0)
        return token[:QUOTED] + ELLIPSIS + token[0]

    return _bounded_lines(_QUOTED_VALUE.sub(cut_quoted, text))


def _bounded_lines(text: str) -> str:
    return "\n".join(shorten(line, LINE) for line in text.split("\n"))


def echo(text: Any = "", *, err: bool = False, nl: bool = True) -> None:
    """click.echo of `message(text)`."""
    click.echo(message(text), err=err, nl=nl)


def for_terminal(text: str, stream: Any = None) -> str:
    """Data output (JSON, CSV) as it is for a file or a pipe; cleaned when `stream` (standard output
    by default) is a terminal, where an ESC in a value would be obeyed, not shown."""
    stream = sys.stdout if stream is None else stream
    return clean(text) if _isatty(stream) else text


def echo_data(text: str, *, nl: bool = True) -> None:
    """click.echo of data: `for_terminal(text)`."""
    click.echo(for_terminal(text), nl=nl)


class DataStream:
    """A text stream for streamed data output: what is written passes through `for_terminal`."""

    def __init__(self, stream: Any = None):
        self.stream = sys.stdout if stream is None else stream

    def write(self, text: str) -> int:
        return self.stream.write(for_terminal(text, self.stream))

    def flush(self) -> None:
        self.stream.flush()


def styled(text: Any, style: str = "") -> Text:
    """A Text of data with a style: the way to colour data without markup."""
    return Text(clean(text), style=style)


def assemble(*parts: str | tuple[str, str]) -> Text:
    """Text.assemble of cleaned parts (`"plain"` or `("text", "style")`)."""
    return Text.assemble(*((clean(p[0]), p[1]) if isinstance(p, tuple) else clean(p) for p in parts))


class SafeConsole(Console):
    """A rich Console that never prints data as markup or terminal control codes."""

    def render_str(self, text: str, **kwargs: Any) -> Text:  # type: ignore[override]
        # Cleaned and each line bounded; quoted values are not cut here (a table cell or a finding may
        # quote a long resource id on purpose): `fail` and `echo` cut them in messages.
        return super().render_str(_bounded_lines(clean(text)), **kwargs)

    def render(self, renderable, options=None) -> Iterable[Segment]:  # type: ignore[override]
        for segment in super().render(renderable, options):
            if segment.control is None and _CONTROL.search(segment.text):
                # A Text built from data without clean(): drop the codes (escaping would change widths).
                yield Segment(_CONTROL.sub("", segment.text), segment.style)
            else:
                yield segment


def console(*, stderr: bool = False, **options: Any) -> SafeConsole:
    """The CLI's console: no markup, emoji or highlighting unless a caller passes them explicitly."""
    settings = {"markup": False, "emoji": False, "highlight": False, **options}
    target = options.get("file")
    if target is not None and "force_terminal" not in options and not _isatty(target):
        # Rendering into a file (`-o`): plain text even when FORCE_COLOR is set, as it is in many CI jobs.
        settings.update(force_terminal=False, color_system=None)
    return SafeConsole(stderr=stderr, **settings)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
