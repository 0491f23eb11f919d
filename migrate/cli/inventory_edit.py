"""`carelift inventory rename`, `remove` and `batches undo`: act on the estate, with history kept.

Each is one batch in `inventory history` and all or nothing (`migrate.inventory.service`, which
calls `migrate.inventory.edits`); this module parses options and prints the result.
`migrate.cli.inventory` adds the commands to its group (this module does not import it, so the two
do not import each other).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from migrate.cli.terminal import echo

if TYPE_CHECKING:
    from migrate.inventory.edits import EditResult


def _print(result: EditResult) -> None:
    # An EditError (unknown or ambiguous server, name in use, conflicting batch) is a CareliftError:
    # the CLI's one handler prints it with its details and exits 2.
    echo(f"batch {result.batch_id}: {result.summary}")
    for change in result.changes[:50]:
        echo(f"  {change}")
    if len(result.changes) > 50:
        echo(f"  … {len(result.changes):,} changes in all (carelift inventory history --batch {result.batch_id})")


@click.command()
@click.argument("server")
@click.argument("new_name")
@click.pass_context
def rename(ctx: click.Context, server: str, new_name: str) -> None:
    """Rename a server (SERVER: its identity, name, FQDN or VM UUID) to NEW_NAME.

    The way to follow the planner's "rename all but one" for servers sharing a name: `inventory
    show NAME` lists them with their identities. NEW_NAME must be a name no other server has.
    Undo with `carelift inventory batches undo N`.
    """
    from migrate.inventory import service

    _print(service.rename(ctx.obj["workspace"], server, new_name))


@click.command()
@click.argument("server")
@click.pass_context
def remove(ctx: click.Context, server: str) -> None:
    """Remove a server (SERVER: its identity, name, FQDN or VM UUID) with its disks, application
    memberships and dependency edges. Its history stays; undo with `carelift inventory batches undo N`."""
    from migrate.inventory import service

    _print(service.remove(ctx.obj["workspace"], server))


@click.group()
def batches() -> None:
    """Act on the batches `carelift inventory history` lists."""


@batches.command()
@click.argument("batch_id", metavar="N", type=int)
@click.pass_context
def undo(ctx: click.Context, batch_id: int) -> None:
    """Undo batch N (an import, rename, remove or undo): every row it wrote is put back as it was.

    Refused while a later batch still in effect changed the same servers or edges, or re-imported
    a server batch N wrote (even unchanged: it moved the server's last-seen batch): undo those
    first, newest first. The undo is a batch too, so undoing it puts batch N back.
    """
    from migrate.inventory import service

    _print(service.undo(ctx.obj["workspace"], batch_id))
