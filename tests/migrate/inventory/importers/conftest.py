"""Builders for the files importers read: xlsx workbooks and CSVs in the encodings Excel produces."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Mapping, Sequence

import pytest
import xlsxwriter

# RVTools 4.x vInfo columns the importer reads, in RVTools' order, among some it ignores.
VINFO_4X = ["VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name", "Connection state",
            "Guest state", "Heartbeat", "CPUs", "Memory", "Active Memory", "NICs", "Disks",
            "Total disk capacity MiB", "Primary IP Address", "Network #1", "Resource pool", "Folder", "vApp",
            "Provisioned MiB", "In Use MiB", "Unshared MiB", "Firmware", "HW version", "Path", "Annotation",
            "Datacenter", "Cluster", "Host", "OS according to the configuration file",
            "OS according to the VMware Tools", "VM ID", "SMBIOS UUID", "VM UUID", "VI SDK Server", "VI SDK UUID"]
# One real older export's vInfo header (formats.md): MB units, no SRM Placeholder, Primary IP or VM UUID.
VINFO_OLD = ["VM", "Powerstate", "Template", "Config status", "DNS Name", "CPUs", "Latency Sensitivity", "Memory",
             "NICs", "Disks", "EnableUUID", "CBT", "Num Monitors", "Video Ram KB", "Resource pool", "Folder",
             "vApp", "DAS protection", "FT State", "FT Latency", "FT Bandwidth", "FT Sec. Latency",
             "Provisioned MB", "In Use MB", "Unshared MB", "HA Restart Priority", "HA Isolation Response",
             "HA VM Monitoring", "Cluster rule(s)", "Cluster rule name(s)", "Boot Required", "Boot delay",
             "Boot retry delay", "Boot retry enabled", "Boot BIOS setup", "Firmware", "HW version",
             "HW upgrade status", "HW upgrade policy", "HW target", "Path", "Annotation", "Last Backup",
             "Datacenter", "Cluster", "Host", "OS according to the configuration file",
             "OS according to the VMware Tools", "VM ID"]
TAIL = ["Annotation", "Datacenter", "Cluster", "Host", "Folder", "OS according to the configuration file",
        "OS according to the VMware Tools", "VM ID", "VM UUID", "VI SDK Server", "VI SDK UUID"]
VDISK_4X = ["VM", "Powerstate", "Template", "Disk", "Disk Key", "Disk UUID", "Disk Path", "Capacity MiB", "Raw",
            "Disk Mode", "Sharing mode", "Thin", "Controller", "Label", "SCSI Unit #", "Unit #", "Path", *TAIL]
VPARTITION_4X = ["VM", "Disk Key", "Disk", "Capacity MiB", "Consumed MiB", "Free MiB", "Free %", *TAIL]
VNETWORK_4X = ["VM", "Powerstate", "Template", "NIC label", "Adapter", "Network", "Switch", "Connected",
               "Starts Connected", "Mac Address", "Type", "IPv4 Address", "IPv6 Address", *TAIL]
VHOST_4X = ["Host", "Datacenter", "Cluster", "CPU Model", "Speed", "# CPU", "Cores per CPU", "# Cores",
            "CPU usage %", "# Memory", "Memory usage %", "# VMs", "# vCPUs", "vRAM", "ESX Version", "Vendor",
            "Model", "Serial number", "VI SDK Server"]


def rows_for(header: Sequence[str], records: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """`records` (column → value) laid out under `header`, missing cells empty."""
    return [list(header)] + [[record.get(column, "") for column in header] for record in records]


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})  # error cells (#NUM!) are real too
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
    book.close()
    return path


def csv_text(rows: Sequence[Sequence[Any]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue()


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """`encoding` as Python names it; `utf-8-sig` adds a BOM, `utf-16` is Excel's "Unicode text"."""
    path.write_bytes(csv_text(rows, delimiter).encode(encoding))
    return path


UUID_EPIC = "5029a1b2-1111-2222-3333-444455556666"


def rvtools_sheets(header: Sequence[str] = VINFO_4X) -> dict[str, list[list[Any]]]:
    """A small but complete RVTools export: an EHR VM with two disks (one multi-writer), a template,
    a powered-off RHEL 6 box whose cluster only vHost knows, and a Linux VM without tools."""
    mib = "MiB" if "Provisioned MiB" in header else "MB"
    vinfo = [
        {"VM": "EPICPRD01", "Powerstate": "poweredOn", "Template": False, "SRM Placeholder": False,
         "DNS Name": "epicprd01.rbh.local", "CPUs": 8, "Memory": 32768, "Primary IP Address": "10.1.1.10",
         "Folder": "/Epic", "Firmware": "efi", "Datacenter": "DC1", "Cluster": "CL1", "Host": "esx01",
         "OS according to the configuration file": "Microsoft Windows Server 2016 or later (64-bit)",
         "OS according to the VMware Tools": "Microsoft Windows Server 2019 (64-bit)", "VM UUID": UUID_EPIC,
         f"Total disk capacity {mib}": 204800, f"Provisioned {mib}": 210000, f"In Use {mib}": 150000,
         "VI SDK Server": "vc01.rbh.local"},
        {"VM": "tmpl-w2019", "Powerstate": "poweredOff", "Template": True, "SRM Placeholder": False, "CPUs": 2,
         "Memory": 4096, "Datacenter": "DC1", "Cluster": "CL1", "Host": "esx01"},
        {"VM": "lab-rhel6", "Powerstate": "poweredOff", "Template": "False", "SRM Placeholder": "False",
         "CPUs": "2.0", "Memory": "4096", "Datacenter": "DC1", "Host": "esx02", "Firmware": "bios",
         "OS according to the configuration file": "Red Hat Enterprise Linux 6 (64-bit)",
         f"Total disk capacity {mib}": 40960, f"Provisioned {mib}": 40960, f"In Use {mib}": 10240},
        {"VM": "util01", "Powerstate": "poweredOn", "Template": False, "SRM Placeholder": False, "CPUs": 4,
         "Memory": 8192, "Datacenter": "DC1", "Cluster": "CL1", "Host": "esx01",
         "OS according to the configuration file": "CentOS 4/5/6/7 (64-bit)",
         f"Total disk capacity {mib}": 51200, f"Provisioned {mib}": 51200, f"In Use {mib}": 20480},
    ]
    vdisk = [
        {"VM": "EPICPRD01", "Template": False, "Disk": "Hard disk 1", "Disk Key": 2000, f"Capacity {mib}": 102400,
         "Raw": False, "Sharing mode": "sharingNone", "VM UUID": UUID_EPIC},
        {"VM": "EPICPRD01", "Template": False, "Disk": "Hard disk 2", "Disk Key": 2001, f"Capacity {mib}": 102400,
         "Raw": False,
         "Sharing mode": "sharingMultiWriter", "VM UUID": UUID_EPIC},
        {"VM": "tmpl-w2019", "Template": True, "Disk": "Hard disk 1", f"Capacity {mib}": 40960, "Raw": False},
        {"VM": "lab-rhel6", "Template": False, "Disk": "Hard disk 1", f"Capacity {mib}": 40960, "Raw": True},
        {"VM": "util01", "Template": False, "Disk": "Hard disk 1", f"Capacity {mib}": 51200, "Raw": False},
    ]
    vpartition = [
        {"VM": "EPICPRD01", "Disk Key": "2000", "Disk": "C:\\", f"Capacity {mib}": 102000, f"Consumed {mib}": 40960,
         "VM UUID": UUID_EPIC},
        {"VM": "EPICPRD01", "Disk Key": "2001", "Disk": "D:\\", f"Capacity {mib}": 102000, f"Consumed {mib}": 61440,
         "VM UUID": UUID_EPIC},
    ]
    vnetwork = [
        {"VM": "EPICPRD01", "Template": False, "IPv4 Address": "10.1.1.10, 10.1.2.10", "VM UUID": UUID_EPIC},
        {"VM": "util01", "Template": False, "IPv4 Address": "10.1.3.20"},
    ]
    vhost = [{"Host": "esx01", "Datacenter": "DC1", "Cluster": "CL1"},
             {"Host": "esx02", "Datacenter": "DC1", "Cluster": "CL2"}]

    def units(columns: Sequence[str]) -> list[str]:
        return [c.replace("MiB", mib) for c in columns]

    return {
        "vInfo": rows_for(header, vinfo),
        "vDisk": rows_for(units(VDISK_4X), vdisk),
        "vPartition": rows_for(units(VPARTITION_4X), vpartition),
        "vNetwork": rows_for(VNETWORK_4X, vnetwork),
        "vHost": rows_for(VHOST_4X, vhost),
    }


@pytest.fixture
def rvtools_xlsx(tmp_path) -> Path:
    return write_xlsx(tmp_path / "RVTools_export_all.xlsx", rvtools_sheets())
