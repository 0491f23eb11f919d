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
- Used space: the VM's partitions' consumed space (vPartition), else vInfo's `In Use`. RVTools 4.x
  writes `Disk Key` in vDisk and vPartition (as text or a number): each partition's space goes on
  the disk of that VM with its key (several partitions on one disk add up, capped at the disk's
  size; a disk without partitions uses 0). When a VM with several disks has a partition whose key
  is absent (older exports name only a drive letter or mount point in `Disk`), blank, or names
  none of its disks, its used space is spread over its disks in proportion to their size, and
  one warning naming the file and sheet counts those VMs by reason: never an error, even with
  `strict` (the key is optional evidence). Either way the VM's total is exact.
- Without vDisk, a VM gets one disk `all disks` of vInfo's total disk capacity (or provisioned space).
- Addresses: vInfo's primary IP first, then vNetwork's IPv4 addresses (comma lists), no duplicates.
- OS: VMware Tools' view, else the configuration file's.

Only vInfo is mandatory; the side sheets are optional evidence (real exports are anonymised
by search-and-replace, which can turn a side sheet's `VM` header cell into a site name):
- a side sheet that cannot be read, or whose header lacks a column it is read for (`VM` and
  `Capacity` in vDisk, `VM` and `Consumed` in vPartition, `VM` and `IPv4 Address` in vNetwork,
  `Host` in vHost), is skipped with one warning naming the sheet and the column; the VMs keep
  what vInfo says (one disk of vInfo's total capacity, used space from `In Use`, ...);
- a side-sheet row that cannot be read is a warning naming its row and column, and is left
  out; a VM that loses a vDisk row that way keeps vInfo's total capacity instead of a partial
  disk list, and one that loses a vPartition row keeps vInfo's `In Use`;
- in vInfo, a VM UUID or primary IP that cannot be read is a warning and the value is dropped
  (the planner does without them); any other problem in vInfo is an error: nothing is imported;
- `strict=True` (`--strict`) turns these warnings into errors.

Names and UUIDs inside one export:
- a VM name on several rows is several servers when something tells them apart: their VM
  UUIDs (with the vCenter), else their vCenter / datacenter / cluster (then host, folder),
  recorded as the tag `name-qualifier` that becomes part of their identity; a warning lists
  them. Rows alike in all of these are still kept apart (`#2`, `#3` in file order);
- a VM UUID on rows with different names or vCenters (clones, replicas, restored copies) is
  several servers, with a warning; the same name, UUID and vCenter twice is one VM listed
  twice: the later row is ignored with a warning.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Callable

from migrate.inventory.formats import Format
from migrate.inventory.importers import fields
from migrate.inventory.importers.os import normalise_os
from migrate.inventory.importers.registry import IMPORTERS, LAYOUT, RVTOOLS_COLUMNS, Sample
from migrate.inventory.importers.rvtools_vms import Owners, Vm, tell_apart
from migrate.inventory.importers.tabular import Columns, Row, Table, read_csv
from migrate.inventory.importers.workbook import open_workbook
from migrate.inventory.model import Disk, ParsedFile, Problem, Server
from migrate.inventory.tables.problems import Problems
from migrate.inventory.tables.text import kind_of

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
         "key": ("Disk Key",), "capacity": ("Capacity MiB", "Capacity MB"), "raw": ("Raw",), "sharing": ("Sharing mode",)}
VPARTITION = {"vm": ("VM",), "uuid": ("VM UUID",), "disk": ("Disk",), "key": ("Disk Key",),
              "capacity": ("Capacity MiB", "Capacity MB"), "consumed": ("Consumed MiB", "Consumed MB")}
VNETWORK = {"vm": ("VM",), "uuid": ("VM UUID",), "template": ("Template",), "ipv4": ("IPv4 Address", "IP Address")}
VHOST = {"host": ("Host",), "datacenter": ("Datacenter",), "cluster": ("Cluster",)}
_PLACE = {"vcenter": ("VI SDK Server",), "datacenter": ("Datacenter",), "cluster": ("Cluster",), "host": ("Host",)}
for _aliases in (VDISK, VPARTITION, VNETWORK):  # the common tail: which VM a row means when vInfo repeats a name
    _aliases.update(_PLACE)


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


SIDE_REQUIRED = {"vDisk": ("vm", "capacity"), "vPartition": ("vm", "consumed"), "vNetwork": ("vm", "ipv4"),
                 "vHost": ("host",)}
# Said without apostrophes: the terminal layer reads text between single quotes as a quoted value.
SIDE_FALLBACK = {"vDisk": "disk sizes come from the total capacity in vInfo",
                 "vPartition": "used space comes from In Use in vInfo",
                 "vNetwork": "addresses come from the primary IP in vInfo",
                 "vHost": "datacenter and cluster come from vInfo"}
WARNINGS_LISTED = 40
"""Side-sheet warnings listed one by one; the rest are counted."""


def parse(path: Path, display: str | None = None, *, strict: bool = False) -> ParsedFile:
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
        return _parse(sheets, display, problems, strict)
    if kind_of(path) == "text":  # a lone vInfo tab saved as CSV under another name
        sheets = _Sheets(("vInfo",), lambda tab, found: read_csv(path, found, display))
        return _parse(sheets, display, problems, strict)
    book = open_workbook(path, problems, display)
    if book is None:
        raise problems.error()
    try:
        sheets = _Sheets(book.sheet_names, book.table)
        vinfo = sheets.find("vInfo")
        if vinfo is None:
            problems.add(Problem(display, f"has no vInfo sheet, so it is not an RVTools export (sheets: "
                                          f"{', '.join(book.sheet_names[:10]) or 'none'})"))
            raise problems.error()
        # vInfo's bounds first (the verdict is kept for table()): the scan holds the GIL, so made while
        # the side sheets' thread scans theirs it only waited for them; made before, their scans
        # overlap calamine decoding vInfo, which releases the GIL.
        book.refusal(vinfo)
        book.prefetch(filter(None, (sheets.find(tab) for tab in ("vDisk", "vPartition", "vNetwork", "vHost"))))
        return _parse(sheets, display, problems, strict)
    finally:
        book.close()


def _parse(sheets: _Sheets, display: str, problems: Problems, strict: bool) -> ParsedFile:
    skipped = {"template": 0, "srm-placeholder": 0}
    warnings: list[str] = []
    side = Problems()  # side-sheet problems, and vInfo values the planner can do without: warnings
    vms = _read_vinfo(sheets.table("vInfo", problems), problems, skipped, warnings, side)
    if vms is None:
        raise problems.error()
    owners = Owners(vms)
    for tab, aliases, read in (("vDisk", VDISK, _read_disk), ("vPartition", VPARTITION, _read_partition),
                               ("vNetwork", VNETWORK, _read_network)):
        columns = _side_columns(sheets, tab, aliases, side)
        if columns is None:
            continue
        orphans = ambiguous = 0
        for row in columns.rows(side):
            if row.boolean("template") or (row.text("vm") is None):
                continue
            vm = owners.find(row)
            if vm is None or vm is Owners.AMBIGUOUS:
                orphans += vm is None
                ambiguous += vm is Owners.AMBIGUOUS
                continue
            if not read(row, vm):
                vm.incomplete.add(tab)
        if orphans:
            warnings.append(f"{tab}: {orphans} row(s) name VMs that are not servers in vInfo (templates, "
                            f"placeholders or unknown VMs); ignored")
        if ambiguous:
            warnings.append(f"{tab}: {ambiguous} row(s) name a VM that vInfo lists several times, with nothing "
                            f"in the row to tell which; ignored")
    columns = _side_columns(sheets, "vHost", VHOST, side)
    if columns is not None:
        _fill_from_hosts(columns, vms, side)
    if strict:
        for item in side.items:
            problems.add(replace(item, message=item.message.split("; sheet skipped")[0]))
        problems.count += side.count - len(side.items)  # counted beyond the list, as Problems does
    problems.raise_if_any()  # a bad vInfo (or, with strict, any side-sheet problem): nothing is imported
    warnings += _side_warnings(side)
    placed = {id(vm): _placement(vm) for vm in vms}
    unplaced = Counter(why for _, why in placed.values() if why)
    if unplaced:
        reasons = ", ".join(f"{count} {UNPLACED[why]}" for why, count in sorted(unplaced.items()))
        warnings.append(f"{display}, sheet vPartition: the used space of {sum(unplaced.values())} VM(s) with several "
                        f"disks is spread over their disks in proportion to size, not placed on the disk its "
                        f"partitions are on ({reasons})")
    servers = tuple(_server(vm, placed[id(vm)][0]) for vm in vms)
    return ParsedFile(path=display, format=FORMAT, servers=servers,
                      skipped={k: v for k, v in skipped.items() if v}, warnings=tuple(warnings))


def _side_columns(sheets: _Sheets, tab: str, aliases: dict, side: Problems) -> Columns | None:
    """A side sheet's columns, or None (with one problem naming the sheet and the column) when the
    sheet is absent, unreadable or lacks a column it is read for."""
    if sheets.find(tab) is None:
        return None
    count = side.count
    table = sheets.table(tab, side)
    if table is None:
        if side.count > count:  # unreadable: say what the import does without it
            side.items[-1:] = [replace(item, message=f"{item.message}; sheet skipped, {SIDE_FALLBACK[tab]}")
                               for item in side.items[-1:]]
        return None
    columns = Columns(table, aliases)
    missing = [columns.label[f] for f in SIDE_REQUIRED[tab] if f not in columns]
    if missing:
        side.add(table.problem(f"the header has no {' or '.join(repr(m) for m in missing)} column (anonymised or "
                               f"from another tool?); sheet skipped, {SIDE_FALLBACK[tab]}",
                               row=table.header_row, column=missing[0]))
        return None
    return columns


def _side_warnings(side: Problems) -> list[str]:
    listed = []
    for item in side.items[:WARNINGS_LISTED]:
        where = ", ".join(filter(None, (f"sheet {item.sheet}" if item.sheet else None,
                                        f"row {item.row}" if item.row is not None and "sheet skipped" not in
                                        item.message else None,
                                        f"column {item.column!r}" if item.column else None)))
        if item.file and item.sheet is None:  # a CSV tab file: its own name locates it
            where = ", ".join(filter(None, (Path(item.file).name, where)))
        suffix = "" if "sheet skipped" in item.message or item.row is None or item.sheet == "vInfo" \
            else "; row left out"
        listed.append(f"{where}: {item.message}{suffix}")
    if side.count > len(listed):
        listed.append(f"{side.count - len(listed)} more side-sheet warning(s) not listed")
    return listed


def _read_vinfo(table: Table | None, problems: Problems, skipped: dict[str, int],
                warnings: list[str], soft: Problems) -> list[Vm] | None:
    if table is None:
        return None
    columns = Columns(table, VINFO)
    if not columns.require(["vm"], problems):
        return None
    vms: list[Vm] = []
    for row in columns.rows(problems):
        if row.boolean("template"):
            skipped["template"] += 1
            continue
        if row.boolean("srm"):
            skipped["srm-placeholder"] += 1
            continue
        vm = _vm(row, soft)
        if vm is not None:
            vms.append(vm)  # kept even with problems, so its disks and addresses are checked too
    return tell_apart(vms, warnings)


def _vm(row: Row, soft: Problems) -> Vm | None:
    """The VM of a vInfo row; a bad VM UUID or primary IP (the planner can do without them) goes to
    `soft` as a warning and the value is dropped, anything else the planner reads is an error."""
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
        _soft(row, "uuid", str(error), soft)
    os_info = normalise_os(row.text("os_tools") or row.text("os_config"))
    server.update(os_family=os_info.family, os_name=os_info.name, os_version=os_info.version)
    vcenter = row.text("vcenter")
    if vcenter:
        server["tags"] = (("vcenter", vcenter),)
    vm = Vm(row=row.number, server=server, place={"vcenter": vcenter, **{key: server[key] for key in
                                                                          ("datacenter", "cluster", "host", "folder")}})
    try:
        vm.ips.extend(fields.ip_list(row.text("primary_ip")))
    except ValueError as error:
        _soft(row, "primary_ip", str(error), soft)
    total = row.numeric("total_disk", maximum=MAX_DISK_MB) if row.has("total_disk") else None
    if total is None:
        total = row.numeric("provisioned", maximum=MAX_DISK_MB)
    vm.total_gb = None if total is None else total / MIB_PER_GB
    in_use = row.numeric("in_use", maximum=MAX_DISK_MB)
    vm.in_use_gb = None if in_use is None else in_use / MIB_PER_GB
    return vm


def _soft(row: Row, field: str, message: str, soft: Problems) -> None:
    soft.add(row.columns.table.problem(f"{message}; value ignored", row=row.number,
                                       column=row.columns.label.get(field, field)))


def _read_disk(row: Row, vm: Vm) -> bool:
    capacity = row.numeric("capacity", maximum=MAX_DISK_MB, required=True)
    if capacity is None:
        return False
    sharing = (row.text("sharing") or "").casefold().replace("-", "").replace(" ", "")
    shared = "multiwriter" in sharing or bool(row.boolean("raw"))
    label = row.text("disk", limit=200) or f"disk {len(vm.disks) + 1}"
    vm.disks.append((label, capacity / MIB_PER_GB, shared))
    vm.disk_keys.append(_disk_key(row))
    return row.ok


def _read_partition(row: Row, vm: Vm) -> bool:
    consumed = row.numeric("consumed", maximum=MAX_DISK_MB)
    if consumed is not None:
        vm.consumed_gb = (vm.consumed_gb or 0.0) + consumed / MIB_PER_GB
        vm.partitions.append((_disk_key(row), consumed / MIB_PER_GB))
    return row.ok


def _disk_key(row: Row) -> str | None:
    """A row's `Disk Key` as text (2000 and "2000" alike): None without the column, "" when blank."""
    if not row.has("key"):
        return None
    return row.text("key", limit=64) or ""


def _read_network(row: Row, vm: Vm) -> bool:
    try:
        addresses = fields.ip_list(row.text("ipv4", limit=4096))
    except ValueError as error:
        row.problem("ipv4", str(error))
        return False
    vm.ips.extend(a for a in addresses if a not in vm.ips)
    return True


def _fill_from_hosts(columns: Columns, vms: list[Vm], problems: Problems) -> None:
    hosts = {}
    for row in columns.rows(problems):
        host = row.text("host")
        if host:
            hosts[host.casefold()] = (row.text("datacenter"), row.text("cluster"))
    for vm in vms:
        host = vm.server.get("host")
        if host and host.casefold() in hosts:
            datacenter, cluster = hosts[host.casefold()]
            vm.server["datacenter"] = vm.server.get("datacenter") or datacenter
            vm.server["cluster"] = vm.server.get("cluster") or cluster


UNPLACED = {"column": "for want of a Disk Key column in vDisk or vPartition",
            "blank": "with a partition whose Disk Key is blank",
            "unknown": "with a partition whose Disk Key matches none of the VM disks in vDisk"}


def _placement(vm: Vm) -> tuple[list[float] | None, str | None]:
    """The consumed GB of each of the VM's vDisk disks, summed from the partitions whose `Disk Key`
    names it, or None and why not. The why is None when placing would change nothing (at most one
    disk) or the used space comes from elsewhere (a partial vDisk or vPartition: vInfo's figures)."""
    if not vm.partitions or len(vm.disks) < 2 or vm.incomplete & {"vDisk", "vPartition"}:
        return None, None
    if None in vm.disk_keys or any(key is None for key, _ in vm.partitions):
        return None, "column"
    index: dict[str, int | None] = {}
    for number, key in enumerate(vm.disk_keys):
        if key:
            index[key] = None if key in index else number  # the same key on two disks names neither
    used = [0.0] * len(vm.disks)
    for key, consumed in vm.partitions:
        if not key:
            return None, "blank"
        disk = index.get(key)
        if disk is None:
            return None, "unknown"
        used[disk] += consumed
    return used, None


def _server(vm: Vm, placed: list[float] | None = None) -> Server:
    disks = vm.disks if "vDisk" not in vm.incomplete or not vm.total_gb else []  # partial: vInfo's total instead
    sizes = disks or ([("all disks", vm.total_gb, False)] if vm.total_gb else [])
    consumed = vm.consumed_gb if "vPartition" not in vm.incomplete else None
    used = consumed if consumed is not None else vm.in_use_gb
    total = sum(size for _, size, _ in sizes)
    made: list[Disk] = []
    for number, (label, size, shared) in enumerate(sizes):
        share = None
        if placed is not None:  # on the disk its partitions are on (a disk can hold no more than its size)
            share = round(min(size, placed[number]), 3)
        elif used is not None and total > 0:  # spread in proportion to size: the VM's total is exact
            share = round(min(size, used * size / total), 3)
        made.append(Disk(label=label, size_gb=round(size, 3), used_gb=share, shared=shared))
    return Server(**vm.server, ips=tuple(vm.ips), disks=tuple(made))


def sniff(sample: Sample) -> float:
    """Certain from the layout (a directory or file of RVTools tab CSVs, a vInfo sheet), else from
    vInfo's columns."""
    if sample.kind == "directory":
        return LAYOUT if any(tab.casefold() == "vinfo" for tab in csv_set(sample.path)) else 0.0
    if CSV_NAME.fullmatch(sample.path.name) or sample.has_sheet("vInfo"):
        return LAYOUT
    names = sample.columns
    return RVTOOLS_COLUMNS if "vm" in names and names & _VINFO_MARKS else 0.0


_VINFO_MARKS = {"powerstate", "cpus", "os according to the vmware tools", "template"}
IMPORTER = IMPORTERS.register(Format(
    name=FORMAT, order=1, called="an RVTools export", parse=parse, sniff=sniff,
    description="RVTools .xlsx, or its CSV export (RVTools_tabvInfo.csv and siblings: give the directory or "
                "any tab file)"))
