"""What `carelift inventory` and `carelift deps` share: `--format` over a registry of formats, and
how an import's warnings are printed. (The workspace itself is `migrate.inventory.service`'s.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

import click

from migrate.cli.terminal import echo

if TYPE_CHECKING:
    from migrate.inventory.formats import Registry

WARNINGS_SHOWN = 50


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
