"""`carelift inventory`: import the estate's exports into the workspace and look at it.

Options in, one call of `migrate.inventory.service` (which opens the workspace and does the work),
rendering out (`inventory_views`). The edits (rename, remove, batches undo) are in `inventory_edit`.
"""

from __future__ import annotations

import contextlib
import json
import sys
from datetime import datetime
from pathlib import Path

import click

from migrate.cli import inventory_views as views
from migrate.cli.errors import fail
from migrate.cli.inventory_edit import batches, remove, rename
from migrate.cli.options import format_option, output_option
from migrate.cli.terminal import DataStream, console, echo, echo_data, quote, value
from migrate.cli.workspace import print_warnings, registry_format_option
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
    from migrate.cli.progress import status
    from migrate.inventory import service

    with status(f"importing {len(paths)} inventory file(s)"):
        result = service.import_inventory(ctx.obj["workspace"], paths, fmt, strict=strict, max_sheet_mb=max_sheet_mb)
    for _, parsed in result.files:
        print_warnings(parsed.path, parsed.warnings)
    for summary in result.summaries:
        print_warnings(summary.path, summary.warnings)  # what the merge did not apply, or applied with a caveat
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(summary.skipped.items()))
        echo(f"{summary.path} ({summary.format}, batch {summary.batch_id}): {summary.added} added, "
             f"{summary.updated} updated, {summary.unchanged} unchanged"
             + (f"; skipped {skipped}" if skipped else "")
             + (f"; {summary.dependencies} dependency observations" if summary.dependencies else "")
             + (f"; {summary.applications} applications" if summary.applications else ""))


# -- list -----------------------------------------------------------------------------------

@inventory.command("list")
@click.option("--filter", "-f", "expressions", multiple=True, metavar="EXPR", help=FILTER_HELP)
@format_option("table", "json", "csv",
               help="json: an array of servers with every field; csv: one row per server (lists joined "
                    "with ';', cells that a spreadsheet would run as formulas prefixed with ').")
@output_option("Write to this file instead of standard output (whole or not at all; the table as plain text).")
@click.pass_context
def list_(ctx: click.Context, expressions: tuple[str, ...], fmt: str, output: Path | None = None) -> None:
    """List servers, sorted by name."""
    from migrate.cli.files import require_output, writing
    from migrate.inventory import service
    from migrate.inventory.filters import parse_filters

    filters = parse_filters(expressions)  # a FilterError ("bad filter") is printed by the CLI's one handler
    if output:
        require_output(output)
    found = service.list_servers(ctx.obj["workspace"], filters)
    with writing(output) if output else contextlib.nullcontext(DataStream()) as out:
        if fmt == "json":
            views.write_json_array(out, (views.server_json(s) for s in found.servers))
        elif fmt == "csv":
            views.write_csv(out, found.servers)
        else:
            screen = console(soft_wrap=False, file=out, width=200) if output else console(soft_wrap=False)
            screen.print(views.server_table(found.servers, found.total))


# -- show -----------------------------------------------------------------------------------

@inventory.command()
@click.argument("name")
@format_option("table", "json")
@click.pass_context
def show(ctx: click.Context, name: str, fmt: str) -> None:
    """One server with everything known: fields, disks, applications, dependency counts.

    NAME is the server's name, FQDN, VM UUID or identity (case-insensitive); a name several servers
    share is refused, listing them.
    """
    from migrate.inventory import service

    try:
        details = service.show_server(ctx.obj["workspace"], name)
    except service.UnknownServer:  # said with a way to search, and the name bounded for the terminal
        fail(f"no server {quote(name)} in the inventory (try `carelift inventory list --filter name~{value(name)}`)")
    if fmt == "json":
        echo_data(json.dumps(views.server_details_json(details), indent=2, ensure_ascii=False))
        return
    views.render_server_details(details)


# -- stats ----------------------------------------------------------------------------------

@inventory.command()
@format_option("table", "json")
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Counts by OS family, environment, tier and cluster; totals of cores, memory and storage."""
    from migrate.inventory import service

    result = service.stats(ctx.obj["workspace"])
    if fmt == "json":
        echo_data(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    views.render_stats(result)


# -- quality --------------------------------------------------------------------------------

@inventory.command()
@format_option("table", "json")
@click.option("--max-issues", type=click.IntRange(min=0), default=0, show_default=True,
              help="Exit 1 when there are more issues than this (for CI).")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date for the OS end-of-support checks (default: CARELIFT_AS_OF, else today).")
@click.option("--examples", type=click.IntRange(min=0), default=5, show_default=True,
              help="Servers named per check in the table (json lists all).")
@click.pass_context
def quality(ctx: click.Context, fmt: str, max_issues: int, as_of: datetime | None, examples: int) -> None:
    """Check the inventory for what planning needs: owners, applications, tiers, classification,
    recognised OS, dependency data, unique IPs, supported OS.

    One issue per server and check (per address for duplicate IPs). Exit code 0 when the issues
    are at most --max-issues, 1 when there are more.
    """
    from infra.ai.governance import as_of as audit_day
    from migrate.inventory import service
    from migrate.inventory.quality import CHECKS

    # One "as of" for the whole tool: the day audits and the AI register are judged on, unless given here.
    report = service.quality(ctx.obj["workspace"], as_of.date() if as_of else audit_day())
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
@format_option("table", "json")
@click.pass_context
def history(ctx: click.Context, batch_id: int | None, limit: int, fmt: str) -> None:
    """Every import batch: file, SHA-256, format, time, counts, and what it changed."""
    from migrate.inventory import service

    records = service.history(ctx.obj["workspace"], batch_id)
    if fmt == "json":
        echo_data(json.dumps([views.batch_json(record) for record in records], indent=2, ensure_ascii=False))
        return
    views.print_history(records, sys.maxsize if batch_id is not None else limit)


for _command in (rename, remove, batches):
    inventory.add_command(_command)
