"""RVTools exports: an `.xlsx` with one sheet per tab, or `RVTools_tab<tab>.csv` files in one directory.

Sheets read: vInfo (required: one row per VM), and when present vDisk (disks), vPartition
(space used inside the guest), vNetwork (addresses) and vHost (fills a VM's datacenter and
cluster from its host when vInfo lacks them). Headers of RVTools 4.x (`MiB`) and older
versions (`MB`) are both understood; both units are binary megabytes, so sizes divide by 1024
for GB.

- Templates are skipped (counted in `skipped["template"]`), as are SRM placeholder VMs
  (`skipped["srm-placeholder"]`: the protected VM itself is in the export of its own site).
- Powered-off VMs are kept with power state `off` (they are retire candidates, not noise).
- A disk is shared when its sharing mode is multi-writer or it is a raw device mapping.
- Used space: the VM's partitions' consumed space (vPartition), else vInfo's `In Use`, spread
  over its disks in proportion to their size (RVTools does not say which partition sits on
  which disk); the VM's total is exact.
- Without vDisk, a VM gets one disk `all disks` of vInfo's total disk capacity (or provisioned space).
- Addresses: vInfo's primary IP first, then vNetwork's IPv4 addresses (comma lists), no duplicates.
- OS: VMware Tools' view, else the configuration file's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from migrate.inventory.importers import fields
from migrate.inventory.importers.os import normalise_os
from migrate.inventory.importers.tabular import Columns, Problems, Row, Table, kind_of, read_csv
from migrate.inventory.importers.workbook import open_workbook
from migrate.inventory.model import Disk, ParsedFile, Problem, Server

FORMAT = "rvtools"
CSV_NAME = re.compile(r"rvtools_tab(v\w+)\.csv", re.IGNORECASE)
MIB_PER_GB = 1024
MAX_CORES = 4096
MAX_MEMORY_MB = 64 * 1024 * 1024          # 64 TiB, far above any VM
MAX_DISK_MB = 1024 * 1024 * 1024          # 1 PiB

VINFO = {
    "vm": ("VM",),
    "power": ("Powerstate", "Power state"),
    "template": ("Template",),
    "srm": ("SRM Placeholder",),
    "dns": ("DNS Name",),
    "cpus": ("CPUs", "Num CPU"),
    "memory": ("Memory", "Memory MiB", "Memory MB"),
    "primary_ip": ("Primary IP Address",),
    "folder": ("Folder",),
    "firmware": ("Firmware",),
    "datacenter": ("Datacenter",),
    "cluster": ("Cluster",),
    "host": ("Host",),
    "os_config": ("OS according to the configuration file",),
    "os_tools": ("OS according to the VMware Tools",),
    "uuid": ("VM UUID",),
    "total_disk": ("Total disk capacity MiB", "Total disk capacity MB"),
    "provisioned": ("Provisioned MiB", "Provisioned MB"),
    "in_use": ("In Use MiB", "In Use MB"),
    "vcenter": ("VI SDK Server",),
}
VDISK = {"vm": ("VM",), "uuid": ("VM UUID",), "template": ("Template",), "disk": ("Disk", "Label"),
         "capacity": ("Capacity MiB", "Capacity MB"), "raw": ("Raw",), "sharing": ("Sharing mode",)}
VPARTITION = {"vm": ("VM",), "uuid": ("VM UUID",), "disk": ("Disk",),
              "capacity": ("Capacity MiB", "Capacity MB"), "consumed": ("Consumed MiB", "Consumed MB")}
VNETWORK = {"vm": ("VM",), "uuid": ("VM UUID",), "template": ("Template",), "ipv4": ("IPv4 Address", "IP Address")}
VHOST = {"host": ("Host",), "datacenter": ("Datacenter",), "cluster": ("Cluster",)}


@dataclass
class _Vm:
    """A VM being assembled from the sheets."""

    row: int
    server: dict
    disks: list[tuple[str, float, bool]] = field(default_factory=list)
    consumed_gb: float | None = None
    in_use_gb: float | None = None
    total_gb: float | None = None
    ips: list[str] = field(default_factory=list)


class _Sheets:
    """Where the tabs come from: a workbook's sheets, or sibling CSV files."""

    def __init__(self, names: tuple[str, ...], read: Callable[[str, Problems], Table | None]):
        self.names = names
        self._read = read

    def find(self, tab: str) -> str | None:
        return next((n for n in self.names if n.strip().casefold() == tab.casefold()), None)

    def table(self, tab: str, problems: Problems) -> Table | None:
        name = self.find(tab)
        return None if name is None else self._read(name, problems)


def csv_set(path: Path) -> dict[str, Path]:
    """The RVTools tab CSVs that belong with `path` (a directory or any one tab file), by tab name."""
    directory = path if path.is_dir() else path.parent
    if not path.is_dir() and not CSV_NAME.fullmatch(path.name):
        return {}
    found: dict[str, Path] = {}
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return {}
    for entry in entries:
        match = CSV_NAME.fullmatch(entry.name)
        if match and entry.is_file():
            found.setdefault(match.group(1), entry)
    return found


def parse(path: Path, display: str | None = None) -> ParsedFile:
    display = display or str(path)
    problems = Problems()
    if path.is_dir() or CSV_NAME.fullmatch(path.name):
        tabs = csv_set(path)
        if not any(tab.casefold() == "vinfo" for tab in tabs):
            where = path if path.is_dir() else path.parent
            problems.add(Problem(display, f"no RVTools_tabvInfo.csv in {where} (RVTools CSV exports need the "
                                          f"vInfo tab)"))
            raise problems.error()
        sheets = _Sheets(tuple(tabs), lambda tab, found: read_csv(tabs[tab], found, str(tabs[tab])))
        return _parse(sheets, display, problems)
    if kind_of(path) == "text":  # a lone vInfo tab saved as CSV under another name
        sheets = _Sheets(("vInfo",), lambda tab, found: read_csv(path, found, display))
        return _parse(sheets, display, problems)
    book = open_workbook(path, problems, display)
    if book is None:
        raise problems.error()
    try:
        sheets = _Sheets(book.sheet_names, book.table)
        if sheets.find("vInfo") is None:
            problems.add(Problem(display, f"has no vInfo sheet, so it is not an RVTools export (sheets: "
                                          f"{', '.join(book.sheet_names[:10]) or 'none'})"))
            raise problems.error()
        book.prefetch(filter(None, (sheets.find(tab) for tab in ("vDisk", "vPartition", "vNetwork", "vHost"))))
        return _parse(sheets, display, problems)
    finally:
        book.close()


def _parse(sheets: _Sheets, display: str, problems: Problems) -> ParsedFile:
    skipped = {"template": 0, "srm-placeholder": 0}
    warnings: list[str] = []
    vms = _read_vinfo(sheets.table("vInfo", problems), problems, skipped)
    if vms is None:
        raise problems.error()
    by_name = {name.casefold(): vm for name, vm in vms.items()}
    by_uuid = {vm.server["vm_uuid"]: vm for vm in vms.values() if vm.server.get("vm_uuid")}

    def owner(row: Row) -> _Vm | None:
        name = row.text("vm")
        found = by_name.get(name.casefold()) if name else None
        if found is None:  # renamed since vInfo was read? the UUID still tells
            try:
                found = by_uuid.get(fields.vm_uuid(row.text("uuid")) or "")
            except ValueError:
                found = None
        return found

    for tab, aliases, read in (("vDisk", VDISK, _read_disk), ("vPartition", VPARTITION, _read_partition),
                               ("vNetwork", VNETWORK, _read_network)):
        table = sheets.table(tab, problems)
        if table is None:
            continue
        columns = Columns(table, aliases)
        if not columns.require(["vm"], problems):
            continue
        orphans = 0
        for row in columns.rows(problems):
            if row.boolean("template") or (row.text("vm") is None):
                continue
            vm = owner(row)
            if vm is None:
                orphans += 1
                continue
            read(row, vm)
        if orphans:
            warnings.append(f"{tab}: {orphans} row(s) name VMs that are not servers in vInfo (templates, "
                            f"placeholders or unknown VMs); ignored")
    _fill_from_hosts(sheets.table("vHost", problems), vms, problems)
    problems.raise_if_any()
    servers = tuple(_server(vm) for vm in vms.values())
    return ParsedFile(path=display, format=FORMAT, servers=servers,
                      skipped={k: v for k, v in skipped.items() if v}, warnings=tuple(warnings))


def _read_vinfo(table: Table | None, problems: Problems, skipped: dict[str, int]) -> dict[str, _Vm] | None:
    if table is None:
        return None
    columns = Columns(table, VINFO)
    if not columns.require(["vm"], problems):
        return None
    vms: dict[str, _Vm] = {}
    names, uuids = fields.Duplicates(), fields.Duplicates()
    for row in columns.rows(problems):
        if row.boolean("template"):
            skipped["template"] += 1
            continue
        if row.boolean("srm"):
            skipped["srm-placeholder"] += 1
            continue
        vm = _vm(row)
        if vm is None:
            continue
        name = vm.server["name"]
        first = names.seen(name, row.number)
        if first is not None:
            row.problem("vm", f"duplicate VM name {name!r} (first on row {first})")
            continue
        uuid = vm.server.get("vm_uuid")
        if uuid:
            first = uuids.seen(uuid, row.number)
            if first is not None:
                row.problem("uuid", f"duplicate VM UUID {uuid} (first on row {first})")
                continue
        vms[name] = vm  # kept even with problems, so its disks and addresses are checked too
    return vms


def _vm(row: Row) -> _Vm | None:
    try:
        name, dns_fqdn = fields.host_name(row.text("vm", limit=255))
    except ValueError as error:
        row.problem("vm", str(error))
        return None
    server: dict = {"name": name, "hypervisor": "vmware", "sources": (FORMAT,)}
    dns = row.text("dns", limit=255)
    try:  # the guest's own idea of its name: informative only, so a malformed one is not an error
        server["fqdn"] = fields.fqdn(dns) if dns and "." in dns else dns_fqdn
    except ValueError:
        server["fqdn"] = dns_fqdn
    try:
        server["power_state"] = fields.power_state(row.text("power"))
    except ValueError as error:
        row.problem("power", str(error))
    server["cores"] = row.numeric("cpus", integer=True, maximum=MAX_CORES)
    memory = row.numeric("memory", maximum=MAX_MEMORY_MB)
    server["memory_mb"] = None if memory is None else int(round(memory))
    for key in ("folder", "datacenter", "cluster", "host"):
        server[key] = row.text(key)
    server["firmware"] = fields.firmware(row.text("firmware"))
    try:
        server["vm_uuid"] = fields.vm_uuid(row.text("uuid"))
    except ValueError as error:
        row.problem("uuid", str(error))
    os_info = normalise_os(row.text("os_tools") or row.text("os_config"))
    server.update(os_family=os_info.family, os_name=os_info.name, os_version=os_info.version)
    vcenter = row.text("vcenter")
    if vcenter:
        server["tags"] = (("vcenter", vcenter),)
    vm = _Vm(row=row.number, server=server)
    try:
        vm.ips.extend(fields.ip_list(row.text("primary_ip")))
    except ValueError as error:
        row.problem("primary_ip", str(error))
    total = row.numeric("total_disk", maximum=MAX_DISK_MB) if row.has("total_disk") else None
    if total is None:
        total = row.numeric("provisioned", maximum=MAX_DISK_MB)
    vm.total_gb = None if total is None else total / MIB_PER_GB
    in_use = row.numeric("in_use", maximum=MAX_DISK_MB)
    vm.in_use_gb = None if in_use is None else in_use / MIB_PER_GB
    return vm


def _read_disk(row: Row, vm: _Vm) -> None:
    capacity = row.numeric("capacity", maximum=MAX_DISK_MB, required=True)
    if capacity is None:
        return
    sharing = (row.text("sharing") or "").casefold().replace("-", "").replace(" ", "")
    shared = "multiwriter" in sharing or bool(row.boolean("raw"))
    label = row.text("disk", limit=200) or f"disk {len(vm.disks) + 1}"
    vm.disks.append((label, capacity / MIB_PER_GB, shared))


def _read_partition(row: Row, vm: _Vm) -> None:
    consumed = row.numeric("consumed", maximum=MAX_DISK_MB)
    if consumed is not None:
        vm.consumed_gb = (vm.consumed_gb or 0.0) + consumed / MIB_PER_GB


def _read_network(row: Row, vm: _Vm) -> None:
    try:
        addresses = fields.ip_list(row.text("ipv4", limit=4096))
    except ValueError as error:
        row.problem("ipv4", str(error))
        return
    vm.ips.extend(a for a in addresses if a not in vm.ips)


def _fill_from_hosts(table: Table | None, vms: dict[str, _Vm], problems: Problems) -> None:
    if table is None:
        return
    columns = Columns(table, VHOST)
    if "host" not in columns:
        return
    hosts = {}
    for row in columns.rows(problems):
        host = row.text("host")
        if host:
            hosts[host.casefold()] = (row.text("datacenter"), row.text("cluster"))
    for vm in vms.values():
        host = vm.server.get("host")
        if host and host.casefold() in hosts:
            datacenter, cluster = hosts[host.casefold()]
            vm.server["datacenter"] = vm.server.get("datacenter") or datacenter
            vm.server["cluster"] = vm.server.get("cluster") or cluster


def _server(vm: _Vm) -> Server:
    sizes = vm.disks or ([("all disks", vm.total_gb, False)] if vm.total_gb else [])
    used = vm.consumed_gb if vm.consumed_gb is not None else vm.in_use_gb
    total = sum(size for _, size, _ in sizes)
    disks = []
    for label, size, shared in sizes:
        share = None
        if used is not None and total > 0:
            share = round(min(size, used * size / total), 3)
        disks.append(Disk(label=label, size_gb=round(size, 3), used_gb=share, shared=shared))
    return Server(**vm.server, ips=tuple(vm.ips), disks=tuple(disks))
