"""`carelift deps`: import dependency data into the workspace and look at one server's connections.

Parsing options and rendering only: `migrate.inventory.dependencies` reads the files, the
workspace store resolves endpoints to inventory servers and aggregates the edges.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from migrate.cli.errors import fail
from migrate.cli.terminal import echo, echo_data, quote, value
from migrate.cli.workspace import import_all_or_nothing, one_server, open_workspace, registry_format_option
from migrate.inventory.dependencies import PARSERS
from migrate.inventory.model import Dependency


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
    from migrate.inventory.dependencies import parse_dependency_file

    from migrate.cli.progress import status

    with status(f"importing {len(paths)} dependency file(s)"):
        batch, summaries = import_all_or_nothing(ctx.obj["workspace"], paths,
                                                 lambda path: parse_dependency_file(path, fmt))
    for _, parsed in batch:
        for warning in parsed.warnings[:50]:
            echo(f"warning: {parsed.path}: {warning}", err=True)
        if len(parsed.warnings) > 50:
            echo(f"warning: {parsed.path}: … {len(parsed.warnings):,} warnings in all; first 50 shown", err=True)
    for (_, parsed), summary in zip(batch, summaries, strict=True):
        observations = sum(d.weight for d in parsed.dependencies)
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.skipped.items()))
        counted = (f"{summary.dependencies} edges from {observations} observations" if summary.dependencies
                   else "no edges imported")
        echo(f"{summary.path} ({summary.format}, batch {summary.batch_id}): {counted}"
                   + (f"; skipped {skipped}" if skipped else ""))


@deps.command()
@click.argument("server")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def show(ctx: click.Context, server: str, fmt: str) -> None:
    """A server's inbound and outbound connections: peers, ports, processes, weights, external endpoints.

    SERVER is a server's name, FQDN or VM UUID, or an external endpoint's address as recorded.
    """

    with open_workspace(ctx.obj["workspace"]) as workspace:
        found = one_server(workspace, server)
        name = found.name if found else server.strip().lower()
        edges = workspace.dependencies(found.identity if found else name)
        if found is None and not edges:
            fail(f"no server or external endpoint {quote(server)} in the workspace "
                 f"(try `carelift inventory list --filter name~{value(server)}`)")
        view = connections(name, edges, is_server=lambda peer: workspace.server(peer) is not None)
    view["in_inventory"] = found is not None
    if fmt == "json":
        echo_data(json.dumps(view, indent=2, ensure_ascii=False))
    else:
        render(view)


def connections(name: str, edges: list[Dependency], is_server) -> dict:
    """The edges of `name` split into outbound and inbound, heaviest first, each marked external or not."""
    me = name.lower()
    known: dict[str, bool] = {}

    def external_source(peer: str) -> bool:
        if peer not in known:
            known[peer] = not is_server(peer)
        return known[peer]

    def entry(edge: Dependency, peer: str, peer_ip: str | None, external: bool) -> dict:
        return {"peer": peer, "peer_ip": peer_ip, "port": edge.port, "protocol": edge.protocol,
                "process": edge.process, "weight": edge.weight, "first_seen": edge.first_seen,
                "last_seen": edge.last_seen, "external": external}

    outbound = [entry(e, e.destination, e.destination_ip, not e.destination_resolved)
                for e in edges if e.source.lower() == me]
    inbound = [entry(e, e.source, e.source_ip, external_source(e.source))
               for e in edges if e.destination.lower() == me and e.source.lower() != me]
    order = lambda item: (-item["weight"], item["peer"].lower(), item["port"], item["protocol"])  # noqa: E731
    outbound.sort(key=order)
    inbound.sort(key=order)
    return {"server": name, "outbound": outbound, "inbound": inbound,
            "totals": {"outbound": len(outbound), "inbound": len(inbound),
                       "observations": sum(e.weight for e in edges),
                       "external_endpoints": len({i["peer"] for i in outbound + inbound if i["external"]}),
                       "listening_ports": sorted({i["port"] for i in inbound})}}


def render(view: dict) -> None:
    from rich.table import Table

    from migrate.cli.terminal import assemble
    from migrate.cli.terminal import console as safe_console

    console = safe_console(soft_wrap=False)
    for direction, title in (("outbound", f"{view['server']} connects to"),
                             ("inbound", f"connecting to {view['server']}")):
        items = view[direction]
        table = Table(title=f"{direction}: {title} ({len(items)})", title_justify="left")
        table.add_column("peer", no_wrap=True)
        table.add_column("address", no_wrap=True)
        table.add_column("port", justify="right", no_wrap=True)
        table.add_column("process", overflow="fold")
        table.add_column("weight", justify="right")
        table.add_column("seen")
        for item in items:
            peer = assemble(item["peer"], (" (external)", "dim") if item["external"] else "")
            address = item["peer_ip"] if item["peer_ip"] and item["peer_ip"] != item["peer"] else ""
            table.add_row(peer, address, f"{item['port']}/{item['protocol']}", item["process"] or "",
                          str(item["weight"]), _period(item["first_seen"], item["last_seen"]))
        console.print(table)
    totals = view["totals"]
    console.print(f"{totals['outbound']} outbound and {totals['inbound']} inbound edges, "
                  f"{totals['external_endpoints']} external endpoints, {totals['observations']} observations"
                  + ("" if view["in_inventory"] else f"; {view['server']} is not an inventory server"))


def _period(first: str | None, last: str | None) -> str:
    """Dates only (the JSON has the times): `2025-03-03 → 2025-03-05`."""
    first, last = (first or "")[:10], (last or "")[:10]
    return first if first == last else f"{first} → {last}"
