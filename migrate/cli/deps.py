"""`carelift deps`: import dependency data into the workspace and look at one server's connections.

Options in, one call of `migrate.inventory.service` (the parsers in `migrate.inventory.dependencies`
read the files; the workspace resolves endpoints to inventory servers and aggregates the edges),
rendering out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from migrate.cli.errors import fail
from migrate.cli.options import format_option
from migrate.cli.terminal import echo, echo_data, quote, value
from migrate.cli.workspace import print_warnings, registry_format_option
from migrate.inventory.dependencies import PARSERS

if TYPE_CHECKING:
    from migrate.inventory.service import Connections


@click.group()
def deps() -> None:
    """Import dependency data (Azure Migrate export, ss/netstat output, CSV) and show a server's connections."""


@deps.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@registry_format_option(PARSERS, "Format of every PATH.")
@click.pass_context
def import_(ctx: click.Context, paths: tuple[Path, ...], fmt: str) -> None:
    """Import dependency files: observations become weighted edges between servers.

    Addresses are resolved to inventory servers by IP (also later, when the servers are imported
    after their dependencies); the rest are kept as external endpoints. All files are one
    transaction: if any file has a problem, nothing is imported.
    """
    from migrate.cli.progress import status
    from migrate.inventory import service

    with status(f"importing {len(paths)} dependency file(s)"):
        result = service.import_dependencies(ctx.obj["workspace"], paths, fmt)
    for _, parsed in result.files:
        print_warnings(parsed.path, parsed.warnings)
    for (_, parsed), summary in zip(result.files, result.summaries, strict=True):
        observations = sum(d.weight for d in parsed.dependencies)
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.skipped.items()))
        counted = (f"{summary.dependencies} edges from {observations} observations" if summary.dependencies
                   else "no edges imported")
        echo(f"{summary.path} ({summary.format}, batch {summary.batch_id}): {counted}"
             + (f"; skipped {skipped}" if skipped else ""))


@deps.command()
@click.argument("server")
@format_option("table", "json")
@click.pass_context
def show(ctx: click.Context, server: str, fmt: str) -> None:
    """A server's inbound and outbound connections: peers, ports, processes, weights, external endpoints.

    SERVER is a server's name, FQDN or VM UUID, or an external endpoint's address as recorded.
    """
    from migrate.inventory import service

    try:
        view = service.connections(ctx.obj["workspace"], server)
    except service.UnknownServer:  # said with a way to search, and the name bounded for the terminal
        fail(f"no server or external endpoint {quote(server)} in the workspace "
             f"(try `carelift inventory list --filter name~{value(server)}`)")
    if fmt == "json":
        echo_data(json.dumps(view.to_json(), indent=2, ensure_ascii=False))
    else:
        render(view)


def render(view: Connections) -> None:
    from rich.table import Table

    from migrate.cli.terminal import assemble, console

    screen = console(soft_wrap=False)
    for direction, items, title in (("outbound", view.outbound, f"{view.server} connects to"),
                                    ("inbound", view.inbound, f"connecting to {view.server}")):
        table = Table(title=f"{direction}: {title} ({len(items)})", title_justify="left")
        table.add_column("peer", no_wrap=True)
        table.add_column("address", no_wrap=True)
        table.add_column("port", justify="right", no_wrap=True)
        table.add_column("process", overflow="fold")
        table.add_column("weight", justify="right")
        table.add_column("seen")
        for item in items:
            peer = assemble(item.peer, (" (external)", "dim") if item.external else "")
            address = item.peer_ip if item.peer_ip and item.peer_ip != item.peer else ""
            table.add_row(peer, address, f"{item.port}/{item.protocol}", item.process or "", str(item.weight),
                          _period(item.first_seen, item.last_seen))
        screen.print(table)
    screen.print(f"{len(view.outbound)} outbound and {len(view.inbound)} inbound edges, "
                 f"{view.external_endpoints} external endpoints, {view.observations} observations"
                 + ("" if view.in_inventory else f"; {view.server} is not an inventory server"))


def _period(first: str | None, last: str | None) -> str:
    """Dates only (the JSON has the times): `2025-03-03 → 2025-03-05`."""
    first, last = (first or "")[:10], (last or "")[:10]
    return first if first == last else f"{first} → {last}"
