"""How the CLI reports user mistakes: a clear message on stderr, exit code 2, no traceback."""

from __future__ import annotations

from typing import Iterable, NoReturn

import click
from rich.console import Console
from rich.markup import escape

USAGE_ERROR = 2
MAX_LISTED = 50


def fail(title: str, problems: Iterable[str] = ()) -> NoReturn:
    """Print `title` and up to MAX_LISTED problems to stderr, then exit 2."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    problems = list(problems)
    console.print(f"[bold red]error:[/] {escape(title)}", markup=True)
    for problem in problems[:MAX_LISTED]:
        console.print(f"  - {problem}", markup=False)
    if len(problems) > MAX_LISTED:
        console.print(f"  … and {len(problems) - MAX_LISTED} more ({len(problems)} in all)", markup=False)
    raise click.exceptions.Exit(USAGE_ERROR)
