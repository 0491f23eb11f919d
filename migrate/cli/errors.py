"""How the CLI reports user mistakes: a clear message on stderr, exit code 2, no traceback."""

from __future__ import annotations

from typing import Iterable, NoReturn

import click

from infra.errors import USAGE_ERROR, CareliftError

MAX_LISTED = 50


def fail(title: str, problems: Iterable[str] = (), *, total: int | None = None,
         exit_code: int = USAGE_ERROR) -> NoReturn:
    """Print `title` and up to MAX_LISTED problems to stderr, then exit 2 (or `exit_code`).

    `total` is the true number of problems when `problems` is already a capped selection (the
    importers keep the first 200 of millions): the footer says how many there are in all.
    Everything printed goes through `terminal.message` (control characters escaped, quoted
    values and lines bounded): problems quote hostile input.
    """
    from migrate.cli.terminal import console, message, styled

    screen = console(stderr=True, soft_wrap=True)
    problems = list(problems)
    shown = problems[:MAX_LISTED]
    screen.print(styled("error:", "bold red"), message(title))
    for problem in shown:
        screen.print(f"  - {message(problem)}")
    known = max(total or 0, len(problems))
    if known > len(shown):
        screen.print(f"  … {known:,} problems in all; first {len(shown)} shown")
    raise click.exceptions.Exit(exit_code)


def report(error: CareliftError) -> NoReturn:
    """The one handler of user mistakes (`migrate.cli.LazyGroup.invoke`): the error's title and
    problems on standard error, its exit code, no traceback."""
    fail(error.title, error.lines(), total=error.total, exit_code=error.exit_code)
