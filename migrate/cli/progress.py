"""Progress on long work: a rich status line on standard error when it is a terminal, else nothing.

    with status("planning 12,000 servers"):
        computed = compute_plan(...)

CI logs and pipes stay clean (standard error is not a terminal there), and `carelift --quiet`
(or CARELIFT_QUIET=1) silences it everywhere. Messages are carelift's own words plus counts and
file names, shown as plain text (never markup).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import click


def quiet() -> bool:
    if os.environ.get("CARELIFT_QUIET", "").strip() not in ("", "0"):
        return True
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx is not None else None
    return bool(root is not None and isinstance(root.obj, dict) and root.obj.get("quiet"))


def shown() -> bool:
    """Whether progress is shown: standard error is a terminal and nobody asked for quiet."""
    return not quiet() and sys.stderr.isatty()


class Status:
    """A live status line; `update(message)` changes its text. A no-op when progress is not shown."""

    def __init__(self, live=None):
        self.live = live

    def update(self, message: str) -> None:
        if self.live is not None:
            from migrate.cli.terminal import styled

            self.live.update(styled(message))  # file names are hostile text: control codes shown escaped


@contextlib.contextmanager
def status(message: str) -> Iterator[Status]:
    if not shown():
        yield Status()
        return
    from rich.errors import LiveError

    from migrate.cli.terminal import console, styled

    live = console(stderr=True).status(styled(message))
    try:
        live.start()
    except LiveError:  # another display (e.g. `carelift demo`'s progress bar) is already showing
        yield Status()
        return
    try:
        yield Status(live)
    finally:
        live.stop()
