"""Azure Migrate's import-based discovery CSV (the template of "Discover → Import using CSV").

Mandatory columns carry a leading `*` (`*Server name`, `*Cores`, `*Memory (In MB)`, `*OS name`);
older templates differ in case. Read as follows:

| Column | Server field |
|---|---|
| `*Server name` (an FQDN is split into name and fqdn) | name, fqdn |
| `IP addresses` (comma, semicolon or space separated) | ips |
| `*Cores`, `*Memory (In MB)` | cores, memory_mb |
| `*OS name`, `OS version` | os_family, os_name, os_version (normalised) |
| `CPU utilization percentage`, `Memory utilization percentage` | cpu_utilization, memory_utilization (0-100) |
| `Boot type` | firmware (bios, efi) |
| `Disk 1 size (In GB)` … `Disk 8 size (In GB)` | disks `disk 1` … `disk 8` |
| `Disk 9 size (In GB)` … `Disk 20 size (In GB)` | more disks, where a later template has them |
| `Storage in use (In GB)` (or `(In MB)`) | used space, spread over the disks in proportion to their size (the export does not say which disk holds it; none without disk sizes) |
| `Storage allocated (In MB)` | without per-disk sizes: one disk `all disks` of that size |
| `Server type` (Physical) / `Hypervisor` | hypervisor (`physical`, `vmware`, `hyper-v`, ...) |
| `Virtual machine ID` | vm_uuid |
| `Business application name` (`;`-separated) | applications |
| `Business owner`, `Business unit`, `Location` | owner, business_unit, datacenter |
| `Application 1..5 name` + `version` | tag `software` (installed software, not business applications) |
| `Custom server ID`, `Server decommission date` | tags `custom-server-id`, `decommission-date` |

The other documented columns (throughput, IOPS, MAC and BIOS ids, ...) are known and not used;
any other column is reported as ignored. A value the planner can do without (`Virtual machine
ID`, `IP addresses`, the utilisation percentages) that cannot be read is a warning naming its
row and column, and is dropped; the mandatory columns and disk sizes are errors.
"""

from __future__ import annotations

import re
from pathlib import Path

from migrate.inventory.formats import Format
from migrate.inventory.importers import fields
from migrate.inventory.importers.os import normalise_os
from migrate.inventory.importers.registry import AZURE_MIGRATE_COLUMNS, IMPORTERS, Sample, without_strict
from migrate.inventory.importers.table_files import open_columns
from migrate.inventory.importers.tabular import Row, to_number, to_text
from migrate.inventory.model import Disk, ParsedFile, Server

FORMAT = "azure-migrate"
MAX_DISKS = 20
"""The template has Disk 1..8; later versions document up to 20."""
MAX_APPLICATIONS = 5
MAX_CORES = 4096
MAX_MEMORY_MB = 64 * 1024 * 1024
MAX_DISK_GB = 1024 * 1024

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("*Server name",),
    "ips": ("IP addresses", "IP address"),
    "cores": ("*Cores",),
    "memory": ("*Memory (In MB)",),
    "os_name": ("*OS name",),
    "os_version": ("OS version",),
    "cpu_util": ("CPU utilization percentage",),
    "mem_util": ("Memory utilization percentage",),
    "boot": ("Boot type",),
    "server_type": ("Server type",),
    "hypervisor": ("Hypervisor",),
    "vm_id": ("Virtual machine ID",),
    "business_app": ("Business application name",),
    "business_owner": ("Business owner",),
    "business_unit": ("Business unit",),
    "location": ("Location",),
    "custom_id": ("Custom server ID",),
    "decommission": ("Server decommission date",),
    "storage_in_use": ("Storage in use (In GB)",),
    "storage_in_use_mb": ("Storage in use (In MB)",),
    "storage_allocated_mb": ("Storage allocated (In MB)",),
    **{f"disk{n}": (f"Disk {n} size (In GB)",) for n in range(1, MAX_DISKS + 1)},
    **{f"app{n}": (f"Application {n} name",) for n in range(1, MAX_APPLICATIONS + 1)},
    **{f"appver{n}": (f"Application {n} version",) for n in range(1, MAX_APPLICATIONS + 1)},
}
MANDATORY = ("name", "cores", "memory", "os_name")
KNOWN_UNUSED = re.compile(
    r"os architecture|network adapters|network (in|out) throughput|number of disks|hypervisor version number|"
    r"virtual machine manager id|mac address|bios id|disk \d+ (read|write) (throughput|ops).*|"
    r"application \d+ (type|license expiry)")
SIGNATURE = ("server name", "cores", "memory (in mb)", "os name")
"""Normalised headers that identify the format (for auto-detection)."""


def parse(path: Path, display: str | None = None) -> ParsedFile:
    display = display or str(path)
    problems, table, columns = open_columns(path, display, COLUMNS, MANDATORY)
    notes: list[str] = []
    servers: list[Server] = []
    seen = fields.Duplicates()
    for row in columns.rows(problems):
        server = _server(row, notes)
        if server is not None:
            fields.add_unique(servers, server, row, seen)
    problems.raise_if_any()
    ignored = [h for h in columns.unused if not KNOWN_UNUSED.fullmatch(h.strip().lstrip("*").strip().casefold())]
    warnings = ((f"columns not recognised, ignored: {', '.join(ignored)}",) if ignored else ()) + tuple(notes[:50])
    if len(notes) > 50:
        warnings += (f"{len(notes) - 50} more values ignored the same way",)
    return ParsedFile(path=display, format=FORMAT, servers=tuple(servers),
                      applications=fields.applications_of(servers), warnings=warnings)


def _optional(row: Row, field: str, read, notes: list[str]):
    """A value the planner can do without: a bad one is a warning (row, column) and is dropped."""
    try:
        return read(row.raw(field))
    except ValueError as error:
        notes.append(f"row {row.number}, column {row.columns.label.get(field, field)!r}: {error}; value ignored")
        return None


def _percent(cell) -> float | None:
    value = to_number(cell)
    if value is not None and not 0 <= value <= 100:
        raise ValueError(f"a percentage must be from 0 to 100, got {value:g}")
    return value


def _server(row: Row, notes: list[str]) -> Server | None:
    try:
        name, fqdn = fields.host_name(row.text("name", limit=255))
    except ValueError as error:
        row.problem("name", str(error))
        return None
    cores = row.numeric("cores", minimum=1, maximum=MAX_CORES, integer=True, required=True)
    memory = row.numeric("memory", minimum=1, maximum=MAX_MEMORY_MB, required=True)
    os_name = row.text("os_name", required=True)
    os_info = normalise_os(os_name, row.text("os_version"))
    ips = _optional(row, "ips", lambda cell: fields.ip_list(to_text(cell)), notes) or ()
    disks = []
    for n in range(1, MAX_DISKS + 1):
        size = row.numeric(f"disk{n}", maximum=MAX_DISK_GB)
        if size is not None:
            disks.append(Disk(label=f"disk {n}", size_gb=size))
    used = row.numeric("storage_in_use", maximum=MAX_DISK_GB * MAX_DISKS)
    if used is None and row.has("storage_in_use_mb"):
        used_mb = row.numeric("storage_in_use_mb", maximum=MAX_DISK_GB * MAX_DISKS * 1024)
        used = None if used_mb is None else used_mb / 1024
    if not disks and row.has("storage_allocated_mb"):  # no per-disk sizes: one disk of the allocated total
        allocated = row.numeric("storage_allocated_mb", maximum=MAX_DISK_GB * MAX_DISKS * 1024)
        if allocated:
            disks.append(Disk(label="all disks", size_gb=round(allocated / 1024, 3)))
    total = sum(d.size_gb for d in disks)
    if used is not None and total > 0:
        disks = [Disk(label=d.label, size_gb=d.size_gb, used_gb=round(min(d.size_gb, used * d.size_gb / total), 3))
                 for d in disks]
    vm_uuid = _optional(row, "vm_id", lambda cell: fields.vm_uuid(to_text(cell)), notes)
    return Server(
        name=name, fqdn=fqdn, ips=ips, os_family=os_info.family, os_name=os_info.name, os_version=os_info.version,
        cores=cores, memory_mb=None if memory is None else int(round(memory)), disks=tuple(disks),
        hypervisor=_hypervisor(row), datacenter=row.text("location"), firmware=fields.firmware(row.text("boot")),
        vm_uuid=vm_uuid, sources=(FORMAT,), applications=fields.names(row.text("business_app", limit=4096)),
        owner=row.text("business_owner"), business_unit=row.text("business_unit"),
        cpu_utilization=_optional(row, "cpu_util", _percent, notes),
        memory_utilization=_optional(row, "mem_util", _percent, notes),
        tags=_tags(row),
    )


def _hypervisor(row: Row) -> str | None:
    if (row.text("server_type") or "").casefold() == "physical":
        return "physical"
    hypervisor = row.text("hypervisor")
    return re.sub(r"\s+", "-", hypervisor.casefold()) if hypervisor else None


def _tags(row: Row) -> tuple[tuple[str, str], ...]:
    tags = {}
    software = []
    for n in range(1, MAX_APPLICATIONS + 1):
        name = row.text(f"app{n}")
        if name:
            version = row.text(f"appver{n}")
            software.append(f"{name} {version}" if version else name)
    if software:
        tags["software"] = "; ".join(software)
    for key, field in (("custom-server-id", "custom_id"), ("decommission-date", "decommission")):
        value = row.text(field)
        if value:
            tags[key] = value
    return tuple(sorted(tags.items()))


def sniff(sample: Sample) -> float:
    names = sample.columns
    return AZURE_MIGRATE_COLUMNS if "server name" in names and names & set(SIGNATURE[1:]) else 0.0


IMPORTER = IMPORTERS.register(Format(
    name=FORMAT, order=2, called="an Azure Migrate import CSV", parse=without_strict(parse), sniff=sniff,
    description="Azure Migrate import CSV (*Server name, *Cores, *Memory (In MB), *OS name, ...)"))
