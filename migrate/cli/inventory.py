"""`carelift inventory`: import the estate's exports into the workspace and look at it.

Parsing options only: importers (`migrate.inventory.importers`), the store
(`migrate.inventory.store`) and the pure filters, stats and quality checks do the work;
`inventory_views` renders.
"""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from migrate.cli import inventory_views as views
from migrate.cli.errors import fail
from migrate.cli.inventory_edit import batches, remove, rename
from migrate.cli.terminal import DataStream, echo, echo_data, quote, value
from migrate.cli.workspace import import_all_or_nothing, one_server, open_workspace, registry_format_option
from migrate.inventory.importers import IMPORTERS

FILTER_HELP = ("FIELD OP VALUE, repeatable (all must hold). OP: = != ~ (contains) !~ < <= > >=. "
               "Examples: os_family=windows, environment=prd, tier<=1, application=epic, name~sql, owner= "
               "(no owner), tag.cost-center=4410. Fields: name, fqdn, ip, os, os_family, power_state, "
               "cluster, datacenter, host, folder, environment, data_classification, owner, business_unit, "
               "application, source, cores, memory_mb, storage_gb, disks, tier, rto_hours, rpo_hours, "
               "cpu_utilization, memory_utilization, template.")


@click.group()
def inventory() -> None:
    """Import the estate's exports into the workspace, then list, show, count and check it."""


# -- import ---------------------------------------------------------------------------------

@inventory.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@registry_format_option(IMPORTERS, "Format of every PATH; auto detects each from its sheets, headers and name.")
@click.option("--strict", is_flag=True,
              help="Treat RVTools warnings as errors: by default a side sheet (vDisk, vPartition, vNetwork, vHost) "
                   "or row that cannot be read is skipped and vInfo's figures are used, and a vInfo VM UUID or "
                   "primary IP that cannot be read is dropped.")
@click.option("--max-sheet-mb", type=click.IntRange(min=1), default=256, show_default=True,
              help="Refuse an xlsx whose sheet or shared strings decompress past this many MB, whose sheet's "
                   "shared-string cells expand past it, or whose cells span a grid of more than MB x 131,072 "
                   "cells (33.5 million at 256): decompression bombs. Raise it for a genuine larger workbook.")
@click.pass_context
def import_(ctx: click.Context, paths: tuple[Path, ...], fmt: str, strict: bool, max_sheet_mb: int) -> None:
    """Import RVTools, Azure Migrate, ServiceNow CMDB, generic CSV/YAML or application-mapping files.

    All files are one transaction: if any file has a problem, nothing is imported.
    Re-importing merges by VM UUID (else the server name) and records what changed.
    """
    from migrate.inventory.importers import parse
    from migrate.inventory.importers.xlsx_limits import Limits, limits
    from migrate.cli.progress import status

    with limits(Limits.from_mb(max_sheet_mb)), status(f"importing {len(paths)} inventory file(s)"):
        batch, summaries = import_all_or_nothing(ctx.obj["workspace"], paths,
                                                 lambda path: parse(path, fmt, strict=strict))
    for _, parsed in batch:
        for warning in parsed.warnings[:50]:
            echo(f"warning: {parsed.path}: {warning}", err=True)
        if len(parsed.warnings) > 50:
            echo(f"warning: {parsed.path}: … {len(parsed.warnings):,} warnings in all; first 50 shown", err=True)
    for summary in summaries:
        for warning in summary.warnings[:50]:  # what the merge did not apply, or applied with a caveat
            echo(f"warning: {summary.path}: {warning}", err=True)
        if len(summary.warnings) > 50:
            echo(f"warning: {summary.path}: … {len(summary.warnings):,} warnings in all; first 50 shown", err=True)
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.skipped.items()))
        echo(f"{summary.path} ({summary.format}, batch {summary.batch_id}): {summary.added} added, "
                   f"{summary.updated} updated, {summary.unchanged} unchanged"
                   + (f"; skipped {skipped}" if skipped else "")
                   + (f"; {summary.dependencies} dependency observations" if summary.dependencies else "")
                   + (f"; {summary.applications} applications" if summary.applications else ""))


# -- list -----------------------------------------------------------------------------------

@inventory.command("list")
@click.option("--filter", "-f", "expressions", multiple=True, metavar="EXPR", help=FILTER_HELP)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="json: an array of servers with every field; csv: one row per server (lists joined "
                   "with ';', cells that a spreadsheet would run as formulas prefixed with ').")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (whole or not at all; the table as plain text).")
@click.pass_context
def list_(ctx: click.Context, expressions: tuple[str, ...], fmt: str, output: Path | None = None) -> None:
    """List servers, sorted by name."""
    from migrate.cli.files import require_output, writing
    from migrate.inventory.filters import FilterError, matches, parse_filters

    try:
        filters = parse_filters(expressions)
    except FilterError as error:
        fail("bad filter", [str(error)])
    if output:
        require_output(output)
    with open_workspace(ctx.obj["workspace"]) as workspace:
        everything = workspace.servers()
    servers = [s for s in everything if matches(s, filters)] if filters else everything
    with writing(output) if output else contextlib.nullcontext(DataStream()) as out:
        if fmt == "json":
            views.write_json_array(out, (views.server_json(s) for s in servers))
        elif fmt == "csv":
            views.write_csv(out, servers)
        else:
            console = views.console(file=out, width=200) if output else views.console()
            console.print(views.server_table(servers, len(everything)))


# -- show -----------------------------------------------------------------------------------

@inventory.command()
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def show(ctx: click.Context, name: str, fmt: str) -> None:
    """One server with everything known: fields, disks, applications, dependency counts.

    NAME is the server's name, FQDN, VM UUID or identity (case-insensitive); a name several servers
    share is refused, listing them.
    """
    with open_workspace(ctx.obj["workspace"]) as workspace:
        server = one_server(workspace, name)
        if server is None:
            fail(f"no server {quote(name)} in the inventory (try `carelift inventory list --filter name~{value(name)}`)")
        applications = {a.name: a for a in workspace.applications() if a.name in server.applications}
        edges = workspace.dependencies(server.identity)
    counts = views.dependency_counts(server.name, edges)
    if fmt == "json":
        document = views.server_json(server)
        document["applications"] = [{"name": a.name, "type": a.type, "vendor": a.vendor,
                                     "criticality": a.criticality} for a in applications.values()]
        document["dependencies"] = counts
        echo_data(json.dumps(document, indent=2, ensure_ascii=False))
        return
    console = views.console()
    console.print(views.server_details(server))
    if server.disks:
        console.print(views.disk_table(server))
    if applications:
        console.print(views.application_table(list(applications.values())))
    console.print(f"dependencies: {counts['outbound']} outbound and {counts['inbound']} inbound edges, "
                  f"{counts['peers']} peer servers, {counts['external']} external endpoints, "
                  f"{counts['observations']} observations"
                  + (f"; listening on {', '.join(map(str, counts['listening_ports']))}"
                     if counts["listening_ports"] else ""))


# -- stats ----------------------------------------------------------------------------------

@inventory.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Counts by OS family, environment, tier and cluster; totals of cores, memory and storage."""
    from migrate.inventory.stats import estate_stats

    with open_workspace(ctx.obj["workspace"]) as workspace:
        result = estate_stats(workspace.servers())
    if fmt == "json":
        echo_data(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    console = views.console()
    console.print(f"{result.servers} servers ({result.powered_off} powered off): {result.cores} cores, "
                  f"{views.gb(result.memory_mb / 1024)} GB memory, {views.gb(result.storage_gb)} GB storage "
                  f"({views.gb(result.storage_used_gb)} GB used)")
    for table in views.stats_tables(result):
        console.print(table)


# -- quality --------------------------------------------------------------------------------

@inventory.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--max-issues", type=click.IntRange(min=0), default=0, show_default=True,
              help="Exit 1 when there are more issues than this (for CI).")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date for the OS end-of-support checks (default: today, UTC).")
@click.option("--examples", type=click.IntRange(min=0), default=5, show_default=True,
              help="Servers named per check in the table (json lists all).")
@click.pass_context
def quality(ctx: click.Context, fmt: str, max_issues: int, as_of: datetime | None, examples: int) -> None:
    """Check the inventory for what planning needs: owners, applications, tiers, classification,
    recognised OS, dependency data, unique IPs, supported OS.

    One issue per server and check (per address for duplicate IPs). Exit code 0 when the issues
    are at most --max-issues, 1 when there are more.
    """
    from migrate.inventory.lifecycle import load_lifecycle
    from migrate.inventory.quality import CHECKS, assess

    day = as_of.date() if as_of else datetime.now(timezone.utc).date()
    with open_workspace(ctx.obj["workspace"]) as workspace:
        servers = workspace.servers()
        connected = {name for edge in workspace.dependencies()
                     for name in (edge.source, edge.destination if edge.destination_resolved else None) if name}
    report = assess(servers, connected, load_lifecycle(), day)
    if fmt == "json":
        echo_data(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        views.render_quality(report, CHECKS, examples, max_issues)
    if report.issues > max_issues:
        raise click.exceptions.Exit(1)


# -- history --------------------------------------------------------------------------------

@inventory.command()
@click.option("--batch", "batch_id", type=int, help="Only this batch, with all its changes.")
@click.option("--changes", "limit", type=click.IntRange(min=0), default=20, show_default=True,
              help="Changes shown per batch (all with --batch).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def history(ctx: click.Context, batch_id: int | None, limit: int, fmt: str) -> None:
    """Every import batch: file, SHA-256, format, time, counts, and what it changed."""
    with open_workspace(ctx.obj["workspace"]) as workspace:
        batches = workspace.history()
    if batch_id is not None:
        batches = [b for b in batches if b.batch_id == batch_id]
        if not batches:
            fail(f"no batch {batch_id} (see `carelift inventory history`)")
        limit = sys.maxsize
    if fmt == "json":
        echo_data(json.dumps([{"batch": b.batch_id, "path": b.path, "sha256": b.sha256, "format": b.format,
                                "imported_at": b.imported_at, "counts": dict(b.counts), "changes": list(b.changes),
                                "undone_by": b.undone_by}
                               for b in batches], indent=2, ensure_ascii=False))
        return
    if not batches:
        echo("no imports yet")
    for record in batches:
        counts = ", ".join(f"{n} {key}" for key, n in record.counts.items())
        echo(f"batch {record.batch_id}  {record.imported_at}  {record.format}  {record.path}"
             + (f"  (undone by batch {record.undone_by})" if record.undone_by else ""))
        if record.sha256:  # edits (rename, remove, undo) read no file
            echo(f"  sha256 {record.sha256}")
        echo(f"  {counts}")
        for change in record.changes[:limit]:
            echo(f"  {change}")
        if len(record.changes) > limit:
            echo(f"  … and {len(record.changes) - limit} more changes "
                       f"(carelift inventory history --batch {record.batch_id})")


for _command in (rename, remove, batches):
    inventory.add_command(_command)
