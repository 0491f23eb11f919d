from __future__ import annotations

import pytest

from migrate.inventory.importers import parse
from migrate.inventory.model import Application, Disk, InputError

from .conftest import rows_for, write_csv, write_xlsx

HEADER = ["*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version", "OS architecture",
          "CPU utilization percentage", "Memory utilization percentage", "Network adapters", "Boot type",
          "Number of disks", "Disk 1 size (In GB)", "Disk 1 read throughput (MB per second)", "Disk 2 size (In GB)",
          "Server type", "Hypervisor", "Virtual machine ID", "Application 1 name", "Application 1 version",
          "Application 2 name", "Business unit", "Business owner", "Business application name", "Location"]
RIS = {"*Server name": "ris-app01.rbh.local", "IP addresses": "10.2.0.5,10.2.0.6", "*Cores": 4,
       "*Memory (In MB)": 16384, "*OS name": "Windows Server 2016 Datacenter", "OS version": "10.0.14393",
       "OS architecture": "x64", "CPU utilization percentage": 35.5, "Memory utilization percentage": "61",
       "Boot type": "UEFI", "Number of disks": 2, "Disk 1 size (In GB)": 128, "Disk 2 size (In GB)": "512",
       "Server type": "Virtual", "Hypervisor": "Hyper-V", "Virtual machine ID": "{8E1C6F0B-7C3E-4C1A-9D1E-2B3C4D5E6F70}",
       "Application 1 name": "Microsoft SQL Server", "Application 1 version": "2016", "Application 2 name": "IIS",
       "Business unit": "Radiology", "Business owner": "dr.kim@rbh.org", "Business application name": "RIS; PACS",
       "Location": "Main campus DC"}
LIS = {"*Server name": "LIS01", "*Cores": "8", "*Memory (In MB)": "32,768", "*OS name": "Red Hat Enterprise Linux 7",
       "Server type": "Physical", "Business application name": "LIS"}


def test_azure_migrate_csv_with_business_and_disk_columns(tmp_path):
    path = write_csv(tmp_path / "import.csv", rows_for(HEADER, [RIS, LIS]), encoding="utf-8-sig")
    parsed = parse(path)
    assert parsed.format == "azure-migrate"
    ris, lis = parsed.servers
    assert (ris.name, ris.fqdn, ris.ips) == ("ris-app01", "ris-app01.rbh.local", ("10.2.0.5", "10.2.0.6"))
    assert (ris.cores, ris.memory_mb, ris.cpu_utilization, ris.memory_utilization) == (4, 16384, 35.5, 61.0)
    assert (ris.os_family, ris.os_name, ris.os_version) == ("windows", "Windows Server", "2016")
    assert ris.disks == (Disk("disk 1", 128.0), Disk("disk 2", 512.0))
    assert (ris.firmware, ris.hypervisor, ris.vm_uuid) == ("efi", "hyper-v", "8e1c6f0b-7c3e-4c1a-9d1e-2b3c4d5e6f70")
    assert (ris.owner, ris.business_unit, ris.datacenter) == ("dr.kim@rbh.org", "Radiology", "Main campus DC")
    assert ris.applications == ("RIS", "PACS")
    # Azure Migrate's "Application N" columns list installed software, not business applications.
    assert dict(ris.tags) == {"software": "Microsoft SQL Server 2016; IIS"}
    assert (lis.memory_mb, lis.hypervisor, lis.os_version) == (32768, "physical", "7")
    assert parsed.applications == (Application("LIS", servers=("LIS01",)), Application("PACS", servers=("ris-app01",)),
                                   Application("RIS", servers=("ris-app01",)))
    assert parsed.warnings == ()   # every column is known


def test_older_template_casing_and_semicolons_read_the_same(tmp_path):
    header = [h.replace("*Server name", "*Server Name").upper() if h.startswith("*") else h for h in HEADER]
    rows = rows_for(HEADER, [RIS, LIS])
    rows[0] = header
    first = parse(write_csv(tmp_path / "a.csv", rows_for(HEADER, [RIS, LIS])))
    second = parse(write_csv(tmp_path / "b.csv", rows, delimiter=";"))
    assert first.servers == second.servers


def test_missing_mandatory_columns_are_each_reported(tmp_path):
    header = ["*Server name", "IP addresses", "*OS name"]
    path = write_csv(tmp_path / "import.csv", rows_for(header, [{"*Server name": "a", "*OS name": "x"}]))
    problems = parse_problems(path, "azure-migrate")
    assert [(p.row, p.column) for p in problems] == [(1, "*Cores"), (1, "*Memory (In MB)")]


def parse_problems(path, format="auto"):
    with pytest.raises(InputError) as caught:
        parse(path, format)
    return caught.value.problems


def test_bad_values_are_located(tmp_path):
    bad = [dict(RIS, **{"*Cores": "", "Disk 2 size (In GB)": "-1", "CPU utilization percentage": 140}),
           dict(LIS, **{"*OS name": "", "*Memory (In MB)": "lots"}),
           dict(LIS, **{"*Server name": "lis01"})]
    problems = parse_problems(write_csv(tmp_path / "import.csv", rows_for(HEADER, bad)))
    assert [(p.row, p.column) for p in problems] == [
        (2, "*Cores"), (2, "Disk 2 size (In GB)"), (3, "*Memory (In MB)"), (3, "*OS name"), (4, "*Server name")]
    assert problems[0].message == "is empty"
    assert "duplicate server name 'lis01' (first on row 3)" in problems[-1].message


def test_unknown_columns_are_reported_as_ignored(tmp_path):
    path = write_csv(tmp_path / "import.csv", rows_for(HEADER + ["Rack"], [dict(LIS, Rack="R12")]))
    assert parse(path).warnings == ("columns not recognised, ignored: Rack",)


def test_the_same_sheet_saved_as_xlsx(tmp_path):
    path = write_xlsx(tmp_path / "import.xlsx", {"Servers": rows_for(HEADER, [RIS, LIS])})
    assert parse(path).servers == parse(write_csv(tmp_path / "import.csv", rows_for(HEADER, [RIS, LIS]))).servers


def test_storage_in_use_is_used_space_spread_over_the_disks_and_os_versions_keep_their_minor_part(tmp_path):
    header = HEADER + ["Storage in use (In GB)"]
    rows = [dict(RIS, **{"Storage in use (In GB)": 320}),
            dict(LIS, **{"*OS name": "Red Hat Enterprise Linux", "OS version": "7.1", "Disk 1 size (In GB)": 100,
                         "Storage in use (In GB)": "250"}),   # more than the disk holds: capped at its size
            dict(LIS, **{"*Server name": "lis02", "*OS name": "CentOS 7.9.2009", "Storage in use (In GB)": 30})]
    ris, lis, lis2 = parse(write_csv(tmp_path / "import.csv", rows_for(header, rows))).servers
    assert ris.disks == (Disk("disk 1", 128.0, 64.0), Disk("disk 2", 512.0, 256.0))
    assert lis.disks == (Disk("disk 1", 100.0, 100.0),)
    assert (lis.os_name, lis.os_version) == ("Red Hat Enterprise Linux", "7.1")
    assert (lis2.os_name, lis2.os_version, lis2.disks) == ("CentOS", "7.9", ())   # no disk sizes: nowhere to put it


def test_template_variants_seen_in_the_field(tmp_path):
    # Shapes published with the import template: a version cell more precise than the OS name, a
    # 64-bit architecture spelled out, storage in MB with an allocated total instead of disk sizes,
    # and disks beyond the eighth.
    header = ["*Server name", "*Cores", "*Memory (In MB)", "*OS name", "OS version", "OS architecture",
              "Storage in use (In MB)", "*Storage allocated (In MB)"]
    rows = [{"*Server name": "db-server-01", "*Cores": 16, "*Memory (In MB)": 65536,
             "*OS name": "Red Hat Enterprise Linux 8", "OS version": "8.5", "OS architecture": "64-bit",
             "Storage in use (In MB)": 40960, "*Storage allocated (In MB)": 81920}]
    [db] = parse(write_csv(tmp_path / "import.csv", rows_for(header, rows))).servers
    assert (db.os_name, db.os_version) == ("Red Hat Enterprise Linux", "8.5")
    assert db.disks == (Disk("all disks", 80.0, 40.0),)
    wide = HEADER + ["Disk 12 size (In GB)"]
    [lis] = parse(write_csv(tmp_path / "wide.csv", rows_for(wide, [dict(LIS, **{"Disk 12 size (In GB)": 50})]))).servers
    assert lis.disks == (Disk("disk 12", 50.0),)


def test_values_the_planner_can_do_without_are_dropped_with_a_warning(tmp_path):
    rows = [dict(RIS, **{"CPU utilization percentage": 140, "Memory utilization percentage": "n/a",
                         "IP addresses": "10.2.0.5, not-an-ip", "Virtual machine ID": "x" * 200})]
    parsed = parse(write_csv(tmp_path / "import.csv", rows_for(HEADER, rows)))
    [ris] = parsed.servers
    assert (ris.cpu_utilization, ris.memory_utilization, ris.ips, ris.vm_uuid) == (None, None, (), None)
    assert [w.split(":")[0] for w in parsed.warnings] == [
        "row 2, column 'IP addresses'", "row 2, column 'Virtual machine ID'",
        "row 2, column 'CPU utilization percentage'", "row 2, column 'Memory utilization percentage'"]
    assert all(w.endswith("; value ignored") for w in parsed.warnings)
