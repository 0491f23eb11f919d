"""Rendering for `carelift inventory`: JSON and CSV writers, rich tables. No logic, no I/O besides output.

Inventory text is data: everything is printed through `migrate.cli.terminal` (the one console, never
markup or terminal codes), without soft wrapping so a long name folds inside its cell.
"""

from __future__ import annotations

import csv
import json
import re
from operator import attrgetter
from typing import TYPE_CHECKING, Iterable

from migrate.cli.terminal import console, echo
from migrate.inventory.model import Server
from migrate.inventory.schema import SERVER_FIELDS
from migrate.reports.cells import csv_cell

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from migrate.inventory.service import ServerDetails
    from migrate.inventory.stats import EstateStats
    from migrate.inventory.store import BatchRecord

# The server fields in their one order (the Server dataclass's, `SERVER_FIELDS`), with the two derived
# ones shown next to what they derive from: `identity` after the name, `storage_gb` after the disks.
_DERIVED_AFTER = {"name": "identity", "disks": "storage_gb"}
JSON_KEYS = tuple(key for name in SERVER_FIELDS for key in (name, _DERIVED_AFTER.get(name)) if key)
CSV_COLUMNS = tuple(key for key in JSON_KEYS if key != "identity")  # the identity is derived on import
_DETAIL_KEYS = tuple(key for key in JSON_KEYS if key not in ("name", "disks"))  # name: the title; disks: a table
_values = attrgetter(*JSON_KEYS)
_DISKS, _TAGS = JSON_KEYS.index("disks"), JSON_KEYS.index("tags")


def server_json(s: Server) -> dict:
    """Every field of a server as JSON values (the shape of `inventory list --format json`)."""
    values = list(_values(s))
    values[_DISKS] = [{"label": d.label, "size_gb": d.size_gb, "used_gb": d.used_gb, "shared": d.shared}
                      for d in s.disks]
    values[_TAGS] = dict(s.tags)
    return dict(zip(JSON_KEYS, values, strict=True))


def write_json_array(out, items: Iterable[dict]) -> None:
    """A JSON array, one item per line, written 1,000 items at a time (never one whole-document string)."""
    encode = json.JSONEncoder(ensure_ascii=False, indent=None, separators=(", ", ": ")).encode
    separator = "[\n  "
    chunk: list[str] = []
    for item in items:
        chunk.append(encode(item))
        if len(chunk) == 1000:
            out.write(separator + ",\n  ".join(chunk))
            separator, chunk = ",\n  ", []
    if chunk:
        out.write(separator + ",\n  ".join(chunk))
        separator = ",\n  "
    out.write("\n]\n" if separator != "[\n  " else "[]\n")


def write_csv(out, servers: Iterable[Server]) -> None:
    """carelift's CSV inventory format (migrate.inventory.importers.generic): it re-imports unchanged."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for server in servers:
        row = server_json(server)
        row["ips"] = ";".join(server.ips)
        row["disks"] = "; ".join(disk_spec(d) for d in server.disks)
        row["storage_gb"] = number(server.storage_gb) if server.disks else None
        row["sources"] = ";".join(server.sources)
        row["applications"] = ";".join(server.applications)
        row["tags"] = "; ".join(f"{_escape(k, '=')}={_escape(v)}" for k, v in server.tags)
        for key in ("rto_hours", "rpo_hours", "cpu_utilization", "memory_utilization"):
            row[key] = number(row[key])
        writer.writerow([csv_cell(row[column]) for column in CSV_COLUMNS])


def disk_spec(disk) -> str:
    """`LABEL:SIZE[/USED][ shared]`, as the CSV importer reads it (`:`, `/` and `;` in a label become `-`)."""
    label = disk.label.translate(str.maketrans(":/;", "---")).strip() or "disk"
    used = f"/{number(disk.used_gb)}" if disk.used_gb is not None else ""
    return f"{label}:{number(disk.size_gb)}{used}{' shared' if disk.shared else ''}"


_THOUSANDS_LOOKALIKE = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")


def number(value) -> str | None:
    """A figure written exactly: `40`, not `40.0`; `0.1`, not `0.10000000000000001`."""
    if value is None:
        return None
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    # `29.455` would read back as 29,455 (a European thousands separator): `29.4550` cannot.
    return text + "0" if _THOUSANDS_LOOKALIKE.fullmatch(text) else text


def _escape(text: str, also: str = "") -> str:
    for character in "\\;" + also:
        text = text.replace(character, "\\" + character)
    return text


def server_table(servers: list[Server], total: int):
    from rich.table import Table

    table = Table(title=f"{len(servers)} of {total} servers", title_justify="left")
    table.add_column("name", no_wrap=True)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("os", "left"), ("env", "left"), ("tier", "right"), ("cores", "right"), ("memory GB", "right"),
        ("storage GB", "right"), ("power", "left"), ("applications", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify, overflow="fold")
    for s in servers:
        os_text = " ".join(p for p in (s.os_name, s.os_version) if p) or s.os_family
        table.add_row(s.name, os_text, s.environment or "", text(s.tier), text(s.cores),
                      gb(s.memory_mb / 1024 if s.memory_mb else None), gb(s.storage_gb if s.disks else None),
                      s.power_state, ", ".join(s.applications))
    return table


def server_details_json(details: ServerDetails) -> dict:
    """`inventory show --format json`: every field, the applications, the dependency counts."""
    document = server_json(details.server)
    document["applications"] = [{"name": a.name, "type": a.type, "vendor": a.vendor, "criticality": a.criticality}
                                for a in details.applications]
    document["dependencies"] = details.dependencies.to_json()
    return document


def render_server_details(details: ServerDetails) -> None:
    server, counts = details.server, details.dependencies
    screen = console(soft_wrap=False)
    screen.print(server_details(server))
    if server.disks:
        screen.print(disk_table(server))
    if details.applications:
        screen.print(application_table(list(details.applications)))
    screen.print(f"dependencies: {counts.outbound} outbound and {counts.inbound} inbound edges, "
                 f"{counts.peers} peer servers, {counts.external} external endpoints, "
                 f"{counts.observations} observations"
                 + (f"; listening on {', '.join(map(str, counts.listening_ports))}" if counts.listening_ports else ""))


def server_details(server: Server):
    from rich.table import Table

    table = Table(title=server.name, title_justify="left", show_header=False, box=None)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    rows = server_json(server)
    for key in _DETAIL_KEYS:
        value = rows[key]
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            value = ", ".join(map(str, value))
        table.add_row(key, text(value))
    return table


def disk_table(server: Server):
    from rich.table import Table

    table = Table(title="disks", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("label", "left"), ("size GB", "right"), ("used GB", "right"), ("shared", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for disk in server.disks:
        table.add_row(disk.label, gb(disk.size_gb), gb(disk.used_gb), "yes" if disk.shared else "")
    return table


def application_table(applications):
    from rich.table import Table

    table = Table(title="applications", title_justify="left")
    for column in ("name", "type", "vendor", "criticality", "servers"):
        table.add_column(column)
    for app in applications:
        table.add_row(app.name, app.type, app.vendor or "", text(app.criticality), str(len(app.servers)))
    return table


def render_quality(report, checks: dict[str, str], examples: int, max_issues: int) -> None:
    from rich.table import Table

    screen = console(soft_wrap=False)
    table = Table(title=f"inventory quality: {report.servers} servers, {report.issues} issues "
                        f"(OS support as of {report.as_of.isoformat()}, table of {report.lifecycle_date.isoformat()})",
                  title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (("check", "left"), ("issues", "right"), ("for example", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify, overflow="fold")
    by_check: dict[str, list] = {}
    for finding in report.findings:
        by_check.setdefault(finding.check, []).append(finding)
    for check, description in checks.items():
        found = by_check.get(check, [])
        shown = ", ".join(f.subject + (f" ({f.detail})" if f.detail and check in ("unknown-os", "duplicate-ip") else "")
                          for f in found[:examples])
        table.add_row(f"{check}: {description}", str(len(found)), shown + (" …" if len(found) > examples else ""))
    screen.print(table)
    if report.end_of_support:
        eos = Table(title="servers past OS end of support", title_justify="left")
        eos_columns: tuple[tuple[str, JustifyMethod], ...] = (
            ("operating system", "left"), ("status", "left"), ("servers", "right"))
        for column, justify in eos_columns:
            eos.add_column(column, justify=justify)
        for os_name, status, count in report.end_of_support:
            eos.add_row(os_name, status, str(count))
        screen.print(eos)
    verdict = "ok" if report.issues <= max_issues else "FAIL"
    screen.print(f"{verdict}: {report.issues} issues (allowed: {max_issues})", markup=False, highlight=False)


def render_stats(result: EstateStats) -> None:
    screen = console(soft_wrap=False)
    screen.print(f"{result.servers} servers ({result.powered_off} powered off): {result.cores} cores, "
                 f"{gb(result.memory_mb / 1024)} GB memory, {gb(result.storage_gb)} GB storage "
                 f"({gb(result.storage_used_gb)} GB used)")
    for table in stats_tables(result):
        screen.print(table)


def stats_tables(result) -> list:
    from rich.table import Table

    tables = []
    for title, counts in (("OS family", result.by_os_family), ("environment", result.by_environment),
                          ("tier", result.by_tier), ("cluster", result.by_cluster)):
        table = Table(title=f"by {title}", title_justify="left")
        table.add_column(title)
        table.add_column("servers", justify="right")
        for key, count in counts:
            table.add_row(key, str(count))
        tables.append(table)
    return tables


def text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def gb(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}".removesuffix(".0")


def batch_json(record: BatchRecord) -> dict:
    """One batch as `inventory history --format json` lists it."""
    return {"batch": record.batch_id, "path": record.path, "sha256": record.sha256, "format": record.format,
            "imported_at": record.imported_at, "counts": dict(record.counts), "changes": list(record.changes),
            "undone_by": record.undone_by}


def print_history(records: list[BatchRecord], limit: int) -> None:
    """Each batch's line, hash, counts and up to `limit` of its changes."""
    if not records:
        echo("no imports yet")
    for record in records:
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
