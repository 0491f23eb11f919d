"""Writing a generated estate as the files a hospital hands over.

- `rvtools-export.xlsx`: the VMware VMs (RVTools 4.x, see `rvtools`);
- `azure-migrate-import.csv`: physical and Hyper-V servers in Azure Migrate's import template;
- `application-mapping.csv`: server,application,environment,tier,data_classification,owner
  (+ business_unit), for the servers the application owners have mapped;
- `azure-migrate-dependencies.csv`: Azure Migrate's agentless dependency export, 6-hour slots.

Import order for a workspace: the two inventories, then the mapping (it names their servers),
then the dependencies.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime, timedelta
from pathlib import Path

from migrate.estate.blueprint import OS, PROCESS_APPLICATION
from migrate.estate.flows import START, observations
from migrate.estate.model import Estate
from migrate.estate.rvtools import write_rvtools
from migrate.reports.cells import csv_cell

RVTOOLS = "rvtools-export.xlsx"
AZURE_MIGRATE = "azure-migrate-import.csv"
MAPPING = "application-mapping.csv"
DEPENDENCIES = "azure-migrate-dependencies.csv"
FILES = (RVTOOLS, AZURE_MIGRATE, MAPPING, DEPENDENCIES)
"""In import order."""

AZURE_MIGRATE_HEADER = (
    "*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version", "OS architecture",
    "CPU utilization percentage", "Memory utilization percentage", "Network adapters", "Network In throughput",
    "Network Out throughput", "Boot type", "Number of disks",
    *(f"Disk {n} {what}" for n in range(1, 9) for what in (
        "size (In GB)", "read throughput (MB per second)", "write throughput (MB per second)",
        "read ops (operations per second)", "write ops (operations per second)")),
    "Server type", "Hypervisor", "Hypervisor version number", "Virtual machine ID", "Virtual machine manager ID",
    "MAC address", "BIOS ID", "Custom server ID",
    *(f"Application {n} {what}" for n in range(1, 6) for what in ("name", "type", "version", "license expiry")),
    "Business unit", "Business owner", "Business application name", "Location", "Server decommission date",
)
MAPPING_HEADER = ("server", "application", "environment", "tier", "data_classification", "owner", "business_unit")
DEPENDENCY_HEADER = ("Time slot", "Source server name", "Source IP", "Source application", "Source process",
                     "Destination server name", "Destination IP", "Destination application", "Destination process",
                     "Destination port")


def azure_migrate_rows(estate: Estate):
    for server in sorted((s for s in estate.servers if s.platform != "vmware"), key=lambda s: s.name.lower()):
        system = OS[server.os]
        disks: list[float | str] = []  # five figures for each of eight disks, blank for the disks it lacks
        for disk in server.disks[:8]:
            busy = 1 if server.environment == "prd" else 0.2
            size = disk.size_gb
            disks += [size, round(size / 200 * busy, 1), round(size / 400 * busy, 1), round(size / 20 * busy),
                      round(size / 40 * busy)]
        disks += [""] * (40 - len(disks))
        hyperv = server.platform == "hyperv"
        yield [server.name, server.ip, server.cpus, server.memory_gb * 1024, system.azure_name, system.version, "x64",
               server.cpu_utilization, server.memory_utilization, 1, round(server.cpu_utilization * 1.7, 1),
               round(server.cpu_utilization * 0.9, 1), "UEFI" if server.firmware == "efi" else "BIOS",
               len(server.disks), *disks, "Virtual" if hyperv else "Physical", "Hyper-V" if hyperv else "",
               "10.0.17763" if hyperv else "", server.vm_uuid if hyperv else "", "", server.mac.replace(":", "-").upper(),
               server.smbios_uuid.upper(), "", server.application or "", "", "", "", *([""] * 16),
               server.business_unit or "", server.owner or "", server.application or "",
               "Riverbend DR Site" if server.datacenter == "RBH-DR" else "Riverbend Main Campus", ""]


def mapping_rows(estate: Estate):
    for server in sorted((s for s in estate.servers if s.mapped), key=lambda s: s.name.lower()):
        yield [server.name, server.application, server.environment, server.tier, server.classification,
               server.owner or "", server.business_unit or ""]


def dependency_rows(estate: Estate):
    servers = estate.by_name()

    def end(name: str, ip: str, process: str) -> list[str]:
        # Agentless discovery names only the VMware VMs it polls; anything else is an address.
        if name and servers[name].platform == "vmware":
            return [name, ip, PROCESS_APPLICATION.get(process, ""), process]
        return ["", ip, "", ""]

    for slot, connection in observations(estate):
        start = datetime.combine(START, datetime.min.time()) + timedelta(hours=6 * slot)
        period = f"{start:%Y-%m-%d %H:%M} - {start + timedelta(hours=6):%Y-%m-%d %H:%M}"
        yield [period, *end(connection.source, connection.source_ip, connection.client_process),
               *end(connection.destination, connection.destination_ip, connection.server_process), connection.port]


def _temporary(path: Path) -> Path:
    # A plain open() (not mkstemp's 0600) so the files get the user's usual permissions.
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _write_csv(path: Path, header: tuple[str, ...], rows) -> None:
    """Stream rows into a temporary file beside `path`, then rename it into place."""
    tmp = _temporary(path)
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows([csv_cell(value) for value in row] for row in rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_estate(estate: Estate, directory: Path) -> list[Path]:
    """Write the four files into `directory` (which must exist); each appears whole or not at all."""
    directory = Path(directory)
    paths = [directory / name for name in FILES]
    tmp = _temporary(paths[0])
    try:
        write_rvtools(estate, tmp)
        os.replace(tmp, paths[0])
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _write_csv(paths[1], AZURE_MIGRATE_HEADER, azure_migrate_rows(estate))
    _write_csv(paths[2], MAPPING_HEADER, mapping_rows(estate))
    _write_csv(paths[3], DEPENDENCY_HEADER, dependency_rows(estate))
    return paths


def describe(estate: Estate) -> dict[str, int]:
    """Counts worth printing after a generation."""
    servers = [s for s in estate.servers if not s.template]
    return {"servers": len(servers), "vmware": sum(s.platform == "vmware" for s in servers),
            "physical": sum(s.platform == "physical" for s in servers),
            "hyperv": sum(s.platform == "hyperv" for s in servers),
            "powered_off": sum(not s.powered_on for s in servers),
            "templates": sum(s.template for s in estate.servers), "hosts": len(estate.hosts),
            "mapped": sum(s.mapped for s in servers), "connections": len(estate.connections)}
