"""ServiceNow CMDB server exports (`cmdb_ci_server`, and its Windows/Linux subclasses), CSV or xlsx.

ServiceNow exports either field names (`name`, `ip_address`, `cpu_core_count`, ...) or labels
(`Name`, `IP Address`, `CPU core count`, ...); both are read:

| Field (label) | Server field |
|---|---|
| `name` (Name), mandatory | name (an FQDN is split) |
| `fqdn` (Fully qualified domain name, FQDN) | fqdn |
| `ip_address` (IP Address) | ips |
| `os` (Operating System), `os_version` (OS Version) | os_family, os_name, os_version (normalised) |
| `cpu_count` (CPU count), `cpu_core_count` (CPU core count) | cores = CPUs × cores per CPU (ServiceNow's core count is per CPU); either alone when the other is empty |
| `ram` (RAM (MB)) | memory_mb |
| `disk_space` (Disk space (GB)) | one disk `disk space` |
| `virtual` (Virtual), `manufacturer`, `model_id` | hypervisor: `physical` when not virtual; `vmware` / `hyper-v` when the model says so |
| `used_for` (Used for) | environment (Production → prd, QA/Test/Staging → tst, Development → dev, Training → trn, Disaster recovery → dr, Demonstration → poc) |
| `assigned_to` (Assigned to), else `owned_by` | owner |
| `location` (Location) | datacenter |
| `operational_status` / `install_status` Retired (6 / 7) | row skipped (`skipped["retired"]`) |
| `sys_id`, `serial_number`, `support_group`, `sys_class_name`, `u_*` custom fields | tags |
"""

from __future__ import annotations

from pathlib import Path

from migrate.inventory.formats import Format
from migrate.inventory.importers import fields
from migrate.inventory.importers.os import normalise_os
from migrate.inventory.importers.registry import IMPORTERS, Sample, signature_score, without_strict
from migrate.inventory.importers.table_files import open_columns
from migrate.inventory.importers.tabular import Row, to_bool, to_text
from migrate.inventory.model import Disk, ParsedFile, Server
from migrate.inventory.tables.delimited import normalise_header

FORMAT = "cmdb"
MAX_CORES = 8192
MAX_MEMORY_MB = 64 * 1024 * 1024
MAX_DISK_GB = 100 * 1024 * 1024

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "Name"),
    "fqdn": ("fqdn", "Fully qualified domain name", "FQDN"),
    "ip": ("ip_address", "IP Address"),
    "os": ("os", "Operating System"),
    "os_version": ("os_version", "OS Version"),
    "cpu_count": ("cpu_count", "CPU count"),
    "core_count": ("cpu_core_count", "CPU core count"),
    "ram": ("ram", "RAM (MB)", "RAM"),
    "disk_space": ("disk_space", "Disk space (GB)", "Disk space"),
    "virtual": ("virtual", "Virtual", "Is virtual"),
    "manufacturer": ("manufacturer", "Manufacturer"),
    "model": ("model_id", "Model ID", "Model"),
    "used_for": ("used_for", "Used for"),
    "assigned_to": ("assigned_to", "Assigned to"),
    "owned_by": ("owned_by", "Owned by"),
    "location": ("location", "Location"),
    "operational_status": ("operational_status", "Operational status"),
    "install_status": ("install_status", "Install Status", "Status"),
}
TAG_COLUMNS = {"sys_id": ("sys_id", "Sys ID"), "serial_number": ("serial_number", "Serial number"),
               "support_group": ("support_group", "Support group"), "class": ("sys_class_name", "Class")}
KNOWN_UNUSED = {"os_service_pack", "os service pack", "cpu_speed", "cpu speed (mhz)", "cpu speed", "cpu_type",
                "cpu type", "cpu_name", "cpu name", "cpu_manufacturer", "cpu manufacturer", "short_description",
                "description", "sys_updated_on", "updated", "sys_created_on", "created", "company", "department",
                "domain", "dns_domain", "dns domain", "mac_address", "mac address", "discovery_source",
                "discovery source", "most_recent_discovery", "most recent discovery", "asset_tag", "asset tag"}
SIGNATURE_FIELDS = {"sys_id", "sys_class_name", "ip_address", "cpu_core_count", "cpu_count", "ram", "disk_space",
                    "os_version", "used_for", "operational_status", "install_status", "assigned_to"}
SIGNATURE_LABELS = {"ip address", "cpu core count", "cpu count", "ram (mb)", "operating system", "os version",
                    "disk space (gb)", "used for", "operational status", "assigned to"}
"""Normalised headers that mark a CMDB export (for auto-detection)."""

USED_FOR = {"production": "prd", "staging": "tst", "qa": "tst", "test": "tst", "development": "dev",
            "demonstration": "poc", "training": "trn", "disaster recovery": "dr"}
RETIRED = {"retired", "6", "7"}


def parse(path: Path, display: str | None = None) -> ParsedFile:
    display = display or str(path)
    problems, table, columns = open_columns(path, display, {**COLUMNS, **TAG_COLUMNS}, ["name"])
    custom, dropped = fields.without_credentials(
        [(i, h) for i, h in enumerate(table.header) if normalise_header(h).startswith("u_")])
    servers: list[Server] = []
    skipped = {"retired": 0}
    unknown_used_for: set[str] = set()
    seen = fields.Duplicates()
    notes: list[str] = []
    for row in columns.rows(problems):
        if _retired(row):
            skipped["retired"] += 1
            continue
        server = _server(row, custom, unknown_used_for, notes)
        if server is not None:
            fields.add_unique(servers, server, row, seen)
    problems.raise_if_any()
    warnings = list(dropped)
    ignored = [h for h in columns.unused
               if not normalise_header(h).startswith("u_") and normalise_header(h) not in KNOWN_UNUSED]
    if ignored:
        warnings.append(f"columns not recognised, ignored: {', '.join(ignored)}")
    if unknown_used_for:
        warnings.append(f"'used for' values not mapped to an environment: {', '.join(sorted(unknown_used_for))}")
    warnings += notes[:50] + ([f"{len(notes) - 50} more values ignored the same way"] if len(notes) > 50 else [])
    return ParsedFile(path=display, format=FORMAT, servers=tuple(servers),
                      skipped={k: v for k, v in skipped.items() if v}, warnings=tuple(warnings))


def _retired(row: Row) -> bool:
    return any((row.text(f) or "").casefold() in RETIRED for f in ("operational_status", "install_status"))


def _optional(row: Row, field: str, read, notes: list[str]):
    text = row.text(field, limit=4096)
    try:
        return read(text) if text else None
    except ValueError as error:
        notes.append(f"row {row.number}, column {row.columns.label.get(field, field)!r}: {error}; value ignored")
        return None


def _server(row: Row, custom: list[tuple[int, str]], unknown_used_for: set[str], notes: list[str]) -> Server | None:
    try:
        name, split_fqdn = fields.host_name(row.text("name", limit=255))
    except ValueError as error:
        row.problem("name", str(error))
        return None
    # The FQDN and addresses help find the server, the planner does without them: a bad one is a
    # warning (row, column) and is dropped.
    fqdn = _optional(row, "fqdn", lambda text: fields.fqdn(text), notes) or split_fqdn
    ips = _optional(row, "ip", lambda text: fields.ip_list(text), notes) or ()
    os_info = normalise_os(row.text("os"), row.text("os_version"))
    cpus = row.numeric("cpu_count", minimum=1, maximum=MAX_CORES, integer=True)
    per_cpu = row.numeric("core_count", minimum=1, maximum=MAX_CORES, integer=True)
    cores = cpus * per_cpu if cpus and per_cpu else (per_cpu or cpus)
    if cores is not None and cores > MAX_CORES:
        row.problem("core_count", f"{cpus} CPUs × {per_cpu} cores is implausibly many (at most {MAX_CORES})")
        cores = None
    memory = row.numeric("ram", maximum=MAX_MEMORY_MB)
    disk = row.numeric("disk_space", maximum=MAX_DISK_GB)
    used_for = row.text("used_for")
    environment = None
    if used_for:
        try:
            environment = USED_FOR.get(used_for.casefold()) or fields.environment(used_for)
        except ValueError:
            unknown_used_for.add(used_for[:40])
    tags = {key: row.text(key) for key in TAG_COLUMNS}
    for index, header in custom:
        text = to_text(row.cells[index]) if index < len(row.cells) else None
        if text:
            tags[header.strip()] = text[:1024]
    return Server(
        name=name, fqdn=fqdn, ips=ips, os_family=os_info.family, os_name=os_info.name, os_version=os_info.version,
        cores=cores, memory_mb=None if memory is None else int(round(memory)),
        disks=(Disk(label="disk space", size_gb=disk),) if disk else (), hypervisor=_hypervisor(row, notes),
        datacenter=row.text("location"), sources=(FORMAT,), environment=environment,
        owner=row.text("assigned_to") or row.text("owned_by"),
        tags=tuple(sorted((k, v) for k, v in tags.items() if v)),
    )


def _hypervisor(row: Row, notes: list[str]) -> str | None:
    model = " ".join(filter(None, (row.text("manufacturer"), row.text("model")))).casefold()
    if "vmware" in model:
        return "vmware"
    if "virtual machine" in model and "microsoft" in model:
        return "hyper-v"
    try:
        virtual = to_bool(row.raw("virtual"))
    except ValueError as error:
        notes.append(f"row {row.number}, column {row.columns.label.get('virtual', 'virtual')!r}: {error}; "
                     f"value ignored")
        return None
    return "physical" if virtual is False else None


def sniff(sample: Sample) -> float:
    """More of a ServiceNow export's columns, higher; a header without `name` or `sys_id` is not one."""
    names = sample.columns
    if not names & {"name", "sys_id"}:
        return 0.0
    return signature_score(len(names & (SIGNATURE_FIELDS | SIGNATURE_LABELS)))


IMPORTER = IMPORTERS.register(Format(
    name=FORMAT, order=3, called="a ServiceNow export", parse=without_strict(parse), sniff=sniff,
    description="ServiceNow cmdb_ci_server export, field names or labels"))
