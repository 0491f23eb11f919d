"""The `carelift` command.

Sub-command modules are imported lazily (click's documented LazyGroup pattern), so
`carelift --help` never pays for pulumi or azure-native imports.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from infra.errors import CareliftError
from migrate import __version__

# group name -> "module:attribute" of the click command implementing it.
COMMANDS = {
    "ai": "migrate.cli.ai:ai",
    "audit": "migrate.cli.audit:audit",
    "demo": "migrate.cli.demo:demo",
    "deps": "migrate.cli.deps:deps",
    "estate": "migrate.cli.estate:estate",
    "infra": "migrate.cli.infra:infra",
    "inventory": "migrate.cli.inventory:inventory",
    "plan": "migrate.cli.plan:plan",
}


class LazyGroup(click.Group):
    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module_name, _, attribute = self.lazy_commands[cmd_name].partition(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):
        # The one place a user mistake (infra.errors.CareliftError) becomes a message and exit 2 for
        # every sub-command; anything else still raises, so a traceback always means a bug.
        try:
            return super().invoke(ctx)
        except CareliftError as error:
            from migrate.cli.errors import report

            report(error)


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="carelift")
@click.option("--workspace", type=click.Path(file_okay=False, path_type=Path), envvar="CARELIFT_WORKSPACE",
              default=Path(".carelift"), show_default=True,
              help="Directory holding the estate database (estate.db); also CARELIFT_WORKSPACE.")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress display (it only ever goes to standard error on a terminal); also CARELIFT_QUIET=1.")
@click.pass_context
def main(ctx: click.Context, workspace: Path, quiet: bool) -> None:
    """Move a hospital's IT estate to a HIPAA-aligned Azure landing zone, safely."""
    ctx.ensure_object(dict)["workspace"] = workspace
    ctx.obj["quiet"] = quiet
