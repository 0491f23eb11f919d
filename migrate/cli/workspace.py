"""What `carelift inventory` and `carelift deps` share: `--format` over a registry of formats, and
how an import's warnings are printed.

Also the names other command modules still import from here, now thin aliases of
`migrate.inventory.service`: `open_workspace`, `utc_now`, and `import_all_or_nothing` (kept while
`carelift demo` calls it; `service.import_files` is the workflow).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import click

from migrate.cli.terminal import echo

if TYPE_CHECKING:
    from migrate.inventory.formats import Registry
    from migrate.inventory.model import ParsedFile
    from migrate.inventory.store import BatchSummary, SourceFile, Workspace

__all__ = ["import_all_or_nothing", "open_workspace", "print_warnings", "registry_format_option", "utc_now"]

WARNINGS_SHOWN = 50

# The service (and the store under it) is imported when a command runs, not when `carelift --help`
# imports this module.


def open_workspace(directory: Path, *, create: bool = False) -> AbstractContextManager[Workspace]:
    """`migrate.inventory.service.open_workspace`."""
    from migrate.inventory.service import open_workspace as open_existing

    return open_existing(directory, create=create)


def utc_now() -> str:
    """`migrate.inventory.service.utc_now`."""
    from migrate.inventory.service import utc_now as now

    return now()


def import_all_or_nothing(directory: Path, paths: Sequence[Path], parse: Callable[[Path], ParsedFile],
                          ) -> tuple[list[tuple[SourceFile, ParsedFile]], list[BatchSummary]]:
    """`migrate.inventory.service.import_files`, answered as (files, summaries) lists as before."""
    from migrate.inventory.service import import_files

    result = import_files(directory, paths, parse)
    return list(result.files), list(result.summaries)


class _RegistryChoice(click.Choice):
    """`auto` and a registry's format names, read when click first needs them: listing the formats
    imports every format module, which `carelift --help` need not pay for."""

    def __init__(self, registry: Registry):
        self.registry = registry
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        return ("auto",) + self.registry.names()

    @choices.setter
    def choices(self, value: Any) -> None:
        pass  # click.Choice.__init__ assigns it; the registry is the one list


class _FormatsOption(click.Option):
    """`--format` whose help ends with every registered format's one-line description."""

    def __init__(self, *args: Any, registry: Registry, intro: str, **kwargs: Any):
        kwargs["type"] = _RegistryChoice(registry)
        super().__init__(*args, **kwargs)
        self.registry, self.intro = registry, intro

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = f"{self.intro} {self.registry.listing()}."
        return super().get_help_record(ctx)


def registry_format_option(registry: Registry, intro: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--format auto|NAME` over the formats of `registry` (passed as `fmt`); `intro` opens the help."""
    return click.option("--format", "fmt", cls=_FormatsOption, registry=registry, intro=intro, default="auto",
                        show_default=True)


def print_warnings(path: str, warnings: Sequence[str]) -> None:
    """The first WARNINGS_SHOWN warnings of an imported file on standard error, then how many in all."""
    for warning in warnings[:WARNINGS_SHOWN]:
        echo(f"warning: {path}: {warning}", err=True)
    if len(warnings) > WARNINGS_SHOWN:
        echo(f"warning: {path}: … {len(warnings):,} warnings in all; first {WARNINGS_SHOWN} shown", err=True)
