"""The estate's VMware VMs as an RVTools 4.x export (.xlsx): vInfo, vDisk, vPartition, vNetwork, vHost, vMetaData.

Headers are RVTools 4.x's (MiB units, `Primary IP Address`, `VM UUID`), booleans are the text
`True`/`False` as RVTools writes them, and guest data (DNS name, IP, Tools OS, partitions) is
empty for powered-off VMs because vCenter only knows it while VMware Tools runs. The workbook's
document properties are fixed, so the same estate always gives the same bytes.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from migrate.estate.blueprint import OS, SEGMENTS
from migrate.estate.flows import START
from migrate.estate.model import Estate, GeneratedHost, GeneratedServer

RVTOOLS_VERSION = "4.6.1.0"
EXPORTED_AT = datetime.combine(START + timedelta(days=4), datetime.min.time()).replace(hour=10, minute=15)

VINFO = (
    "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name", "Connection state", "Guest state",
    "Heartbeat", "Consolidation Needed", "PowerOn", "Suspended To Memory", "Suspend time", "Suspend Interval",
    "Creation date", "Change Version", "CPUs", "Overall Cpu Readiness", "Memory", "Active Memory", "NICs", "Disks",
    "Total disk capacity MiB", "Fixed Passthru HotPlug", "min Required EVC Mode Key", "Latency Sensitivity",
    "Op Notification Timeout", "EnableUUID", "CBT", "Primary IP Address", "Network #1", "Network #2", "Network #3",
    "Network #4", "Network #5", "Network #6", "Network #7", "Network #8", "Num Monitors", "Video Ram KiB",
    "Resource pool", "Folder ID", "Folder", "vApp", "DAS protection", "FT State", "FT Role", "FT Latency",
    "FT Bandwidth", "FT Sec. Latency", "Provisioned MiB", "In Use MiB", "Unshared MiB", "HA Restart Priority",
    "HA Isolation Response", "HA VM Monitoring", "Cluster rule(s)", "Cluster rule name(s)", "Boot Required",
    "Boot delay", "Boot retry delay", "Boot retry enabled", "Boot BIOS setup", "Reboot PowerOff", "EFI Secure boot",
    "Firmware", "HW version", "HW upgrade status", "HW upgrade policy", "HW target", "Path", "Log directory",
    "Snapshot directory", "Suspend directory", "Annotation", "Datacenter", "Cluster", "Host",
    "OS according to the configuration file", "OS according to the VMware Tools", "Customization Info",
    "Guest Detailed Data", "VM ID", "SMBIOS UUID", "VM UUID", "VI SDK Server type", "VI SDK API Version",
    "VI SDK Server", "VI SDK UUID",
)
TAIL = ("Annotation", "Datacenter", "Cluster", "Host", "Folder", "OS according to the configuration file",
        "OS according to the VMware Tools", "VM ID", "VM UUID", "VI SDK Server", "VI SDK UUID")
VDISK = ("VM", "Powerstate", "Template", "SRM Placeholder", "Disk", "Disk Key", "Disk UUID", "Disk Path",
         "Capacity MiB", "Raw", "Disk Mode", "Sharing mode", "Thin", "Eagerly Scrub", "Split", "Write Through",
         "Level", "Shares", "Reservation", "Limit", "Controller", "Label", "SCSI Unit #", "Unit #", "Shared Bus",
         "Path", "Raw LUN ID", "Raw Comp. Mode", "Internal Sort Column") + TAIL
VPARTITION = ("VM", "Powerstate", "Template", "SRM Placeholder", "Disk Key", "Disk", "Capacity MiB", "Consumed MiB",
              "Free MiB", "Free %", "Internal Sort Column") + TAIL
VNETWORK = ("VM", "Powerstate", "Template", "SRM Placeholder", "NIC label", "Adapter", "Network", "Switch",
            "Connected", "Starts Connected", "Mac Address", "Type", "IPv4 Address", "IPv6 Address", "Direct Path IO",
            "Internal Sort Column") + TAIL
VHOST = ("Host", "Datacenter", "Cluster", "Config status", "in Maintenance Mode", "CPU Model", "Speed",
         "HT Available", "HT Active", "# CPU", "Cores per CPU", "# Cores", "CPU usage %", "# Memory",
         "Memory usage %", "Console", "# NICs", "# HBAs", "# VMs total", "# VMs", "VMs per Core", "# vCPUs",
         "vCPUs per Core", "vRAM", "VM Used memory", "ESX Version", "Boot time", "DNS Servers", "NTP Server(s)",
         "Time Zone Name", "Vendor", "Model", "Serial number", "Service tag", "BIOS Vendor", "Object ID", "UUID",
         "VI SDK Server", "VI SDK UUID")
VMETADATA = ("RVTools major version", "RVTools version", "xlsx creation datetime", "Server")


def _bool(value: bool) -> str:
    return "True" if value else "False"


def _vcenter(datacenter: str) -> str:
    return f"rbh-vcsa0{2 if datacenter == 'RBH-DR' else 1}.riverbend.local"


def _vcenter_uuid(vcenter: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, vcenter))


def _folder(server: GeneratedServer) -> str:
    if server.template:
        return "Templates"
    if server.application is None:
        return "Discovered virtual machine"
    return f"{server.business_unit}/{server.application}"


def _tail(server: GeneratedServer) -> dict[str, object]:
    tools = OS[server.os].tools if server.powered_on else ""
    vcenter = _vcenter(server.datacenter)
    return {"Annotation": server.annotation, "Datacenter": server.datacenter, "Cluster": server.cluster,
            "Host": server.host, "Folder": _folder(server), "OS according to the configuration file": OS[server.os].config,
            "OS according to the VMware Tools": tools, "VM ID": server.vm_id, "VM UUID": server.vm_uuid,
            "VI SDK Server": vcenter, "VI SDK UUID": _vcenter_uuid(vcenter)}


def _common(server: GeneratedServer) -> dict[str, object]:
    return {"VM": server.name, "Powerstate": "poweredOn" if server.powered_on else "poweredOff",
            "Template": _bool(server.template), "SRM Placeholder": "False", **_tail(server)}


def vinfo_row(server: GeneratedServer, created: datetime) -> dict[str, object]:
    on = server.powered_on
    capacity = sum(d.size_gb for d in server.disks) * 1024
    in_use = sum(d.used_gb if d.thin else d.size_gb for d in server.disks) * 1024
    vm_dir = f"[{server.datastore}] {server.name}/"
    return {
        **_common(server), "Config status": "green", "DNS Name": server.fqdn if on else "",
        "Connection state": "connected", "Guest state": "running" if on else "notRunning",
        "Heartbeat": "green" if on else "gray", "Consolidation Needed": "False", "PowerOn": created if on else "",
        "Suspended To Memory": "False", "Creation date": created, "CPUs": server.cpus, "Overall Cpu Readiness": 0,
        "Memory": server.memory_gb * 1024,
        "Active Memory": round(server.memory_gb * 1024 * server.memory_utilization / 100),
        "NICs": 1, "Disks": len(server.disks), "Total disk capacity MiB": capacity,
        "Fixed Passthru HotPlug": "False", "Latency Sensitivity": "normal", "EnableUUID": "True", "CBT": "True",
        "Primary IP Address": server.ip if on and server.ip else "", "Network #1": SEGMENTS[server.segment].port_group,
        "Num Monitors": 1, "Video Ram KiB": 8192, "Resource pool": "Resources", "Folder ID": f"group-v{100 + len(_folder(server))}",
        "Folder": _folder(server), "DAS protection": "True" if not server.template else "",
        "FT State": "notConfigured", "Provisioned MiB": capacity + server.memory_gb * 1024, "In Use MiB": in_use,
        "Unshared MiB": in_use, "HA Restart Priority": "high" if server.tier == 0 else "medium",
        "HA Isolation Response": "powerOff", "HA VM Monitoring": "vmMonitoringDisabled", "Boot Required": "False",
        "Boot delay": 0, "Boot retry delay": 10000, "Boot retry enabled": "False", "Boot BIOS setup": "False",
        "Reboot PowerOff": "False", "EFI Secure boot": _bool(server.firmware == "efi"), "Firmware": server.firmware,
        "HW version": server.hw_version, "HW upgrade status": "none", "HW upgrade policy": "never",
        "Path": f"{vm_dir}{server.name}.{'vmtx' if server.template else 'vmx'}", "Log directory": vm_dir,
        "Snapshot directory": vm_dir, "Suspend directory": vm_dir, "Guest Detailed Data": "",
        "SMBIOS UUID": server.smbios_uuid, "VI SDK Server type": "VMware vCenter Server",
        "VI SDK API Version": "7.0.3",
    }


def vdisk_rows(server: GeneratedServer):
    for index, disk in enumerate(server.disks):
        rdm = disk.shared and OS[server.os].family == "windows"
        yield {
            **_common(server), "Disk": disk.label, "Disk Key": 2000 + index,
            "Disk UUID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{server.vm_uuid}/{index}")),
            "Disk Path": f"[{server.datastore}] {server.name}/{server.name}{'' if index == 0 else f'_{index}'}.vmdk",
            "Capacity MiB": disk.size_gb * 1024, "Raw": _bool(rdm),
            "Disk Mode": "independent_persistent" if disk.shared else "persistent",
            "Sharing mode": "sharingMultiWriter" if disk.shared and not rdm else "sharingNone",
            "Thin": _bool(disk.thin), "Eagerly Scrub": _bool(disk.shared), "Split": "False", "Write Through": "False",
            "Level": "normal", "Shares": 1000, "Reservation": 0, "Limit": -1,
            "Controller": f"SCSI controller {0 if index == 0 else 1}", "Label": disk.label,
            "SCSI Unit #": index if index == 0 else index - 1, "Unit #": index if index == 0 else index - 1,
            "Shared Bus": "physicalSharing" if rdm else "noSharing",
            "Path": f"[{server.datastore}] {server.name}/{server.name}.vmx",
            "Raw LUN ID": f"naa.6000{server.vm_uuid.replace('-', '')[:24]}{index:04d}" if rdm else "",
            "Raw Comp. Mode": "physicalMode" if rdm else "", "Internal Sort Column": f"{server.name}{index}",
        }


def vpartition_rows(server: GeneratedServer):
    if not server.powered_on or not OS[server.os].tools:
        return
    windows = OS[server.os].family == "windows"
    for index, disk in enumerate(server.disks):
        capacity = disk.size_gb * 1024 - (500 if windows and index == 0 else 100)
        consumed = min(disk.used_gb * 1024, capacity)
        mount = f"{'CDEFGHIJ'[index]}:\\" if windows else ("/" if index == 0 else f"/data{index}")
        yield {**_common(server), "Disk Key": 2000 + index, "Disk": mount, "Capacity MiB": capacity,
               "Consumed MiB": consumed, "Free MiB": capacity - consumed,
               "Free %": round(100 * (capacity - consumed) / capacity), "Internal Sort Column": f"{server.name}{index}"}


def vnetwork_row(server: GeneratedServer) -> dict[str, object]:
    on = server.powered_on
    return {**_common(server), "NIC label": "Network adapter 1",
            "Adapter": "Vmxnet3" if server.hw_version not in ("vmx-08",) else "E1000",
            "Network": SEGMENTS[server.segment].port_group,
            "Switch": "dvs-rbh-dr" if server.datacenter == "RBH-DR" else "dvs-rbh-main", "Connected": _bool(on),
            "Starts Connected": "True", "Mac Address": server.mac, "Type": "assigned",
            "IPv4 Address": server.ip if on and server.ip else "", "IPv6 Address": "", "Direct Path IO": "False",
            "Internal Sort Column": server.name}


def write_rvtools(estate: Estate, path: Path) -> None:
    import xlsxwriter
    import xlsxwriter.exceptions

    vms = sorted((s for s in estate.servers if s.platform == "vmware"), key=lambda s: s.name.lower())
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    # Fixed properties: xlsxwriter would otherwise stamp the creation time, and the bytes would differ.
    workbook.set_properties({"title": "RVTools export", "author": "RVTools", "company": "Riverbend Health",
                             "created": EXPORTED_AT})
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "yyyy/mm/dd hh:mm:ss"})

    def sheet(name: str, header: tuple[str, ...], rows) -> None:
        worksheet = workbook.add_worksheet(name)
        worksheet.freeze_panes(1, 1)
        for column, title in enumerate(header):
            worksheet.write_string(0, column, title, bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            for column, title in enumerate(header):
                value = row.get(title, "")
                if isinstance(value, datetime):
                    worksheet.write_datetime(count, column, value, date)
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    worksheet.write_number(count, column, value)
                elif value != "":
                    worksheet.write_string(count, column, str(value))
        worksheet.autofilter(0, 0, max(count, 1), len(header) - 1)

    creation = {s.name: EXPORTED_AT - timedelta(days=90 + (int(s.vm_id[3:]) * 37) % 3600) for s in vms}
    sheet("vInfo", VINFO, (vinfo_row(s, creation[s.name]) for s in vms))
    sheet("vDisk", VDISK, (row for s in vms for row in vdisk_rows(s)))
    sheet("vPartition", VPARTITION, (row for s in vms for row in vpartition_rows(s)))
    sheet("vNetwork", VNETWORK, (vnetwork_row(s) for s in vms))
    guests: dict[str, list[GeneratedServer]] = {}
    for server in vms:
        guests.setdefault(server.host, []).append(server)
    sheet("vHost", VHOST, (host_row(h, index, guests.get(h.name, [])) for index, h in enumerate(estate.hosts)))
    sheet("vMetaData", VMETADATA, ({"RVTools major version": RVTOOLS_VERSION.split(".")[0],
                                    "RVTools version": RVTOOLS_VERSION, "xlsx creation datetime": EXPORTED_AT,
                                    "Server": vcenter} for vcenter in sorted({h.vcenter for h in estate.hosts})))
    try:
        workbook.close()
    except xlsxwriter.exceptions.FileCreateError as error:
        # Callers handle file-system errors as OSError, whatever library met them.
        cause = error.args[0] if error.args and isinstance(error.args[0], OSError) else None
        raise OSError(cause.errno if cause else None, cause.strerror if cause else str(error), str(path)) from error


def host_row(host: GeneratedHost, index: int, guests: list[GeneratedServer]) -> dict[str, object]:
    running = [s for s in guests if s.powered_on]
    cores = host.sockets * host.cores_per_socket
    vcpus = sum(s.cpus for s in running)
    vram = sum(s.memory_gb for s in running) * 1024
    return {
        "Host": host.name, "Datacenter": host.datacenter, "Cluster": host.cluster, "Config status": "green",
        "in Maintenance Mode": "False", "CPU Model": host.cpu_model, "Speed": host.speed_mhz, "HT Available": "True",
        "HT Active": "True", "# CPU": host.sockets, "Cores per CPU": host.cores_per_socket, "# Cores": cores,
        "CPU usage %": min(90, round(100 * vcpus / (cores * 4))), "# Memory": host.memory_gb * 1024,
        "Memory usage %": min(95, round(100 * vram / (host.memory_gb * 1024))), "Console": 0, "# NICs": 4,
        "# HBAs": 2, "# VMs total": len(guests), "# VMs": len(running),
        "VMs per Core": round(len(running) / cores, 2), "# vCPUs": vcpus, "vCPUs per Core": round(vcpus / cores, 2),
        "vRAM": vram, "VM Used memory": round(vram * 0.6), "ESX Version": host.esx_version,
        "Boot time": EXPORTED_AT - timedelta(days=41), "DNS Servers": "10.1.0.10, 10.1.0.11",
        "NTP Server(s)": "10.1.0.10, 10.1.0.11", "Time Zone Name": "UTC", "Vendor": host.vendor, "Model": host.model,
        "Serial number": host.serial, "Service tag": host.serial, "BIOS Vendor": "Dell Inc.",
        "Object ID": f"host-{1000 + index}",
        "UUID": str(uuid.uuid5(uuid.NAMESPACE_DNS, host.name)), "VI SDK Server": host.vcenter,
        "VI SDK UUID": _vcenter_uuid(host.vcenter),
    }
