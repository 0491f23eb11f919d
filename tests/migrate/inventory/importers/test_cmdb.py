from __future__ import annotations

import pytest

from migrate.inventory.importers import parse
from migrate.inventory.model import Disk, InputError

from .conftest import rows_for, write_csv

FIELD_NAMES = ["sys_id", "name", "fqdn", "ip_address", "os", "os_version", "os_service_pack", "manufacturer",
               "model_id", "virtual", "serial_number", "cpu_count", "cpu_core_count", "cpu_speed", "ram",
               "disk_space", "operational_status", "install_status", "used_for", "sys_class_name", "assigned_to",
               "support_group", "u_epic_environment", "u_cost_center"]
LABELS = {"sys_id": "Sys ID", "name": "Name", "fqdn": "Fully qualified domain name", "ip_address": "IP Address",
          "os": "Operating System", "os_version": "OS Version", "os_service_pack": "OS Service Pack",
          "manufacturer": "Manufacturer", "model_id": "Model ID", "virtual": "Virtual",
          "serial_number": "Serial number", "cpu_count": "CPU count", "cpu_core_count": "CPU core count",
          "cpu_speed": "CPU speed (MHz)", "ram": "RAM (MB)", "disk_space": "Disk space (GB)",
          "operational_status": "Operational status", "install_status": "Install Status", "used_for": "Used for",
          "sys_class_name": "Class", "assigned_to": "Assigned to", "support_group": "Support group"}
CLARITY = {"sys_id": "9a1f0c2b1b", "name": "CLARITYDB01", "fqdn": "claritydb01.rbh.local",
           "ip_address": "10.3.0.21", "os": "Windows 2016 Datacenter", "os_version": "10.0.14393",
           "manufacturer": "VMware, Inc.", "model_id": "VMware Virtual Platform", "virtual": "true",
           "cpu_count": "2", "cpu_core_count": "8", "ram": "131,072", "disk_space": "2048",
           "operational_status": "1", "install_status": "1", "used_for": "Production",
           "sys_class_name": "cmdb_ci_win_server", "assigned_to": "Pat Lee", "support_group": "DBA",
           "u_epic_environment": "PRD", "u_cost_center": "4100"}
OLD_LIS = {"name": "lis-old", "os": "Linux Red Hat", "os_version": "6.10", "virtual": "false", "cpu_count": "4",
           "ram": "16384", "operational_status": "Retired", "install_status": "7"}
LAB = {"name": "labsrv02", "ip_address": "10.3.1.5", "os": "Linux Red Hat", "os_version": "7.9",
       "manufacturer": "Dell Inc.", "model_id": "PowerEdge R740", "virtual": "false", "cpu_core_count": "16",
       "ram": "65536", "used_for": "QA", "assigned_to": "", "install_status": "1"}


def test_field_name_export(tmp_path):
    parsed = parse(write_csv(tmp_path / "cmdb_ci_server.csv", rows_for(FIELD_NAMES, [CLARITY, OLD_LIS, LAB])))
    assert parsed.format == "cmdb"
    assert parsed.skipped == {"retired": 1}
    clarity, lab = parsed.servers
    assert (clarity.name, clarity.fqdn, clarity.ips) == ("CLARITYDB01", "claritydb01.rbh.local", ("10.3.0.21",))
    assert (clarity.os_family, clarity.os_name, clarity.os_version) == ("windows", "Windows Server", "2016")
    # ServiceNow's core count is per CPU: 2 sockets × 8 cores.
    assert (clarity.cores, clarity.memory_mb, clarity.disks) == (16, 131072, (Disk("disk space", 2048.0),))
    assert (clarity.hypervisor, clarity.environment, clarity.owner) == ("vmware", "prd", "Pat Lee")
    assert dict(clarity.tags) == {"sys_id": "9a1f0c2b1b", "class": "cmdb_ci_win_server", "support_group": "DBA",
                                  "u_epic_environment": "PRD", "u_cost_center": "4100"}
    assert (lab.cores, lab.hypervisor, lab.environment, lab.owner, lab.os_version) == (16, "physical", "tst", None, "7.9")
    assert parsed.warnings == ()


def test_label_export_reads_the_same(tmp_path):
    by_fields = parse(write_csv(tmp_path / "a.csv", rows_for(FIELD_NAMES, [CLARITY, LAB])))
    header = [LABELS.get(f, f) for f in FIELD_NAMES]
    rows = rows_for(FIELD_NAMES, [CLARITY, LAB])
    rows[0] = header
    by_labels = parse(write_csv(tmp_path / "b.csv", rows, encoding="cp1252"))
    assert by_labels.format == "cmdb"
    assert by_labels.servers == by_fields.servers


def test_unmapped_used_for_and_unknown_columns_are_warnings_not_errors(tmp_path):
    header = FIELD_NAMES + ["comments"]
    parsed = parse(write_csv(tmp_path / "a.csv", rows_for(header, [dict(LAB, used_for="Lab stuff", comments="x")])))
    assert parsed.servers[0].environment is None
    assert parsed.warnings == ("columns not recognised, ignored: comments",
                               "'used for' values not mapped to an environment: Lab stuff")


def test_bad_values_and_duplicates_are_located(tmp_path):
    rows = [dict(CLARITY, ram="-1", ip_address="10.3.0.999"), dict(LAB, cpu_core_count="sixteen"),
            dict(LAB, name="LABSRV02.rbh.local", virtual="perhaps")]
    path = write_csv(tmp_path / "a.csv", rows_for(FIELD_NAMES, rows))
    with pytest.raises(InputError) as caught:
        parse(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "ram"), (3, "cpu_core_count"), (4, "name")]


def test_values_the_planner_can_do_without_are_dropped_with_a_warning(tmp_path):
    rows = [dict(CLARITY, ip_address="10.3.0.999", fqdn="bad..name"), dict(LAB, virtual="perhaps")]
    parsed = parse(write_csv(tmp_path / "a.csv", rows_for(FIELD_NAMES, rows)))
    clarity, lab = parsed.servers
    assert (clarity.fqdn, clarity.ips, lab.hypervisor) == (None, (), None)
    notes = [w for w in parsed.warnings if w.endswith("; value ignored")]
    assert [w.split(":")[0] for w in notes] == ["row 2, column 'fqdn'", "row 2, column 'ip_address'",
                                                "row 3, column 'virtual'"]


def test_missing_name_column(tmp_path):
    with pytest.raises(InputError) as caught:
        parse(write_csv(tmp_path / "a.csv", [["sys_id", "ip_address"], ["1", "10.0.0.1"]]))
    [problem] = caught.value.problems
    assert problem.message == "missing mandatory column 'name'"
