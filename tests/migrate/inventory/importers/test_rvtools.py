from __future__ import annotations

import pytest

from migrate.inventory.importers import parse
from migrate.inventory.model import Disk, InputError

from .conftest import (UUID_EPIC, VDISK_4X, VINFO_4X, VINFO_OLD, VNETWORK_4X, VPARTITION_4X, rows_for, rvtools_sheets,
                       write_csv, write_xlsx)


def by_name(parsed):
    return {server.name: server for server in parsed.servers}


def problems_of(path, format="auto"):
    with pytest.raises(InputError) as caught:
        parse(path, format)
    return caught.value.problems


def test_rvtools_4x_workbook_gives_servers_with_disks_addresses_os_and_placement(rvtools_xlsx):
    parsed = parse(rvtools_xlsx)
    assert parsed.format == "rvtools" and parsed.path == str(rvtools_xlsx)
    servers = by_name(parsed)
    assert sorted(servers) == ["EPICPRD01", "lab-rhel6", "util01"]
    epic = servers["EPICPRD01"]
    assert (epic.fqdn, epic.cores, epic.memory_mb, epic.power_state) == ("epicprd01.rbh.local", 8, 32768, "on")
    assert (epic.os_family, epic.os_name, epic.os_version) == ("windows", "Windows Server", "2019")
    assert (epic.hypervisor, epic.datacenter, epic.cluster, epic.host, epic.folder, epic.firmware) == \
        ("vmware", "DC1", "CL1", "esx01", "/Epic", "efi")
    assert epic.vm_uuid == UUID_EPIC
    assert epic.ips == ("10.1.1.10", "10.1.2.10")   # primary first, vNetwork's comma list after, no duplicate
    # C: (40 GiB consumed) and D: (60 GiB) placed on the disks their Disk Keys name; the multi-writer disk is shared.
    assert epic.disks == (Disk("Hard disk 1", 100.0, 40.0, False), Disk("Hard disk 2", 100.0, 60.0, True))
    assert epic.sources == ("rvtools",) and ("vcenter", "vc01.rbh.local") in epic.tags


def test_templates_are_skipped_with_a_count_and_powered_off_vms_are_kept(rvtools_xlsx):
    parsed = parse(rvtools_xlsx)
    assert parsed.skipped == {"template": 1}
    assert "tmpl-w2019" not in by_name(parsed)
    assert by_name(parsed)["lab-rhel6"].power_state == "off"


def test_raw_device_mapping_counts_as_shared_and_used_space_falls_back_to_in_use(rvtools_xlsx):
    lab = by_name(parse(rvtools_xlsx))["lab-rhel6"]
    assert lab.disks == (Disk("Hard disk 1", 40.0, 10.0, True),)   # no vPartition rows: In Use MiB
    assert (lab.os_name, lab.os_version) == ("Red Hat Enterprise Linux", "6")   # from the configuration file


def test_vhost_fills_the_cluster_vinfo_left_empty(rvtools_xlsx):
    assert by_name(parse(rvtools_xlsx))["lab-rhel6"].cluster == "CL2"


def test_older_export_with_mb_headers_and_no_uuid_or_primary_ip(tmp_path):
    parsed = parse(write_xlsx(tmp_path / "old.xlsx", rvtools_sheets(VINFO_OLD)))
    servers = by_name(parsed)
    assert sorted(servers) == ["EPICPRD01", "lab-rhel6", "util01"]
    epic = servers["EPICPRD01"]
    assert epic.vm_uuid is None                       # identity falls back to the name
    assert epic.ips == ("10.1.1.10", "10.1.2.10")    # vNetwork still has them
    assert [d.size_gb for d in epic.disks] == [100.0, 100.0]
    assert epic.memory_mb == 32768


def test_without_vdisk_a_vm_gets_one_disk_of_its_total_capacity(tmp_path):
    sheets = rvtools_sheets()
    del sheets["vDisk"], sheets["vPartition"]
    util = by_name(parse(write_xlsx(tmp_path / "x.xlsx", sheets)))["util01"]
    assert util.disks == (Disk("all disks", 50.0, 20.0, False),)


def test_vinfo_alone_is_enough(tmp_path):
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", {"vInfo": rvtools_sheets()["vInfo"]}))
    assert len(parsed.servers) == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_csv_export_is_read_from_its_directory_or_any_tab_file(tmp_path, encoding):
    for tab, rows in rvtools_sheets().items():
        write_csv(tmp_path / f"RVTools_tab{tab}.csv", rows, encoding=encoding,
                  delimiter="\t" if encoding == "utf-16" else ",")
    from_directory = parse(tmp_path)
    from_tab = parse(tmp_path / "RVTools_tabvDisk.csv")
    from_workbook = parse(write_xlsx(tmp_path / "all.xlsx", rvtools_sheets()))
    assert from_directory.servers == from_tab.servers == from_workbook.servers
    assert from_directory.path == str(tmp_path)


def test_csv_export_without_the_vinfo_tab_says_so(tmp_path):
    write_csv(tmp_path / "RVTools_tabvDisk.csv", rvtools_sheets()["vDisk"])
    [problem] = problems_of(tmp_path / "RVTools_tabvDisk.csv")
    assert "RVTools_tabvInfo.csv" in problem.message


def test_problems_in_a_csv_tab_name_that_tab_file(tmp_path):
    sheets = rvtools_sheets()
    sheets["vDisk"][1][VDISK_4X.index("Capacity MiB")] = "-5"
    for tab, rows in sheets.items():
        write_csv(tmp_path / f"RVTools_tab{tab}.csv", rows)
    # A side sheet's bad row is a warning naming the tab file, its row and column ...
    parsed = parse(tmp_path)
    assert parsed.warnings == ("RVTools_tabvDisk.csv, row 2, column 'Capacity MiB': must not be negative, got -5; "
                               "row left out",)
    # ... and EPICPRD01, having lost one of its two disks, keeps vInfo's total capacity instead.
    assert by_name(parsed)["EPICPRD01"].disks == (Disk("all disks", 200.0, 100.0, False),)
    with pytest.raises(InputError) as caught:   # --strict: an error, nothing imported
        parse(tmp_path, strict=True)
    [problem] = caught.value.problems
    assert problem.file == str(tmp_path / "RVTools_tabvDisk.csv")
    assert (problem.row, problem.column) == (2, "Capacity MiB")
    assert "negative" in problem.message


def test_srm_placeholders_are_skipped_like_templates(tmp_path):
    sheets = rvtools_sheets()
    placeholder = dict(zip(VINFO_4X, sheets["vInfo"][1]))
    placeholder.update({"VM": "EPICPRD01-placeholder", "SRM Placeholder": True, "VM UUID": ""})
    sheets["vInfo"].append([placeholder[c] for c in VINFO_4X])
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", sheets))
    assert parsed.skipped == {"template": 1, "srm-placeholder": 1}


def test_bad_cells_are_each_reported_with_sheet_row_and_column(tmp_path):
    sheets = rvtools_sheets()
    info = sheets["vInfo"]
    info[1][VINFO_4X.index("CPUs")] = "eight"
    info[3][VINFO_4X.index("Memory")] = -4096
    info[4][VINFO_4X.index("Primary IP Address")] = "10.1.3.300"
    sheets["vNetwork"][1][VNETWORK_4X.index("IPv4 Address")] = "not-an-ip"
    path = write_xlsx(tmp_path / "bad.xlsx", sheets)
    problems = problems_of(path)
    located = {(p.sheet, p.row, p.column) for p in problems}
    assert located == {("vInfo", 2, "CPUs"), ("vInfo", 4, "Memory")}
    assert all(p.file == str(tmp_path / "bad.xlsx") for p in problems)
    with pytest.raises(InputError) as caught:   # --strict adds the warnings (a primary IP, a side sheet)
        parse(path, strict=True)
    assert {(p.sheet, p.row, p.column) for p in caught.value.problems} == \
        located | {("vInfo", 5, "Primary IP Address"), ("vNetwork", 2, "IPv4 Address")}


def test_a_vm_uuid_or_primary_ip_that_cannot_be_read_is_dropped_with_a_warning(tmp_path):
    sheets = rvtools_sheets()
    sheets["vInfo"][1][VINFO_4X.index("VM UUID")] = "x" * 200           # no identifier is that long
    sheets["vInfo"][4][VINFO_4X.index("Primary IP Address")] = "10.1.3.300"
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", sheets))
    servers = by_name(parsed)
    assert (servers["EPICPRD01"].vm_uuid, servers["util01"].ips) == (None, ("10.1.3.20",))
    assert [w.split(":")[0] for w in parsed.warnings] == ["sheet vInfo, row 2, column 'VM UUID'",
                                                          "sheet vInfo, row 5, column 'Primary IP Address'"]
    assert all(w.endswith("; value ignored") for w in parsed.warnings)


def test_a_vm_name_twice_with_nothing_to_tell_the_rows_apart_is_still_two_servers(tmp_path):
    sheets = rvtools_sheets()
    copy = list(sheets["vInfo"][4])
    copy[0] = "UTIL01"   # names compare case-insensitively
    sheets["vInfo"].append(copy)
    parsed = parse(write_xlsx(tmp_path / "dup.xlsx", sheets))
    twins = [s for s in parsed.servers if s.name.casefold() == "util01"]
    assert [dict(s.tags)["name-qualifier"] for s in twins] == ["DC1/CL1/esx01#1", "DC1/CL1/esx01#2"]
    assert len({s.identity for s in parsed.servers}) == len(parsed.servers) == 4
    assert ("VM name 'util01' is on 2 vInfo rows (5, 6) with no VM UUID to tell them apart: kept as 2 servers "
            "qualified by datacenter/cluster/host/file order (DC1/CL1/esx01#1, DC1/CL1/esx01#2)") in parsed.warnings


def test_workbook_without_vinfo_is_not_rvtools(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"Sheet1": [["VM"], ["a"]]})
    [problem] = problems_of(path, "rvtools")
    assert "has no vInfo sheet" in problem.message


def test_vinfo_without_a_vm_column(tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"vInfo": [["Name", "CPUs"], ["a", 1]]})
    [problem] = problems_of(path, "rvtools")
    assert (problem.sheet, problem.row, problem.column, problem.message) == \
        ("vInfo", 1, "VM", "missing mandatory column 'VM'")


def test_empty_vinfo_sheet(tmp_path):
    [problem] = problems_of(write_xlsx(tmp_path / "x.xlsx", {"vInfo": []}), "rvtools")
    assert problem.sheet == "vInfo" and "empty" in problem.message


def test_a_lone_vinfo_csv_under_another_name_reads_with_the_explicit_format(tmp_path):
    path = write_csv(tmp_path / "vms.csv", rvtools_sheets()["vInfo"])
    assert len(parse(path, "rvtools").servers) == 3
    assert parse(path).format == "rvtools"   # and detection recognises the vInfo header


def test_vm_names_that_are_fqdns_become_short_names(tmp_path):
    rows = rows_for(["VM", "Powerstate", "CPUs"], [{"VM": "pacs01.rbh.local", "Powerstate": "poweredOn", "CPUs": 2}])
    [server] = parse(write_xlsx(tmp_path / "x.xlsx", {"vInfo": rows})).servers
    assert (server.name, server.fqdn) == ("pacs01", "pacs01.rbh.local")


def test_rows_for_vms_missing_from_vinfo_are_ignored_with_a_warning(tmp_path):
    sheets = rvtools_sheets()
    sheets["vDisk"].append(["ghost", "poweredOn", False, "Hard disk 1", "", "", "", 1024])
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", sheets))
    assert parsed.warnings == ("vDisk: 1 row(s) name VMs that are not servers in vInfo (templates, placeholders "
                               "or unknown VMs); ignored",)


def test_one_core_machines_read_the_sheets_in_turn_with_the_same_result(rvtools_xlsx, monkeypatch):
    side_by_side = parse(rvtools_xlsx)
    monkeypatch.setattr("migrate.inventory.importers.workbook.os.cpu_count", lambda: 1)
    assert parse(rvtools_xlsx) == side_by_side


# --- side sheets are optional evidence: what real (anonymised) exports look like ------------------

def test_a_side_sheet_whose_vm_header_was_anonymised_is_skipped_with_one_warning(tmp_path):
    sheets = rvtools_sheets()
    # Search-and-replace anonymisation turned vPartition's `VM` header cell into a site name.
    sheets["vPartition"][0] = ["Riverbend North DC" if h == "VM" else h for h in sheets["vPartition"][0]]
    path = write_xlsx(tmp_path / "RVTools_export_all.xlsx", sheets)
    parsed = parse(path)
    assert sorted(by_name(parsed)) == ["EPICPRD01", "lab-rhel6", "util01"]
    assert parsed.warnings == ("sheet vPartition, column 'VM': the header has no 'VM' column (anonymised or from "
                               "another tool?); sheet skipped, used space comes from In Use in vInfo",)
    # Used space is vInfo's In Use (150000 MiB) spread over the two vDisk disks.
    assert by_name(parsed)["EPICPRD01"].disks == (Disk("Hard disk 1", 100.0, 73.242, False),
                                                  Disk("Hard disk 2", 100.0, 73.242, True))
    with pytest.raises(InputError) as caught:
        parse(path, strict=True)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("vPartition", 1, "VM")
    assert "skipped" not in problem.message   # an error: nothing is skipped, nothing imported


def test_each_side_sheet_lacking_what_it_is_read_for_falls_back_to_vinfo(tmp_path):
    sheets = rvtools_sheets()
    sheets["vDisk"][0] = ["Size" if h == "Capacity MiB" else h for h in sheets["vDisk"][0]]
    sheets["vNetwork"][0] = ["IP" if h == "IPv4 Address" else h for h in sheets["vNetwork"][0]]
    sheets["vHost"][0] = ["ESX" if h == "Host" else h for h in sheets["vHost"][0]]
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", sheets))
    servers = by_name(parsed)
    assert servers["EPICPRD01"].disks == (Disk("all disks", 200.0, 100.0, False),)   # vInfo's total capacity
    assert servers["EPICPRD01"].ips == ("10.1.1.10",)                                 # vInfo's primary IP only
    assert servers["lab-rhel6"].cluster is None                                       # vHost would have said CL2
    assert [w.split(":")[0] for w in parsed.warnings] == ["sheet vDisk, column 'Capacity MiB'",
                                                          "sheet vNetwork, column 'IPv4 Address'",
                                                          "sheet vHost, column 'Host'"]


def test_an_empty_side_sheet_is_a_warning_and_an_empty_vinfo_still_an_error(tmp_path):
    sheets = rvtools_sheets()
    sheets["vDisk"] = []
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", sheets))
    assert parsed.warnings == ("sheet vDisk: the sheet is empty (no header row); sheet skipped, disk sizes come "
                               "from the total capacity in vInfo",)
    sheets["vInfo"] = []
    [problem] = problems_of(write_xlsx(tmp_path / "y.xlsx", sheets))
    assert (problem.sheet, problem.message) == ("vInfo", "the sheet is empty (no header row)")


def test_an_unreadable_partition_row_leaves_the_vm_with_vinfos_in_use(tmp_path):
    sheets = rvtools_sheets()
    sheets["vPartition"][2][VPARTITION_4X.index("Consumed MiB")] = "n/a"
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", sheets))
    assert parsed.warnings == ("sheet vPartition, row 3, column 'Consumed MiB': expected a number, got 'n/a'; "
                               "row left out",)
    assert [d.used_gb for d in by_name(parsed)["EPICPRD01"].disks] == [73.242, 73.242]   # not 40 GiB of 100


# --- names and UUIDs inside one export -------------------------------------------------------------

def test_an_older_export_naming_two_vms_alike_in_two_datacenters_keeps_both(tmp_path):
    header = VINFO_OLD
    rows = [{"VM": "app01", "Powerstate": "poweredOn", "CPUs": 2, "Datacenter": "North", "Cluster": "CL1"},
            {"VM": "APP01", "Powerstate": "poweredOff", "CPUs": 4, "Datacenter": "South", "Cluster": "CL1"}]
    disks = [{"VM": "app01", "Disk": "Hard disk 1", "Capacity MB": 10240, "Datacenter": "South"},
             {"VM": "app01", "Disk": "Hard disk 1", "Capacity MB": 20480, "Datacenter": "North"}]
    parsed = parse(write_xlsx(tmp_path / "old.xlsx", {
        "vInfo": rows_for(header, rows),
        "vDisk": rows_for([h.replace("MiB", "MB") for h in VDISK_4X], disks)}))
    north, south = parsed.servers
    assert (north.cores, dict(north.tags)["name-qualifier"], north.disks[0].size_gb) == (2, "North", 20.0)
    assert (south.cores, dict(south.tags)["name-qualifier"], south.disks[0].size_gb) == (4, "South", 10.0)
    assert north.identity != south.identity
    assert parsed.warnings == ("VM name 'app01' is on 2 vInfo rows (2, 3) with no VM UUID to tell them apart: kept "
                               "as 2 servers qualified by datacenter (North, South)",)


def test_a_uuid_on_a_vm_and_its_renamed_copy_is_two_servers_and_a_row_listed_twice_is_one(tmp_path):
    sheets = rvtools_sheets()
    copy = dict(zip(VINFO_4X, sheets["vInfo"][1]), **{"VM": "EPICPRD01_old", "Powerstate": "poweredOff"})
    sheets["vInfo"].append([copy[c] for c in VINFO_4X])
    sheets["vInfo"].append(list(sheets["vInfo"][1]))   # the same VM again (two exports pasted together)
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", sheets))
    servers = by_name(parsed)
    assert (servers["EPICPRD01"].power_state, servers["EPICPRD01_old"].power_state) == ("on", "off")
    assert servers["EPICPRD01"].vm_uuid == servers["EPICPRD01_old"].vm_uuid == UUID_EPIC
    assert len(parsed.servers) == 4
    assert parsed.warnings == (
        "vInfo rows 2 and 7 are the same VM (EPICPRD01, VM UUID 5029a1b2-1111-2222-3333-444455556666, vCenter "
        "vc01.rbh.local); row 7 ignored",
        "VM UUID 5029a1b2-1111-2222-3333-444455556666 is on 2 VMs (row 2 EPICPRD01 (vc01.rbh.local), row 6 "
        "EPICPRD01_old (vc01.rbh.local)): kept as 2 servers (clones, replicas or restored copies carry the "
        "UUID of their original)")


# --- shapes of public exports -----------------------------------------------------------------------

def test_a_trimmed_export_with_few_columns_per_sheet_and_sheets_not_read(tmp_path):
    # Shape of a published sample: 14 vInfo columns, vDisk/vPartition without Template or UUID,
    # vPartition's `Free % ` with a trailing space, a vHost without datacenter or cluster, and
    # sheets carelift does not read (vCPU, vMemory, vSnapshot, vHealth, dvPort, ...).
    vinfo = ["VM", "Powerstate", "CPUs", "Memory", "Host", "Cluster", "Datacenter", "Disks", "Provisioned MiB",
             "CPU Usage %", "Network #1", "Primary IP Address", "OS according to the VMware Tools", "Firmware"]
    sheets = {
        "vInfo": rows_for(vinfo, [{"VM": "web-01", "Powerstate": "poweredOn", "CPUs": 2.0, "Memory": 8192.0,
                                   "Host": "host-01", "Cluster": "cluster-a", "Datacenter": "dc", "Disks": 2.0,
                                   "Provisioned MiB": 122880.0, "Primary IP Address": "10.10.1.10",
                                   "OS according to the VMware Tools": "Ubuntu Linux (64-bit)", "Firmware": "bios"}]),
        "vDisk": rows_for(["VM", "Disk", "Disk Key", "Capacity MiB", "Unit #"],
                          [{"VM": "web-01", "Disk": "Hard disk 1", "Disk Key": "2000", "Capacity MiB": 81920.0},
                           {"VM": "web-01", "Disk": "Hard disk 2", "Disk Key": "2001", "Capacity MiB": 40960.0}]),
        "vPartition": rows_for(["VM", "Disk Key", "Disk", "Capacity MiB", "Consumed MiB", "Free MiB", "Free % "],
                               [{"VM": "web-01", "Disk Key": "2000", "Disk": "/", "Consumed MiB": 40960.0},
                                {"VM": "web-01", "Disk Key": "2001", "Disk": "/var", "Consumed MiB": 20480.0}]),
        "vCPU": [["VM", "Overall", "CPU ready %"], ["web-01", 120, 0.5]],
        "vHost": [["Host", "Speed", "# Cores"], ["host-01", 2400.0, 16.0]],
        "vHealth": [["Name", "Message type", "Message"], ["web-01", "Warning", "snapshot older than 7 days"]],
    }
    parsed = parse(write_xlsx(tmp_path / "rvtools-small.xlsx", sheets))
    [web] = parsed.servers
    assert (web.cores, web.memory_mb, web.ips, web.cluster) == (2, 8192, ("10.10.1.10",), "cluster-a")
    assert web.disks == (Disk("Hard disk 1", 80.0, 40.0), Disk("Hard disk 2", 40.0, 20.0))
    assert parsed.warnings == ()


def test_an_old_csv_export_with_custom_attributes_and_a_multi_line_cell(tmp_path):
    # Shape of a vCenter 5.1-era RVTools CSV: `MB` units with thousands separators, custom
    # attribute columns (one cell spanning two lines), VI SDK columns, no SRM or primary IP.
    header = ["VM", "Powerstate", "Template", "DNS Name", "CPUs", "Memory", "Provisioned MB", "In Use MB",
              "Annotation", "NB_LAST_BACKUP", "Datacenter", "Cluster", "Host",
              "OS according to the configuration file", "OS according to the VMware Tools", "VM ID", "VM UUID",
              "VI SDK Server type", "VI SDK API Version", "VI SDK Server", "VI SDK UUID"]
    rows = [["APDC03", "poweredOn", "False", "APDC03.pcc.int", "2", "4,096", "65,744", "65,744",
             "Domain Controller", "Sat Jan 20 05:26:53 2018\n,apntbkup01,FlashBackup", "MD_DATACENTER",
             "MD_CLUSTER_1", "apesx01.example.com", "Microsoft Windows Server 2012 (64-bit)",
             "Microsoft Windows Server 2012 (64-bit)", "vm-44956", "422ea90a-b80a-81de-0d4c-6f111142c4f7",
             "VMware vCenter Server 5.1.0 build-880146", "5.1", "apvcenter.example.com",
             "258FD56F-AB48-4992-9D1D-8CED6C827CF0"]]
    write_csv(tmp_path / "RVTools_tabvInfo.csv", [header, *rows])
    [dc] = parse(tmp_path).servers
    assert (dc.name, dc.fqdn, dc.memory_mb, dc.os_version) == ("APDC03", "apdc03.pcc.int", 4096, "2012")
    assert dc.disks == (Disk("all disks", 64.203, 64.203),)
    assert dc.identity == "apvcenter.example.com/422ea90a-b80a-81de-0d4c-6f111142c4f7 apdc03"


@pytest.mark.parametrize("written", ["50000a1b-1234-abcd-ef01-0123456789ab", " 50000A1B-1234-ABCD-EF01-0123456789AB ",
                                     "{50000a1b-1234-abcd-ef01-0123456789ab}", "50000a1b1234abcdef010123456789ab",
                                     "urn:uuid:50000a1b-1234-abcd-ef01-0123456789ab"])
def test_a_vm_uuid_in_any_form_is_the_canonical_one(written):
    """The canonical lower-case form is taken as it is (the common case); the others go through uuid.UUID."""
    from migrate.inventory.importers import fields

    assert fields.vm_uuid(written) == "50000a1b-1234-abcd-ef01-0123456789ab"
    assert fields.vm_uuid("vm-42") == "vm-42" and fields.vm_uuid("  ") is None


def test_the_workbook_detection_opened_is_the_one_parsed(rvtools_xlsx, monkeypatch):
    """Format detection opens the workbook (bounds checks included) to read its sheet names; the
    parse that follows reads that one instead of opening and checking the file again, and it is
    closed once the parse ends. A second parse of the same file opens it again."""
    from migrate.inventory.importers import workbook, xlsx_limits

    opened, closed = [], []
    real_package, real_close = xlsx_limits.Package, workbook.Workbook.close

    def package(path, limits):
        opened.append(path)
        return real_package(path, limits)

    def close(self):
        closed.append(self._closed)
        real_close(self)

    monkeypatch.setattr(xlsx_limits, "Package", package)
    monkeypatch.setattr(workbook.Workbook, "close", close)
    first = parse(rvtools_xlsx)
    assert len(opened) == 1 and closed and not closed[0] and all(closed[1:])
    assert parse(rvtools_xlsx) == first and len(opened) == 2
    assert parse(rvtools_xlsx, "rvtools") == first and len(opened) == 3  # no detection: opened by the parse


# --- partitions placed on their disks by Disk Key ---------------------------------------------------
# Shapes of public exports: RVTools 4.x writes `Disk Key` in vDisk and vPartition (a published sample
# has it as text, "2000"; xlsx writers may store the number); a 3.x-era export's vPartition has only
# `Disk` as a drive letter or mount point, which names no vDisk disk.

KEYED_VINFO = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Total disk capacity MiB", "In Use MiB", "VM UUID",
               "VI SDK Server"]
KEYED_VDISK = ["VM", "Disk", "Disk Key", "Capacity MiB", "VM UUID", "VI SDK Server"]
KEYED_VPARTITION = ["VM", "Disk Key", "Disk", "Capacity MiB", "Consumed MiB", "VM UUID", "VI SDK Server"]
GIB = 1024


def keyed_sheets(partitions=None, vpartition_header=KEYED_VPARTITION):
    """app01 and app02: a 100 GiB disk (key 2000) and a 50 GiB one (2001) each; nodisk01: partitions
    but no vDisk rows. app01's C: (10 GiB) is on 2000, D: and E: (20 + 5 GiB) both on 2001: placed
    10 / 25, where spreading 35 GiB by size would give 23.333 / 11.667."""
    vms = [{"VM": name, "Powerstate": "poweredOn", "CPUs": 2, "Memory": 4096, "Total disk capacity MiB": total,
            "In Use MiB": 1, "VI SDK Server": "vc01"} for name, total in
           (("app01", 150 * GIB), ("app02", 150 * GIB), ("nodisk01", 40 * GIB))]
    disks = [{"VM": vm, "Disk": f"Hard disk {n + 1}", "Disk Key": 2000 + n, "Capacity MiB": size * GIB}
             for vm in ("app01", "app02") for n, size in enumerate((100, 50))]
    if partitions is None:
        partitions = [("app01", "2000", "C:\\", 10), ("app01", "2001", "D:\\", 20), ("app01", "2001", "E:\\", 5),
                      ("app02", "2000", "/", 30), ("app02", "2001", "/data", 40),
                      ("nodisk01", "2000", "/", 5), ("nodisk01", "2001", "/var", 3)]
    rows = [{"VM": vm, "Disk Key": key, "Disk": mount, "Capacity MiB": 50 * GIB, "Consumed MiB": used * GIB}
            for vm, key, mount, used in partitions]
    return {"vInfo": rows_for(KEYED_VINFO, vms), "vDisk": rows_for(KEYED_VDISK, disks),
            "vPartition": rows_for(vpartition_header, rows)}


def used(parsed, name):
    return [disk.used_gb for disk in by_name(parsed)[name].disks]


def test_partitions_are_placed_on_the_disk_their_key_names(tmp_path):
    parsed = parse(write_xlsx(tmp_path / "keyed.xlsx", keyed_sheets()))
    assert used(parsed, "app01") == [10.0, 25.0]    # two partitions on one disk add up; not 23.333 / 11.667
    assert used(parsed, "app02") == [30.0, 40.0]
    # No vDisk rows: one disk of vInfo's total holds all 8 GiB, as it would spread (nothing to place).
    assert by_name(parsed)["nodisk01"].disks == (Disk("all disks", 40.0, 8.0),)
    assert parsed.warnings == ()


def test_a_csv_export_places_partitions_too(tmp_path):
    for tab, rows in keyed_sheets().items():
        write_csv(tmp_path / f"RVTools_tab{tab}.csv", rows)
    parsed = parse(tmp_path)
    assert (used(parsed, "app01"), parsed.warnings) == ([10.0, 25.0], ())


def test_without_a_disk_key_column_used_space_is_spread_with_one_counted_warning(tmp_path):
    header = [h for h in KEYED_VPARTITION if h != "Disk Key"]   # an older export: drive letters only
    path = write_xlsx(tmp_path / "old.xlsx", keyed_sheets(vpartition_header=header))
    parsed = parse(path)
    assert used(parsed, "app01") == [23.333, 11.667] and used(parsed, "app02") == [46.667, 23.333]
    assert parsed.warnings == (
        f"{path}, sheet vPartition: the used space of 2 VM(s) with several disks is spread over their disks in "
        f"proportion to size, not placed on the disk its partitions are on (2 for want of a Disk Key column in "
        f"vDisk or vPartition)",)
    assert parse(path, strict=True).servers == parsed.servers   # not an error even with --strict: the key is optional


def test_a_blank_or_unknown_key_spreads_that_vm_only_and_the_warning_counts_each_reason(tmp_path):
    partitions = [("app01", "2000", "C:\\", 10), ("app01", None, "D:\\", 20), ("app01", "2001", "E:\\", 5),
                  ("app02", "2000", "/", 30), ("app02", "2099", "/data", 40)]
    path = write_xlsx(tmp_path / "x.xlsx", keyed_sheets(partitions))
    parsed = parse(path)
    assert used(parsed, "app01") == [23.333, 11.667]   # blank key on D:: the whole VM is spread, total exact
    assert used(parsed, "app02") == [46.667, 23.333]   # 2099 is no disk of app02
    [warning] = parsed.warnings
    assert warning.endswith("the used space of 2 VM(s) with several disks is spread over their disks in proportion "
                            "to size, not placed on the disk its partitions are on (1 with a partition whose Disk Key "
                            "is blank, 1 with a partition whose Disk Key matches none of the VM disks in vDisk)")
    assert warning.startswith(f"{path}, sheet vPartition: ")


def test_a_key_of_another_vm_is_unknown_and_same_named_vms_keep_their_own_disks(tmp_path):
    sheets = keyed_sheets([("app01", "2000", "C:\\", 10), ("app01", "2001", "D:\\", 20)])
    # app02's disks get keys 3000/3001: app01's partition on 2001 must not be placed on another VM's disk.
    for row in sheets["vDisk"][3:]:
        row[2] += 1000
    sheets["vPartition"].append(["app02", "3001", "/", 50 * GIB, 7 * GIB, "", ""])
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", sheets))
    assert used(parsed, "app01") == [10.0, 20.0] and used(parsed, "app02") == [0.0, 7.0]
    sheets["vPartition"][2][1] = "3001"   # app01's D: names app02's disk: unknown for app01
    parsed = parse(write_xlsx(tmp_path / "y.xlsx", sheets))
    assert used(parsed, "app01") == [20.0, 10.0] and parsed.warnings[0].endswith("VM disks in vDisk)")


def test_two_vms_of_one_name_told_apart_by_uuid_each_place_their_own_partitions(tmp_path):
    uuid_a, uuid_b = "50000000-0000-0000-0000-00000000000a", "50000000-0000-0000-0000-00000000000b"
    sheets = keyed_sheets([])
    sheets["vInfo"][2][0] = "app01"   # app02 renamed: two app01s, told apart by VM UUID
    sheets["vInfo"][1][KEYED_VINFO.index("VM UUID")], sheets["vInfo"][2][KEYED_VINFO.index("VM UUID")] = uuid_a, uuid_b
    for row in sheets["vDisk"][1:]:
        row[KEYED_VDISK.index("VM UUID")] = uuid_a if row[0] == "app01" else uuid_b
        row[0] = "app01"
    sheets["vPartition"] += [["app01", "2001", "/", 50 * GIB, 4 * GIB, uuid_b, ""],
                             ["app01", "2000", "/", 50 * GIB, 9 * GIB, uuid_a, ""]]
    first, second, _ = parse(write_xlsx(tmp_path / "x.xlsx", sheets)).servers
    assert (first.vm_uuid, [d.used_gb for d in first.disks]) == (uuid_a, [9.0, 0.0])
    assert (second.vm_uuid, [d.used_gb for d in second.disks]) == (uuid_b, [0.0, 4.0])


def test_a_disk_holds_no_more_than_its_size(tmp_path):
    # Partitions over their disk's capacity (a spanned volume reported on its first disk): capped at the size.
    parsed = parse(write_xlsx(tmp_path / "x.xlsx", keyed_sheets([("app01", "2001", "/", 70), ("app01", "2000", "/b", 1)])))
    assert used(parsed, "app01") == [1.0, 50.0]
